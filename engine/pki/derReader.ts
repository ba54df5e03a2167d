/**
 * DER decoding (ITU-T X.690), the reading side of der.ts: enough to walk a PKCS#10 certificate
 * request and an X.509 certificate. Definite lengths only, as DER requires.
 */

/** One decoded element: its tag byte, the bytes of its content, and the whole encoding. */
export interface DerElement {
  tag: number;
  content: Buffer;
  /** The element's own encoding (tag, length and content): what a signature covers. */
  raw: Buffer;
}

/** A malformed encoding; the message says what was wrong and where. */
export class DerError extends Error {}

/** The element starting at `offset` of `bytes`. */
export function readElement(bytes: Buffer, offset = 0): DerElement {
  if (offset + 2 > bytes.length) throw new DerError("truncated element");
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("high-tag-number form is not supported");
  let length = bytes[offset + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError("indefinite length found (not DER)");
    if (count > 4) throw new DerError("length too large");
    if (offset + 2 + count > bytes.length) throw new DerError("truncated length");
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + (bytes[offset + 2 + index] as number);
    if (length < 0x80 || (bytes[offset + 2] as number) === 0) throw new DerError("non-minimal length");
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new DerError("data truncated");
  return { tag, content: bytes.subarray(offset + header, end), raw: bytes.subarray(offset, end) };
}

/** The single element `bytes` holds, refusing anything after it. */
export function readSingle(bytes: Buffer): DerElement {
  const element = readElement(bytes);
  if (element.raw.length !== bytes.length) throw new DerError("trailing data");
  return element;
}

/** The elements of a constructed value's content, in order. */
export function readChildren(content: Buffer): DerElement[] {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < content.length) {
    const child = readElement(content, offset);
    children.push(child);
    offset += child.raw.length;
  }
  return children;
}

/** The dotted form of an OBJECT IDENTIFIER's content. */
export function readOid(content: Buffer): string {
  if (content.length === 0) throw new DerError("empty object identifier");
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else arcs.push(value);
    value = 0;
  }
  return arcs.join(".");
}

/** A string type's text (UTF8String, PrintableString, IA5String, T61String, BMPString). */
export function readString(element: DerElement): string {
  // BMPString is UTF-16 big-endian.
  if (element.tag === 0x1e) return Buffer.from(element.content).swap16().toString("utf16le");
  return element.content.toString(element.tag === 0x0c ? "utf8" : "latin1");
}

/** The instant a UTCTime or GeneralizedTime holds, in milliseconds. */
export function readTime(element: DerElement): number {
  const text = element.content.toString("latin1");
  const match =
    element.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw new DerError(`malformed time ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  // RFC 5280: a two-digit year below 50 is 20xx.
  const fullYear = element.tag === 0x17 ? (year < 50 ? 2000 + year : 1900 + year) : year;
  return Date.UTC(fullYear, month - 1, day, hour, minute, second);
}

/**
 * DER encoding (ITU-T X.690) of the few ASN.1 types X.509 certificates need, by hand to avoid a
 * dependency. Buffer rather than Uint8Array: everything that makes certificates also signs them
 * with node:crypto, so it runs on Node only.
 */

/** The length octets: short form below 128, else 0x80 | count followed by the big-endian length. */
function length(size: number): number[] {
  if (size < 0x80) return [size];
  const bytes: number[] = [];
  let remaining = size;
  while (remaining > 0) {
    bytes.unshift(remaining & 0xff);
    remaining >>= 8;
  }
  return [0x80 | bytes.length, ...bytes];
}

/** A value with tag `tag` and content `content`, for tags the helpers below do not name. */
export function tlv(tag: number, content: Uint8Array | readonly number[]): Buffer {
  const body = Buffer.from(content);
  return Buffer.concat([Buffer.from([tag, ...length(body.length)]), body]);
}

export const sequence = (...parts: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(parts));
export const set = (...parts: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(parts));
export const octetString = (content: Uint8Array): Buffer => tlv(0x04, content);
export const bitString = (content: Uint8Array, unusedBits = 0): Buffer =>
  tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, "utf8"));

/**
 * A string as Go's encoding/asn1 marshals one without a tag: PrintableString when every character
 * is in its alphabet (letters, digits, space and '()+,-./:=?), else UTF8String.
 */
export function goString(text: string): Buffer {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text) ? tlv(0x13, Buffer.from(text, "latin1")) : utf8String(text);
}
export const booleanTrue = (): Buffer => tlv(0x01, [0xff]);
/** A context-specific constructed tag ([0], [3] …) around `content`. */
export const explicit = (tag: number, content: Uint8Array): Buffer => tlv(0xa0 | tag, content);

/**
 * A non-negative INTEGER from its big-endian bytes: leading zero bytes are dropped, and a zero byte
 * is put back in front when the top bit is set, so the value does not read as negative.
 */
export function integer(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from its dotted form: the first two arcs in one byte, then base 128. */
export function oid(text: string): Buffer {
  const parts = text.split(".").map(Number);
  const bytes: number[] = [(parts[0] as number) * 40 + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    let remaining = part >> 7;
    while (remaining > 0) {
      chunk.unshift(0x80 | (remaining & 0x7f));
      remaining >>= 7;
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, bytes);
}

/** YYYYMMDDHHMMSSZ for the instant `ms`. */
function timeDigits(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** UTCTime (two-digit year) for the instant `ms`. */
export const utcTime = (ms: number): Buffer => tlv(0x17, Buffer.from(timeDigits(ms).slice(2)));

/** GeneralizedTime (four-digit year) for the instant `ms`. */
export const generalizedTime = (ms: number): Buffer => tlv(0x18, Buffer.from(timeDigits(ms)));

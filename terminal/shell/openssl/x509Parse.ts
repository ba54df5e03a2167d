import {
  type DerElement,
  readChildren,
  readOid,
  readSingle,
  readString,
  readTime,
} from "../../../engine/pki/derReader";

/** X.509 certificates and PKCS#10 requests read into what `openssl x509`/`req` print. */

export interface NameEntry {
  oid: string;
  value: string;
}

/** A distinguished name: its RDNs (usually one attribute each) and its DER. */
export interface Name {
  rdns: NameEntry[][];
  der: Buffer;
}

export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface Certificate {
  der: Buffer;
  /** 0 for v1, 2 for v3. */
  version: number;
  serial: Buffer;
  signatureAlgorithm: string;
  issuer: Name;
  notBefore: number;
  notAfter: number;
  subject: Name;
  /** The DER SubjectPublicKeyInfo. */
  publicKeyInfo: Buffer;
  extensions: Extension[];
  signature: Buffer;
}

export interface Request {
  der: Buffer;
  version: number;
  subject: Name;
  publicKeyInfo: Buffer;
  /** The attributes other than extensionRequest, as OIDs. */
  attributes: string[];
  /** The extensionRequest's extensions, or undefined when the request has none. */
  extensions: Extension[] | undefined;
  signatureAlgorithm: string;
  signature: Buffer;
}

function child(children: DerElement[], index: number): DerElement {
  const element = children[index];
  if (!element) throw new Error("truncated structure");
  return element;
}

/** A Name's RDNs. */
export function readName(element: DerElement): Name {
  const rdns = readChildren(element.content).map((set) =>
    readChildren(set.content).map((pair) => {
      const [type, value] = readChildren(pair.content) as [DerElement, DerElement];
      return { oid: readOid(type.content), value: readString(value) };
    }),
  );
  return { rdns, der: element.raw };
}

function algorithmOf(element: DerElement): string {
  return readOid(child(readChildren(element.content), 0).content);
}

function readExtensions(element: DerElement): Extension[] {
  return readChildren(element.content).map((extension) => {
    const parts = readChildren(extension.content);
    const critical =
      parts.length === 3 && (parts[1] as DerElement).tag === 0x01 && (parts[1] as DerElement).content[0] !== 0;
    return { oid: readOid(child(parts, 0).content), critical, value: (parts[parts.length - 1] as DerElement).content };
  });
}

/** A DER certificate. */
export function parseCertificate(der: Buffer): Certificate {
  const [tbs, algorithm, signature] = readChildren(readSingle(der).content) as [DerElement, DerElement, DerElement];
  const fields = readChildren(tbs.content);
  let index = 0;
  let version = 0;
  if (child(fields, 0).tag === 0xa0) {
    version = child(readChildren(child(fields, 0).content), 0).content[0] ?? 0;
    index = 1;
  }
  const serial = child(fields, index).content;
  const validity = readChildren(child(fields, index + 3).content);
  let extensions: Extension[] = [];
  for (const field of fields.slice(index + 6))
    if (field.tag === 0xa3) extensions = readExtensions(child(readChildren(field.content), 0));
  return {
    der,
    version,
    serial,
    signatureAlgorithm: algorithmOf(algorithm),
    issuer: readName(child(fields, index + 2)),
    notBefore: readTime(child(validity, 0)),
    notAfter: readTime(child(validity, 1)),
    subject: readName(child(fields, index + 4)),
    publicKeyInfo: child(fields, index + 5).raw,
    extensions,
    signature: signature.content.subarray(1),
  };
}

const extensionRequest = "1.2.840.113549.1.9.14";

/** A DER PKCS#10 request. */
export function parseRequest(der: Buffer): Request {
  const [info, algorithm, signature] = readChildren(readSingle(der).content) as [DerElement, DerElement, DerElement];
  const fields = readChildren(info.content);
  const attributes: string[] = [];
  let extensions: Extension[] | undefined;
  const attributeSet = fields[3];
  if (attributeSet?.tag === 0xa0) {
    for (const attribute of readChildren(attributeSet.content)) {
      const [type, values] = readChildren(attribute.content) as [DerElement, DerElement];
      const oid = readOid(type.content);
      if (oid === extensionRequest) extensions = readExtensions(child(readChildren(values.content), 0));
      else attributes.push(oid);
    }
  }
  return {
    der,
    version: child(fields, 0).content[0] ?? 0,
    subject: readName(child(fields, 1)),
    publicKeyInfo: child(fields, 2).raw,
    attributes,
    extensions,
    signatureAlgorithm: algorithmOf(algorithm),
    signature: signature.content.subarray(1),
  };
}

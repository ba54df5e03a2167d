import { constants, createPublicKey, type KeyObject, verify } from "node:crypto";
import { type DerElement, DerError, readChildren, readOid, readSingle, readString } from "./derReader";

/**
 * PKCS#10 certificate requests (RFC 2986) as Go's crypto/x509 reads them for the certificates API:
 * kube-apiserver's validation (`certificates.ParseCSR` then `CheckSignature`) and the controller
 * manager's signer. Errors are worded as Go words them, since the API server shows them to the
 * learner (`spec.request: Invalid value: …: PEM block type must be CERTIFICATE REQUEST`).
 */

/** One attribute of a distinguished name: its type's dotted OID and its text. */
export interface NameAttribute {
  type: string;
  value: string;
}

/** An extension as it appears in a request's extensionRequest attribute. */
export interface RequestExtension {
  id: string;
  critical: boolean;
  /** The extension's value (the OCTET STRING's content). */
  value: Buffer;
}

export interface CertificateRequest {
  /** The whole request, DER. */
  raw: Buffer;
  /** The signed part (certificationRequestInfo), DER. */
  info: Buffer;
  /** The subject's attributes in the order the request lists them. */
  subject: NameAttribute[];
  /** The DER SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Buffer;
  /** Go's PublicKeyAlgorithm name: RSA, ECDSA, Ed25519, or "" when unknown. */
  publicKeyAlgorithm: string;
  extensions: RequestExtension[];
  /** The subjectAltName entries of the extensionRequest. */
  dnsNames: string[];
  emailAddresses: string[];
  ipAddresses: string[];
  uris: string[];
  signatureAlgorithm: string;
  signature: Buffer;
}

export const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  extensionRequest: "1.2.840.113549.1.9.14",
  subjectAltName: "2.5.29.17",
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
} as const;

/** Signature algorithms Go verifies, with node:crypto's digest name (null: the key decides). */
const SIGNATURE_ALGORITHMS: Record<string, { digest: string | null; key: string }> = {
  "1.2.840.113549.1.1.5": { digest: "sha1", key: "RSA" },
  "1.2.840.113549.1.1.11": { digest: "sha256", key: "RSA" },
  "1.2.840.113549.1.1.12": { digest: "sha384", key: "RSA" },
  "1.2.840.113549.1.1.13": { digest: "sha512", key: "RSA" },
  "1.2.840.10045.4.3.2": { digest: "sha256", key: "ECDSA" },
  "1.2.840.10045.4.3.3": { digest: "sha384", key: "ECDSA" },
  "1.2.840.10045.4.3.4": { digest: "sha512", key: "ECDSA" },
  "1.3.101.112": { digest: null, key: "Ed25519" },
};

const PUBLIC_KEY_ALGORITHMS: Record<string, string> = {
  [OID.rsaEncryption]: "RSA",
  [OID.ecPublicKey]: "ECDSA",
  [OID.ed25519]: "Ed25519",
};

/** The first PEM block of `text`, as Go's pem.Decode finds it; undefined when there is none. */
export function decodePem(text: string): { type: string; der: Buffer } | undefined {
  const match = /-----BEGIN ([^-\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) return undefined;
  const body = match[2] as string;
  // Headers (Proc-Type: …) are not base64; Go skips them, and nothing here needs them.
  const base64 = body
    .split(/\r?\n/)
    .filter((line) => !line.includes(":"))
    .join("");
  if (!/^[A-Za-z0-9+/=]*$/.test(base64)) return undefined;
  return { type: match[1] as string, der: Buffer.from(base64, "base64") };
}

/** upstream certificates.ParseCSR: the request in the first PEM block of `pem`. */
export function parseCertificateRequestPem(pem: string | Buffer): CertificateRequest {
  const block = decodePem(pem.toString());
  if (block?.type !== "CERTIFICATE REQUEST") throw new Error("PEM block type must be CERTIFICATE REQUEST");
  return parseCertificateRequest(block.der);
}

function expect(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element) throw new Error(`asn1: syntax error: sequence truncated`);
  if (element.tag !== tag)
    throw new Error(`asn1: structure error: tags don't match (${tag & 0x1f} vs {tag:${element.tag & 0x1f}}) ${what}`);
  return element;
}

/** x509.ParseCertificateRequest of a DER request. */
export function parseCertificateRequest(der: Buffer): CertificateRequest {
  try {
    return parseRequestStructure(der);
  } catch (error) {
    if (error instanceof DerError) throw new Error(`asn1: syntax error: ${error.message}`);
    throw error;
  }
}

function parseRequestStructure(der: Buffer): CertificateRequest {
  const outer = expect(readSingle(der), 0x30, "certificateRequest");
  const [infoElement, algorithmElement, signatureElement] = readChildren(outer.content);
  const info = expect(infoElement, 0x30, "tbsCertificateRequest");
  const [version, subject, spki, attributes] = readChildren(info.content);
  expect(version, 0x02, "version");
  const subjectElement = expect(subject, 0x30, "subject");
  const spkiElement = expect(spki, 0x30, "publicKey");
  const algorithm = readChildren(expect(algorithmElement, 0x30, "signatureAlgorithm").content)[0];
  const signatureBits = expect(signatureElement, 0x03, "signature");
  const keyAlgorithm = readChildren(expect(readChildren(spkiElement.content)[0], 0x30, "algorithm").content)[0];
  const extensions = attributes && attributes.tag === 0xa0 ? requestedExtensions(attributes.content) : [];
  const names = subjectAltNames(extensions);
  return {
    raw: outer.raw,
    info: info.raw,
    subject: readName(subjectElement),
    subjectPublicKeyInfo: spkiElement.raw,
    publicKeyAlgorithm: PUBLIC_KEY_ALGORITHMS[readOid(expect(keyAlgorithm, 0x06, "algorithm").content)] ?? "",
    extensions,
    ...names,
    signatureAlgorithm: readOid(expect(algorithm, 0x06, "algorithm").content),
    // A BIT STRING's first content byte counts the unused bits (0 for signatures).
    signature: signatureBits.content.subarray(1),
  };
}

/** A Name's attributes, flattened from its RDNs in order. */
export function readName(name: DerElement): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (const rdn of readChildren(name.content)) {
    for (const pair of readChildren(rdn.content)) {
      const [type, value] = readChildren(pair.content);
      if (!type || !value) throw new Error("x509: invalid RDNSequence: invalid attribute");
      attributes.push({ type: readOid(type.content), value: readString(value) });
    }
  }
  return attributes;
}

/** The extensions of the request's extensionRequest attribute (PKCS#9), if it has one. */
function requestedExtensions(attributesContent: Buffer): RequestExtension[] {
  const extensions: RequestExtension[] = [];
  for (const attribute of readChildren(attributesContent)) {
    const [type, values] = readChildren(attribute.content);
    if (!type || !values || readOid(type.content) !== OID.extensionRequest) continue;
    for (const list of readChildren(values.content)) {
      for (const extension of readChildren(list.content)) {
        const parts = readChildren(extension.content);
        const critical = parts.length === 3 && parts[1]?.tag === 0x01 && parts[1].content[0] !== 0;
        const value = parts[parts.length - 1];
        if (!parts[0] || !value) continue;
        extensions.push({ id: readOid(parts[0].content), critical, value: value.content });
      }
    }
  }
  return extensions;
}

/** The subjectAltName entries: dNSName [2], rfc822Name [1], iPAddress [7], URI [6]. */
function subjectAltNames(
  extensions: RequestExtension[],
): Pick<CertificateRequest, "dnsNames" | "emailAddresses" | "ipAddresses" | "uris"> {
  const names = {
    dnsNames: [] as string[],
    emailAddresses: [] as string[],
    ipAddresses: [] as string[],
    uris: [] as string[],
  };
  const extension = extensions.find((entry) => entry.id === OID.subjectAltName);
  if (!extension) return names;
  for (const name of readChildren(readSingle(extension.value).content)) {
    const text = name.content.toString("latin1");
    if (name.tag === 0x82) names.dnsNames.push(text);
    else if (name.tag === 0x81) names.emailAddresses.push(text);
    else if (name.tag === 0x86) names.uris.push(text);
    else if (name.tag === 0x87) names.ipAddresses.push(ipText(name.content));
  }
  return names;
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  const groups: string[] = [];
  for (let index = 0; index + 1 < bytes.length; index += 2) groups.push(bytes.readUInt16BE(index).toString(16));
  return groups.join(":");
}

/** The request's public key, for node:crypto. */
export function requestPublicKey(request: CertificateRequest): KeyObject {
  return createPublicKey({ key: request.subjectPublicKeyInfo, format: "der", type: "spki" });
}

/**
 * x509.CertificateRequest.CheckSignature: the request is signed by the key it carries. Throws with
 * Go's message when it is not.
 */
export function checkRequestSignature(request: CertificateRequest): void {
  const algorithm = SIGNATURE_ALGORITHMS[request.signatureAlgorithm];
  if (!algorithm || algorithm.key !== request.publicKeyAlgorithm)
    throw new Error("x509: cannot verify signature: algorithm unimplemented");
  let valid = false;
  try {
    const key = requestPublicKey(request);
    valid =
      algorithm.key === "RSA"
        ? verify(algorithm.digest, request.info, { key, padding: constants.RSA_PKCS1_PADDING }, request.signature)
        : verify(algorithm.digest, request.info, key, request.signature);
  } catch {
    valid = false;
  }
  if (valid) return;
  if (algorithm.key === "RSA") throw new Error("crypto/rsa: verification error");
  throw new Error(`x509: ${algorithm.key} verification failure`);
}

/** The subject's CN (the user the API server's x509 authenticator derives). */
export function commonNameOf(subject: readonly NameAttribute[]): string {
  return subject.find((attribute) => attribute.type === OID.commonName)?.value ?? "";
}

/** The subject's O entries (the groups). */
export function organizationsOf(subject: readonly NameAttribute[]): string[] {
  return subject.filter((attribute) => attribute.type === OID.organization).map((attribute) => attribute.value);
}

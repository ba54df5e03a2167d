import { createHash, createPublicKey, type KeyObject, randomBytes, sign } from "node:crypto";
import { certificateTime } from "../../../engine/pki/certificate";
import {
  bitString,
  booleanTrue,
  explicit,
  integer,
  octetString,
  oid,
  sequence,
  set,
  tlv,
  utf8String,
} from "../../../engine/pki/der";
import { readChildren, readSingle } from "../../../engine/pki/derReader";
import { OpensslError } from "./pem";
import { objectNames } from "./x509Text";

/** Building what `openssl req` and `openssl x509` write: names, requests, certificates, signatures. */

const longNames: Record<string, string> = {
  commonName: "CN",
  countryName: "C",
  localityName: "L",
  stateOrProvinceName: "ST",
  organizationName: "O",
  organizationalUnitName: "OU",
  emailAddress: "emailAddress",
};

/** The OID of an attribute type named as -subj names it (short or long name). */
function attributeOid(type: string): string | undefined {
  const short = longNames[type] ?? type;
  return Object.entries(objectNames).find(([, name]) => name === short)?.[0];
}

/**
 * `-subj "/CN=jane/O=dev"` into DER, as OpenSSL's parse_name and X509_NAME_add_entry_by_txt make it:
 * UTF8String values (utf8only), PrintableString for C, IA5String for emailAddress; `+` joins a
 * multi-valued RDN; `\` escapes.
 */
export function encodeSubject(text: string, command: string): Buffer {
  if (!text.startsWith("/"))
    throw new OpensslError(
      `${command}: subject name is expected to be in the format /type0=value0/type1=value1/type2=... where characters may be escaped by \\. This name is not in that format: '${text}'\n`,
    );
  const rdns: Buffer[][] = [];
  let current: Buffer[] = [];
  let index = 1;
  while (index < text.length) {
    let type = "";
    while (index < text.length && text[index] !== "=") type += text[index++];
    if (index >= text.length) throw new OpensslError(`${command}: Hit end of string before finding the '='\n`);
    index++;
    let value = "";
    let separator = "";
    while (index < text.length) {
      const char = text[index++] as string;
      if (char === "\\" && index < text.length) value += text[index++];
      else if (char === "/" || char === "+") {
        separator = char;
        break;
      } else value += char;
    }
    const id = attributeOid(type);
    if (!id) throw new OpensslError(`${command}: Skipping unknown subject name attribute "${type}"\n`);
    const encoded =
      id === "2.5.4.6"
        ? tlv(0x13, Buffer.from(value, "latin1"))
        : id === "1.2.840.113549.1.9.1"
          ? tlv(0x16, Buffer.from(value, "latin1"))
          : utf8String(value);
    current.push(sequence(oid(id), encoded));
    if (separator !== "+") {
      rdns.push(current);
      current = [];
    }
  }
  if (current.length > 0) rdns.push(current);
  return sequence(...rdns.map((rdn) => set(...rdn)));
}

/** The signature algorithm and digest OpenSSL picks for a key (SHA-256 by default). */
function signatureAlgorithm(key: KeyObject): { der: Buffer; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { der: sequence(oid("1.2.840.113549.1.1.11"), tlv(0x05, [])), digest: "sha256" };
    case "ec":
      return { der: sequence(oid("1.2.840.10045.4.3.2")), digest: "sha256" };
    case "ed25519":
      return { der: sequence(oid("1.3.101.112")), digest: null };
    default:
      throw new OpensslError(`unsupported key type ${key.asymmetricKeyType}\n`);
  }
}

function signed(body: Buffer, key: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(key);
  return sequence(body, algorithm.der, bitString(sign(algorithm.digest, body, key)));
}

/** The DER SubjectPublicKeyInfo of a key (private or public). */
export function publicKeyInfo(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: "spki", format: "der" });
}

/** An extension's DER. */
export function extensionDer(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

/** A PKCS#10 request signed by `key`; `extensions` (DER) go into an extensionRequest attribute. */
export function buildRequest(subject: Buffer, key: KeyObject, extensions: Buffer[]): Buffer {
  const attributes =
    extensions.length > 0
      ? explicit(0, sequence(oid("1.2.840.113549.1.9.14"), set(sequence(...extensions))))
      : tlv(0xa0, []);
  return signed(sequence(integer(Buffer.from([0])), subject, publicKeyInfo(key), attributes), key);
}

/** The subject key identifier OpenSSL computes: SHA-1 of the public key's bits. */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, bits] = readChildren(readSingle(spki).content);
  return createHash("sha1")
    .update((bits as { content: Buffer }).content.subarray(1))
    .digest();
}

/** A random positive 159-bit serial number, as OpenSSL 3 makes one. */
export function randomSerial(): Buffer {
  const serial = randomBytes(20);
  serial[0] = (serial[0] as number) & 0x7f;
  return serial;
}

export interface CertificateParts {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: number;
  notAfter: number;
  publicKeyInfo: Buffer;
  /** DER extensions; none makes a version 1 certificate, as `openssl x509 -req` does. */
  extensions: Buffer[];
}

/** A certificate signed by `signingKey`. */
export function buildCertificate(parts: CertificateParts, signingKey: KeyObject): Buffer {
  const algorithm = signatureAlgorithm(signingKey);
  const v3 = parts.extensions.length > 0;
  const tbs = sequence(
    ...(v3 ? [explicit(0, integer(Buffer.from([2])))] : []),
    integer(parts.serial),
    algorithm.der,
    parts.issuer,
    sequence(certificateTime(parts.notBefore), certificateTime(parts.notAfter)),
    parts.subject,
    parts.publicKeyInfo,
    ...(v3 ? [explicit(3, sequence(...parts.extensions))] : []),
  );
  return signed(tbs, signingKey);
}

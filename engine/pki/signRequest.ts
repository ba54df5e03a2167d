import { createPrivateKey, X509Certificate } from "node:crypto";
import { type CertificateFields, certificateTime, extension, pem, signCertificate } from "./certificate";
import { type CertificateRequest, type NameAttribute, OID } from "./certificateRequest";
import { bitString, goString, oid, sequence, set, tlv } from "./der";
import { readChildren, readSingle } from "./derReader";

/**
 * The controller manager's certificate authority (pkg/controller/certificates/authority): a
 * certificate for an approved request, signed by the cluster CA under PermissiveSigningPolicy.
 */

/** The CA that signs: kubeadm's /etc/kubernetes/pki/ca.crt and ca.key (--cluster-signing-*-file). */
export interface SigningAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

/** PermissiveSigningPolicy's knobs; times in milliseconds. */
export interface SigningPolicy {
  ttl: number;
  /** The certificates API's usages (`client auth`, `digital signature` …). */
  usages: readonly string[];
  backdate: number;
  /** Below this lifetime the end is not backdated. */
  short: number;
  now: number;
}

/** keyUsage bits, numbered as X.509 numbers them (digitalSignature is bit 0). */
const KEY_USAGE_BITS: Record<string, number> = {
  signing: 0,
  "digital signature": 0,
  "content commitment": 1,
  "key encipherment": 2,
  "data encipherment": 3,
  "key agreement": 4,
  "cert sign": 5,
  "crl sign": 6,
  "encipher only": 7,
  "decipher only": 8,
};

/** extKeyUsage OIDs, in the order of Go's ExtKeyUsage constants (the order certificates list them). */
const EXT_KEY_USAGES: Array<[string, string]> = [
  ["any", "2.5.29.37.0"],
  ["server auth", "1.3.6.1.5.5.7.3.1"],
  ["client auth", "1.3.6.1.5.5.7.3.2"],
  ["code signing", "1.3.6.1.5.5.7.3.3"],
  ["email protection", "1.3.6.1.5.5.7.3.4"],
  ["s/mime", "1.3.6.1.5.5.7.3.4"],
  ["ipsec end system", "1.3.6.1.5.5.7.3.5"],
  ["ipsec tunnel", "1.3.6.1.5.5.7.3.6"],
  ["ipsec user", "1.3.6.1.5.5.7.3.7"],
  ["timestamping", "1.3.6.1.5.5.7.3.8"],
  ["ocsp signing", "1.3.6.1.5.5.7.3.9"],
  ["microsoft sgc", "1.3.6.1.4.1.311.10.3.3"],
  ["netscape sgc", "2.16.840.1.113730.4.1"],
];

/**
 * The subject as Go's pkix.Name marshals it: C, ST, L, street, postal code, O, OU, CN, serial
 * number, each type's values together in one RDN; other attribute types are dropped.
 */
export function goSubject(attributes: readonly NameAttribute[]): Buffer {
  const order = ["2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5"];
  const rdns: Buffer[] = [];
  for (const type of order) {
    const values = attributes.filter((attribute) => attribute.type === type);
    if (values.length === 0) continue;
    // The last CN and serial number win, as pkix.Name.FillFromRDNSequence keeps one of each.
    const kept = type === OID.commonName || type === "2.5.4.5" ? values.slice(-1) : values;
    // DER sorts the members of a SET OF by their encoding, as Go's asn1.Marshal does.
    const members = kept.map((value) => sequence(oid(type), goString(value.value))).sort(Buffer.compare);
    rdns.push(set(...members));
  }
  return sequence(...rdns);
}

/** The keyUsage BIT STRING with trailing zero bits dropped, as Go encodes it. */
function keyUsageValue(bits: number): Buffer {
  let highest = -1;
  for (let bit = 0; bit < 9; bit++) if (bits & (1 << bit)) highest = bit;
  const length = highest + 1;
  const bytes = Buffer.alloc(Math.ceil(length / 8));
  for (let bit = 0; bit < length; bit++) if (bits & (1 << bit)) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  return bitString(bytes, bytes.length * 8 - length);
}

/** upstream keyUsagesFromStrings: keyUsage bits and the sorted, de-duplicated extKeyUsage OIDs. */
export function keyUsagesFromStrings(usages: readonly string[]): { keyUsage: number; extKeyUsages: string[] } {
  let keyUsage = 0;
  const ext = new Set<string>();
  const unrecognized: string[] = [];
  for (const usage of usages) {
    const bit = KEY_USAGE_BITS[usage];
    const extended = EXT_KEY_USAGES.find(([name]) => name === usage)?.[1];
    if (bit !== undefined) keyUsage |= 1 << bit;
    else if (extended) ext.add(extended);
    else unrecognized.push(usage);
  }
  if (unrecognized.length > 0)
    throw new Error(`unrecognized usage values: [${unrecognized.map((usage) => JSON.stringify(usage)).join(" ")}]`);
  const order = [...new Set(EXT_KEY_USAGES.map(([, id]) => id))];
  return { keyUsage, extKeyUsages: order.filter((id) => ext.has(id)) };
}

/** The subjectAltName extension Go writes: DNS names, emails, IPs, then URIs. */
function subjectAltNameValue(request: CertificateRequest): Buffer | undefined {
  const names = [
    ...request.dnsNames.map((name) => tlv(0x82, Buffer.from(name, "latin1"))),
    ...request.emailAddresses.map((name) => tlv(0x81, Buffer.from(name, "latin1"))),
    ...request.ipAddresses.map((address) => tlv(0x87, ipBytes(address))),
    ...request.uris.map((uri) => tlv(0x86, Buffer.from(uri, "latin1"))),
  ];
  return names.length > 0 ? sequence(...names) : undefined;
}

function ipBytes(address: string): Buffer {
  if (address.includes(".")) return Buffer.from(address.split(".").map(Number));
  return Buffer.concat(address.split(":").map((group) => Buffer.from(group.padStart(4, "0"), "hex")));
}

/** The subject Name (DER) of a DER certificate: the issuer of what it signs. */
export function certificateSubject(der: Buffer): Buffer {
  const [tbs] = readChildren(readSingle(der).content);
  if (!tbs) throw new Error("x509: malformed certificate");
  const fields = readChildren(tbs.content);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject …
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (!subject) throw new Error("x509: malformed certificate");
  return subject.raw;
}

/** `time` as Go's %v prints a time.Time in UTC (`2036-11-27 05:57:59 +0000 UTC`). */
function goTime(time: number): string {
  return `${new Date(time).toISOString().replace("T", " ").slice(0, 19)} +0000 UTC`;
}

/**
 * CertificateAuthority.Sign with a PermissiveSigningPolicy: the request's subject, SANs and key,
 * the policy's usages, CA:FALSE, valid from now−backdate to now+ttl (−backdate unless short),
 * never past the CA's own end. Returns the certificate PEM; throws upstream's errors.
 */
export function signRequest(request: CertificateRequest, authority: SigningAuthority, policy: SigningPolicy): string {
  const ca = new X509Certificate(authority.certificatePem);
  const caKey = createPrivateKey(authority.privateKeyPem);
  if (caKey.asymmetricKeyType !== "ec") throw new Error("x509: only an ECDSA P-256 signing key is supported");
  const signerNotAfter = Date.parse(ca.validTo);
  const { keyUsage, extKeyUsages } = keyUsagesFromStrings(policy.usages);
  const notBefore = policy.now - policy.backdate;
  let notAfter = policy.ttl < policy.short ? policy.now + policy.ttl : policy.now + policy.ttl - policy.backdate;
  if (notAfter >= signerNotAfter) notAfter = signerNotAfter;
  if (notBefore >= signerNotAfter) throw new Error(`the signer has expired: NotAfter=${goTime(signerNotAfter)}`);
  if (policy.now >= signerNotAfter)
    throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${goTime(signerNotAfter)}`);
  const extensions: Buffer[] = [];
  if (keyUsage !== 0) extensions.push(extension("2.5.29.15", true, keyUsageValue(keyUsage)));
  if (extKeyUsages.length > 0)
    extensions.push(extension("2.5.29.37", false, sequence(...extKeyUsages.map((id) => oid(id)))));
  extensions.push(extension("2.5.29.19", true, sequence()));
  const altNames = subjectAltNameValue(request);
  if (altNames) extensions.push(extension(OID.subjectAltName, false, altNames));
  const fields: CertificateFields = {
    issuer: certificateSubject(ca.raw),
    subject: goSubject(request.subject),
    // X.509 times have whole seconds.
    validity: sequence(certificateTime(floorSecond(notBefore)), certificateTime(floorSecond(notAfter))),
    subjectPublicKeyInfo: request.subjectPublicKeyInfo,
    extensions,
  };
  return pem("CERTIFICATE", signCertificate(fields, caKey));
}

const floorSecond = (time: number) => Math.floor(time / 1000) * 1000;

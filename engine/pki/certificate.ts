import { type KeyObject, randomBytes, sign } from "node:crypto";
import {
  bitString,
  booleanTrue,
  explicit,
  generalizedTime,
  integer,
  octetString,
  oid,
  sequence,
  set,
  utcTime,
  utf8String,
} from "./der";

/** A certificate time as RFC 5280 asks: UTCTime up to 2049, GeneralizedTime from 2050. */
export function certificateTime(ms: number): Buffer {
  return ms >= Date.UTC(2050, 0, 1) ? generalizedTime(ms) : utcTime(ms);
}

/** An X.509 name: O (one per organization) then CN, as kubeadm's certificates list them. */
export function distinguishedName(commonName: string, organizations: readonly string[] = []): Buffer {
  return sequence(
    ...organizations.map((organization) => set(sequence(oid("2.5.4.10"), utf8String(organization)))),
    set(sequence(oid("2.5.4.3"), utf8String(commonName))),
  );
}

/** An extension with object identifier `id` and DER-encoded `value`. */
export function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

/** What goes into an X.509 v3 certificate besides its serial number and signature algorithm. */
export interface CertificateFields {
  /** DER Name (see `distinguishedName`). */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** DER Validity: a SEQUENCE of notBefore and notAfter (see `certificateTime`). */
  validity: Uint8Array;
  /** DER SubjectPublicKeyInfo of an EC P-256 key. */
  subjectPublicKeyInfo: Uint8Array;
  extensions: readonly Uint8Array[];
  /** The serial number's bytes (big-endian, positive); a random 128-bit one when absent. */
  serialNumber?: Uint8Array;
}

/**
 * A DER certificate with a random 128-bit positive serial number, signed ECDSA with SHA-256 by
 * `signingKey` (an EC P-256 private key: the subject's own for a self-signed certificate).
 */
export function signCertificate(fields: CertificateFields, signingKey: KeyObject): Buffer {
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const serial = fields.serialNumber ?? randomBytes(16);
  if (!fields.serialNumber) serial[0] = (serial[0] as number) & 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    fields.issuer,
    fields.validity,
    fields.subject,
    fields.subjectPublicKeyInfo,
    explicit(3, sequence(...fields.extensions)),
  );
  return sequence(tbs, ecdsaWithSha256, bitString(sign("sha256", tbs, signingKey)));
}

/** `der` in PEM armour with the label `label` (CERTIFICATE …), 64 base64 characters a line. */
export function pem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

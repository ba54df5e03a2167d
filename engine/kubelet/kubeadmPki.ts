import { generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";

/**
 * The certificates `kubeadm init` issues for the kubeconfigs it writes (admin.conf, super-admin.conf,
 * controller-manager.conf, scheduler.conf, kubelet.conf): a self-signed cluster CA (CN=kubernetes)
 * and client certificates whose subject is the identity the API server derives from them, as its
 * x509 authenticator does (username = CN, groups = O). Keys are ECDSA P-256 (kubeadm's
 * `encryptionAlgorithm: ECDSA-P256`; RSA-2048 would cost a noticeable fraction of a second to make).
 *
 * One CA per process: every cluster of the process shares kubeadm's files (kubeadmFiles.ts), and
 * whoever checks a client certificate reads the CA from the control plane's
 * /etc/kubernetes/pki/ca.crt, as kube-apiserver's --client-ca-file, so a node written by an earlier
 * process keeps working with the CA it has.
 */

export interface KubeadmCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

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

function tlv(tag: number, content: Uint8Array | number[]): Buffer {
  const body = Buffer.from(content);
  return Buffer.concat([Buffer.from([tag, ...length(body.length)]), body]);
}

const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const octetString = (content: Buffer) => tlv(0x04, content);
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const explicit = (tag: number, content: Buffer) => tlv(0xa0 | tag, content);

function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(text: string): Buffer {
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

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 asks. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return ms >= Date.UTC(2050, 0, 1) ? tlv(0x18, Buffer.from(digits)) : tlv(0x17, Buffer.from(digits.slice(2)));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), tlv(0x01, [0xff]), octetString(value)) : sequence(oid(id), octetString(value));
}

/** An X.509 name: O (one per group) then CN, as kubeadm's certificates list them. */
function name(commonName: string, organizations: readonly string[]): Buffer {
  return sequence(
    ...organizations.map((organization) => set(sequence(oid("2.5.4.10"), utf8String(organization)))),
    set(sequence(oid("2.5.4.3"), utf8String(commonName))),
  );
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const day = 24 * 60 * 60 * 1000;

interface Issuer {
  commonName: string;
  key: KeyObject;
}

function issue(
  subject: { commonName: string; organizations?: readonly string[] },
  issuer: Issuer | undefined,
  nowMs: number,
): KubeadmCertificate & { key: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const isCa = issuer === undefined;
  // kubeadm: the CA for ten years, the certificates it signs for one.
  const notAfter = nowMs + (isCa ? 3650 : 365) * day;
  const extensions = isCa
    ? [
        // keyUsage: digitalSignature, keyEncipherment, keyCertSign; basicConstraints CA:TRUE.
        extension("2.5.29.15", true, bitString(Buffer.from([0xa4]), 2)),
        extension("2.5.29.19", true, sequence(tlv(0x01, [0xff]))),
      ]
    : [
        // keyUsage: digitalSignature, keyEncipherment; extKeyUsage: clientAuth; CA:FALSE.
        extension("2.5.29.15", true, bitString(Buffer.from([0xa0]), 5)),
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.2"))),
        extension("2.5.29.19", true, sequence()),
      ];
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name(issuer?.commonName ?? subject.commonName, []),
    sequence(time(nowMs - 5 * 60 * 1000), time(notAfter)),
    name(subject.commonName, subject.organizations ?? []),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, issuer?.key ?? privateKey);
  return {
    certificatePem: pem("CERTIFICATE", sequence(tbs, ecdsaWithSha256, bitString(signature))),
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    key: privateKey,
  };
}

/** A cluster CA and a way to sign client certificates with it. */
export interface KubeadmPki {
  ca: KubeadmCertificate;
  /** A client certificate for user `commonName` in the groups `organizations`. */
  clientCertificate(commonName: string, organizations?: readonly string[]): KubeadmCertificate;
}

/** A new CA (CN=kubernetes) valid from `nowMs`. */
export function createKubeadmPki(nowMs: number): KubeadmPki {
  const ca = issue({ commonName: "kubernetes" }, undefined, nowMs);
  const issuer = { commonName: "kubernetes", key: ca.key };
  const issued = new Map<string, KubeadmCertificate>();
  return {
    ca: { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem },
    clientCertificate(commonName, organizations = []) {
      const key = `${commonName}\n${organizations.join("\n")}`;
      let certificate = issued.get(key);
      if (!certificate) {
        const { certificatePem, privateKeyPem } = issue({ commonName, organizations }, issuer, nowMs);
        certificate = { certificatePem, privateKeyPem };
        issued.set(key, certificate);
      }
      return certificate;
    },
  };
}

import { generateKeyPairSync, randomBytes, sign } from "node:crypto";

/**
 * A self-signed serving certificate for the standalone API server (ECDSA P-256, SHA-256), valid for
 * 127.0.0.1 and localhost. kubectl only sends a bearer token over TLS (client-go reads the user's
 * credentials only when the transport is TLS), so the standalone cluster serves HTTPS and puts
 * this certificate into the kubeconfig as the cluster's certificate authority, as kind does.
 * Encoded by hand in DER to avoid a dependency.
 */

export interface ServingCertificate {
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

function tlv(tag: number, content: Uint8Array | number[]): Uint8Array {
  const body = content instanceof Uint8Array ? content : Uint8Array.from(content);
  return Uint8Array.from([tag, ...length(body.length), ...body]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const sequence = (...parts: Uint8Array[]) => tlv(0x30, concat(...parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, concat(...parts));
const octetString = (content: Uint8Array) => tlv(0x04, content);
const bitString = (content: Uint8Array, unusedBits = 0) => tlv(0x03, concat(Uint8Array.from([unusedBits]), content));
const utf8String = (text: string) => tlv(0x0c, new TextEncoder().encode(text));
const booleanTrue = () => tlv(0x01, [0xff]);
const explicit = (tag: number, content: Uint8Array) => tlv(0xa0 | tag, content);

function integer(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0] & 0x80 ? concat(Uint8Array.from([0]), trimmed) : trimmed);
}

function oid(text: string): Uint8Array {
  const parts = text.split(".").map(Number);
  const bytes: number[] = [parts[0] * 40 + parts[1]];
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

function utcTime(ms: number): Uint8Array {
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, new TextEncoder().encode(text));
}

function generalizedTime(ms: number): Uint8Array {
  const iso = new Date(ms).toISOString();
  const text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x18, new TextEncoder().encode(text));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * Creates a new key and a self-signed certificate valid from `nowMs` for ten years, for 127.0.0.1,
 * localhost and `extraHosts` (DNS names or IPv4 addresses).
 */
export function createServingCertificate(
  nowMs: number,
  commonName = "kubelab",
  extraHosts: readonly string[] = [],
): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(set(sequence(oid("2.5.4.3"), utf8String(commonName))));
  const serial = new Uint8Array(randomBytes(16));
  serial[0] &= 0x7f;
  const notBefore = nowMs - 60 * 60 * 1000;
  const notAfter = nowMs + 10 * 365 * 24 * 60 * 60 * 1000;
  const extra = extraHosts
    .filter((host) => host !== "localhost" && host !== "127.0.0.1")
    .map((host) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(host)
        ? tlv(0x87, host.split(".").map(Number))
        : tlv(0x82, new TextEncoder().encode(host)),
    );
  const subjectAltName = sequence(
    tlv(0x87, [127, 0, 0, 1]),
    tlv(0x82, new TextEncoder().encode("localhost")),
    ...extra,
  );
  const extensions = sequence(
    extension("2.5.29.19", true, sequence(booleanTrue())),
    // digitalSignature (bit 0) and keyCertSign (bit 5).
    extension("2.5.29.15", true, bitString(Uint8Array.from([0x84]), 2)),
    extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"))),
    extension("2.5.29.17", false, subjectAltName),
  );
  const tbs = sequence(
    explicit(0, integer(Uint8Array.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(notBefore), notAfter >= Date.UTC(2050, 0, 1) ? generalizedTime(notAfter) : utcTime(notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = new Uint8Array(sign("sha256", tbs, privateKey));
  const certificate = sequence(tbs, ecdsaWithSha256, bitString(signature));
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

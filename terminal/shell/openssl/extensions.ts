import { isIP } from "node:net";
import { bitString, booleanTrue, integer, oid, sequence, tlv } from "../../../engine/pki/der";
import { OpensslError } from "./pem";
import { extensionDer, keyIdentifier } from "./x509Build";

/**
 * X.509 v3 extensions from OpenSSL's config syntax (`-addext`, `-extfile`, the [v3_ca] defaults):
 * subjectAltName, keyUsage, extendedKeyUsage, basicConstraints, subjectKeyIdentifier and
 * authorityKeyIdentifier.
 */

const keyUsageBits: Record<string, number> = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
};

const extendedKeyUsages: Record<string, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
};

/** The public keys a key identifier is computed from. */
export interface ExtensionKeys {
  subject: Buffer;
  issuer: Buffer;
}

function ipBytes(text: string): Buffer {
  if (isIP(text) === 4) return Buffer.from(text.split(".").map(Number));
  const [head = "", tail = ""] = text.split("::");
  const parts = (value: string) => (value ? value.split(":") : []);
  const groups = text.includes("::")
    ? [...parts(head), ...Array(8 - parts(head).length - parts(tail).length).fill("0"), ...parts(tail)]
    : parts(text);
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  return bytes;
}

function generalName(entry: string): Buffer {
  const at = entry.indexOf(":");
  const kind = entry.slice(0, at).trim();
  const value = entry.slice(at + 1).trim();
  switch (kind) {
    case "DNS":
      return tlv(0x82, Buffer.from(value));
    case "IP":
      if (!isIP(value)) throw new OpensslError(`Error: bad ip address "${value}"\n`);
      return tlv(0x87, ipBytes(value));
    case "email":
      return tlv(0x81, Buffer.from(value));
    case "URI":
      return tlv(0x86, Buffer.from(value));
    default:
      throw new OpensslError(`Error: unsupported option "${kind}"\n`);
  }
}

function keyUsage(names: string[]): Buffer {
  let value = 0;
  let highest = -1;
  for (const name of names) {
    const bit = keyUsageBits[name];
    if (bit === undefined) throw new OpensslError(`Error: unknown bit string argument "${name}"\n`);
    value |= 1 << (15 - bit);
    highest = Math.max(highest, bit);
  }
  // DER: trailing zero bits dropped, their count in the first byte.
  const bytes = Buffer.from([value >> 8, value & 0xff]).subarray(0, highest >= 8 ? 2 : 1);
  let unused = 0;
  const last = bytes[bytes.length - 1] as number;
  while (unused < 8 && !((last >> unused) & 1)) unused++;
  return bitString(bytes, unused === 8 ? 0 : unused);
}

/** One `name=value` line as an extension's DER. */
export function extensionFromConfig(line: string, keys: ExtensionKeys): Buffer {
  const at = line.indexOf("=");
  if (at < 0) throw new OpensslError(`Error: Invalid extension "${line}"\n`);
  const name = line.slice(0, at).trim();
  let values = line
    .slice(at + 1)
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean);
  const critical = values[0] === "critical";
  if (critical) values = values.slice(1);
  switch (name) {
    case "subjectAltName":
      return extensionDer("2.5.29.17", critical, sequence(...values.map(generalName)));
    case "keyUsage":
      return extensionDer("2.5.29.15", critical, keyUsage(values));
    case "extendedKeyUsage":
      return extensionDer(
        "2.5.29.37",
        critical,
        sequence(...values.map((value) => oid(extendedKeyUsages[value] ?? value))),
      );
    case "basicConstraints": {
      const ca = values.some((value) => /^CA:true$/i.test(value));
      const pathLength = values.find((value) => value.startsWith("pathlen:"));
      return extensionDer(
        "2.5.29.19",
        critical,
        sequence(
          ...(ca ? [booleanTrue()] : []),
          ...(pathLength ? [integer(Buffer.from([Number(pathLength.slice(8))]))] : []),
        ),
      );
    }
    case "subjectKeyIdentifier":
      return extensionDer("2.5.29.14", critical, tlv(0x04, keyIdentifier(keys.subject)));
    case "authorityKeyIdentifier":
      return extensionDer("2.5.29.35", critical, sequence(tlv(0x80, keyIdentifier(keys.issuer))));
    default:
      throw new OpensslError(`Error: unknown extension name "${name}"\n`);
  }
}

/** The extension's OID, to let a later line replace an earlier one of the same kind. */
export function extensionName(line: string): string {
  return line.slice(0, line.indexOf("=")).trim();
}

/** An -extfile's lines for `section` (or the file's top when it has none). */
export function extensionLines(text: string, section?: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    const header = /^\[\s*([^\]\s]+)\s*\]$/.exec(line);
    if (header) {
      current = header[1] as string;
      continue;
    }
    if ((section ?? "") === current) lines.push(line.replace(/\s*=\s*/, "="));
  }
  return lines;
}

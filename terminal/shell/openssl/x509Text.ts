import { type DerElement, readChildren, readElement, readOid, readSingle } from "../../../engine/pki/derReader";
import type { Certificate, Extension, Name, Request } from "./x509Parse";

/**
 * What OpenSSL 3 prints for certificates and requests (`-text`, `-subject`, `-dates` …): the
 * layout of X509_print_ex / X509_REQ_print_ex, the one-line names of XN_FLAG_ONELINE, and the
 * extension printers of crypto/x509 (v3_*.c), byte for byte.
 */

/** OpenSSL's short names (obj_dat.h) for the OIDs these commands meet. */
export const objectNames: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.5": "serialNumber",
  "2.5.4.12": "title",
  "2.5.4.42": "GN",
  "2.5.4.4": "SN",
  "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "1.2.840.113549.1.1.1": "rsaEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.10045.2.1": "id-ecPublicKey",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.3.101.112": "ED25519",
};

const curves: Record<string, { name: string; nist: string; bits: number }> = {
  "1.2.840.10045.3.1.7": { name: "prime256v1", nist: "P-256", bits: 256 },
  "1.3.132.0.34": { name: "secp384r1", nist: "P-384", bits: 384 },
  "1.3.132.0.35": { name: "secp521r1", nist: "P-521", bits: 521 },
};

const extensionNames: Record<string, string> = {
  "2.5.29.14": "X509v3 Subject Key Identifier",
  "2.5.29.35": "X509v3 Authority Key Identifier",
  "2.5.29.19": "X509v3 Basic Constraints",
  "2.5.29.15": "X509v3 Key Usage",
  "2.5.29.37": "X509v3 Extended Key Usage",
  "2.5.29.17": "X509v3 Subject Alternative Name",
  "2.5.29.18": "X509v3 Issuer Alternative Name",
};

const keyUsageNames = [
  "Digital Signature",
  "Non Repudiation",
  "Key Encipherment",
  "Data Encipherment",
  "Key Agreement",
  "Certificate Sign",
  "CRL Sign",
  "Encipher Only",
  "Decipher Only",
];

const extendedKeyUsageNames: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "TLS Web Server Authentication",
  "1.3.6.1.5.5.7.3.2": "TLS Web Client Authentication",
  "1.3.6.1.5.5.7.3.3": "Code Signing",
  "1.3.6.1.5.5.7.3.4": "E-mail Protection",
  "1.3.6.1.5.5.7.3.8": "Time Stamping",
  "1.3.6.1.5.5.7.3.9": "OCSP Signing",
  "2.5.29.37.0": "Any Extended Key Usage",
};

/** An RDN value escaped as RFC 2253 asks (`,`, `+`, `"`, `\`, `<`, `>`, `;`, leading `#`/space, trailing space). */
function escapeValue(value: string): string {
  return value
    .replace(/[,+"\\<>;]/g, (char) => `\\${char}`)
    .replace(/^([# ])/, "\\$1")
    .replace(/ $/, "\\ ");
}

/** XN_FLAG_ONELINE: `CN = jane, O = dev`. */
export function formatName(name: Name): string {
  return name.rdns
    .map((rdn) =>
      rdn.map((entry) => `${objectNames[entry.oid] ?? entry.oid} = ${escapeValue(entry.value)}`).join(" + "),
    )
    .join(", ");
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ASN1_TIME_print: `Dec  2 00:01:02 2026 GMT`. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, " ")} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()} GMT`;
}

/** Bytes as `aa:bb:…`, `perLine` a line, each line indented; a colon after every byte but the last. */
function hexBlock(bytes: Buffer, perLine: number, indent: number): string {
  let out = "";
  for (let start = 0; start < bytes.length; start += perLine) {
    const line = [...bytes.subarray(start, start + perLine)]
      .map((byte) => byte.toString(16).padStart(2, "0"))
      .join(":");
    out += `${" ".repeat(indent)}${line}${start + perLine < bytes.length ? ":" : ""}\n`;
  }
  return out;
}

/** Upper-case `AA:BB:…` on one line (key identifiers, fingerprints, serials). */
export function colonHex(bytes: Buffer, upper = true): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join(":");
  return upper ? hex.toUpperCase() : hex;
}

/** A big integer's magnitude with the sign byte OpenSSL's ASN1_bn_print adds when the top bit is set. */
function unsignedWithSign(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}

function bitLength(bytes: Buffer): number {
  const trimmed = unsignedWithSign(bytes);
  const first = trimmed[0] === 0 ? trimmed.subarray(1) : trimmed;
  return (first.length - 1) * 8 + ((first[0] as number).toString(2).length ?? 0);
}

/** The Subject Public Key Info section (EVP_PKEY_print_public), `indent` spaces in. */
export function formatPublicKey(spki: Buffer, indent: number): string {
  const pad = " ".repeat(indent);
  const [algorithm, key] = readChildren(readSingle(spki).content) as [DerElement, DerElement];
  const algorithmParts = readChildren(algorithm.content);
  const oid = readOid((algorithmParts[0] as DerElement).content);
  const bits = key.content.subarray(1);
  let out = `${pad}Public Key Algorithm: ${objectNames[oid] ?? oid}\n`;
  if (oid === "1.2.840.113549.1.1.1") {
    const [modulus, exponent] = readChildren(readElement(bits).content) as [DerElement, DerElement];
    const e = BigInt(`0x${exponent.content.toString("hex") || "0"}`);
    out += `${pad}    Public-Key: (${bitLength(modulus.content)} bit)\n${pad}    Modulus:\n`;
    out += hexBlock(unsignedWithSign(modulus.content), 15, indent + 8);
    out += `${pad}    Exponent: ${e} (0x${e.toString(16)})\n`;
  } else if (oid === "1.2.840.10045.2.1") {
    const curve = curves[readOid((algorithmParts[1] as DerElement).content)];
    out += `${pad}    Public-Key: (${curve?.bits ?? (bits.length - 1) * 4} bit)\n${pad}    pub:\n`;
    out += hexBlock(bits, 15, indent + 8);
    if (curve) out += `${pad}    ASN1 OID: ${curve.name}\n${pad}    NIST CURVE: ${curve.nist}\n`;
  } else if (oid === "1.3.101.112") {
    out += `${pad}    ED25519 Public-Key:\n${pad}    pub:\n${hexBlock(bits, 15, indent + 8)}`;
  } else {
    out += `${pad}    Unable to load Public Key\n`;
  }
  return out;
}

/** A GeneralName as OpenSSL prints it (`DNS:x`, `IP Address:10.0.0.1`, `email:x`, `URI:x`). */
function formatGeneralName(element: DerElement): string {
  const text = element.content.toString("latin1");
  switch (element.tag) {
    case 0x81:
      return `email:${text}`;
    case 0x82:
      return `DNS:${text}`;
    case 0x86:
      return `URI:${text}`;
    case 0x87: {
      const bytes = element.content;
      if (bytes.length === 4) return `IP Address:${[...bytes].join(".")}`;
      const groups: string[] = [];
      for (let index = 0; index < bytes.length; index += 2)
        groups.push(bytes.readUInt16BE(index).toString(16).toUpperCase());
      return `IP Address:${groups.join(":")}`;
    }
    default:
      return "othername:<unsupported>";
  }
}

/** An extension's value lines, as its v3 method prints it. */
function formatExtensionValue(extension: Extension, indent: number): string {
  const pad = " ".repeat(indent);
  const value = readSingle(extension.value);
  switch (extension.oid) {
    case "2.5.29.14":
      return `${pad}${colonHex(value.content)}\n`;
    case "2.5.29.35": {
      let out = "";
      for (const part of readChildren(value.content)) {
        if (part.tag === 0x80) out += `${pad}${colonHex(part.content)}\n`;
        else if (part.tag === 0x82) out += `${pad}serial:${colonHex(part.content)}\n`;
      }
      return out;
    }
    case "2.5.29.19": {
      const parts = readChildren(value.content);
      const ca = parts[0]?.tag === 0x01 && parts[0].content[0] !== 0;
      const pathLength = parts.find((part) => part.tag === 0x02);
      return `${pad}CA:${ca ? "TRUE" : "FALSE"}${pathLength ? `, pathlen:${pathLength.content.readUIntBE(0, pathLength.content.length)}` : ""}\n`;
    }
    case "2.5.29.15": {
      const bits = value.content.subarray(1);
      const names = keyUsageNames.filter((_, index) => ((bits[index >> 3] ?? 0) >> (7 - (index & 7))) & 1);
      return `${pad}${names.join(", ")}\n`;
    }
    case "2.5.29.37":
      return `${pad}${readChildren(value.content)
        .map((usage) => {
          const oid = readOid(usage.content);
          return extendedKeyUsageNames[oid] ?? oid;
        })
        .join(", ")}\n`;
    case "2.5.29.17":
    case "2.5.29.18":
      return `${pad}${readChildren(value.content).map(formatGeneralName).join(", ")}\n`;
    default:
      return hexBlock(extension.value, 18, indent);
  }
}

/** The extensions, each `name: [critical]` then its value lines. */
export function formatExtensions(extensions: Extension[], indent: number): string {
  return extensions
    .map(
      (extension) =>
        `${" ".repeat(indent)}${extensionNames[extension.oid] ?? extension.oid}: ${extension.critical ? "critical" : ""}\n${formatExtensionValue(extension, indent + 4)}`,
    )
    .join("");
}

function formatSignature(algorithm: string, signature: Buffer): string {
  return `    Signature Algorithm: ${objectNames[algorithm] ?? algorithm}\n    Signature Value:\n${hexBlock(signature, 18, 8)}`;
}

/** A serial number line: small ones in decimal and hex on one line, others as colon hex below. */
function formatSerial(serial: Buffer): string {
  if (serial.length <= 8 && !((serial[0] as number) & 0x80)) {
    const value = BigInt(`0x${serial.toString("hex") || "0"}`);
    return `        Serial Number: ${value} (0x${value.toString(16)})\n`;
  }
  return `        Serial Number:\n            ${colonHex(serial, false)}\n`;
}

/** `openssl x509 -text`. */
export function formatCertificate(certificate: Certificate): string {
  let out = "Certificate:\n    Data:\n";
  out += `        Version: ${certificate.version + 1} (0x${certificate.version.toString(16)})\n`;
  out += formatSerial(certificate.serial);
  out += `        Signature Algorithm: ${objectNames[certificate.signatureAlgorithm] ?? certificate.signatureAlgorithm}\n`;
  out += `        Issuer: ${formatName(certificate.issuer)}\n`;
  out += `        Validity\n            Not Before: ${formatTime(certificate.notBefore)}\n            Not After : ${formatTime(certificate.notAfter)}\n`;
  out += `        Subject: ${formatName(certificate.subject)}\n`;
  out += `        Subject Public Key Info:\n${formatPublicKey(certificate.publicKeyInfo, 12)}`;
  if (certificate.extensions.length > 0)
    out += `        X509v3 extensions:\n${formatExtensions(certificate.extensions, 12)}`;
  return out + formatSignature(certificate.signatureAlgorithm, certificate.signature);
}

/** `openssl req -text`. */
export function formatRequest(request: Request): string {
  let out = "Certificate Request:\n    Data:\n";
  out += `        Version: ${request.version + 1} (0x${request.version.toString(16)})\n`;
  out += `        Subject: ${formatName(request.subject)}\n`;
  out += `        Subject Public Key Info:\n${formatPublicKey(request.publicKeyInfo, 12)}`;
  out += "        Attributes:\n";
  if (request.attributes.length === 0 && !request.extensions) out += "            (none)\n";
  for (const attribute of request.attributes) out += `            ${objectNames[attribute] ?? attribute}\n`;
  out += "            Requested Extensions:\n";
  if (request.extensions) out += formatExtensions(request.extensions, 16);
  return out + formatSignature(request.signatureAlgorithm, request.signature);
}

export { readOid };

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, randomInt } from "node:crypto";
import { oid } from "../../../engine/pki/der";
import { OpensslError, pemBlocks, toPem } from "./pem";

/**
 * Keys for the openssl command: generated with node:crypto off the main thread (generateKeyPair
 * runs in libuv's pool, so the shell keeps echoing while an RSA key is found), and written in
 * the forms OpenSSL 3 writes (PKCS#8 `PRIVATE KEY` by default, SEC1 for ecparam).
 */

export type KeySpec = { type: "rsa"; bits: number } | { type: "ec"; curve: string } | { type: "ed25519" };

/** OpenSSL's curve names and their node:crypto (and NIST) names. */
const curveAliases: Record<string, string> = {
  prime256v1: "prime256v1",
  "P-256": "prime256v1",
  secp256r1: "prime256v1",
  secp384r1: "secp384r1",
  "P-384": "secp384r1",
  secp521r1: "secp521r1",
  "P-521": "secp521r1",
};

const curveOids: Record<string, string> = {
  prime256v1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
};

/** The node:crypto curve for an OpenSSL curve name, or undefined. */
export function curveName(name: string): string | undefined {
  return curveAliases[name];
}

/** A new private key. */
export function generateKey(spec: KeySpec): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve(privateKey);
    if (spec.type === "rsa") generateKeyPair("rsa", { modulusLength: spec.bits, publicExponent: 65537 }, done);
    else if (spec.type === "ec") generateKeyPair("ec", { namedCurve: spec.curve }, done);
    else generateKeyPair("ed25519", {}, done);
  });
}

/** A private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), or the traditional form. */
export function privateKeyPem(key: KeyObject, traditional = false): string {
  if (traditional && key.asymmetricKeyType === "rsa") return key.export({ type: "pkcs1", format: "pem" }) as string;
  if (traditional && key.asymmetricKeyType === "ec") return key.export({ type: "sec1", format: "pem" }) as string;
  return key.export({ type: "pkcs8", format: "pem" }) as string;
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: "spki", format: "pem" }) as string;
}

/** `ecparam -name X` output: the EC PARAMETERS block (the curve's OID). */
export function ecParametersPem(curve: string): string {
  return toPem("EC PARAMETERS", oid(curveOids[curve] ?? ""));
}

/** The private key a PEM file holds (PKCS#8, PKCS#1, SEC1 after an EC PARAMETERS block). */
export function readPrivateKey(text: string): KeyObject | undefined {
  for (const block of pemBlocks(text)) {
    if (!/PRIVATE KEY$/.test(block.label)) continue;
    try {
      return createPrivateKey(block.text);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The public key of a PEM file holding a public or a private key. */
export function readPublicKey(text: string): KeyObject | undefined {
  for (const block of pemBlocks(text)) {
    try {
      if (block.label === "PUBLIC KEY" || block.label === "RSA PUBLIC KEY") return createPublicKey(block.text);
      if (/PRIVATE KEY$/.test(block.label)) return createPublicKey(createPrivateKey(block.text));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The progress line OpenSSL 3 prints while it searches for an RSA key's primes (genpkey, req
 * -newkey): `.` per candidate, `+` per test passed, `*` when a prime is found. The real one depends
 * on the random candidates, so any plausible line is as right as another.
 */
export function primeSearchDots(): string {
  const segment = () => {
    let out = "";
    const steps = randomInt(3, 40);
    for (let index = 0; index < steps; index++) out += `${".".repeat(randomInt(1, 9))}+`;
    return out;
  };
  const pluses = "+".repeat(64);
  return `${segment()}${pluses}*${segment()}${pluses}*${segment()}${pluses}\n`;
}

/** `-newkey rsa:2048`, `-newkey ec -pkeyopt ec_paramgen_curve:P-256`, `-newkey ed25519`. */
export function parseNewKey(text: string, options: Map<string, string>): KeySpec {
  const [algorithm = "", parameter] = text.split(":");
  switch (algorithm.toLowerCase()) {
    case "rsa": {
      const bits = Number(parameter ?? options.get("rsa_keygen_bits") ?? 2048);
      if (!Number.isInteger(bits) || bits < 512) throw new OpensslError(`Invalid RSA key size: ${parameter}\n`);
      return { type: "rsa", bits };
    }
    case "ec": {
      const curve = curveName(options.get("ec_paramgen_curve") ?? "");
      if (!curve) throw new OpensslError("Error: ec_paramgen_curve must be set\n");
      return { type: "ec", curve };
    }
    case "ed25519":
      return { type: "ed25519" };
    default:
      throw new OpensslError(`Unknown algorithm ${algorithm}\n`);
  }
}

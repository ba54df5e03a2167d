import { generateKeyPairSync } from "node:crypto";
import {
  bitString,
  booleanTrue,
  certificateTime,
  distinguishedName,
  extension,
  oid,
  pem,
  sequence,
  signCertificate,
  tlv,
  utcTime,
} from "../../pki";

/**
 * A self-signed serving certificate (ECDSA P-256, SHA-256), valid for 127.0.0.1 and localhost: the
 * hosting TLS port's (tlsListener.ts) and test servers'. kubectl only sends a bearer token over TLS
 * (client-go reads the user's credentials only when the transport is TLS), so such a server puts
 * this certificate into its kubeconfig as the cluster's certificate authority. The standalone
 * cluster serves one its cluster CA signed instead (runClusterUp.ts), falling back to this only
 * when the control plane has no CA key.
 */

export interface ServingCertificate {
  certificatePem: string;
  privateKeyPem: string;
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
  const name = distinguishedName(commonName);
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
  const certificate = signCertificate(
    {
      issuer: name,
      subject: name,
      validity: sequence(utcTime(notBefore), certificateTime(notAfter)),
      subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
      extensions: [
        extension("2.5.29.19", true, sequence(booleanTrue())),
        // digitalSignature (bit 0) and keyCertSign (bit 5).
        extension("2.5.29.15", true, bitString(Uint8Array.from([0x84]), 2)),
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"))),
        extension("2.5.29.17", false, subjectAltName),
      ],
    },
    privateKey,
  );
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

import { createPublicKey, type KeyObject, sign } from "node:crypto";
import { distinguishedName } from "./certificate";
import { bitString, explicit, integer, octetString, oid, sequence, set, tlv } from "./der";

/**
 * A PKCS#10 request (what `openssl req -new` makes) for `commonName` in `organizations`, signed by
 * `key` (RSA: sha256WithRSAEncryption, EC: ecdsa-with-SHA256, Ed25519). `dnsNames` go into a
 * subjectAltName extension request. For tests and for tools that make keys with node:crypto.
 */
export function buildCertificateRequest(
  key: KeyObject,
  subject: { commonName: string; organizations?: readonly string[]; dnsNames?: readonly string[] },
): Buffer {
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  const attributes = subject.dnsNames?.length
    ? [
        sequence(
          oid("1.2.840.113549.1.9.14"),
          set(
            sequence(
              sequence(
                oid("2.5.29.17"),
                octetString(sequence(...subject.dnsNames.map((name) => tlv(0x82, Buffer.from(name))))),
              ),
            ),
          ),
        ),
      ]
    : [];
  const info = sequence(
    integer(Buffer.from([0])),
    distinguishedName(subject.commonName, subject.organizations),
    spki,
    explicit(0, Buffer.concat(attributes)),
  );
  const type = key.asymmetricKeyType;
  const algorithm =
    type === "rsa"
      ? sequence(oid("1.2.840.113549.1.1.11"), tlv(0x05, []))
      : type === "ec"
        ? sequence(oid("1.2.840.10045.4.3.2"))
        : sequence(oid("1.3.101.112"));
  const signature = sign(type === "ed25519" ? null : "sha256", info, key);
  return sequence(info, algorithm, bitString(signature));
}

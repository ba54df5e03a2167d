import { X509Certificate } from "node:crypto";
import { commonNameOf, organizationsOf, readName } from "./certificateRequest";
import { readSingle } from "./derReader";
import { certificateSubject } from "./signRequest";

/**
 * kube-apiserver's x509 authenticator (--client-ca-file): the user a client certificate names
 * (CN) and its groups (every O, in order, also when several share one RDN as Go writes them), or
 * undefined when `caPem` did not sign it or `nowMs` is outside its validity. That the client holds
 * the key is for the caller to know (the TLS handshake proves it).
 */
export function clientCertificateIdentity(
  certificate: Buffer | string,
  caPem: string | Buffer,
  nowMs: number,
): { user: string; groups: string[] } | undefined {
  try {
    const ca = new X509Certificate(caPem);
    const parsed = new X509Certificate(certificate);
    if (!parsed.checkIssued(ca) || !parsed.verify(ca.publicKey)) return undefined;
    if (nowMs < Date.parse(parsed.validFrom) || nowMs > Date.parse(parsed.validTo)) return undefined;
    const subject = readName(readSingle(certificateSubject(parsed.raw)));
    const user = commonNameOf(subject);
    return user ? { user, groups: organizationsOf(subject) } : undefined;
  } catch {
    return undefined;
  }
}

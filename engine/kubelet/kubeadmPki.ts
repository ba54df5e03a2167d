import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
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
} from "../pki";

/**
 * The certificates `kubeadm init` issues for the kubeconfigs it writes (admin.conf, super-admin.conf,
 * controller-manager.conf, scheduler.conf, kubelet.conf): a self-signed cluster CA (CN=kubernetes)
 * and client certificates whose subject is the identity the API server derives from them, as its
 * x509 authenticator does (username = CN, groups = O). Keys are ECDSA P-256 (kubeadm's
 * `encryptionAlgorithm: ECDSA-P256`; RSA-2048 would cost a noticeable fraction of a second to make).
 *
 * One CA per process: every cluster of the process shares kubeadm's files (kubeadmFiles.ts), and
 * whoever needs the cluster CA reads it from the control plane's /etc/kubernetes/pki/ca.crt (as
 * kube-apiserver's --client-ca-file, kube-controller-manager's --root-ca-file and
 * --cluster-signing-cert-file do), so a node written by an earlier process keeps working with the
 * CA it has.
 */

export interface KubeadmCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

const day = 24 * 60 * 60 * 1000;

interface Issuer {
  commonName: string;
  key: KeyObject;
}

/** What a certificate is for: the CA itself, a client, or a server answering to `names`. */
type Usage = { kind: "ca" } | { kind: "client" } | { kind: "server"; names: readonly string[] };

function extensionsFor(usage: Usage): Buffer[] {
  switch (usage.kind) {
    case "ca":
      // keyUsage: digitalSignature, keyEncipherment, keyCertSign; basicConstraints CA:TRUE.
      return [
        extension("2.5.29.15", true, bitString(Buffer.from([0xa4]), 2)),
        extension("2.5.29.19", true, sequence(booleanTrue())),
      ];
    case "client":
      // keyUsage: digitalSignature, keyEncipherment; extKeyUsage: clientAuth; CA:FALSE.
      return [
        extension("2.5.29.15", true, bitString(Buffer.from([0xa0]), 5)),
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.2"))),
        extension("2.5.29.19", true, sequence()),
      ];
    case "server":
      // As kubeadm's apiserver.crt: digitalSignature, keyEncipherment; serverAuth; CA:FALSE; the SANs.
      return [
        extension("2.5.29.15", true, bitString(Buffer.from([0xa0]), 5)),
        extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"))),
        extension("2.5.29.19", true, sequence()),
        extension("2.5.29.17", false, subjectAltNames(usage.names)),
      ];
  }
}

/** A subjectAltName extension's value: IPv4 addresses as iPAddress, everything else as dNSName. */
function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...[...new Set(names)].map((name) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
        ? tlv(0x87, name.split(".").map(Number))
        : tlv(0x82, new TextEncoder().encode(name)),
    ),
  );
}

function issue(
  subject: { commonName: string; organizations?: readonly string[] },
  usage: Usage,
  issuer: Issuer | undefined,
  nowMs: number,
): KubeadmCertificate & { key: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  // kubeadm: the CA for ten years, the certificates it signs for one.
  const notAfter = nowMs + (usage.kind === "ca" ? 3650 : 365) * day;
  const certificate = signCertificate(
    {
      issuer: distinguishedName(issuer?.commonName ?? subject.commonName),
      subject: distinguishedName(subject.commonName, subject.organizations),
      validity: sequence(certificateTime(nowMs - 5 * 60 * 1000), certificateTime(notAfter)),
      subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
      extensions: extensionsFor(usage),
    },
    issuer?.key ?? privateKey,
  );
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    key: privateKey,
  };
}

/**
 * A serving certificate for kube-apiserver (CN=kube-apiserver, as kubeadm's apiserver.crt) valid
 * for `names` (DNS names and IPv4 addresses), signed by the cluster CA `ca` (its PEM certificate
 * and key, as the control plane's ca.crt and ca.key hold them).
 */
export function apiServerCertificate(
  ca: KubeadmCertificate,
  names: readonly string[],
  nowMs: number,
): KubeadmCertificate {
  const issuer = { commonName: "kubernetes", key: createPrivateKey(ca.privateKeyPem) };
  const { certificatePem, privateKeyPem } = issue(
    { commonName: "kube-apiserver" },
    { kind: "server", names },
    issuer,
    nowMs,
  );
  return { certificatePem, privateKeyPem };
}

/** A cluster CA and a way to sign client certificates with it. */
export interface KubeadmPki {
  ca: KubeadmCertificate;
  /** A client certificate for user `commonName` in the groups `organizations`. */
  clientCertificate(commonName: string, organizations?: readonly string[]): KubeadmCertificate;
}

/** A new CA (CN=kubernetes) valid from `nowMs`. */
export function createKubeadmPki(nowMs: number): KubeadmPki {
  const ca = issue({ commonName: "kubernetes" }, { kind: "ca" }, undefined, nowMs);
  const issuer = { commonName: "kubernetes", key: ca.key };
  const issued = new Map<string, KubeadmCertificate>();
  return {
    ca: { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem },
    clientCertificate(commonName, organizations = []) {
      const key = `${commonName}\n${organizations.join("\n")}`;
      let certificate = issued.get(key);
      if (!certificate) {
        const { certificatePem, privateKeyPem } = issue(
          { commonName, organizations },
          { kind: "client" },
          issuer,
          nowMs,
        );
        certificate = { certificatePem, privateKeyPem };
        issued.set(key, certificate);
      }
      return certificate;
    },
  };
}

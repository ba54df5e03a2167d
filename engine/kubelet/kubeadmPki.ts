import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from "node:crypto";
import { bitString, booleanTrue, certificateTime, extension, oid, pem, sequence, signCertificate, tlv } from "../pki";
import { readChildren, readSingle } from "../pki/derReader";
import { goSubject } from "../pki/signRequest";

/**
 * The certificates `kubeadm init` issues (cmd/kubeadm/app/phases/certs' certificate list and its
 * kubeconfigs' client certificates), made as kubeadm's pkiutil makes them with Go's x509: three
 * self-signed CAs (ca, front-proxy-ca, etcd/ca: CN and a DNS SAN of their name, ten years) and the
 * certificates they sign (one year from their CA's start, a 63-bit serial, keyUsage digitalSignature
 * and keyEncipherment, the extKeyUsage, CA:FALSE, the CA's key identifier, the SANs). Keys are
 * ECDSA P-256 (kubeadm's `encryptionAlgorithm: ECDSA-P256`; RSA-2048 would cost a noticeable
 * fraction of a second each). Subjects are what the API server's x509 authenticator reads
 * (username = CN, groups = O).
 *
 * One set per process: every cluster of the process shares kubeadm's files (kubeadmFiles.ts), made
 * on first use (the CA and kubeconfigs at the first node, the rest of the control plane's PKI at
 * the first control plane). Whoever needs the cluster CA reads it from the control plane's
 * /etc/kubernetes/pki/ca.crt (as kube-apiserver's --client-ca-file, kube-controller-manager's
 * --root-ca-file and --cluster-signing-cert-file do), so a node written by an earlier process keeps
 * working with the CA it has.
 */

export interface KubeadmCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

const day = 24 * 60 * 60 * 1000;
/** kubeadm's CertificateValidityPeriod and CACertificateValidityPeriod. */
const CERTIFICATE_VALIDITY = 365 * day;
const CA_VALIDITY = 10 * 365 * day;
/** kubeadm's CertificateBackdate: every certificate starts five minutes before kubeadm did, for clock skew. */
const BACKDATE = 5 * 60 * 1000;

/** A CA that signs: its subject (DER), key, key identifier and when kubeadm made it (its start plus the backdate). */
interface Issuer {
  subject: Buffer;
  key: KeyObject;
  keyIdentifier: Buffer;
  created: number;
}

/** What a signed certificate is for (Go's ExtKeyUsage). */
type ExtendedUsage = "serverAuth" | "clientAuth";

const EXTENDED_USAGE_OIDS: Record<ExtendedUsage, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** What a certificate holds besides its key and validity. */
export interface CertificateProfile {
  commonName: string;
  organizations?: readonly string[];
  usages: readonly ExtendedUsage[];
  /** DNS names and IP addresses (v4 or v6). */
  altNames?: readonly string[];
}

const isIp = (name: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");

function ipBytes(address: string): Buffer {
  if (address.includes(".")) return Buffer.from(address.split(".").map(Number));
  const [head = "", tail = ""] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const before = groups(head);
  const after = groups(tail);
  const missing = address.includes("::") ? 8 - before.length - after.length : 0;
  const all = [...before, ...Array(missing).fill("0"), ...after];
  return Buffer.concat(all.map((group) => Buffer.from(group.padStart(4, "0"), "hex")));
}

/** A subjectAltName value as Go's x509 writes it: the DNS names, then the IP addresses; duplicates dropped. */
function subjectAltNames(names: readonly string[]): Buffer {
  const unique = [...new Set(names)];
  return sequence(
    ...unique.filter((name) => !isIp(name)).map((name) => tlv(0x82, Buffer.from(name, "latin1"))),
    ...unique.filter(isIp).map((name) => tlv(0x87, ipBytes(name))),
  );
}

/** Go's generated key identifier: the SHA-1 of the subjectPublicKey's bits. */
function keyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  const [, subjectPublicKey] = readChildren(readSingle(subjectPublicKeyInfo).content);
  return createHash("sha1")
    .update((subjectPublicKey?.content ?? Buffer.alloc(1)).subarray(1))
    .digest();
}

/** kubeadm's serial: uniform in [1, 2^63−1). */
function serialNumber(): Buffer {
  const serial = randomBytes(8);
  serial[0] = (serial[0] as number) & 0x7f;
  return serial.every((byte) => byte === 0) ? Buffer.from([1]) : serial;
}

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * A self-signed CA as pkiutil.NewSelfSignedCACert: CN `commonName`, a DNS SAN of it, from five
 * minutes before `nowMs` to ten years after it.
 */
function issueCa(commonName: string, nowMs: number): KubeadmCertificate & { issuer: Issuer } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const subject = goSubject([{ type: "2.5.4.3", value: commonName }]);
  const created = floorSecond(nowMs);
  const ski = keyIdentifier(spki);
  const certificate = signCertificate(
    {
      issuer: subject,
      subject,
      validity: sequence(certificateTime(created - BACKDATE), certificateTime(created + CA_VALIDITY)),
      subjectPublicKeyInfo: spki,
      serialNumber: serialNumber(),
      // Go's order: keyUsage (digitalSignature, keyEncipherment, keyCertSign), basicConstraints, SKI, SAN.
      extensions: [
        extension("2.5.29.15", true, bitString(Buffer.from([0xa4]), 2)),
        extension("2.5.29.19", true, sequence(booleanTrue())),
        extension("2.5.29.14", false, tlv(0x04, ski)),
        extension("2.5.29.17", false, subjectAltNames([commonName])),
      ],
    },
    privateKey,
  );
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
    issuer: { subject, key: privateKey, keyIdentifier: ski, created },
  };
}

/** A CA read back from its PEM certificate and key (a node's files). */
export function issuerOf(ca: KubeadmCertificate): Issuer {
  const certificate = new X509Certificate(ca.certificatePem);
  const tbs = readChildren(readSingle(certificate.raw).content)[0];
  const fields = tbs ? readChildren(tbs.content) : [];
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4]?.raw ?? goSubject([]);
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return {
    subject,
    key: createPrivateKey(ca.privateKeyPem),
    keyIdentifier: keyIdentifier(spki),
    created: Date.parse(certificate.validFrom) + BACKDATE,
  };
}

/**
 * A certificate `issuer` signs for `profile`, as pkiutil.NewSignedCert with kubeadm's validity:
 * from five minutes before `startMs` (kubeadm init: when it made the CA; a renewal: now) to a year
 * after it.
 */
export function issueCertificate(profile: CertificateProfile, issuer: Issuer, startMs: number): KubeadmCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const start = floorSecond(startMs);
  const extensions = [
    extension("2.5.29.15", true, bitString(Buffer.from([0xa0]), 5)),
    extension("2.5.29.37", false, sequence(...profile.usages.map((usage) => oid(EXTENDED_USAGE_OIDS[usage])))),
    extension("2.5.29.19", true, sequence()),
    extension("2.5.29.35", false, sequence(tlv(0x80, issuer.keyIdentifier))),
  ];
  if (profile.altNames?.length) extensions.push(extension("2.5.29.17", false, subjectAltNames(profile.altNames)));
  const certificate = signCertificate(
    {
      issuer: issuer.subject,
      subject: goSubject([
        ...(profile.organizations ?? []).map((value) => ({ type: "2.5.4.10", value })),
        { type: "2.5.4.3", value: profile.commonName },
      ]),
      validity: sequence(certificateTime(start - BACKDATE), certificateTime(start + CERTIFICATE_VALIDITY)),
      subjectPublicKeyInfo: publicKey.export({ type: "spki", format: "der" }),
      serialNumber: serialNumber(),
      extensions,
    },
    issuer.key,
  );
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
  };
}

/**
 * A serving certificate for kube-apiserver (CN=kube-apiserver, as kubeadm's apiserver.crt) valid
 * for `names` (DNS names and IP addresses), signed by the cluster CA `ca` (its PEM certificate
 * and key, as the control plane's ca.crt and ca.key hold them), valid from `nowMs`.
 */
export function apiServerCertificate(
  ca: KubeadmCertificate,
  names: readonly string[],
  nowMs: number,
): KubeadmCertificate {
  return issueCertificate(
    { commonName: "kube-apiserver", usages: ["serverAuth"], altNames: names },
    issuerOf(ca),
    nowMs,
  );
}

/** The three CAs of kubeadm's PKI, by the name `kubeadm certs` gives them. */
export type KubeadmCaName = "ca" | "front-proxy-ca" | "etcd-ca";

/** One certificate of kubeadm's list (certlist.go), by its `kubeadm certs renew` name. */
export interface KubeadmCertificateSpec {
  name: string;
  longName: string;
  /** The file's path under /etc/kubernetes/pki without .crt/.key. */
  baseName: string;
  ca: KubeadmCaName;
  profile(nodeName: string, ip: string): CertificateProfile;
}

/** The CAs: name, long name (`kubeadm init phase certs`) and file base name. */
export const KUBEADM_CAS: ReadonlyArray<{
  name: KubeadmCaName;
  longName: string;
  baseName: string;
  commonName: string;
}> = [
  {
    name: "ca",
    longName: "self-signed Kubernetes CA to provision identities for other Kubernetes components",
    baseName: "ca",
    commonName: "kubernetes",
  },
  {
    name: "front-proxy-ca",
    longName: "self-signed CA to provision identities for front proxy",
    baseName: "front-proxy-ca",
    commonName: "front-proxy-ca",
  },
  {
    name: "etcd-ca",
    longName: "self-signed CA to provision identities for etcd",
    baseName: "etcd/ca",
    commonName: "etcd-ca",
  },
];

/** kubeadm's GetAPIServerAltNames for a node advertising `ip`, without a controlPlaneEndpoint. */
export function apiServerAltNames(nodeName: string, ip: string): string[] {
  return [
    nodeName,
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "10.96.0.1",
    ip,
  ];
}

/** kubeadm's GetEtcdAltNames and GetEtcdPeerAltNames. */
const etcdAltNames = (nodeName: string, ip: string) => [nodeName, "localhost", ip, "127.0.0.1", "::1"];

/** The certificates of kubeadm's default list that a CA signs, in `kubeadm init`'s order. */
export const KUBEADM_CERTIFICATES: readonly KubeadmCertificateSpec[] = [
  {
    name: "apiserver",
    longName: "certificate for serving the Kubernetes API",
    baseName: "apiserver",
    ca: "ca",
    profile: (node, ip) => ({
      commonName: "kube-apiserver",
      usages: ["serverAuth"],
      altNames: apiServerAltNames(node, ip),
    }),
  },
  {
    name: "apiserver-kubelet-client",
    longName: "certificate for the API server to connect to kubelet",
    baseName: "apiserver-kubelet-client",
    ca: "ca",
    profile: () => ({
      commonName: "kube-apiserver-kubelet-client",
      organizations: ["kubeadm:cluster-admins"],
      usages: ["clientAuth"],
    }),
  },
  {
    name: "front-proxy-client",
    longName: "certificate for the front proxy client",
    baseName: "front-proxy-client",
    ca: "front-proxy-ca",
    profile: () => ({ commonName: "front-proxy-client", usages: ["clientAuth"] }),
  },
  {
    name: "etcd-server",
    longName: "certificate for serving etcd",
    baseName: "etcd/server",
    ca: "etcd-ca",
    profile: (node, ip) => ({
      commonName: node,
      usages: ["serverAuth", "clientAuth"],
      altNames: etcdAltNames(node, ip),
    }),
  },
  {
    name: "etcd-peer",
    longName: "certificate for etcd nodes to communicate with each other",
    baseName: "etcd/peer",
    ca: "etcd-ca",
    profile: (node, ip) => ({
      commonName: node,
      usages: ["serverAuth", "clientAuth"],
      altNames: etcdAltNames(node, ip),
    }),
  },
  {
    name: "etcd-healthcheck-client",
    longName: "certificate for liveness probes to healthcheck etcd",
    baseName: "etcd/healthcheck-client",
    ca: "etcd-ca",
    profile: () => ({ commonName: "kube-etcd-healthcheck-client", usages: ["clientAuth"] }),
  },
  {
    name: "apiserver-etcd-client",
    longName: "certificate the apiserver uses to access etcd",
    baseName: "apiserver-etcd-client",
    ca: "etcd-ca",
    profile: () => ({ commonName: "kube-apiserver-etcd-client", usages: ["clientAuth"] }),
  },
];

/** A cluster's CAs and the certificates they sign, made when first asked for. */
export interface KubeadmPki {
  ca: KubeadmCertificate;
  /** A client certificate for user `commonName` in the groups `organizations`, signed by ca. */
  clientCertificate(commonName: string, organizations?: readonly string[]): KubeadmCertificate;
  /**
   * The control plane's /etc/kubernetes/pki files besides sa.key and sa.pub (relative paths:
   * `apiserver.crt`, `etcd/ca.key` …) for the node `nodeName` advertising `ip`.
   */
  controlPlaneFiles(nodeName: string, ip: string): Readonly<Record<string, string>>;
}

/** Key and certificate files of a certificate named by its base name. */
function filesOf(baseName: string, certificate: KubeadmCertificate): Record<string, string> {
  return { [`${baseName}.crt`]: certificate.certificatePem, [`${baseName}.key`]: certificate.privateKeyPem };
}

/**
 * The control plane's PKI files for `nodeName` at `ip`, signed by the given CAs: the CAs' own
 * files, and each certificate of kubeadm's list issued when its CA was made.
 */
export function controlPlanePkiFiles(
  cas: Record<KubeadmCaName, KubeadmCertificate>,
  nodeName: string,
  ip: string,
): Record<string, string> {
  const files: Record<string, string> = {};
  const issuers = new Map<KubeadmCaName, Issuer>();
  for (const ca of KUBEADM_CAS) Object.assign(files, filesOf(ca.baseName, cas[ca.name]));
  for (const spec of KUBEADM_CERTIFICATES) {
    let issuer = issuers.get(spec.ca);
    if (!issuer) {
      issuer = issuerOf(cas[spec.ca]);
      issuers.set(spec.ca, issuer);
    }
    Object.assign(files, filesOf(spec.baseName, issueCertificate(spec.profile(nodeName, ip), issuer, issuer.created)));
  }
  return files;
}

/** A new PKI whose CAs start at `nowMs`. The front-proxy and etcd CAs are made with the first control plane's files. */
export function createKubeadmPki(nowMs: number): KubeadmPki {
  const ca = issueCa("kubernetes", nowMs);
  const issued = new Map<string, KubeadmCertificate>();
  const controlPlanes = new Map<string, Readonly<Record<string, string>>>();
  let otherCas: { "front-proxy-ca": KubeadmCertificate; "etcd-ca": KubeadmCertificate } | undefined;
  const caFiles = { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem };
  return {
    ca: caFiles,
    clientCertificate(commonName, organizations = []) {
      const key = `${commonName}\n${organizations.join("\n")}`;
      let certificate = issued.get(key);
      if (!certificate) {
        certificate = issueCertificate(
          { commonName, organizations, usages: ["clientAuth"] },
          ca.issuer,
          ca.issuer.created,
        );
        issued.set(key, certificate);
      }
      return certificate;
    },
    controlPlaneFiles(nodeName, ip) {
      const key = `${nodeName} ${ip}`;
      let files = controlPlanes.get(key);
      if (!files) {
        otherCas ??= { "front-proxy-ca": issueCa("front-proxy-ca", nowMs), "etcd-ca": issueCa("etcd-ca", nowMs) };
        files = Object.freeze(controlPlanePkiFiles({ ca: caFiles, ...otherCas }, nodeName, ip));
        controlPlanes.set(key, files);
      }
      return files;
    },
  };
}

/** The SHA-256 of a certificate's SubjectPublicKeyInfo, as `--discovery-token-ca-cert-hash` pins it (`sha256:<hex>`). */
export function caCertificateHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

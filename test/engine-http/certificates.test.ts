import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, X509Certificate } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandaloneCluster } from "../../engine/host/standalone/startCluster";
import { createKubeadmPki } from "../../engine/kubelet/kubeadmPki";
import { buildCertificateRequest, parseCertificateRequest, pem, signRequest } from "../../engine/pki";
import { runOurs } from "../terminal/differential/harness";
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from "./support";

const OPENSSL = "/usr/bin/openssl";

/**
 * The CKA's "create a user" exercise against the standalone server with the real kubectl 1.32
 * (and ours): a CertificateSigningRequest for a node:crypto key, approved, issued by the cluster CA
 * (the control plane's ca.crt), used as a kubeconfig user that is Forbidden until RBAC grants it;
 * certificates the CA did not sign, or that expired, are Unauthorized.
 */
describe.skipIf(!hasKubectl)("certificate signing requests and client-certificate users", () => {
  let cluster: TestCluster;
  const real = (...args: string[]) => kubectl(cluster, args);
  const file = (name: string) => path.join(cluster.folder, name);

  const csrManifest = (name: string, requestPem: string) => `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: ${name}
spec:
  request: ${Buffer.from(requestPem).toString("base64")}
  signerName: kubernetes.io/kube-apiserver-client
  expirationSeconds: 86400
  usages:
  - client auth
`;

  /** Creates, approves and reads back the certificate for `key` as CN=`user`, O=`groups`. */
  async function issue(name: string, key: KeyObject, user: string, groups: string[]): Promise<string> {
    const requestPem = pem(
      "CERTIFICATE REQUEST",
      buildCertificateRequest(key, { commonName: user, organizations: groups }),
    );
    const created = await kubectl(cluster, ["apply", "-f", "-"], csrManifest(name, requestPem));
    expect(created.stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${name} created\n`);
    const approved = await real("certificate", "approve", name);
    expect(approved.stdout).toBe(`certificatesigningrequest.certificates.k8s.io/${name} approved\n`);
    expect(
      await eventually(
        async () => (await real("get", "csr", name, "-o", "jsonpath={.status.certificate}")).stdout !== "",
      ),
    ).toBe(true);
    const encoded = (await real("get", "csr", name, "-o", "jsonpath={.status.certificate}")).stdout;
    return Buffer.from(encoded, "base64").toString();
  }

  /** A kubeconfig context `user` on the cluster's entry with the certificate and key embedded. */
  async function addUser(user: string, certificatePem: string, keyPem: string): Promise<void> {
    writeFileSync(file(`${user}.crt`), certificatePem);
    writeFileSync(file(`${user}.key`), keyPem);
    const set = await real(
      "config",
      "set-credentials",
      user,
      `--client-certificate=${file(`${user}.crt`)}`,
      `--client-key=${file(`${user}.key`)}`,
      "--embed-certs=true",
    );
    expect(set.stdout).toBe(`User "${user}" set.\n`);
    await real("config", "set-context", user, "--cluster=kubelab", `--user=${user}`);
  }

  beforeAll(async () => {
    cluster = await startTestCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("issues jane a certificate: Forbidden until a RoleBinding, then allowed, with either kubectl", async () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const certificatePem = await issue("jane", key, "jane", ["dev"]);
    const table = await real("get", "csr", "jane");
    expect(table.stdout).toMatch(
      /^NAME {3}AGE {3}SIGNERNAME {28}REQUESTOR {10}REQUESTEDDURATION {3}CONDITION\njane {3}\d+s +kubernetes\.io\/kube-apiserver-client {3}kubernetes-admin {3}24h {17}Approved,Issued\n$/,
    );
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.subject).toBe("O=dev\nCN=jane");
    const up = cluster.up.cluster as StandaloneCluster;
    const caPem = await up.nodeFileSystem("controlplane")?.readFile("/etc/kubernetes/pki/ca.crt");
    expect(certificate.verify(new X509Certificate(caPem ?? "").publicKey)).toBe(true);

    await addUser("jane", certificatePem, key.export({ type: "pkcs8", format: "pem" }).toString());
    const forbidden =
      'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"\n';
    expect((await real("--context=jane", "get", "pods")).stderr).toBe(forbidden);
    const ours = await runOurs(["--context=jane", "get", "pods"], cluster.kubeconfig);
    expect(ours.stderr).toBe(forbidden);
    expect((await real("--context=jane", "auth", "whoami")).stdout).toBe(
      "ATTRIBUTE   VALUE\nUsername    jane\nGroups      [dev system:authenticated]\n",
    );

    await real("create", "role", "pod-reader", "--verb=get,list", "--resource=pods");
    await real("create", "rolebinding", "jane-reads", "--role=pod-reader", "--user=jane");
    expect((await real("auth", "can-i", "list", "pods", "--as", "jane")).stdout).toBe("yes\n");
    const allowed = await real("--context=jane", "get", "pods");
    expect([allowed.code, allowed.stderr]).toEqual([0, "No resources found in default namespace.\n"]);
    const oursAllowed = await runOurs(["--context=jane", "get", "pods"], cluster.kubeconfig);
    expect([oursAllowed.status, oursAllowed.stderr]).toEqual([0, "No resources found in default namespace.\n"]);
  }, 90_000);

  it("answers Unauthorized for a certificate another CA signed, and for an expired one", async () => {
    const unauthorized = "error: You must be logged in to the server (Unauthorized)\n";
    const stranger = createKubeadmPki(Date.now()).clientCertificate("mallory", ["system:masters"]);
    await addUser("mallory", stranger.certificatePem, stranger.privateKeyPem);
    expect((await real("--context=mallory", "get", "pods")).stderr).toBe(unauthorized);
    expect((await runOurs(["--context=mallory", "get", "pods"], cluster.kubeconfig)).stderr).toBe(unauthorized);

    // Signed by the cluster's own CA, for a minute from the CA's first moment (kubeadm backdates
    // its CA by five minutes, so that minute is over).
    const up = cluster.up.cluster as StandaloneCluster;
    const files = up.nodeFileSystem("controlplane");
    const authority = {
      certificatePem: (await files?.readFile("/etc/kubernetes/pki/ca.crt")) ?? "",
      privateKeyPem: (await files?.readFile("/etc/kubernetes/pki/ca.key")) ?? "",
    };
    const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const request = parseCertificateRequest(buildCertificateRequest(key, { commonName: "old", organizations: [] }));
    const expired = signRequest(request, authority, {
      ttl: 60_000,
      usages: ["client auth"],
      backdate: 0,
      short: 8 * 3_600_000,
      now: Date.parse(new X509Certificate(authority.certificatePem).validFrom),
    });
    await addUser("old", expired, key.export({ type: "pkcs8", format: "pem" }).toString());
    expect((await real("--context=old", "get", "pods")).stderr).toBe(unauthorized);
  }, 60_000);

  it.skipIf(!existsSync(OPENSSL))(
    "follows the learner's openssl path (skipped without /usr/bin/openssl), and openssl verifies the certificate",
    async () => {
      const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: cluster.folder, stdio: "pipe" });
      openssl("genrsa", "-out", "bob.key", "2048");
      openssl("req", "-new", "-key", "bob.key", "-subj", "/CN=bob/O=ops", "-out", "bob.csr");
      const created = await kubectl(
        cluster,
        ["apply", "-f", "-"],
        csrManifest("bob", readFileSync(file("bob.csr"), "utf8")),
      );
      expect(created.code, created.stderr).toBe(0);
      expect((await real("get", "csr", "bob", "-o", "jsonpath={.spec.username}")).stdout).toBe("kubernetes-admin");
      await real("certificate", "approve", "bob");
      expect(
        await eventually(
          async () => (await real("get", "csr", "bob", "-o", "jsonpath={.status.certificate}")).stdout !== "",
        ),
      ).toBe(true);
      const encoded = (await real("get", "csr", "bob", "-o", "jsonpath={.status.certificate}")).stdout;
      writeFileSync(file("bob.crt"), Buffer.from(encoded, "base64"));
      const up = cluster.up.cluster as StandaloneCluster;
      writeFileSync(
        file("ca.crt"),
        (await up.nodeFileSystem("controlplane")?.readFile("/etc/kubernetes/pki/ca.crt")) ?? "",
      );
      expect(openssl("verify", "-purpose", "sslclient", "-CAfile", "ca.crt", "bob.crt").toString()).toBe(
        "bob.crt: OK\n",
      );
      expect(openssl("x509", "-in", "bob.crt", "-noout", "-subject").toString()).toBe("subject=O = ops, CN = bob\n");
      await addUser("bob", readFileSync(file("bob.crt"), "utf8"), readFileSync(file("bob.key"), "utf8"));
      expect((await real("--context=bob", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")).stdout).toBe(
        "bob",
      );
    },
    60_000,
  );
});

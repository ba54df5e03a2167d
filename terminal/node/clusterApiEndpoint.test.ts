import type { RequestOptions } from "node:https";
import { describe, expect, it } from "vitest";
import { createKubeadmPki } from "../../engine/kubelet/kubeadmPki";
import { ClusterApiEndpoint, verifyClientCertificate } from "./clusterApiEndpoint";
import type { NodeBackend } from "./NodeBackend";

const now = Date.UTC(2026, 11, 1);
const pki = createKubeadmPki(now);
const other = createKubeadmPki(now);

describe("verifyClientCertificate", () => {
  const admin = pki.clientCertificate("kubernetes-admin", ["kubeadm:cluster-admins"]);
  const cases = [
    {
      name: "a certificate the CA signed: CN is the user, O the groups",
      certificate: admin.certificatePem,
      key: admin.privateKeyPem,
      at: now,
      expected: { user: "kubernetes-admin", groups: ["kubeadm:cluster-admins"] },
    },
    {
      name: "another CA's certificate",
      certificate: other.clientCertificate("kubernetes-admin").certificatePem,
      key: other.clientCertificate("kubernetes-admin").privateKeyPem,
      at: now,
      expected: undefined,
    },
    {
      name: "a key that is not the certificate's",
      certificate: admin.certificatePem,
      key: pki.clientCertificate("system:kube-scheduler").privateKeyPem,
      at: now,
      expected: undefined,
    },
    {
      name: "an expired certificate",
      certificate: admin.certificatePem,
      key: admin.privateKeyPem,
      at: now + 400 * 86_400_000,
      expected: undefined,
    },
    {
      name: "no certificate data",
      certificate: "not a certificate",
      key: admin.privateKeyPem,
      at: now,
      expected: undefined,
    },
  ];
  for (const testCase of cases)
    it(testCase.name, () => {
      expect(verifyClientCertificate(pki.ca.certificatePem, testCase.certificate, testCase.key, testCase.at)).toEqual(
        testCase.expected,
      );
    });
});

describe("ClusterApiEndpoint", () => {
  const backend = {
    nodes: async () => [
      { name: "controlplane", ip: "192.168.0.2", role: "control-plane" as const },
      { name: "node01", ip: "192.168.0.3", role: "worker" as const },
    ],
    readFile: async (_node: string, path: string) =>
      path === "/etc/kubernetes/pki/ca.crt" ? pki.ca.certificatePem : undefined,
  } as unknown as NodeBackend;
  const own = {
    server: "https://127.0.0.1:7631",
    key: "own",
    async apply(options: RequestOptions) {
      options.headers = { ...(options.headers ?? {}), Authorization: "Bearer admin" };
    },
  };
  const endpoint = new ClusterApiEndpoint(backend, async () => own);
  /** What loadKubeconfig makes of kubeadm's file: its CA and client certificate for the node's address. */
  const kubeconfigConnection = (server: string, headers: Record<string, string> = {}) => ({
    server,
    key: server,
    async apply(options: RequestOptions) {
      options.ca = "the cluster CA";
      options.headers = { ...(options.headers ?? {}), ...headers };
    },
  });
  const scheduler = pki.clientCertificate("system:kube-scheduler");
  const admin = pki.clientCertificate("kubernetes-admin", ["kubeadm:cluster-admins"]);
  const credentials = {
    certificate: Buffer.from(scheduler.certificatePem),
    key: Buffer.from(scheduler.privateKeyPem),
  };

  it("carries the control plane's address over the shell's connection, as the certificate's user", async () => {
    const connection = await endpoint.connect(kubeconfigConnection("https://192.168.0.2:6443"), credentials);
    expect(connection?.server).toBe("https://127.0.0.1:7631");
    const options: RequestOptions = {};
    await connection?.apply(options);
    expect(options.headers).toEqual({ Authorization: "Bearer admin", "Impersonate-User": "system:kube-scheduler" });
  });

  it("keeps --as on top of the file's user", async () => {
    const connection = await endpoint.connect(
      kubeconfigConnection("https://192.168.0.2:6443", { "Impersonate-User": "jane" }),
      { certificate: Buffer.from(admin.certificatePem), key: Buffer.from(admin.privateKeyPem) },
    );
    const options: RequestOptions = {};
    await connection?.apply(options);
    expect(options.headers).toEqual({ Authorization: "Bearer admin", "Impersonate-User": "jane" });
  });

  it("sends an unusable credential for a certificate the CA did not sign", async () => {
    const forged = other.clientCertificate("kubernetes-admin", ["system:masters"]);
    const connection = await endpoint.connect(kubeconfigConnection("https://controlplane:6443"), {
      certificate: Buffer.from(forged.certificatePem),
      key: Buffer.from(forged.privateKeyPem),
    });
    const options: RequestOptions = {};
    await connection?.apply(options);
    expect(options.headers).toEqual({ Authorization: "Bearer -" });
  });

  it("leaves other servers alone", async () => {
    for (const server of ["https://192.168.0.3:6443", "http://192.168.0.2:6443"])
      expect(await endpoint.connect(kubeconfigConnection(server), credentials)).toBeUndefined();
  });

  it("carries a client-certificate user of the shell's own cluster as the certificate's user (CN, O)", async () => {
    const jane = pki.clientCertificate("jane", ["dev"]);
    const connection = await endpoint.connect(kubeconfigConnection("https://127.0.0.1:7631/"), {
      certificate: Buffer.from(jane.certificatePem),
      key: Buffer.from(jane.privateKeyPem),
    });
    const options: RequestOptions = {};
    await connection?.apply(options);
    expect(options.headers).toEqual({
      Authorization: "Bearer admin",
      "Impersonate-User": "jane",
      "Impersonate-Group": ["dev"],
    });
  });

  it("refuses a forged certificate on the shell's own cluster, and leaves its token users alone", async () => {
    const forged = other.clientCertificate("jane", ["system:masters"]);
    const connection = await endpoint.connect(kubeconfigConnection("https://127.0.0.1:7631"), {
      certificate: Buffer.from(forged.certificatePem),
      key: Buffer.from(forged.privateKeyPem),
    });
    const options: RequestOptions = {};
    await connection?.apply(options);
    expect(options.headers).toEqual({ Authorization: "Bearer -" });
    expect(await endpoint.connect(kubeconfigConnection("https://127.0.0.1:7631"), { token: "t" })).toBeUndefined();
    expect(
      await endpoint.connect(kubeconfigConnection("https://127.0.0.1:7631"), { ...credentials, token: "t" }),
    ).toBeUndefined();
  });
});

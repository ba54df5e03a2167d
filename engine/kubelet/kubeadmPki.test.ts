import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeKubeadmFiles } from "./kubeadmFiles";
import { createKubeadmPki } from "./kubeadmPki";
import type { NodeFileSystem } from "./NodeFileSystem";

function memoryFs(): NodeFileSystem & { files: Map<string, string> } {
  const files = new Map<string, string>();
  return {
    files,
    readFile: async (path: string) => files.get(path),
    writeFile: async (path: string, content: string) => {
      files.set(path, content);
    },
  } as unknown as NodeFileSystem & { files: Map<string, string> };
}

describe("kubeadm's kubeconfigs", () => {
  const cases = [
    {
      name: "admin.conf",
      node: "controlplane",
      file: "/etc/kubernetes/admin.conf",
      subject: "O=kubeadm:cluster-admins\nCN=kubernetes-admin",
    },
    {
      name: "super-admin.conf",
      node: "controlplane",
      file: "/etc/kubernetes/super-admin.conf",
      subject: "O=system:masters\nCN=kubernetes-super-admin",
    },
    {
      name: "scheduler.conf",
      node: "controlplane",
      file: "/etc/kubernetes/scheduler.conf",
      subject: "CN=system:kube-scheduler",
    },
    {
      name: "controller-manager.conf",
      node: "controlplane",
      file: "/etc/kubernetes/controller-manager.conf",
      subject: "CN=system:kube-controller-manager",
    },
    {
      name: "a worker's kubelet.conf",
      node: "node01",
      file: "/etc/kubernetes/kubelet.conf",
      subject: "O=system:nodes\nCN=system:node:node01",
    },
  ];
  for (const testCase of cases)
    it(`${testCase.name}: a client certificate the node's CA signed, for the control plane's address`, async () => {
      const fs = memoryFs();
      const role = testCase.node === "controlplane" ? "control-plane" : "worker";
      await writeKubeadmFiles(fs, testCase.node, role, "192.168.0.3", "192.168.0.2", Date.UTC(2026, 11, 1));
      const config = parse(fs.files.get(testCase.file) as string);
      const cluster = config.clusters[0].cluster;
      expect(cluster.server).toBe("https://192.168.0.2:6443");
      const ca = new X509Certificate(Buffer.from(cluster["certificate-authority-data"], "base64"));
      expect(ca.subject).toBe("CN=kubernetes");
      expect(fs.files.get("/etc/kubernetes/pki/ca.crt")).toBe(ca.toString());
      const user = config.users[0].user;
      const certificate = new X509Certificate(Buffer.from(user["client-certificate-data"], "base64"));
      expect(certificate.subject).toBe(testCase.subject);
      expect(certificate.verify(ca.publicKey)).toBe(true);
      expect(Buffer.from(user["client-key-data"], "base64").toString()).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    });
});

describe("the control plane's PKI, as kubeadm init v1.32 writes it", async () => {
  const start = Date.UTC(2026, 11, 1, 8, 30, 15);
  const fs = memoryFs();
  await writeKubeadmFiles(fs, "controlplane", "control-plane", "192.168.0.2", "192.168.0.2", start);
  const certificate = (name: string) => new X509Certificate(fs.files.get(`/etc/kubernetes/pki/${name}`) as string);
  const ca = certificate("ca.crt");
  const day = 24 * 60 * 60 * 1000;
  const etcdNames =
    "DNS:controlplane, DNS:localhost, IP Address:192.168.0.2, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1";
  const cases = [
    {
      name: "apiserver",
      subject: "CN=kube-apiserver",
      issuer: "ca",
      usages: ["1.3.6.1.5.5.7.3.1"],
      altNames:
        "DNS:controlplane, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:192.168.0.2",
    },
    {
      name: "apiserver-kubelet-client",
      subject: "O=kubeadm:cluster-admins\nCN=kube-apiserver-kubelet-client",
      issuer: "ca",
      usages: ["1.3.6.1.5.5.7.3.2"],
    },
    {
      name: "front-proxy-client",
      subject: "CN=front-proxy-client",
      issuer: "front-proxy-ca",
      usages: ["1.3.6.1.5.5.7.3.2"],
    },
    {
      name: "apiserver-etcd-client",
      subject: "CN=kube-apiserver-etcd-client",
      issuer: "etcd/ca",
      usages: ["1.3.6.1.5.5.7.3.2"],
    },
    {
      name: "etcd/server",
      subject: "CN=controlplane",
      issuer: "etcd/ca",
      usages: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
      altNames: etcdNames,
    },
    {
      name: "etcd/peer",
      subject: "CN=controlplane",
      issuer: "etcd/ca",
      usages: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
      altNames: etcdNames,
    },
    {
      name: "etcd/healthcheck-client",
      subject: "CN=kube-etcd-healthcheck-client",
      issuer: "etcd/ca",
      usages: ["1.3.6.1.5.5.7.3.2"],
    },
  ];
  for (const testCase of cases)
    it(`${testCase.name}: signed by ${testCase.issuer}, for a year from kubeadm's start, with its key`, () => {
      const issued = certificate(`${testCase.name}.crt`);
      const issuer = certificate(`${testCase.issuer}.crt`);
      expect(issued.subject).toBe(testCase.subject);
      expect(issued.checkIssued(issuer) && issued.verify(issuer.publicKey)).toBe(true);
      expect(issued.keyUsage).toEqual(testCase.usages);
      expect(issued.subjectAltName).toBe(testCase.altNames);
      expect(issued.ca).toBe(false);
      expect(Date.parse(issued.validFrom)).toBe(Date.parse(issuer.validFrom));
      // kubeadm backdates by five minutes (CertificateBackdate) and counts the year from its start.
      expect(Date.parse(issued.validTo) - Date.parse(issued.validFrom)).toBe(365 * day + 5 * 60_000);
      expect(
        issued.checkPrivateKey(createPrivateKey(fs.files.get(`/etc/kubernetes/pki/${testCase.name}.key`) as string)),
      ).toBe(true);
    });

  it("has three self-signed CAs valid for ten years, each named in its own SAN", () => {
    for (const [file, name] of [
      ["ca.crt", "kubernetes"],
      ["front-proxy-ca.crt", "front-proxy-ca"],
      ["etcd/ca.crt", "etcd-ca"],
    ]) {
      const authority = certificate(file as string);
      expect(authority.subject).toBe(`CN=${name}`);
      expect(authority.ca).toBe(true);
      expect(authority.subjectAltName).toBe(`DNS:${name}`);
      expect(authority.verify(authority.publicKey)).toBe(true);
      expect(Date.parse(authority.validTo) - Date.parse(authority.validFrom)).toBe(3650 * day + 5 * 60_000);
      expect(Date.parse(authority.validFrom)).toBe(start - 5 * 60_000);
    }
    expect(ca.serialNumber.length).toBeLessThanOrEqual(16);
  });

  it("replaces an earlier Kubelab's placeholder PEMs with certificates the node's own CA signs", async () => {
    const legacy = memoryFs();
    for (const [path, content] of fs.files) legacy.files.set(path, content);
    legacy.files.set(
      "/etc/kubernetes/pki/apiserver.crt",
      `-----BEGIN CERTIFICATE-----\n${Buffer.from("kubelab apiserver.crt CERTIFICATE").toString("base64")}\n-----END CERTIFICATE-----\n`,
    );
    const other = createKubeadmPki(start);
    legacy.files.set("/etc/kubernetes/pki/ca.crt", other.ca.certificatePem);
    legacy.files.set("/etc/kubernetes/pki/ca.key", other.ca.privateKeyPem);
    await writeKubeadmFiles(legacy, "controlplane", "control-plane", "192.168.0.2", "192.168.0.2", start);
    const served = new X509Certificate(legacy.files.get("/etc/kubernetes/pki/apiserver.crt") as string);
    expect(served.verify(new X509Certificate(other.ca.certificatePem).publicKey)).toBe(true);
    expect(legacy.files.get("/etc/kubernetes/pki/ca.crt")).toBe(other.ca.certificatePem);
  });
});

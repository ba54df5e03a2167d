import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeKubeadmFiles } from "./kubeadmFiles";
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

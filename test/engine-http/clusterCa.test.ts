import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { runClusterUp } from "../../engine/host/standalone/runClusterUp";
import { type StandaloneCluster, startCluster } from "../../engine/host/standalone/startCluster";
import { hasKubectl, kubeconfigCa, kubectl, type TestCluster } from "./support";

/** The certificate the server presents, read from a TLS handshake to 127.0.0.1:`port`. */
function peerCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(der));
    });
    socket.on("error", reject);
  });
}

/**
 * `kubelab cluster up` serves with a certificate its cluster CA signed, as kubeadm's apiserver.crt:
 * the kubeconfig's certificate-authority-data, the control plane's /etc/kubernetes/pki/ca.crt and
 * every namespace's kube-root-ca.crt are one certificate, and a restart over the same data folder
 * keeps them (and the serving certificate).
 */
describe.skipIf(!hasKubectl)("the standalone server's certificates and the cluster CA", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-ca-"));
  const kubeconfig = path.join(folder, "kubeconfig");
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  async function up() {
    let started: StandaloneCluster | undefined;
    const running = await runClusterUp({
      port: 0,
      kubeconfigPath: kubeconfig,
      speed: "fast",
      dataDir: path.join(folder, "data"),
      startCluster: (options) => {
        started = startCluster(options);
        return started;
      },
    });
    await running.cluster.ready;
    const cluster = { up: running, kubeconfig, folder, stop: () => running.stop() } as TestCluster;
    return { running, cluster, standalone: started as StandaloneCluster };
  }

  it("serves with a certificate the control plane's ca.crt signed, which the kubeconfig and kube-root-ca.crt hold", async () => {
    const { running, cluster, standalone } = await up();
    try {
      const ca = await standalone.nodeFileSystem("controlplane")?.readFile("/etc/kubernetes/pki/ca.crt");
      expect(ca).toContain("BEGIN CERTIFICATE");
      expect(kubeconfigCa(kubeconfig)).toBe(ca);
      const root = await kubectl(cluster, ["get", "configmap", "kube-root-ca.crt", "-o", "jsonpath={.data.ca\\.crt}"]);
      expect(root.stdout).toBe(ca);

      const serving = await peerCertificate(running.server.port);
      const authority = new X509Certificate(ca ?? "");
      expect(serving.checkIssued(authority)).toBe(true);
      expect(serving.verify(authority.publicKey)).toBe(true);
      expect(serving.subject).toBe("CN=kube-apiserver");
      // Go's x509 writes the DNS names, then the IP addresses.
      expect(serving.subjectAltName).toBe(
        "DNS:controlplane, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, DNS:localhost, IP Address:10.96.0.1, IP Address:192.168.0.2, IP Address:127.0.0.1",
      );
      // The real kubectl verifies the server with the kubeconfig's CA (no --insecure-skip-tls-verify).
      const nodes = await kubectl(cluster, ["get", "nodes", "-o", "name"]);
      expect(nodes.stderr).toBe("");
      expect(nodes.stdout).toBe("node/controlplane\nnode/node01\nnode/node02\n");
    } finally {
      await running.stop();
    }
  });

  it("keeps the node's CA and the serving certificate across a restart over the same data folder", async () => {
    const before = kubeconfigCa(kubeconfig);
    const servedBefore = readFileSync(path.join(folder, "data", "pki", "apiserver.crt"), "utf8");
    const { running, cluster } = await up();
    try {
      expect(kubeconfigCa(kubeconfig)).toBe(before);
      expect((await peerCertificate(running.server.port)).toString()).toBe(
        new X509Certificate(servedBefore).toString(),
      );
      // The store is new: the root-CA publisher takes kube-root-ca.crt to the node's ca.crt.
      for (const namespace of ["default", "kube-system", "kube-public"]) {
        let published = "";
        for (let i = 0; i < 50 && published !== before; i++) {
          published = (
            await kubectl(cluster, [
              "get",
              "cm",
              "kube-root-ca.crt",
              "-n",
              namespace,
              "-o",
              "jsonpath={.data.ca\\.crt}",
            ])
          ).stdout;
          if (published !== before) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect([namespace, published]).toEqual([namespace, before]);
      }
      expect((await kubectl(cluster, ["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])).stdout).toBe(
        "kubernetes-admin",
      );
    } finally {
      await running.stop();
    }
  });
});

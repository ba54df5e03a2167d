import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runClusterUp } from "../../engine/host/standalone/runClusterUp";
import { type StandaloneCluster, startCluster } from "../../engine/host/standalone/startCluster";
import { hasKubectl, kubectl, type TestCluster } from "./support";

/** Polls `check` every 100 ms of wall time until it holds (the standalone cluster runs on the real clock). */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The real kubectl against `kubelab cluster up` when kube-apiserver's static pod is gone (its
 * manifest moved out of /etc/kubernetes/manifests, the CKA's classic breakage): the port refuses
 * connections, and kubectl says so in its own words; with the manifest back, it answers again.
 */
describe.skipIf(!hasKubectl)("kube-apiserver's static pod and the standalone server's port", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-cpdown-"));
  const kubeconfig = path.join(folder, "kubeconfig");
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("refuses kubectl while the kube-apiserver manifest is moved away, and serves once it is back", async () => {
    let standalone: StandaloneCluster | undefined;
    const running = await runClusterUp({
      port: 0,
      kubeconfigPath: kubeconfig,
      speed: "fast",
      startCluster: (options) => {
        standalone = startCluster(options);
        return standalone;
      },
    });
    const cluster = { up: running, kubeconfig, folder, stop: () => running.stop() } as TestCluster;
    try {
      await running.cluster.ready;
      const files = standalone?.nodeFileSystem("controlplane");
      const manifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";
      const content = (await files?.readFile(manifest)) ?? "";
      expect(content).toContain("kube-apiserver");
      expect((await kubectl(cluster, ["get", "nodes", "-o", "name"])).code).toBe(0);

      await files?.remove(manifest);
      await until(() => standalone?.cluster.controlPlane.apiReachable() === false);
      const refused = await kubectl(cluster, ["get", "pods"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `The connection to the server 127.0.0.1:${running.server.port} was refused - did you specify the right host or port?`,
      );

      await files?.writeFile(manifest, content);
      await until(async () => (await kubectl(cluster, ["get", "nodes", "-o", "name"])).code === 0);
      const nodes = await kubectl(cluster, ["get", "nodes", "-o", "name"]);
      expect(nodes.stdout).toContain("node/controlplane");
    } finally {
      await cluster.stop();
    }
  }, 90_000);
});

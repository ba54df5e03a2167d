import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Deployments, Pods, ReplicaSets } from "../../engine/api/resources";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/**
 * Hosted clusters run on the wall clock with their timers taken in turns and their watch events
 * delivered on the next turn (not inside the write): the controllers must still converge exactly,
 * with no duplicate ReplicaSets or Pods, in several clusters at once.
 */
describe("workloads on hosted clusters (timers in turns, watch events after the write)", () => {
  it("clusters made from the template: a Deployment in each of three converges to exactly its replicas, then scales", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "kubelab-hosted-workloads-"));
    folders.push(folder);
    const lines: string[] = [];
    const host = new ClusterHost({ dataDir: folder, speed: "fast", log: (line) => lines.push(line) });
    try {
      // New clusters start from the host's template (one cluster booted and settled once).
      const template = await host.prepareTemplate();
      expect(template?.store.byteLength).toBeGreaterThan(0);
      const ids = await Promise.all([host.create(), host.create(), host.create()].map((p) => p.then((c) => c.id)));
      const clusters = await Promise.all(ids.map((id) => host.acquire(id).then((live) => live.cluster)));
      for (const id of ids)
        expect(lines.some((line) => line.startsWith(`hosting: ${id}: created from the template in `))).toBe(true);
      // The template's system pods are there from the first request, Running.
      for (const cluster of clusters) {
        const system = await cluster.client().list(Pods, "kube-system");
        expect(system.items.map((pod) => pod.metadata.name)).toContainEqual(expect.stringMatching(/^coredns-/));
        expect(system.items.every((pod) => pod.status?.phase === "Running")).toBe(true);
      }
      await Promise.all(clusters.map((cluster) => cluster.ready));
      const deployment = (replicas: number) => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "default" },
        spec: {
          replicas,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
          },
        },
      });
      const running = async (cluster: (typeof clusters)[number]) => {
        const pods = await cluster.client().list(Pods, "default", { labelSelector: "app=web" });
        return pods.items.filter((pod) => pod.status?.phase === "Running" && !pod.metadata.deletionTimestamp).length;
      };
      const converge = async (replicas: number) => {
        const started = Date.now();
        for (;;) {
          const counts = await Promise.all(clusters.map(running));
          const totals = await Promise.all(
            clusters.map(
              async (cluster) =>
                (await cluster.client().list(Pods, "default", { labelSelector: "app=web" })).items.length,
            ),
          );
          if (counts.every((count) => count === replicas) && totals.every((total) => total === replicas)) return;
          if (Date.now() - started > 40_000) throw new Error(`running ${counts}, total ${totals}, want ${replicas}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      await Promise.all(clusters.map((cluster) => cluster.client().create(Deployments, deployment(3))));
      await converge(3);
      for (const cluster of clusters) {
        expect((await cluster.client().list(ReplicaSets, "default")).items).toHaveLength(1);
        await cluster.client().patch(Deployments, "default", "web", "merge", { spec: { replicas: 5 } });
      }
      await converge(5);
    } finally {
      await host.close();
    }
  }, 90_000);
});

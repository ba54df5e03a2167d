import { describe, expect, it } from "vitest";
import { RealClock } from "../../engine/clock/RealClock";
import { createCluster } from "../../engine/cluster/createCluster";
import { applyStartingStateToCluster } from "./hostedStartingState";

describe("applyStartingStateToCluster (ClusterHost's reset hook)", () => {
  it("applies manifests and commands to an in-process cluster through its API", async () => {
    const cluster = createCluster({ clock: new RealClock(), speed: "fast" });
    try {
      await cluster.ready;
      await applyStartingStateToCluster(cluster, {
        manifests: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seeded}\ndata: {a: '1'}\n",
        commands: ["kubectl create namespace practice"],
      });
      const client = cluster.client();
      const configMap = await client.get({ group: "", version: "v1", resource: "configmaps" }, "default", "seeded");
      expect((configMap as { data?: Record<string, string> }).data).toEqual({ a: "1" });
      const namespace = await client.get({ group: "", version: "v1", resource: "namespaces" }, undefined, "practice");
      expect(namespace.metadata?.name).toBe("practice");
    } finally {
      cluster.stop();
    }
  }, 60_000);
});

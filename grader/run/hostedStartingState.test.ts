import { describe, expect, it } from "vitest";
import { RealClock } from "../../engine/clock/RealClock";
import { createCluster } from "../../engine/cluster/createCluster";
import { InMemoryNodeFileSystem } from "../../engine/kubelet/NodeFileSystem";
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

  it("waits for a new namespace's ServiceAccount before a Pod in it (network-policies' monitoring/prober)", async () => {
    // No components: the serviceaccount controller's part is played below, a moment late, as it
    // was on a busy hosted Reset ('pods "prober" is forbidden: error looking up service account').
    const cluster = createCluster({ clock: new RealClock(), speed: "fast", components: [] });
    try {
      await cluster.ready;
      const client = cluster.client();
      const serviceAccounts = { group: "", version: "v1", resource: "serviceaccounts" };
      const controller = setTimeout(() => {
        void client.create(serviceAccounts, {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name: "default", namespace: "monitoring" },
        });
      }, 500);
      await applyStartingStateToCluster(cluster, {
        manifests: [
          "apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}",
          "apiVersion: v1\nkind: Pod\nmetadata: {name: prober, namespace: monitoring}\nspec: {containers: [{name: curl, image: curlimages/curl:8.11.1}]}",
        ].join("\n---\n"),
      }).finally(() => clearTimeout(controller));
      const pod = await client.get({ group: "", version: "v1", resource: "pods" }, "monitoring", "prober");
      expect(pod.spec?.serviceAccountName).toBe("default");
    } finally {
      cluster.stop();
    }
  }, 60_000);

  it("runs commands on the nodes when the host hands over their file systems (Reset as lessons check)", async () => {
    const nodes = new Map<string, InMemoryNodeFileSystem>();
    const nodeFileSystem = (node: string) => {
      if (!nodes.has(node)) nodes.set(node, new InMemoryNodeFileSystem());
      return nodes.get(node) as InMemoryNodeFileSystem;
    };
    const cluster = createCluster({ clock: new RealClock(), speed: "fast", nodeFileSystem });
    try {
      await cluster.ready;
      await applyStartingStateToCluster(
        cluster,
        {
          commands: [
            "ssh node01 \"sed -i 's#pki/ca.crt#pki/ca.cert#' /var/lib/kubelet/config.yaml\"",
            "etcdctl snapshot save /opt/backup.db",
          ],
        },
        { nodeFileSystem: (node) => (cluster.nodeNames.includes(node) ? nodeFileSystem(node) : undefined) },
      );
      expect(await nodes.get("node01")?.readFile("/var/lib/kubelet/config.yaml")).toContain(
        "clientCAFile: /etc/kubernetes/pki/ca.cert",
      );
      expect(await nodes.get(cluster.controlPlaneNode)?.readFile("/opt/backup.db")).toContain(
        "/registry/namespaces/default",
      );
    } finally {
      cluster.stop();
    }
  }, 60_000);
});

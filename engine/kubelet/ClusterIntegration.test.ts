import { describe, expect, it } from "vitest";
import type { Pod } from "../api/core";
import { Pods } from "../api/resources";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "../cluster/createCluster";

describe("a kubeadm-shaped cluster", () => {
  it("runs kube-proxy on every node and two CoreDNS replicas behind kube-dns", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 30, 5, 0, 0));
    const logs: string[] = [];
    const cluster = createCluster({
      clock,
      speed: "fast",
      log: (component, line) => logs.push(`${component}: ${line}`),
    });
    try {
      await clock.advance(0);
      await cluster.ready;
      await clock.advance(15_000);
      const pods = await cluster.client().list<Pod>(Pods, "kube-system");
      const summary = pods.items.map((pod) => `${pod.metadata.name} ${pod.spec?.nodeName} ${pod.status?.phase}`).sort();
      const proxies = pods.items.filter((pod) => pod.metadata.labels?.["k8s-app"] === "kube-proxy");
      expect(proxies.map((pod) => pod.spec?.nodeName).sort(), summary.join("\n")).toEqual([
        "controlplane",
        "node01",
        "node02",
      ]);
      for (const pod of proxies) {
        expect(pod.status?.phase).toBe("Running");
        expect(pod.status?.podIP).toBe(pod.status?.hostIP);
      }
      const dns = pods.items.filter((pod) => pod.metadata.labels?.["k8s-app"] === "kube-dns");
      expect(dns).toHaveLength(2);
      for (const pod of dns) {
        expect(pod.status?.phase).toBe("Running");
        expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status, JSON.stringify(pod.status)).toBe(
          "True",
        );
      }
    } finally {
      cluster.stop();
    }
  });
});

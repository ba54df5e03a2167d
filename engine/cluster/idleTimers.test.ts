import { describe, expect, it } from "vitest";
import { Deployments, Leases, Pods, Secrets } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "./createCluster";

/** A VirtualClock that remembers which code armed each timer (the first engine frame outside the clock). */
class RecordingClock extends VirtualClock {
  readonly fired = new Map<string, number>();

  override setTimer(delayMs: number, callback: () => void): () => void {
    const origin = armedBy(new Error().stack ?? "");
    return super.setTimer(delayMs, () => {
      this.fired.set(
        `${origin} (every ${delayMs / 1000} s)`,
        (this.fired.get(`${origin} (every ${delayMs / 1000} s)`) ?? 0) + 1,
      );
      callback();
    });
  }
}

function armedBy(stack: string): string {
  const frames = stack.split("\n").slice(1);
  for (const frame of frames) {
    const match = frame.match(/engine\/([\w/]+)\.ts:(\d+)/);
    if (match && !match[1].startsWith("clock/") && !match[1].startsWith("cluster/idleTimers"))
      return `${match[1]}.ts:${match[2]}`;
  }
  return "unknown";
}

describe("an idle cluster", () => {
  it("with 3 nodes and 20 running pods fires no timer at all (lazy leases and probes)", async () => {
    const clock = new RecordingClock(Date.UTC(2026, 0, 1));
    const cluster = createCluster({ clock, random: seededRandom(5), nodes: 2 });
    await cluster.ready;
    const client = cluster.client();
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 20,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    for (let step = 0; step < 120; step++) {
      await clock.advance(1000);
      const pods = (await client.list(Pods, "default")).items;
      if (pods.length === 20 && pods.every((pod) => pod.status?.phase === "Running")) break;
    }
    // Let start-up work (back-offs, progress deadlines, the first lease expiries) play out.
    await clock.advance(10 * 60_000);
    clock.fired.clear();
    await clock.advance(10 * 60_000);
    const perMinute = Object.fromEntries([...clock.fired].map(([origin, count]) => [origin, count / 10]));
    console.log("timers fired per virtual minute in an idle cluster:", perMinute, "armed now:", clock.pendingTimers);
    // Upstream behaviour: each kubelet renews its Lease every 10 s and runs the probes its pods
    // declare (kubeadm's static pods, CoreDNS); here lease renewals are computed lazily
    // (NodeHeartbeats) and probes whose answer cannot change until a listener does sleep until
    // one does, so nothing at all fires in an idle cluster.
    expect(perMinute).toEqual({});
    // The one timer armed is the tokencleaner's, at the expiry of kubeadm init's bootstrap token.
    expect(clock.pendingTimers).toBe(1);
    // Yet a learner reading the nodes' Leases sees them renewed within the last 10 s, as on a real cluster.
    const now = clock.now();
    const leases = (await client.list(Leases, "kube-node-lease")).items as Array<{ spec?: { renewTime?: string } }>;
    expect(leases).toHaveLength(3);
    for (const lease of leases) expect(now - Date.parse(lease.spec?.renewTime ?? "")).toBeLessThan(10_000);
    const one = (await client.get(Leases, "kube-node-lease", "node01")) as { spec?: { renewTime?: string } };
    expect(now - Date.parse(one.spec?.renewTime ?? "")).toBeLessThan(10_000);
    // Past the token's 24 h the cleaner has deleted it, and nothing at all is armed.
    await clock.advance(24 * 3600_000);
    const tokens = await client.list(Secrets, "kube-system", { fieldSelector: "type=bootstrap.kubernetes.io/token" });
    expect(tokens.items).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    cluster.stop();
  }, 120_000);
});

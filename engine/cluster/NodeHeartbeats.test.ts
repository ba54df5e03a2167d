import { describe, expect, it } from "vitest";
import type { Node } from "../api/core";
import { Nodes } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "./createCluster";
import { NodeHeartbeats } from "./NodeHeartbeats";

describe("NodeHeartbeats", () => {
  it("computes the ticks of a 10 s renewal ticker, ending at the last one before the kubelet stopped", () => {
    const heartbeats = new NodeHeartbeats();
    const seen: string[] = [];
    heartbeats.onChange((node) => seen.push(node));
    expect(heartbeats.lastRenewal("node01", 5_000)).toBeUndefined();
    heartbeats.renewing("node01", 1_000, 10_000);
    expect(heartbeats.lastRenewal("node01", 1_000)).toBe(1_000);
    expect(heartbeats.lastRenewal("node01", 10_999)).toBe(1_000);
    expect(heartbeats.lastRenewal("node01", 11_000)).toBe(11_000);
    expect(heartbeats.isRenewing("node01")).toBe(true);
    heartbeats.stopped("node01", 35_000);
    expect(heartbeats.isRenewing("node01")).toBe(false);
    expect(heartbeats.lastRenewal("node01", 90_000)).toBe(31_000);
    expect(seen).toEqual(["node01", "node01"]);
  });

  it("a node whose kubelet stops turns Ready=Unknown at the first monitor pass past 50 s after its last renewal", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const cluster = createCluster({ clock, random: seededRandom(3), nodes: 1 });
    await clock.advance(0);
    await cluster.ready;
    await clock.advance(5 * 60_000);
    const client = cluster.client();
    const ready = async () =>
      (await client.get<Node>(Nodes, undefined, "node01")).status?.conditions?.find((c) => c.type === "Ready")?.status;
    expect(await ready()).toBe("True");
    const kubelet = (
      cluster.components.get("kubelet") as Array<{ kubelet?: { node: { name: string } }; stop(): void }>
    ).find((component) => component.kubelet?.node.name === "node01");
    kubelet?.stop();
    const last = cluster.heartbeats.lastRenewal("node01", clock.now()) ?? 0;
    // The node lifecycle controller's 5 s monitor passes: the first pass strictly after the grace
    // period counted from the pass that saw the last renewal, i.e. 50 to 60 s after it.
    await clock.advance(last + 50_000 - clock.now());
    expect(await ready()).toBe("True");
    await clock.advance(10_000);
    expect(await ready()).toBe("Unknown");
    cluster.stop();
  }, 60_000);
});

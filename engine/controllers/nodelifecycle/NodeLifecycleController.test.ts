import { afterEach, describe, expect, it } from "vitest";
import type { Lease } from "../../api/coordination";
import type { Event, Node, Pod } from "../../api/core";
import { Events, Leases, Nodes, Pods } from "../../api/resources";
import { toRfc3339, toRfc3339Micro } from "../../clock/Clock";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { createControllerContext } from "../runtime/createControllerContext";
import { createHarness, type Harness } from "../testing/harness";
import { NodeLifecycleController } from "./NodeLifecycleController";
import { RateLimitedTimedQueue, TokenBucket } from "./rateLimitedQueue";
import { computeZoneState, NODE_LIFECYCLE_DEFAULTS, type ZoneState, zoneEvictionRate, zoneKey } from "./zones";

const START = Date.UTC(2026, 0, 1);

async function addNode(harness: Harness, name: string): Promise<void> {
  const now = toRfc3339(harness.clock.now());
  await harness.client.create<Node>(Nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: {},
  });
  const node = await harness.client.get<Node>(Nodes, undefined, name);
  node.status = {
    conditions: ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"].map((type) => ({
      type,
      status: type === "Ready" ? "True" : "False",
      lastHeartbeatTime: now,
      lastTransitionTime: now,
      reason: type === "Ready" ? "KubeletReady" : `KubeletHasNo${type}`,
      message: "ok",
    })),
  };
  await harness.client.update(Nodes, node, { subresource: "status" });
  await renewLease(harness, name);
}

async function renewLease(harness: Harness, name: string): Promise<void> {
  const renewTime = toRfc3339Micro(harness.clock.now());
  try {
    const lease = await harness.client.get<Lease>(Leases, "kube-node-lease", name);
    lease.spec = { ...(lease.spec ?? {}), renewTime };
    await harness.client.update(Leases, lease);
  } catch {
    await harness.client.create<Lease>(Leases, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: "kube-node-lease" },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    });
  }
}

function podOn(name: string, tolerationSeconds?: number): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      containers: [{ name: "c", image: "nginx" }],
      tolerations:
        tolerationSeconds === undefined
          ? []
          : [
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds },
              { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds },
            ],
    },
  };
}

async function podExists(harness: Harness, name: string): Promise<boolean> {
  try {
    const pod = await harness.client.get<Pod>(Pods, "default", name);
    return !pod.metadata.deletionTimestamp;
  } catch {
    return false;
  }
}

/**
 * Advances `ms` in steps of at most 10 s, renewing the Leases of `alive` after each: two healthy
 * nodes beside the silent one, since a cluster whose every node is down evicts nothing.
 */
async function settleAlive(harness: Harness, ms: number, alive = ["node02", "node03"]): Promise<void> {
  let left = ms;
  do {
    const step = Math.min(left, 10_000);
    await harness.settle(step);
    for (const name of alive) await renewLease(harness, name);
    left -= step;
  } while (left > 0);
  await harness.settle();
}

const taintsOf = (node: Node) => (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

describe("NodeLifecycleController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("marks a silent node Unknown at the first 5 s pass after 50 s, taints it NoExecute one pass later, and evicts pods when tolerations run out", async () => {
    harness = await createHarness({ controllers: ["node-lifecycle"] });
    await addNode(harness, "node01");
    await addNode(harness, "node02");
    await addNode(harness, "node03");
    await harness.client.create(Pods, podOn("patient", 300));
    // Admission gives pods without these tolerations 300 s ones; 0 s means "evict at once".
    await harness.client.create(Pods, podOn("intolerant", 0));
    await harness.runPods({ nodes: ["node01"] });
    await harness.settle();
    // Heartbeats keep it Ready: the last one at 30 s, seen by the pass at 30 s.
    await settleAlive(harness, 30_000);
    await renewLease(harness, "node01");
    await settleAlive(harness, 30_000);
    let node = await harness.client.get<Node>(Nodes, undefined, "node01");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(node.spec?.taints ?? []).toEqual([]);

    // 30 + 50 = 80 s is not yet "after" the grace period at the 80 s pass: the 85 s pass marks it.
    await settleAlive(harness, 24_900);
    node = await harness.client.get<Node>(Nodes, undefined, "node01");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    await settleAlive(harness, 100);
    node = await harness.client.get<Node>(Nodes, undefined, "node01");
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
      lastTransitionTime: "2026-01-01T00:01:25Z",
    });
    expect(node.status?.conditions?.every((c) => c.status === "Unknown")).toBe(true);
    // NoSchedule follows the condition at once; NoExecute waits for the pass that observes Unknown.
    expect(taintsOf(node)).toEqual(["node.kubernetes.io/unreachable:NoSchedule"]);
    const patient = await harness.client.get<Pod>(Pods, "default", "patient");
    expect(patient.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    expect(patient.status?.conditions?.find((c) => c.type === "ContainersReady")?.status).toBe("True");
    expect(await podExists(harness, "intolerant")).toBe(true);

    await settleAlive(harness, 5_000);
    node = await harness.client.get<Node>(Nodes, undefined, "node01");
    expect(taintsOf(node)).toEqual([
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/unreachable:NoSchedule",
    ]);
    expect(node.spec?.taints?.find((t) => t.effect === "NoExecute")?.timeAdded).toBe("2026-01-01T00:01:30Z");
    // The pod without tolerations goes at once; the other one 300 s after the taint was added.
    expect(await podExists(harness, "intolerant")).toBe(false);
    expect(await podExists(harness, "patient")).toBe(true);
    await settleAlive(harness, 299_000);
    expect(await podExists(harness, "patient")).toBe(true);
    await settleAlive(harness, 1_000);
    expect(await podExists(harness, "patient")).toBe(false);
    const events = await harness.list<Event>(Events, "default");
    expect(
      events
        .filter((e) => e.reason === "TaintManagerEviction")
        .map((e) => e.message)
        .sort(),
    ).toEqual(["Marking for deletion Pod default/intolerant", "Marking for deletion Pod default/patient"]);
    const nodeEvents = events
      .filter((e) => e.involvedObject?.kind === "Node" && e.involvedObject.name === "node01")
      .map((e) => `${e.reason}: ${e.message}`);
    expect(nodeEvents).toEqual([
      "RegisteredNode: Node node01 event: Registered Node node01 in Controller",
      "NodeNotReady: Node node01 status is now: NodeNotReady",
    ]);
    expect(events.filter((e) => e.reason === "NodeNotReady" && e.involvedObject?.kind === "Pod")).toHaveLength(2);
  });

  it("removes the taints when the node is Ready again, and taints cordoned nodes unschedulable", async () => {
    harness = await createHarness({ controllers: ["node-lifecycle"] });
    await addNode(harness, "node01");
    await addNode(harness, "node02");
    await addNode(harness, "node03");
    // Seen at the 0 s pass: Unknown at 55 s, NoExecute at 60 s.
    await settleAlive(harness, 61_000);
    expect(taintsOf(await harness.client.get<Node>(Nodes, undefined, "node01"))).toEqual([
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/unreachable:NoSchedule",
    ]);
    await addNodeReady(harness, "node01");
    await harness.settle();
    // The NoSchedule taint goes with the condition; NoExecute at the next pass (65 s).
    expect(taintsOf(await harness.client.get<Node>(Nodes, undefined, "node01"))).toEqual([
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
    await settleAlive(harness, 4_000);
    expect((await harness.client.get<Node>(Nodes, undefined, "node01")).spec?.taints ?? []).toEqual([]);
    await harness.client.patch(Nodes, undefined, "node01", "merge", { spec: { unschedulable: true } });
    await harness.settle();
    expect((await harness.client.get<Node>(Nodes, undefined, "node01")).spec?.taints).toEqual([
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
    ]);
  });
});

async function addNodeReady(harness: Harness, name: string): Promise<void> {
  await renewLease(harness, name);
  const node = await harness.client.get<Node>(Nodes, undefined, name);
  const now = toRfc3339(harness.clock.now());
  for (const condition of node.status?.conditions ?? []) {
    condition.status = condition.type === "Ready" ? "True" : "False";
    condition.lastHeartbeatTime = now;
    condition.lastTransitionTime = now;
  }
  await harness.client.update(Nodes, node, { subresource: "status" });
}

describe("zone rules (node_lifecycle_controller.go)", () => {
  it.each<[number, number, ZoneState]>([
    [3, 0, "Normal"],
    [0, 1, "FullDisruption"],
    [0, 3, "FullDisruption"],
    [1, 2, "Normal"], // 2 not Ready is never a partial disruption
    [0, 0, "Normal"],
    [2, 3, "PartialDisruption"], // 3 of 5 = 60 % ≥ 55 %
    [3, 3, "Normal"], // 50 %
    [9, 11, "PartialDisruption"], // 55 % exactly
    [10, 11, "Normal"], // 52 %
  ])("ComputeZoneState(%i Ready, %i not Ready) = %s", (ready, notReady, state) => {
    expect(computeZoneState(ready, notReady, 0.55)).toBe(state);
  });

  it.each<[ZoneState, number, number | undefined]>([
    ["Normal", 3, 0.1],
    ["FullDisruption", 3, 0.1],
    ["PartialDisruption", 50, 0],
    ["PartialDisruption", 51, 0.01],
    ["Initial", 3, undefined],
  ])("the tainting rate of a %s zone of %i nodes is %s", (state, size, rate) => {
    expect(zoneEvictionRate(state, size, NODE_LIFECYCLE_DEFAULTS)).toBe(rate);
  });

  it("keys zones by region and zone, the beta labels first", () => {
    const node = (labels?: Record<string, string>): Node => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n", labels },
    });
    expect(zoneKey(node())).toBe("");
    expect(zoneKey(node({ "kubernetes.io/hostname": "n" }))).toBe("");
    expect(zoneKey(node({ "topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": "a" }))).toBe("r:\0:a");
    expect(zoneKey(node({ "topology.kubernetes.io/zone": "a" }))).toBe(":\0:a");
    expect(
      zoneKey(
        node({
          "failure-domain.beta.kubernetes.io/zone": "old",
          "topology.kubernetes.io/zone": "a",
          "topology.kubernetes.io/region": "r",
        }),
      ),
    ).toBe("r:\0:old");
  });

  it("rate-limits a queue with a token bucket of burst 1, and drains the new bucket when the old one was empty", () => {
    const queue = new RateLimitedTimedQueue(0.1, START);
    expect(queue.add("a", "1", START)).toBe(true);
    expect(queue.add("a", "1", START)).toBe(false);
    queue.add("b", "2", START);
    expect(queue.nextDue(START)).toBe(START);
    expect(queue.limiter.tryAccept(START)).toBe(true);
    queue.removeFromQueue("a");
    // Processed values stay in the set: not added again until removed.
    expect(queue.add("a", "1", START)).toBe(false);
    expect(queue.nextDue(START)).toBe(START + 10_000);
    // A zone entering partial disruption (0.01) while waiting: the new bucket starts empty.
    queue.swapLimiter(0.01, START + 5_000);
    expect(queue.nextDue(START + 5_000)).toBe(START + 105_000);
    queue.swapLimiter(0, START + 6_000);
    expect(queue.nextDue(START + 6_000)).toBeUndefined();
    // Out of "never" the bucket starts empty too (TryAccept of the old one failed).
    queue.swapLimiter(0.1, START + 7_000);
    expect(queue.nextDue(START + 7_000)).toBe(START + 17_000);
    queue.remove("a");
    expect(queue.add("a", "1", START + 8_000)).toBe(true);
    expect(queue.values()).toEqual(["b", "a"]);
    const bucket = new TokenBucket(0.1, 1, START);
    for (let second = 0; second < 100; second += 0.1) bucket.readyAt(START + second * 1000);
    expect(bucket.tryAccept(START + 100_000)).toBe(true);
    expect(bucket.tryAccept(START + 109_999)).toBe(false);
    expect(bucket.tryAccept(START + 110_000)).toBe(true);
  });
});

/** A cluster of labelled nodes whose kubelets renew through NodeHeartbeats, as createCluster's do. */
interface Zoned {
  cluster: Cluster;
  clock: VirtualClock;
  controller: NodeLifecycleController;
  logs: string[];
  /** Advances to `seconds` after the start, letting every queue drain. */
  at(seconds: number): Promise<void>;
  noExecute(): Promise<string[]>;
  stop(): void;
}

async function zonedCluster(zones: Record<string, number>): Promise<Zoned> {
  const clock = new VirtualClock(START);
  const cluster = createCluster({ clock, components: [], nodes: 0 });
  await cluster.ready;
  const client = cluster.client();
  const logs: string[] = [];
  const runtime = createControllerContext({
    clock,
    speed: "fast",
    client,
    log: (line) => logs.push(line),
    heartbeats: cluster.heartbeats,
  });
  const controller = new NodeLifecycleController(runtime);
  const now = toRfc3339(START);
  for (const [zone, count] of Object.entries(zones)) {
    for (let index = 1; index <= count; index++) {
      const name = `${zone}-${index}`;
      await client.create<Node>(Nodes, {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "topology.kubernetes.io/region": "r1", "topology.kubernetes.io/zone": zone } },
        spec: {},
      });
      const node = await client.get<Node>(Nodes, undefined, name);
      node.status = {
        conditions: [
          { type: "Ready", status: "True", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletReady" },
        ],
      };
      await client.update(Nodes, node, { subresource: "status" });
      cluster.heartbeats.renewing(name, START, 10_000);
    }
  }
  const settle = async (ms: number) => {
    await clock.advance(ms);
    for (let i = 0; i < 200 && !runtime.idle; i++) await clock.advance(0);
  };
  await settle(0);
  return {
    cluster,
    clock,
    controller,
    logs,
    at: (seconds) => settle(START + seconds * 1000 - clock.now()),
    async noExecute() {
      const nodes = (await client.list<Node>(Nodes)).items;
      return nodes
        .filter((node) => node.spec?.taints?.some((taint) => taint.effect === "NoExecute"))
        .map(
          (node) =>
            `${node.metadata.name}:${node.spec?.taints?.find((t) => t.effect === "NoExecute")?.key.split("/")[1]}`,
        )
        .sort();
    },
    stop() {
      controller.stop();
      runtime.stop();
      cluster.stop();
    },
  };
}

describe("NodeLifecycleController zones and eviction rate limiting", () => {
  let zoned: Zoned | undefined;
  afterEach(() => zoned?.stop());

  // Kubelets renew every 10 s from 0 s and the silent ones stop at 12 s: their last renewal is at
  // 10 s, so they turn Unknown at the 65 s pass and are queued for NoExecute at the 70 s pass.
  it.each<{
    name: string;
    zones: Record<string, number>;
    silent: string[];
    expected: Array<[number, string[]]>;
    zoneStates?: Record<string, ZoneState>;
    log?: string;
    /** Timers armed once the last expectation holds: none unless a taint is still due. */
    timers?: number;
  }>([
    {
      name: "one of 3 nodes: Normal, tainted at once",
      zones: { a: 3 },
      silent: ["a-1"],
      expected: [
        [69, []],
        [70, ["a-1:unreachable"]],
      ],
      zoneStates: { a: "Normal" },
    },
    {
      name: "2 of 5 nodes in one zone: still Normal (not more than 2), one taint per 10 s",
      zones: { a: 5 },
      silent: ["a-1", "a-2"],
      expected: [
        [70, ["a-1:unreachable"]],
        [79, ["a-1:unreachable"]],
        [80, ["a-1:unreachable", "a-2:unreachable"]],
      ],
      zoneStates: { a: "Normal" },
    },
    {
      name: "3 of 5 nodes in one zone at once: PartialDisruption of a small zone, no NoExecute taint",
      zones: { a: 5 },
      silent: ["a-1", "a-2", "a-3"],
      expected: [
        [70, []],
        [600, []],
      ],
      zoneStates: { a: "PartialDisruption" },
      log: 'Controller detected that zone is now in new state zone="r1:\\x00:a" newState="PartialDisruption"',
    },
    {
      name: "3 nodes of one zone out of two: that zone FullDisruption, tainted at the normal rate",
      zones: { a: 3, b: 3 },
      silent: ["a-1", "a-2", "a-3"],
      expected: [
        [70, ["a-1:unreachable"]],
        [80, ["a-1:unreachable", "a-2:unreachable"]],
        [90, ["a-1:unreachable", "a-2:unreachable", "a-3:unreachable"]],
      ],
      zoneStates: { a: "FullDisruption", b: "Normal" },
      log: 'Controller detected that zone is now in new state zone="r1:\\x00:a" newState="FullDisruption"',
    },
    {
      name: "3 nodes split over two zones: both Normal, each zone at its own rate",
      zones: { a: 3, b: 3 },
      silent: ["a-1", "a-2", "b-1"],
      expected: [
        [70, ["a-1:unreachable", "b-1:unreachable"]],
        [80, ["a-1:unreachable", "a-2:unreachable", "b-1:unreachable"]],
      ],
      zoneStates: { a: "Normal", b: "Normal" },
    },
    {
      name: "every node of every zone: master disruption mode, no taints",
      zones: { a: 3 },
      silent: ["a-1", "a-2", "a-3"],
      expected: [
        [70, []],
        [600, []],
      ],
      zoneStates: { a: "FullDisruption" },
      log: "Controller detected that all Nodes are not-Ready. Entering master disruption mode",
    },
    {
      name: "40 of 60 nodes: PartialDisruption of a large zone, 0.01 a second",
      zones: { a: 60 },
      silent: Array.from({ length: 40 }, (_, index) => `a-${index + 1}`),
      expected: [
        [70, ["a-1:unreachable"]],
        [169, ["a-1:unreachable"]],
        [170, ["a-1:unreachable", "a-2:unreachable"]],
      ],
      zoneStates: { a: "PartialDisruption" },
      timers: 1,
    },
  ])("$name", async ({ zones, silent, expected, zoneStates, log, timers = 0 }) => {
    zoned = await zonedCluster(zones);
    for (const name of silent) zoned.cluster.heartbeats.stopped(name, START + 12_000);
    for (const [seconds, tainted] of expected) {
      await zoned.at(seconds);
      expect(await zoned.noExecute(), `at ${seconds} s`).toEqual(tainted);
    }
    const client = zoned.cluster.client();
    const unknown = (await client.list<Node>(Nodes)).items
      .filter((node) => node.status?.conditions?.find((c) => c.type === "Ready")?.status === "Unknown")
      .map((node) => node.metadata.name)
      .sort();
    expect(unknown).toEqual([...silent].sort());
    if (zoneStates) {
      const states = Object.fromEntries(
        [...zoned.controller.zones].map(([zone, state]) => [zone.split("\0:")[1], state]),
      );
      expect(states).toEqual(zoneStates);
    }
    if (log) expect(zoned.logs).toContain(log);
    // One pass after the last write nothing is left to do: no timer unless a taint is still due.
    await zoned.at((expected.at(-1)?.[0] ?? 0) + 5);
    expect(zoned.clock.pendingTimers).toBe(timers);
  });

  it("leaves master disruption mode when a node is Ready again: taints come back at 0.1/s after a drained first token", async () => {
    zoned = await zonedCluster({ a: 3 });
    const { cluster } = zoned;
    const client = cluster.client();
    cluster.heartbeats.stopped("a-1", START + 12_000);
    await zoned.at(70);
    expect(await zoned.noExecute()).toEqual(["a-1:unreachable"]);
    // The other two stop at 42 s (last renewal 40 s): Unknown at the 95 s pass, every zone down.
    cluster.heartbeats.stopped("a-2", START + 42_000);
    cluster.heartbeats.stopped("a-3", START + 42_000);
    await zoned.at(95);
    expect(zoned.logs).toContain("Controller detected that all Nodes are not-Ready. Entering master disruption mode");
    expect(await zoned.noExecute()).toEqual([]);
    await zoned.at(120);
    expect(await zoned.noExecute()).toEqual([]);
    // a-2's kubelet is back at 120 s and posts Ready.
    cluster.heartbeats.renewing("a-2", START + 120_000, 10_000);
    const node = await client.get<Node>(Nodes, undefined, "a-2");
    const now = toRfc3339(START + 120_000);
    node.status = {
      conditions: [
        { type: "Ready", status: "True", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletReady" },
      ],
    };
    await client.update(Nodes, node, { subresource: "status" });
    await zoned.at(125);
    expect(zoned.logs).toContain("Controller detected that some Nodes are Ready. Exiting master disruption mode");
    expect(await zoned.noExecute()).toEqual([]);
    // The bucket swapped in from "never" starts empty: the first taint 10 s later.
    await zoned.at(134);
    expect(await zoned.noExecute()).toEqual([]);
    await zoned.at(135);
    expect(await zoned.noExecute()).toEqual(["a-1:unreachable"]);
    await zoned.at(145);
    expect(await zoned.noExecute()).toEqual(["a-1:unreachable", "a-3:unreachable"]);
    expect(Object.fromEntries(zoned.controller.zones)).toEqual({ "r1:\0:a": "Normal" });
  });

  it("swaps unreachable for not-ready at once, without a token, when the kubelet reports Ready=False", async () => {
    zoned = await zonedCluster({ a: 5 });
    const { cluster } = zoned;
    const client = cluster.client();
    cluster.heartbeats.stopped("a-1", START + 12_000);
    cluster.heartbeats.stopped("a-2", START + 12_000);
    await zoned.at(70);
    expect(await zoned.noExecute()).toEqual(["a-1:unreachable"]);
    // a-1's kubelet comes back at 72 s but reports NotReady; the zone's token is not due before 80 s.
    cluster.heartbeats.renewing("a-1", START + 72_000, 10_000);
    const node = await client.get<Node>(Nodes, undefined, "a-1");
    const now = toRfc3339(START + 72_000);
    node.status = {
      conditions: [
        { type: "Ready", status: "False", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletNotReady" },
      ],
    };
    await client.update(Nodes, node, { subresource: "status" });
    await zoned.at(75);
    expect(await zoned.noExecute()).toEqual(["a-1:not-ready"]);
    await zoned.at(80);
    expect(await zoned.noExecute()).toEqual(["a-1:not-ready", "a-2:unreachable"]);
  });
});

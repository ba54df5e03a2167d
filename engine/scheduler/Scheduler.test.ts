import { describe, expect, it } from "vitest";
import type { PersistentVolumeClaim, Pod } from "../api/core";
import type { EventsV1Event } from "../api/events";
import { Nodes, PersistentVolumeClaims, Pods, StorageClasses } from "../api/resources";
import type { StorageClass } from "../api/storage";
import type { Clock } from "../clock/Clock";
import { VirtualClock } from "../clock/VirtualClock";
import { explainAnnotation, explainRequest, startScheduler } from "./index";
import { controlPlaneTaint, makeNode, makePod } from "./testing/builders";
import { FakeClient } from "./testing/FakeClient";

async function setup(options: { explain?: boolean } = {}) {
  const clock = new VirtualClock();
  const client = new FakeClient();
  await client.create(Nodes, makeNode("controlplane", { taints: [controlPlaneTaint] }));
  await client.create(Nodes, makeNode("node01", { cpu: "1" }));
  await client.create(Nodes, makeNode("node02", { cpu: "1" }));
  const scheduler = startScheduler(
    { clock, client, speed: "realistic", log: () => {} },
    { random: () => 0, explain: options.explain },
  );
  await clock.advance(0);
  return { clock, client, scheduler };
}

/** The scheduler's events.k8s.io/v1 Events about an object. */
const eventsFor = (client: FakeClient, name: string) =>
  client
    .all<EventsV1Event>({ group: "events.k8s.io", version: "v1", resource: "events" })
    .filter((e) => e.regarding?.name === name);

describe("Scheduler", () => {
  it("binds a pod through pods/binding and records Scheduled as upstream words it", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("nginx-pod", { cpu: "100m" }));
    await clock.advance(10);
    const pod = await client.get<Pod>(Pods, "default", "nginx-pod");
    expect(["node01", "node02"]).toContain(pod.spec?.nodeName);
    expect(client.writes).toContain("create pods default/nginx-pod/binding");
    const [event] = eventsFor(client, "nginx-pod");
    expect(event.reason).toBe("Scheduled");
    expect(event.note).toBe(`Successfully assigned default/nginx-pod to ${pod.spec?.nodeName}`);
    expect(event).toMatchObject({
      action: "Binding",
      reportingController: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
      type: "Normal",
    });
    expect(event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(event.series).toBeUndefined();
    expect(pod.metadata.annotations?.[explainAnnotation]).toBeUndefined();
    scheduler.stop();
  });

  it("explains an unschedulable pod exactly as upstream's FitError and preemption do", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("big", { cpu: "2" }));
    await clock.advance(10);
    const message =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. " +
      "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";
    const [event] = eventsFor(client, "big");
    expect(event.reason).toBe("FailedScheduling");
    expect(event.type).toBe("Warning");
    expect(event.note).toBe(message);
    expect(event.action).toBe("Scheduling");
    const pod = await client.get<Pod>(Pods, "default", "big");
    const condition = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    expect(condition).toMatchObject({ status: "False", reason: "Unschedulable", message });
    expect(scheduler.queue.whereIs("uid-big")).toBe("unschedulable");
    scheduler.stop();
  });

  it("retries an unschedulable pod when a node is added, not by polling", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("big", { cpu: "2" }));
    await clock.advance(10);
    expect(scheduler.queue.whereIs("uid-big")).toBe("unschedulable");
    // Only the 5-minute leftover flush and the events' cache (its FailedScheduling event is kept 6
    // minutes, in case it repeats) may be armed; nothing polls.
    expect(clock.pendingTimers).toBe(2);
    await client.create(Nodes, makeNode("node03", { cpu: "4" }));
    await clock.advance(2_000);
    const pod = await client.get<Pod>(Pods, "default", "big");
    expect(pod.spec?.nodeName).toBe("node03");
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(6 * 60_000);
    expect(clock.pendingTimers).toBe(0);
    scheduler.stop();
  });

  it("counts assumed pods so two pods do not take the same room", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("a", { cpu: "800m" }));
    await client.create(Pods, makePod("b", { cpu: "800m" }));
    await clock.advance(10);
    const a = await client.get<Pod>(Pods, "default", "a");
    const b = await client.get<Pod>(Pods, "default", "b");
    expect(a.spec?.nodeName).toBeTruthy();
    expect(b.spec?.nodeName).toBeTruthy();
    expect(a.spec?.nodeName).not.toBe(b.spec?.nodeName);
    scheduler.stop();
  });

  it("preempts a lower-priority pod and nominates its node", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("low", { cpu: "800m", priority: 0, spec: { nodeName: "node01" } }));
    await client.create(Pods, makePod("low2", { cpu: "800m", priority: 0, spec: { nodeName: "node02" } }));
    await client.create(Pods, makePod("high", { cpu: "800m", priority: 1000 }));
    await clock.advance(10);
    const high = await client.get<Pod>(Pods, "default", "high");
    expect(["node01", "node02"]).toContain(high.status?.nominatedNodeName);
    const victim = high.status?.nominatedNodeName === "node01" ? "low" : "low2";
    await expect(client.get(Pods, "default", victim)).rejects.toThrow(/not found/);
    expect(eventsFor(client, victim).map((e) => e.reason)).toContain("Preempted");
    // The victim's deletion is a cluster event: the preemptor is retried after its back-off and lands.
    await clock.advance(2_000);
    const bound = await client.get<Pod>(Pods, "default", "high");
    expect(bound.spec?.nodeName).toBe(high.status?.nominatedNodeName);
    scheduler.stop();
  });

  it("keeps gated pods out of the queue until their gates are removed", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(
      Pods,
      makePod("gated", { cpu: "100m", spec: { schedulingGates: [{ name: "example.com/wait" }] } }),
    );
    await clock.advance(10);
    expect(scheduler.queue.whereIs("uid-gated")).toBe("gated");
    await client.patch(Pods, "default", "gated", "merge", { spec: { schedulingGates: null } });
    await clock.advance(10);
    expect((await client.get<Pod>(Pods, "default", "gated")).spec?.nodeName).toBeTruthy();
    scheduler.stop();
  });

  it("writes the explain annotation only when asked", async () => {
    const { clock, client, scheduler } = await setup({ explain: true });
    await client.create(Pods, makePod("explained", { cpu: "100m" }));
    await clock.advance(10);
    const pod = await client.get<Pod>(Pods, "default", "explained");
    const explanation = JSON.parse(pod.metadata.annotations?.[explainAnnotation] ?? "{}");
    expect(explanation.chosen).toBe(pod.spec?.nodeName);
    expect(explanation.rejected.controlplane).toBe(
      "TaintToleration: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
    );
    expect(Object.keys(explanation.scores).sort()).toEqual(["node01", "node02"]);
    scheduler.stop();
  });

  it("explains only the pods that ask by annotation, in fast speed too, with no extra write for the rest", async () => {
    const clock = new VirtualClock();
    const client = new FakeClient();
    await client.create(Nodes, makeNode("controlplane", { taints: [controlPlaneTaint] }));
    await client.create(Nodes, makeNode("node01", { cpu: "1" }));
    const scheduler = startScheduler({ clock, client, speed: "fast", log: () => {} }, { random: () => 0 });
    await clock.advance(0);
    const asking = makePod("asking", { cpu: "100m" });
    asking.metadata.annotations = { [explainAnnotation]: explainRequest };
    await client.create(Pods, asking);
    await client.create(Pods, makePod("plain", { cpu: "100m" }));
    await client.create(Pods, { ...makePod("huge", { cpu: "8" }), metadata: { ...asking.metadata, name: "huge" } });
    await clock.advance(10);
    const plain = await client.get<Pod>(Pods, "default", "plain");
    expect(plain.spec?.nodeName).toBe("node01");
    expect(plain.metadata.annotations?.[explainAnnotation]).toBeUndefined();
    expect(client.writes.filter((w) => w.startsWith("patch pods default/plain"))).toEqual([]);
    const explained = await client.get<Pod>(Pods, "default", "asking");
    expect(JSON.parse(explained.metadata.annotations?.[explainAnnotation] ?? "{}")).toMatchObject({
      chosen: "node01",
      rejected: { controlplane: expect.stringContaining("TaintToleration") },
    });
    const huge = await client.get<Pod>(Pods, "default", "huge");
    expect(JSON.parse(huge.metadata.annotations?.[explainAnnotation] ?? "{}").rejected.node01).toContain(
      "NodeResourcesFit",
    );
    scheduler.stop();
  });

  it("says there are no nodes when there are none, and retries after back-off", async () => {
    const clock = new VirtualClock();
    const client = new FakeClient();
    const scheduler = startScheduler({ clock, client, speed: "realistic", log: () => {} });
    await clock.advance(0);
    await client.create(Pods, makePod("lonely", { cpu: "100m" }));
    await clock.advance(10);
    const [event] = eventsFor(client, "lonely");
    expect(event.note).toBe("no nodes available to schedule pods");
    const pod = await client.get<Pod>(Pods, "default", "lonely");
    expect(pod.status?.conditions?.find((c) => c.type === "PodScheduled")?.reason).toBe("SchedulerError");
    expect(scheduler.queue.whereIs("uid-lonely")).toBe("backoff");
    await client.create(Nodes, makeNode("node01"));
    await clock.advance(1_000);
    expect((await client.get<Pod>(Pods, "default", "lonely")).spec?.nodeName).toBe("node01");
    scheduler.stop();
  });

  it("does not retry unschedulable pods on every kubelet status update, only on changes that free room", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(Pods, makePod("small", { cpu: "500m" }));
    await clock.advance(10);
    await client.create(Pods, makePod("big", { cpu: "2" }));
    await clock.advance(10);
    expect(scheduler.queue.whereIs("uid-big")).toBe("unschedulable");
    await clock.advance(20_000); // past any back-off
    await client.patch(Pods, "default", "small", "merge", { status: { phase: "Running" } }, { subresource: "status" });
    await clock.advance(10);
    expect(scheduler.queue.whereIs("uid-big")).toBe("unschedulable");
    await client.delete(Pods, "default", "small");
    await clock.advance(10);
    expect(scheduler.queue.whereIs("uid-big")).toBe("unschedulable"); // retried, and still does not fit
    // The first failure's status write changed the pod's resourceVersion, which upstream's event key
    // includes: the retry's event is a new one, not the first one's series.
    const failed = eventsFor(client, "big").filter((e) => e.reason === "FailedScheduling");
    expect(failed.map((e) => e.series)).toEqual([undefined, undefined]);
    expect(failed[0].regarding?.resourceVersion).not.toBe(failed[1].regarding?.resourceVersion);
    scheduler.stop();
  });
  it("pre-binds a WaitForFirstConsumer claim to the chosen node, and skips PreBind for a pod without claims", async () => {
    const { clock, client, scheduler } = await setup();
    await client.create(StorageClasses, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "standard" },
      provisioner: "example.com/provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
    } as StorageClass);
    await client.create(PersistentVolumeClaims, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: {
        storageClassName: "standard",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
      },
    } as PersistentVolumeClaim);
    await clock.advance(10);
    await client.create(
      Pods,
      makePod("with-claim", { spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] } }),
    );
    await client.create(Pods, makePod("plain"));
    await clock.advance(10);
    const pod = await client.get<Pod>(Pods, "default", "with-claim");
    expect(pod.spec?.nodeName).toMatch(/^node0[12]$/);
    const claim = await client.get<PersistentVolumeClaim>(PersistentVolumeClaims, "default", "data");
    expect(claim.metadata.annotations?.["volume.kubernetes.io/selected-node"]).toBe(pod.spec?.nodeName);
    expect((await client.get<Pod>(Pods, "default", "plain")).spec?.nodeName).toMatch(/^node0[12]$/);
    expect(client.writes.filter((w) => w.startsWith("patch persistentvolumeclaims"))).toEqual([
      "patch persistentvolumeclaims default/data",
    ]);
    scheduler.stop();
  });
});

/**
 * A wall clock stand-in for turn tests: each binding or pod status write the client records costs
 * `writeMs` of its time (as in-process API writes cost CPU), and zero-delay timers (the loop's
 * yields) run only when the test takes a turn.
 */
class TurnClock implements Clock {
  private readonly start = Date.UTC(2026, 0, 1);
  private timers: Array<() => void> = [];

  constructor(
    private readonly client: FakeClient,
    private readonly writeMs: number,
  ) {}

  now(): number {
    const costly = this.client.writes.filter((w) => w.startsWith("patch pods") || w.endsWith("/binding"));
    return this.start + costly.length * this.writeMs;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    if (delayMs > 0) return () => {}; // back-off and flush timers are not under test
    this.timers.push(callback);
    return () => {
      this.timers = this.timers.filter((t) => t !== callback);
    };
  }

  /** Runs the timers due now, then lets their promise chains settle: one turn of the event loop. */
  async turn(): Promise<void> {
    const due = this.timers;
    this.timers = [];
    for (const callback of due) callback();
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe("Scheduler turns", () => {
  async function burst(pods: number, cpu: string, writeMs: number) {
    const client = new FakeClient();
    await client.create(Nodes, makeNode("node01", { cpu: "1" }));
    await client.create(Nodes, makeNode("node02", { cpu: "1" }));
    for (let i = 0; i < pods; i++) await client.create(Pods, makePod(`p${i}`, { cpu }));
    const clock = new TurnClock(client, writeMs);
    const scheduler = startScheduler({ clock, client, speed: "realistic", log: () => {} }, { random: () => 0 });
    const perTurn: number[] = [];
    let before = 0;
    for (let turns = 0; turns < 1000 && scheduler.queue.schedulingCycle < pods; turns++) {
      await clock.turn();
      perTurn.push(scheduler.queue.schedulingCycle - before);
      before = scheduler.queue.schedulingCycle;
    }
    scheduler.stop();
    return { client, perTurn };
  }

  it("yields once a turn has used its 20 ms, counting the status writes of pods that do not fit", async () => {
    // Each unschedulable pod writes its PodScheduled=False status: 2 ms apiece here.
    const { client, perTurn } = await burst(60, "2", 2);
    expect(client.writes.filter((w) => w.endsWith("/status"))).toHaveLength(60);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBe(60);
    // 20 ms of budget at 2 ms a pod: 10 pods a turn.
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(10);
    expect(perTurn.filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
  });

  it("counts the bindings a turn issued in that turn", async () => {
    const { client, perTurn } = await burst(100, "10m", 1);
    expect(client.writes.filter((w) => w.endsWith("/binding"))).toHaveLength(100);
    // At 1 ms a binding the loop waits for them every 10 pods (half the budget) before it reads
    // the clock: at most 20 + 10 ms of writes a turn.
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(30);
    expect(perTurn.filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
  });

  it("schedules at most 128 pods a turn when the clock stands still", async () => {
    const { client, perTurn } = await burst(200, "1m", 0);
    expect(client.writes.filter((w) => w.endsWith("/binding"))).toHaveLength(200);
    expect(Math.max(...perTurn)).toBe(128);
  });
});

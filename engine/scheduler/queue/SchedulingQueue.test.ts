import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../clock/VirtualClock";
import { newPodInfo } from "../framework/PodInfo";
import type { ClusterEvent } from "../framework/types";
import { makePod } from "../testing/builders";
import { SchedulingQueue } from "./SchedulingQueue";

function makeQueue(clock = new VirtualClock()) {
  const pluginEvents = new Map<string, ClusterEvent[]>([
    [
      "NodeResourcesFit",
      [
        { resource: "Node", action: "Add" },
        { resource: "AssignedPod", action: "Delete" },
      ],
    ],
    ["TaintToleration", [{ resource: "Node", action: "Update" }]],
  ]);
  const queue = new SchedulingQueue({
    clock,
    less: (a, b) =>
      a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp),
    admit: (info) => (info.pod.spec?.schedulingGates ?? []).length === 0,
    pluginEvents,
  });
  return { clock, queue };
}

describe("SchedulingQueue", () => {
  it("pops by priority, then by arrival", async () => {
    const { queue, clock } = makeQueue();
    queue.add(newPodInfo(makePod("low", { priority: 1 })));
    await clock.advance(1);
    queue.add(newPodInfo(makePod("high", { priority: 10 })));
    queue.add(newPodInfo(makePod("low2", { priority: 1 })));
    const order = [queue.tryPop(), queue.tryPop(), queue.tryPop()].map((p) => p?.info.pod.metadata.name);
    expect(order).toEqual(["high", "low", "low2"]);
  });

  const backoffCases = [
    { attempts: 1, expectedMs: 1_000 },
    { attempts: 2, expectedMs: 2_000 },
    { attempts: 3, expectedMs: 4_000 },
    { attempts: 4, expectedMs: 8_000 },
    { attempts: 5, expectedMs: 10_000 },
    { attempts: 8, expectedMs: 10_000 },
  ];
  for (const c of backoffCases) {
    it(`backs off ${c.expectedMs} ms after ${c.attempts} failed attempts`, async () => {
      const { queue, clock } = makeQueue();
      queue.add(newPodInfo(makePod("p")));
      let pod = queue.tryPop();
      for (let attempt = 1; attempt < c.attempts; attempt++) {
        queue.requeueAfterFailure(pod as NonNullable<typeof pod>, new Set());
        await clock.runUntilIdle();
        pod = queue.tryPop();
      }
      expect(pod?.attempts).toBe(c.attempts);
      queue.requeueAfterFailure(pod as NonNullable<typeof pod>, new Set());
      expect(queue.whereIs("uid-p")).toBe("backoff");
      await clock.advance(c.expectedMs - 1);
      expect(queue.whereIs("uid-p")).toBe("backoff");
      await clock.advance(1);
      expect(queue.whereIs("uid-p")).toBe("active");
    });
  }

  const eventCases: Array<{ name: string; rejectedBy: string; event: ClusterEvent; moves: boolean }> = [
    {
      name: "node added helps a resource failure",
      rejectedBy: "NodeResourcesFit",
      event: { resource: "Node", action: "Add" },
      moves: true,
    },
    {
      name: "pod deleted helps a resource failure",
      rejectedBy: "NodeResourcesFit",
      event: { resource: "AssignedPod", action: "Delete" },
      moves: true,
    },
    {
      name: "node updated does not help a resource failure",
      rejectedBy: "NodeResourcesFit",
      event: { resource: "Node", action: "Update" },
      moves: false,
    },
    {
      name: "node updated helps a taint failure",
      rejectedBy: "TaintToleration",
      event: { resource: "Node", action: "Update" },
      moves: true,
    },
  ];
  for (const c of eventCases) {
    it(c.name, async () => {
      const { queue, clock } = makeQueue();
      queue.add(newPodInfo(makePod("p")));
      const pod = queue.tryPop();
      queue.requeueAfterFailure(pod as NonNullable<typeof pod>, new Set([c.rejectedBy]));
      expect(queue.whereIs("uid-p")).toBe("unschedulable");
      await clock.advance(5_000); // past the back-off
      queue.onEvent(c.event);
      expect(queue.whereIs("uid-p")).toBe(c.moves ? "active" : "unschedulable");
    });
  }

  it("sends a pod to backoff when an event arrived during its attempt", () => {
    const { queue } = makeQueue();
    queue.add(newPodInfo(makePod("p")));
    const pod = queue.tryPop();
    queue.onEvent({ resource: "Node", action: "Add" });
    queue.requeueAfterFailure(pod as NonNullable<typeof pod>, new Set(["NodeResourcesFit"]));
    expect(queue.whereIs("uid-p")).toBe("backoff");
  });

  it("flushes pods left unschedulable for 5 minutes, with a timer armed only meanwhile", async () => {
    const { queue, clock } = makeQueue();
    expect(clock.pendingTimers).toBe(0);
    queue.add(newPodInfo(makePod("p")));
    const pod = queue.tryPop();
    queue.requeueAfterFailure(pod as NonNullable<typeof pod>, new Set(["NodeResourcesFit"]));
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(5 * 60_000 - 1);
    expect(queue.whereIs("uid-p")).toBe("unschedulable");
    await clock.advance(1);
    expect(queue.whereIs("uid-p")).toBe("active");
    expect(clock.pendingTimers).toBe(0);
  });

  it("keeps gated pods aside until an update lifts the gates", () => {
    const { queue } = makeQueue();
    queue.add(newPodInfo(makePod("p", { spec: { schedulingGates: [{ name: "g" }] } })));
    expect(queue.whereIs("uid-p")).toBe("gated");
    queue.onEvent({ resource: "Node", action: "Add" });
    expect(queue.whereIs("uid-p")).toBe("gated");
    queue.update(newPodInfo(makePod("p")), true);
    expect(queue.whereIs("uid-p")).toBe("active");
  });

  it("pop waits for a pod", async () => {
    const { queue } = makeQueue();
    const popped = queue.pop();
    queue.add(newPodInfo(makePod("late")));
    expect((await popped)?.info.pod.metadata.name).toBe("late");
  });
});

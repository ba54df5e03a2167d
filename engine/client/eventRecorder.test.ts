import { describe, expect, it } from "vitest";
import type { Event } from "../api/core";
import { Events, Pods } from "../api/resources";
import type { KubeObject } from "../api/types";
import { createTestServer } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { type CorrelatedEvent, createEventRecorder, EventCorrelator, eventReference, LruCache } from "./eventRecorder";

const START = Date.UTC(2026, 0, 1);

function pod(name: string, uid = `uid-${name}`): CorrelatedEvent["involved"] {
  return { kind: "Pod", namespace: "default", name, uid, apiVersion: "v1", fieldPath: "" };
}

function warning(reason: string, message: string, involved = pod("web")): CorrelatedEvent {
  return { involved, type: "Warning", reason, message };
}

/** Each step: advance the clock by `after` ms, correlate, and expect the result (or a drop). */
interface Step {
  after?: number;
  event: CorrelatedEvent;
  expect: { message: string; count: number; sameNameAs?: number; newName?: boolean } | "dropped";
}

async function run(steps: Step[], options = {}): Promise<void> {
  const clock = new VirtualClock(START);
  const correlator = new EventCorrelator(clock, options);
  const names: Array<string | undefined> = [];
  for (const [index, step] of steps.entries()) {
    await clock.advance(step.after ?? 0);
    const result = correlator.correlate(step.event);
    names.push(result?.name);
    if (step.expect === "dropped") {
      expect(result, `step ${index}`).toBeUndefined();
      continue;
    }
    expect(result, `step ${index}`).toMatchObject({ message: step.expect.message, count: step.expect.count });
    if (step.expect.sameNameAs !== undefined) expect(result?.name, `step ${index}`).toBe(names[step.expect.sameNameAs]);
    if (step.expect.newName) expect(names.slice(0, index), `step ${index}`).not.toContain(result?.name);
  }
}

const failed = (nodes: number) => `0/${nodes} nodes are available: ${nodes} Insufficient cpu.`;
const combined = (message: string) => `(combined from similar events): ${message}`;

describe("EventCorrelator (client-go events_cache.go)", () => {
  it("counts an identical event on the first Event's name", async () => {
    await run([
      {
        event: warning("BackOff", "Back-off restarting failed container"),
        expect: { message: "Back-off restarting failed container", count: 1, newName: true },
      },
      {
        after: 10_000,
        event: warning("BackOff", "Back-off restarting failed container"),
        expect: { message: "Back-off restarting failed container", count: 2, sameNameAs: 0 },
      },
      {
        after: 20_000,
        event: warning("BackOff", "Back-off restarting failed container"),
        expect: { message: "Back-off restarting failed container", count: 3, sameNameAs: 0 },
      },
      // Another reason, type or container (fieldPath) is another Event.
      {
        event: warning("Failed", "Back-off restarting failed container"),
        expect: { message: "Back-off restarting failed container", count: 1, newName: true },
      },
      {
        event: { ...warning("BackOff", "Back-off restarting failed container"), type: "Normal" },
        expect: { message: "Back-off restarting failed container", count: 1, newName: true },
      },
      {
        event: warning("BackOff", "Back-off restarting failed container", {
          ...pod("web"),
          fieldPath: "spec.containers{app}",
        }),
        expect: { message: "Back-off restarting failed container", count: 1, newName: true },
      },
    ]);
  });

  it("combines 11 similar events with different messages: 9 plain, then one aggregate Event counting on", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 9; index++)
      steps.push({
        after: 1_000,
        event: warning("FailedScheduling", failed(index)),
        expect: { message: failed(index), count: 1, newName: true },
      });
    steps.push({
      after: 1_000,
      event: warning("FailedScheduling", failed(10)),
      expect: { message: combined(failed(10)), count: 1, newName: true },
    });
    steps.push({
      after: 1_000,
      event: warning("FailedScheduling", failed(11)),
      expect: { message: combined(failed(11)), count: 2, sameNameAs: 9 },
    });
    await run(steps);
  });

  it("keeps a message still in the group on its own Event once combining has begun", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 10; index++)
      steps.push({
        event: warning("FailedScheduling", failed(index)),
        expect: { message: index < 10 ? failed(index) : combined(failed(10)), count: 1 },
      });
    // The group now holds messages 2..10 (the oldest was let go): 5 is one of them.
    steps.push({
      event: warning("FailedScheduling", failed(5)),
      expect: { message: failed(5), count: 2, sameNameAs: 4 },
    });
    // 1 was let go: it is new to the group again, so combined.
    steps.push({
      event: warning("FailedScheduling", failed(1)),
      expect: { message: combined(failed(1)), count: 2, sameNameAs: 9 },
    });
    await run(steps);
  });

  it("starts a new group when more than 10 minutes passed since the group's last event", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 9; index++)
      steps.push({
        after: 600_000,
        event: warning("FailedScheduling", failed(index)),
        expect: { message: failed(index), count: 1 },
      });
    // Exactly 10 minutes is still within the interval: the 10th is combined.
    steps.push({
      after: 600_000,
      event: warning("FailedScheduling", failed(10)),
      expect: { message: combined(failed(10)), count: 1 },
    });
    // 10 minutes and 1 ms later the group starts over: a plain Event again.
    steps.push({
      after: 600_001,
      event: warning("FailedScheduling", failed(11)),
      expect: { message: failed(11), count: 1, newName: true },
    });
    await run(steps, { spamBurst: 100 });
  });

  it("groups by object: similar events about 10 different pods are never combined", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 12; index++)
      steps.push({
        event: warning("FailedScheduling", failed(3), pod(`web-${index}`)),
        expect: { message: failed(3), count: 1, newName: true },
      });
    await run(steps);
  });

  it("drops events past 25 per object, refills one token every 5 minutes, and still counts the dropped ones", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 25; index++)
      steps.push({
        event: warning("BackOff", "Back-off pulling image"),
        expect: { message: "Back-off pulling image", count: index },
      });
    steps.push({ event: warning("BackOff", "Back-off pulling image"), expect: "dropped" });
    // Another object has its own bucket.
    steps.push({
      event: warning("BackOff", "Back-off pulling image", pod("db")),
      expect: { message: "Back-off pulling image", count: 1 },
    });
    steps.push({ after: 150_000, event: warning("BackOff", "Back-off pulling image"), expect: "dropped" });
    // Five minutes after the 25th: one token. The two dropped ones were counted (26, 27 → 28).
    steps.push({
      after: 150_000,
      event: warning("BackOff", "Back-off pulling image"),
      expect: { message: "Back-off pulling image", count: 28 },
    });
    steps.push({ event: warning("BackOff", "Back-off pulling image"), expect: "dropped" });
    // The bucket never holds more than 25: after a day, 25 pass and the 26th is dropped.
    for (let index = 0; index < 25; index++)
      steps.push({
        after: index === 0 ? 86_400_000 : 0,
        event: warning("Unhealthy", `probe ${index}`),
        expect: {
          message: index < 9 ? `probe ${index}` : combined(`probe ${index}`),
          count: index < 9 ? 1 : index - 8,
        },
      });
    steps.push({ event: warning("Unhealthy", "probe 25"), expect: "dropped" });
    await run(steps);
  });

  it("without aggregation and spam filter (the scheduler's events.k8s.io recorder) counts every repeat and combines nothing", async () => {
    const steps: Step[] = [];
    for (let index = 1; index <= 12; index++)
      steps.push({
        after: 1_000,
        event: warning("FailedScheduling", failed(index)),
        expect: { message: failed(index), count: 1, newName: true },
      });
    for (let index = 2; index <= 40; index++)
      steps.push({
        after: 1_000,
        event: warning("FailedScheduling", failed(12)),
        expect: { message: failed(12), count: index, sameNameAs: 11 },
      });
    await run(steps, { aggregateMaxEvents: Number.POSITIVE_INFINITY, spamBurst: Number.POSITIVE_INFINITY });
  });

  it("forgets the least recently used keys past its cache size, and everything about a forgotten uid", async () => {
    const clock = new VirtualClock(START);
    const correlator = new EventCorrelator(clock, { cacheSize: 2 });
    const first = correlator.correlate(warning("BackOff", "a", pod("a")));
    correlator.correlate(warning("BackOff", "b", pod("b")));
    expect(correlator.correlate(warning("BackOff", "a", pod("a")))).toMatchObject({ name: first?.name, count: 2 });
    correlator.correlate(warning("BackOff", "c", pod("c")));
    // b was the least recently used of the two kept: it is new again.
    expect(correlator.correlate(warning("BackOff", "b", pod("b")))).toMatchObject({ count: 1 });
    correlator.forget("uid-b");
    expect(correlator.correlate(warning("BackOff", "b", pod("b")))).toMatchObject({ count: 1 });

    const lru = new LruCache<number>(4096);
    for (let index = 0; index < 5000; index++) lru.set(`k${index}`, index);
    expect(lru.size).toBe(4096);
    expect(lru.get("k903")).toBeUndefined();
    expect(lru.get("k904")).toBe(904);
  });
});

describe("createEventRecorder", () => {
  async function setup() {
    const { client, clock } = createTestServer();
    const web = await client.create<KubeObject>(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [{ name: "app", image: "nginx" }] },
    });
    return { client, clock, web };
  }

  it("creates events as upstream and bumps count on repeats", async () => {
    const { client, clock, web } = await setup();
    const recorder = createEventRecorder(client, clock, {
      component: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
    });
    recorder.event(web, "Normal", "Scheduled", "Successfully assigned default/web to node01");
    await recorder.flush();
    await clock.advance(5000);
    recorder.event(web, "Normal", "Scheduled", "Successfully assigned default/web to node01");
    recorder.event(web, "Warning", "FailedScheduling", "0/3 nodes are available");
    await recorder.flush();
    const events = (await client.list<Event>(Events, "default")).items;
    expect(events).toHaveLength(2);
    const scheduled = events.find((event) => event.reason === "Scheduled");
    expect(scheduled).toMatchObject({
      count: 2,
      firstTimestamp: "2026-01-01T00:00:00Z",
      lastTimestamp: "2026-01-01T00:00:05Z",
      source: { component: "default-scheduler" },
      reportingComponent: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
      involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: web.metadata.uid, apiVersion: "v1" },
    });
    expect(scheduled?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it("writes 11 similar events as 9 Events and one combined Event with count 2", async () => {
    const { client, clock, web } = await setup();
    const recorder = createEventRecorder(client, clock, { component: "kubelet", host: "node01" });
    for (let index = 1; index <= 11; index++) {
      recorder.event(web, "Warning", "Failed", `Failed to pull image "nginx:${index}"`, "spec.containers{app}");
      await clock.advance(1000);
    }
    await recorder.flush();
    const events = (await client.list<Event>(Events, "default")).items;
    expect(events).toHaveLength(10);
    const aggregate = events.find((event) => event.message?.startsWith("(combined"));
    expect(aggregate).toMatchObject({
      message: '(combined from similar events): Failed to pull image "nginx:11"',
      count: 2,
      firstTimestamp: "2026-01-01T00:00:09Z",
      lastTimestamp: "2026-01-01T00:00:10Z",
      source: { component: "kubelet", host: "node01" },
      reportingComponent: "",
      reportingInstance: "",
    });
    const plain = events.find((event) => event.message === 'Failed to pull image "nginx:1"');
    expect(plain).toMatchObject({ count: 1, reportingComponent: "kubelet", reportingInstance: "node01" });
    expect(plain?.involvedObject).toMatchObject({ fieldPath: "spec.containers{app}" });
  });

  it("creates the Event again, with its count, when it was deleted in between", async () => {
    const { client, clock, web } = await setup();
    const recorder = createEventRecorder(client, clock, { component: "replicaset-controller" });
    recorder.event(web, "Normal", "Killing", "Stopping container app");
    await recorder.flush();
    const [written] = (await client.list<Event>(Events, "default")).items;
    await client.delete(Events, "default", written?.metadata.name ?? "");
    recorder.event(web, "Normal", "Killing", "Stopping container app");
    await recorder.flush();
    const events = (await client.list<Event>(Events, "default")).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ metadata: { name: written?.metadata.name }, count: 2 });
  });

  it("drops events past the spam filter's burst", async () => {
    const { client, clock } = createTestServer();
    const recorder = createEventRecorder(client, clock, { component: "kubelet", host: "node01" });
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "node01", uid: "node01" } };
    for (let index = 0; index < 30; index++) recorder.event(node, "Normal", "Reason", `message ${index}`);
    await recorder.flush();
    // 9 plain, then the combined one patched 15 times: 25 writes, 10 Events.
    const events = (await client.list<Event>(Events, "default")).items;
    expect(events).toHaveLength(10);
    expect(events.find((event) => event.message?.startsWith("(combined"))).toMatchObject({
      count: 16,
      message: "(combined from similar events): message 24",
    });
  });

  it("logs a write the server refuses and goes on", async () => {
    const { client, clock, web } = await setup();
    const lines: string[] = [];
    const recorder = createEventRecorder(
      client,
      clock,
      { component: "kubelet", host: "node01" },
      { log: (line) => lines.push(line) },
    );
    recorder.event({ ...web, metadata: { ...web.metadata, namespace: "missing" } }, "Normal", "Pulled", "ok");
    recorder.event(web, "Normal", "Pulled", "ok");
    await recorder.flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Server rejected event \(will not retry!\): Normal Pulled missing\/web: /);
    expect((await client.list<Event>(Events, "default")).items).toHaveLength(1);
  });
});

describe("eventReference", () => {
  // A node as the kubelet holds it before the API fills kind/apiVersion: the two recorders differ.
  const node = { metadata: { name: "node01", uid: "uid-node01", resourceVersion: "7" } } as KubeObject;

  it.each([
    {
      name: 'core/v1 recorder: "" for a missing kind, name or apiVersion, and the field path',
      options: { blanks: true, fieldPath: "spec.containers{web}" },
      expected:
        '{"kind":"","name":"node01","uid":"uid-node01","apiVersion":"","resourceVersion":"7","fieldPath":"spec.containers{web}"}',
    },
    {
      name: "events.k8s.io recorder: missing fields left out",
      options: { blanks: false },
      expected: '{"name":"node01","uid":"uid-node01","resourceVersion":"7"}',
    },
  ])("$name", ({ options, expected }) => {
    const reference = eventReference(node, options);
    expect(JSON.stringify(reference)).toBe(expected);
    expect(Object.keys(reference)).toEqual([
      "kind",
      "namespace",
      "name",
      "uid",
      "apiVersion",
      "resourceVersion",
      ...(options.fieldPath ? ["fieldPath"] : []),
    ]);
  });
});

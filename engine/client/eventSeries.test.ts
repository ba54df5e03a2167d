import { describe, expect, it } from "vitest";
import type { EventsV1Event } from "../api/events";
import type { GroupVersionResource, KubeObject } from "../api/types";
import { builtinResources } from "../apiserver/resources";
import { createTestServer } from "../apiserver/testing/testServer";
import { createSeriesEventRecorder } from "./eventSeries";

const EventsV1: GroupVersionResource = { group: "events.k8s.io", version: "v1", resource: "events" };
const MINUTE = 60_000;

const pod = (name: string, resourceVersion = "1"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion },
});

function setup() {
  const { client, clock } = createTestServer({ resources: builtinResources });
  const log: string[] = [];
  const recorder = createSeriesEventRecorder(
    client,
    clock,
    { reportingController: "default-scheduler", reportingInstance: "default-scheduler-controlplane" },
    { log: (line) => log.push(line) },
  );
  const events = async () => (await client.list<EventsV1Event>(EventsV1, "default")).items;
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    await recorder.flush();
  };
  return { client, clock, recorder, events, settle, log };
}

describe("createSeriesEventRecorder (client-go tools/events EventSeries)", () => {
  it("creates an event, writes the second occurrence as a series of 2, counts later ones in the cache only, and writes the final count after 6 quiet minutes", async () => {
    const { clock, recorder, events, settle, log } = setup();
    recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "0/3 nodes are available");
    await settle();
    let [event] = await events();
    expect(event).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      reason: "FailedScheduling",
      action: "Scheduling",
      type: "Warning",
      note: "0/3 nodes are available",
      reportingController: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
      regarding: { kind: "Pod", name: "big", namespace: "default", uid: "uid-big", resourceVersion: "1" },
      eventTime: "2026-01-01T00:00:00.000000Z",
    });
    expect(event.metadata.name).toMatch(/^big\.[0-9a-f]+$/);
    expect(event.series).toBeUndefined();
    expect(clock.pendingTimers).toBe(1);

    await settle(MINUTE);
    // The second occurrence keeps the first one's note, as upstream's cached event does.
    recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "a different note");
    await settle();
    [event] = await events();
    expect(event.series).toEqual({ count: 2, lastObservedTime: "2026-01-01T00:01:00.000000Z" });
    expect(event.note).toBe("0/3 nodes are available");
    const written = event.metadata.resourceVersion;

    for (let i = 0; i < 3; i++) {
      await settle(MINUTE);
      recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "0/3 nodes are available");
    }
    await settle();
    [event] = await events();
    expect(event.metadata.resourceVersion).toBe(written); // counted, not written
    expect(event.series?.count).toBe(2);

    // Quiet for 6 minutes after the last occurrence (at 4:00): written with its final count, forgotten.
    await settle(6 * MINUTE - 1);
    expect((await events())[0].series?.count).toBe(2);
    await settle(1);
    const events_ = await events();
    expect(events_).toHaveLength(1);
    expect(events_[0].series).toEqual({ count: 5, lastObservedTime: "2026-01-01T00:04:00.000000Z" });
    expect(recorder.cached).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    // The next occurrence starts a new event.
    recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "0/3 nodes are available");
    await settle();
    expect(await events()).toHaveLength(2);
    expect(log).toEqual([]);
    recorder.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("writes an open series every 30 minutes, and a single event leaves the cache after 6 minutes", async () => {
    const { clock, recorder, events, settle } = setup();
    recorder.event(pod("web"), "Normal", "Scheduled", "Binding", "Successfully assigned default/web to node01");
    recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "no room");
    recorder.event(pod("big"), "Warning", "FailedScheduling", "Scheduling", "no room");
    await settle();
    expect(recorder.cached).toBe(2);
    await settle(6 * MINUTE - 1);
    expect(recorder.cached).toBe(2);
    // At 6:00 the single Scheduled event leaves the cache, and the series (last seen at 0:00) is
    // finished: written with its final count.
    await settle(1);
    expect(recorder.cached).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    const finished = (await events()).find((e) => e.reason === "FailedScheduling");
    expect(finished?.series?.count).toBe(2);

    // A series kept open by an occurrence every 5 minutes is written every 30 minutes.
    recorder.event(pod("busy"), "Warning", "FailedScheduling", "Scheduling", "no room");
    recorder.event(pod("busy"), "Warning", "FailedScheduling", "Scheduling", "no room");
    await settle();
    for (let minute = 5; minute <= 35; minute += 5) {
      await settle(5 * MINUTE);
      recorder.event(pod("busy"), "Warning", "FailedScheduling", "Scheduling", "no room");
      await settle();
      const busy = (await events()).find((e) => e.regarding?.name === "busy");
      // Written at 0:00 with 2, then at 30:00 (30 minutes later) with the 7 seen by then; the one at 30:00 comes after.
      expect(busy?.series?.count).toBe(minute < 30 ? 2 : 7);
    }
    expect(clock.pendingTimers).toBe(1);
    recorder.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("keys events by the regarding object's resourceVersion and the related object, and creates a deleted series event again", async () => {
    const { client, recorder, events, settle } = setup();
    recorder.event(pod("big", "1"), "Warning", "FailedScheduling", "Scheduling", "no room");
    recorder.event(pod("big", "2"), "Warning", "FailedScheduling", "Scheduling", "no room");
    const victim = pod("victim");
    recorder.event(victim, "Normal", "Preempted", "Preempting", "Preempted by pod uid-a", pod("a"));
    recorder.event(victim, "Normal", "Preempted", "Preempting", "Preempted by pod uid-b", pod("b"));
    await settle();
    const all = await events();
    expect(all).toHaveLength(4);
    expect(all.every((e) => e.series === undefined)).toBe(true);
    expect(all.filter((e) => e.reason === "Preempted").map((e) => e.related?.name)).toEqual(["a", "b"]);

    // The first event was deleted (by a TTL, a user): the series is created again under its name.
    const first = all.find((e) => e.regarding?.resourceVersion === "2") as EventsV1Event;
    await client.delete(EventsV1, "default", first.metadata.name as string);
    recorder.event(pod("big", "2"), "Warning", "FailedScheduling", "Scheduling", "no room");
    await settle();
    const again = (await events()).find((e) => e.metadata.name === first.metadata.name);
    expect(again?.series?.count).toBe(2);
    expect(again?.note).toBe("no room");
    recorder.stop();
  });
});

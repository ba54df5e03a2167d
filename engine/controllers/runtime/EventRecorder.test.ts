import { afterEach, describe, expect, it } from "vitest";
import type { ConfigMap, Event } from "../../api/core";
import { ConfigMaps, Events } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";
import { EventRecorder } from "./EventRecorder";

describe("EventRecorder", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("creates one Event per distinct message and counts repeats", async () => {
    harness = await createHarness({ controllers: [] });
    const subject = await harness.client.create<ConfigMap>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "subject", namespace: "default" },
    });
    const recorder = new EventRecorder(harness.client, harness.clock, () => {}).forComponent("test-controller");
    recorder.event(subject, "Normal", "Poked", "poked once");
    await harness.settle(1000);
    recorder.event(subject, "Normal", "Poked", "poked once");
    await harness.settle(1000);
    recorder.event(subject, "Warning", "Poked", "poked differently");
    await harness.settle();
    const events = (await harness.list<Event>(Events, "default")).filter((e) => e.involvedObject.name === "subject");
    expect(events).toHaveLength(2);
    const repeated = events.find((e) => e.message === "poked once");
    expect(repeated).toMatchObject({
      count: 2,
      type: "Normal",
      reason: "Poked",
      source: { component: "test-controller" },
      involvedObject: { kind: "ConfigMap", name: "subject", namespace: "default", uid: subject.metadata.uid },
      firstTimestamp: "2026-01-01T00:00:00Z",
      lastTimestamp: "2026-01-01T00:00:01Z",
    });
    expect(repeated?.metadata.name).toMatch(/^subject\.[0-9a-f]+$/);
  });
});

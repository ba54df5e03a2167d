import { describe, expect, it } from "vitest";
import { Events, Pods } from "../api/resources";
import type { KubeObject } from "../api/types";
import { createTestServer } from "../apiserver/testing/testServer";
import { createEventRecorder } from "./eventRecorder";

describe("EventRecorder", () => {
  it("creates events as upstream and bumps count on repeats", async () => {
    const { client, clock } = createTestServer();
    const pod = await client.create<KubeObject>(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [] },
    });
    const recorder = createEventRecorder(client, clock, {
      component: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
    });
    recorder.event(pod, "Normal", "Scheduled", "Successfully assigned default/web to node01");
    await recorder.flush();
    await clock.advance(5000);
    recorder.event(pod, "Normal", "Scheduled", "Successfully assigned default/web to node01");
    recorder.event(pod, "Warning", "FailedScheduling", "0/3 nodes are available");
    await recorder.flush();
    const events = (await client.list(Events, "default")).items;
    expect(events).toHaveLength(2);
    const scheduled = events.find((event) => event.reason === "Scheduled");
    expect(scheduled).toMatchObject({
      count: 2,
      firstTimestamp: "2026-01-01T00:00:00Z",
      lastTimestamp: "2026-01-01T00:00:05Z",
      source: { component: "default-scheduler" },
      reportingComponent: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
      involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: pod.metadata.uid, apiVersion: "v1" },
    });
    expect(scheduled?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it("drops events past the spam filter's burst", async () => {
    const { client, clock } = createTestServer();
    const recorder = createEventRecorder(client, clock, { component: "kubelet", host: "node01" });
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "node01", uid: "u" } };
    for (let index = 0; index < 30; index++) recorder.event(node, "Normal", "Reason", `message ${index}`);
    await recorder.flush();
    expect((await client.list(Events, "default")).items).toHaveLength(25);
  });
});

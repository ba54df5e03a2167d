import { describe, expect, it } from "vitest";
import { Nodes, Pods } from "../../api/resources";
import type { KubeObject, WatchEvent } from "../../api/types";
import { builtinResourceDefinitions } from "../../cluster/builtinResources";
import { createTestServer } from "../testing/testServer";

const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "c", image: "nginx" }], ...(nodeName ? { nodeName } : {}) },
});

const node = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Node", metadata: { name } });

function record(events: WatchEvent[]) {
  return (event: WatchEvent) => events.push(event);
}

const summary = (events: WatchEvent[]) => events.map((event) => `${event.type} ${event.object.metadata.name}`);

describe("watches indexed by spec.nodeName (upstream's pod TriggerFunc)", () => {
  it("a kubelet's watch is not reached by pods of other nodes; unselective watchers see every pod", async () => {
    const { client, store } = createTestServer({ resources: [...builtinResourceDefinitions] });
    const onA: WatchEvent[] = [];
    const onB: WatchEvent[] = [];
    const everything: WatchEvent[] = [];
    const notOnB: WatchEvent[] = [];
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=a" }, record(onA));
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=b" }, record(onB));
    client.watch(Pods, undefined, {}, record(everything));
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName!=b" }, record(notOnB));
    const before = store.deliveredEvents;
    await client.create(Pods, pod("x", "b"));
    // Only b's watch, the unselective one and the != one (not indexed) were handed the change.
    expect(store.deliveredEvents - before).toBe(3);
    await client.patch(Pods, "default", "x", "merge", { metadata: { labels: { l: "1" } } });
    await client.delete(Pods, "default", "x", { gracePeriodSeconds: 0 });
    expect(summary(onA)).toEqual([]);
    expect(summary(onB)).toEqual(["ADDED x", "MODIFIED x", "DELETED x"]);
    expect(summary(everything)).toEqual(["ADDED x", "MODIFIED x", "DELETED x"]);
    expect(summary(notOnB)).toEqual([]);
  });

  it("binding moves a pod from the unscheduled watchers' value to its node's: both see it", async () => {
    const { client, store } = createTestServer({ resources: [...builtinResourceDefinitions] });
    await client.create(Nodes, node("a"));
    const unscheduled: WatchEvent[] = [];
    const onA: WatchEvent[] = [];
    const onB: WatchEvent[] = [];
    const labelled: WatchEvent[] = [];
    client.watch(Pods, "default", { fieldSelector: "spec.nodeName=" }, record(unscheduled));
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=a" }, record(onA));
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=b" }, record(onB));
    // Another requirement keeps filtering on top of the trigger.
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=a", labelSelector: "app=web" }, record(labelled));
    await client.create(Pods, pod("x"));
    const before = store.deliveredEvents;
    await client.createSubresource(Pods, "default", "x", "binding", {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "x", namespace: "default" },
      target: { apiVersion: "v1", kind: "Node", name: "a" },
    } as KubeObject);
    expect(store.deliveredEvents - before).toBe(3); // "" (before), a (after) and a with the label
    expect(summary(unscheduled)).toEqual(["ADDED x", "DELETED x"]);
    expect(unscheduled[1].object.spec).toMatchObject({ nodeName: "a" });
    expect(summary(onA)).toEqual(["ADDED x"]);
    expect(summary(onB)).toEqual([]);
    expect(summary(labelled)).toEqual([]);
  });

  it("a watch resumed from a resourceVersion replays only its node's changes; nodes index metadata.name", async () => {
    const { client, store } = createTestServer({ resources: [...builtinResourceDefinitions] });
    const start = store.revision;
    await client.create(Pods, pod("p", "a"));
    await client.create(Pods, pod("q", "b"));
    await client.create(Nodes, node("a"));
    await client.create(Nodes, node("b"));
    const onA: WatchEvent[] = [];
    client.watch(Pods, undefined, { fieldSelector: "spec.nodeName=a", resourceVersion: String(start) }, record(onA));
    expect(summary(onA)).toEqual(["ADDED p"]);
    const nodeA: WatchEvent[] = [];
    client.watch(Nodes, undefined, { fieldSelector: "metadata.name=a" }, record(nodeA));
    const before = store.deliveredEvents;
    await client.patch(Nodes, undefined, "b", "merge", { metadata: { labels: { l: "1" } } });
    expect(store.deliveredEvents - before).toBe(0);
    await client.patch(Nodes, undefined, "a", "merge", { metadata: { labels: { l: "1" } } });
    expect(summary(nodeA)).toEqual(["ADDED a", "MODIFIED a"]);
  });
});

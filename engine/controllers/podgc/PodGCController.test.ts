import { afterEach, describe, expect, it } from "vitest";
import type { Node, Pod } from "../../api/core";
import { Nodes, Pods } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";
import { OUT_OF_SERVICE_TAINT } from "./PodGCController";

async function addNode(harness: Harness, name: string, ready: boolean, outOfService: boolean): Promise<void> {
  const node = await harness.client.create<Node>(Nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: outOfService ? { taints: [{ key: OUT_OF_SERVICE_TAINT, value: "nodeshutdown", effect: "NoExecute" }] } : {},
  });
  node.status = { conditions: [{ type: "Ready", status: ready ? "True" : "False", reason: "KubeletNotReady" }] };
  await harness.client.update(Nodes, node, { subresource: "status" });
}

/** A Running pod bound to `nodeName`, as its kubelet left it. */
async function addPod(harness: Harness, name: string, nodeName: string): Promise<void> {
  await harness.client.create<Pod>(Pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName, containers: [{ name: "c", image: "nginx" }] },
  });
  const pod = await harness.client.get<Pod>(Pods, "default", name);
  pod.status = { phase: "Running" };
  await harness.client.update(Pods, pod, { subresource: "status" });
}

async function phaseOf(harness: Harness, name: string): Promise<string> {
  return harness.client.get<Pod>(Pods, "default", name).then(
    (pod) => `${pod.metadata.deletionTimestamp ? "Terminating " : ""}${pod.status?.phase}`,
    () => "gone",
  );
}

describe("PodGCController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("force-deletes the pods of a node that no longer exists after a 40 s quarantine, marking them Failed", async () => {
    harness = await createHarness({ controllers: ["podgc"] });
    await addPod(harness, "orphan", "ghost");
    const phases: string[] = [];
    const stop = harness.client.watch<Pod>(
      Pods,
      "default",
      { resourceVersion: (await harness.client.list(Pods, "default")).metadata.resourceVersion },
      (event) => {
        const condition = event.object.status?.conditions?.find((c) => c.type === "DisruptionTarget");
        phases.push(`${event.type} ${event.object.status?.phase}${condition ? ` ${condition.reason}` : ""}`);
      },
      () => {},
    );
    await harness.settle(39_000);
    expect(await phaseOf(harness, "orphan")).toBe("Running");
    await harness.settle(1_000);
    expect(await phaseOf(harness, "orphan")).toBe("gone");
    stop();
    expect(phases).toEqual(["MODIFIED Failed DeletionByPodGC", "DELETED Failed DeletionByPodGC"]);
  });

  // Non-graceful node shutdown: a terminating pod on a node that will never come back is let go
  // once an admin taints the node out-of-service (so a StatefulSet can recreate it elsewhere).
  const cases = [
    { name: "NotReady and out-of-service: force-deleted", ready: false, outOfService: true, after: "gone" },
    {
      name: "NotReady without the taint: left terminating",
      ready: false,
      outOfService: false,
      after: "Terminating Running",
    },
    { name: "Ready with the taint: left terminating", ready: true, outOfService: true, after: "Terminating Running" },
  ];
  for (const testCase of cases) {
    it(`terminating pod on a node ${testCase.name}`, async () => {
      harness = await createHarness({ controllers: ["podgc"] });
      await addNode(harness, "node01", testCase.ready, false);
      await addPod(harness, "db-0", "node01");
      await harness.client.delete(Pods, "default", "db-0");
      await harness.settle();
      expect(await phaseOf(harness, "db-0")).toBe("Terminating Running");
      if (testCase.outOfService) {
        await harness.client.patch(Nodes, undefined, "node01", "merge", {
          spec: { taints: [{ key: OUT_OF_SERVICE_TAINT, value: "nodeshutdown", effect: "NoExecute" }] },
        });
      }
      await harness.settle();
      expect(await phaseOf(harness, "db-0")).toBe(testCase.after);
    });
  }
});

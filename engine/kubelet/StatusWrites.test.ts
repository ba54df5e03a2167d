import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../api/core";
import { Pods } from "../api/resources";
import { kubeletCluster, printStatus } from "./testing/harness";

let current: Awaited<ReturnType<typeof kubeletCluster>> | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

/**
 * Every status the API shows for pod `app` after its creation, as `kubectl get pod -w` prints
 * them (STATUS, then PodReadyToStartContainers/Ready), one per write.
 */
async function statusesOf(pod: { spec: Pod["spec"] }, advanceMs: number, speed: "fast" | "realistic" = "fast") {
  current = await kubeletCluster({ speed });
  const { client, clock, run } = current;
  const seen: string[] = [];
  const stop = client.watch<Pod>(Pods, "default", { fieldSelector: "metadata.name=app" }, (event) => {
    if (event.type !== "MODIFIED") return;
    const conditions = event.object.status?.conditions ?? [];
    const condition = (type: string) => conditions.find((c) => c.type === type)?.status ?? "-";
    seen.push(
      `${printStatus(event.object)} ready-to-start=${condition("PodReadyToStartContainers")} ready=${condition("Ready")}`,
    );
  });
  await run(pod);
  await clock.advance(advanceMs);
  stop();
  return seen;
}

describe("kubelet: status writes on the way to Running", () => {
  it("writes twice, as upstream's SyncPod does: before the sandbox exists, then with the containers started", async () => {
    // The image is pulled, the sandbox made and the container created and started in between.
    expect(await statusesOf({ spec: { containers: [{ name: "app", image: "nginx:1.27" }] } }, 5_000)).toEqual([
      "ContainerCreating ready-to-start=False ready=False",
      "Running ready-to-start=True ready=True",
    ]);
  });

  it("shows ContainerCreating through a realistic pull, then Running", async () => {
    const statuses = await statusesOf(
      {
        spec: {
          containers: [
            { name: "app", image: "nginx:1.27" },
            { name: "cache", image: "redis:7.4" },
          ],
        },
      },
      60_000,
      "realistic",
    );
    expect(statuses).toEqual([
      "ContainerCreating ready-to-start=False ready=False",
      "Running ready-to-start=True ready=True",
    ]);
  });

  it("still shows every state of a pod with an init container and one whose image cannot be pulled", async () => {
    expect(
      await statusesOf(
        {
          spec: {
            initContainers: [{ name: "setup", image: "busybox:1.36", command: ["sh", "-c", "sleep 2"] }],
            containers: [{ name: "app", image: "nginx:1.27" }],
          },
        },
        10_000,
      ),
    ).toEqual([
      "Init:0/1 ready-to-start=False ready=False",
      "Init:0/1 ready-to-start=True ready=False",
      "PodInitializing ready-to-start=True ready=False",
      "Running ready-to-start=True ready=True",
    ]);
    current?.stop();
    const failing = await statusesOf({ spec: { containers: [{ name: "app", image: "nginx:no-such-tag" }] } }, 1_000);
    expect(failing.slice(0, 3)).toEqual([
      "ContainerCreating ready-to-start=False ready=False",
      "ErrImagePull ready-to-start=True ready=False",
      "ImagePullBackOff ready-to-start=True ready=False",
    ]);
  });
});

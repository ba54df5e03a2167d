import type { Node, Pod } from "../../api/core";
import { Nodes, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";

/** --terminated-pod-gc-threshold default. */
export const TERMINATED_POD_THRESHOLD = 12_500;
/** Upstream's quarantine before deleting pods of a vanished node. */
const ORPHAN_QUARANTINE_MS = 40_000;

/**
 * pkg/controller/podgc: force-deletes pods bound to nodes that no longer exist (after a short
 * quarantine, confirming with the API), and the oldest finished pods beyond the threshold.
 */
export class PodGCController {
  private readonly queue: WorkQueue;
  private readonly pods;
  private readonly nodes;

  constructor(private readonly context: ControllerContext) {
    this.pods = context.informer<Pod>(Pods);
    this.nodes = context.informer<Node>(Nodes);
    this.queue = context.loop("podgc", (key) => this.sync(key));
    this.nodes.addHandlers({
      delete: (node) => {
        for (const pod of this.pods.list())
          if (pod.spec?.nodeName === node.metadata.name) this.queue.addAfter(keyOf(pod), ORPHAN_QUARANTINE_MS);
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.check(pod),
      update: (_old, pod) => this.check(pod),
    });
  }

  private check(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && !this.nodes.get(undefined, nodeName)) this.queue.addAfter(keyOf(pod), ORPHAN_QUARANTINE_MS);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") this.queue.add("terminated");
  }

  async sync(key: string): Promise<void> {
    if (key === "terminated") {
      await this.gcTerminated();
      return;
    }
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || this.nodes.get(undefined, nodeName)) return;
    try {
      await this.context.client.get(Nodes, undefined, nodeName);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.forceDelete(pod, "PodGC: node no longer exists");
  }

  private async gcTerminated(): Promise<void> {
    const terminated = this.pods
      .list()
      .filter(
        (pod) =>
          (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") && !pod.metadata.deletionTimestamp,
      );
    const excess = terminated.length - TERMINATED_POD_THRESHOLD;
    if (excess <= 0) return;
    terminated.sort(
      (a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""),
    );
    for (const pod of terminated.slice(0, excess)) await this.forceDelete(pod, undefined);
  }

  private async forceDelete(pod: Pod, disruption: string | undefined): Promise<void> {
    if (disruption && !pod.status?.conditions?.some((c) => c.type === "DisruptionTarget")) {
      const copy = structuredClone(pod);
      copy.status ??= {};
      copy.status.conditions = [
        ...(copy.status.conditions ?? []),
        {
          type: "DisruptionTarget",
          status: "True",
          lastTransitionTime: toRfc3339(this.context.clock.now()),
          reason: "DeletionByPodGC",
          message: disruption,
        },
      ];
      await this.context.client.update(Pods, copy, { subresource: "status" }).catch(() => undefined);
    }
    try {
      await this.context.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", {
        gracePeriodSeconds: 0,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

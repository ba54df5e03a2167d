import type { Node, Pod, PodCondition } from "../../api/core";
import { Nodes, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";

/** --terminated-pod-gc-threshold default. */
export const TERMINATED_POD_THRESHOLD = 12_500;
/** Upstream's quarantine before deleting pods of a vanished node. */
const ORPHAN_QUARANTINE_MS = 40_000;
/** v1.TaintNodeOutOfService: an admin's word that the node is shut down for good (non-graceful node shutdown). */
export const OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";
const TERMINATED = "terminated";
const OUT_OF_SERVICE = "out-of-service";

/**
 * pkg/controller/podgc: force-deletes pods bound to nodes that no longer exist (after a short
 * quarantine, confirming with the API), terminating pods on a NotReady node tainted
 * `node.kubernetes.io/out-of-service` (gcTerminating), and the oldest finished pods beyond the
 * threshold. A pod that is not finished is marked Failed before it is deleted, as upstream's
 * markFailedAndDeletePod does: no kubelet is left to do it. Upstream checks every 20 s; here node
 * and pod events enqueue the checks.
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
      add: (node) => this.nodeChanged(node),
      update: (_old, node) => this.nodeChanged(node),
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

  private nodeChanged(node: Node): void {
    if (isOutOfService(node)) this.queue.add(OUT_OF_SERVICE);
  }

  private check(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    const node = nodeName ? this.nodes.get(undefined, nodeName) : undefined;
    if (nodeName && !node) this.queue.addAfter(keyOf(pod), ORPHAN_QUARANTINE_MS);
    if (pod.metadata.deletionTimestamp && node && isOutOfService(node)) this.queue.add(OUT_OF_SERVICE);
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") this.queue.add(TERMINATED);
  }

  async sync(key: string): Promise<void> {
    if (key === TERMINATED) {
      await this.gcTerminated();
      return;
    }
    if (key === OUT_OF_SERVICE) {
      await this.gcTerminating();
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
    await this.markFailedAndDelete(pod, {
      type: "DisruptionTarget",
      status: "True",
      lastTransitionTime: toRfc3339(this.context.clock.now()),
      reason: "DeletionByPodGC",
      message: "PodGC: node no longer exists",
    });
  }

  /** gcTerminating: terminating pods of NotReady nodes with the out-of-service taint, oldest first. */
  private async gcTerminating(): Promise<void> {
    const stuck = this.pods.list().filter((pod) => {
      if (!pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return false;
      const node = this.nodes.get(undefined, pod.spec.nodeName);
      return node !== undefined && isOutOfService(node);
    });
    stuck.sort(
      (a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""),
    );
    for (const pod of stuck) await this.markFailedAndDelete(pod, undefined);
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
    for (const pod of terminated.slice(0, excess)) await this.markFailedAndDelete(pod, undefined);
  }

  /**
   * markFailedAndDeletePodWithCondition: a pod that has not finished is first marked Failed (with
   * `condition`), since no kubelet will, then deleted without a grace period.
   */
  private async markFailedAndDelete(pod: Pod, condition: PodCondition | undefined): Promise<void> {
    const phase = pod.status?.phase;
    if (phase !== "Succeeded" && phase !== "Failed") {
      const copy = structuredClone(pod);
      copy.status ??= {};
      copy.status.phase = "Failed";
      if (condition) {
        copy.status.conditions = [
          ...(copy.status.conditions ?? []).filter((existing) => existing.type !== condition.type),
          condition,
        ];
      }
      try {
        await this.context.client.update(Pods, copy, { subresource: "status" });
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
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

/** Not Ready, and tainted `node.kubernetes.io/out-of-service` (any effect). */
function isOutOfService(node: Node): boolean {
  const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");
  return ready?.status !== "True" && (node.spec?.taints ?? []).some((taint) => taint.key === OUT_OF_SERVICE_TAINT);
}

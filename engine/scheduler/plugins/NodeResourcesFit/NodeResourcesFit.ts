import type { NodeInfo } from "../../framework/NodeInfo";
import { Field } from "../../framework/NodeTable";
import type { PodInfo } from "../../framework/PodInfo";
import { Status } from "../../framework/Status";
import type { Plugin, PluginFactory } from "../../framework/types";

/** framework.MaxNodeScore, local so the per-node loop reads a constant, not a module binding. */
const maxNodeScore = 100;

export const name = "NodeResourcesFit";

/** The reasons a node lacks room, in upstream's wording, for FailedScheduling messages. */
export function insufficientResources(pod: PodInfo, node: NodeInfo, extraPods = 0): string[] {
  const reasons: string[] = [];
  if (node.pods.size + extraPods + 1 > node.allowedPodNumber) reasons.push("Too many pods");
  const wanted = pod.requests;
  if (wanted.milliCPU === 0 && wanted.memory === 0 && wanted.ephemeralStorage === 0 && !wanted.scalar) return reasons;
  const used = node.requested;
  const free = node.allocatable;
  if (wanted.milliCPU > 0 && free.milliCPU < wanted.milliCPU + used.milliCPU) reasons.push("Insufficient cpu");
  if (wanted.memory > 0 && free.memory < wanted.memory + used.memory) reasons.push("Insufficient memory");
  if (wanted.ephemeralStorage > 0 && free.ephemeralStorage < wanted.ephemeralStorage + used.ephemeralStorage) {
    reasons.push("Insufficient ephemeral-storage");
  }
  if (wanted.scalar) {
    for (const [resource, amount] of wanted.scalar) {
      if (amount === 0) continue;
      if ((free.scalar?.get(resource) ?? 0) < amount + (used.scalar?.get(resource) ?? 0)) {
        reasons.push(`Insufficient ${resource}`);
      }
    }
  }
  return reasons;
}

/**
 * Filter: the node's allocatable must hold the pod's requests on top of what its pods request
 * (`Insufficient cpu`, `Insufficient memory`, `Too many pods`). Score: LeastAllocated over cpu
 * and memory with equal weights, on non-zero requests (100m / 200Mi for containers without).
 */
export const NodeResourcesFit: PluginFactory = {
  name,
  weight: 1,
  create: (): Plugin => ({
    name,
    events: [
      { resource: "AssignedPod", action: "Delete" },
      { resource: "AssignedPod", action: "Update" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    filter(_state, pod, node) {
      if (fits(pod, node)) return null;
      const reasons = insufficientResources(pod, node);
      return reasons.length === 0 ? null : Status.unschedulable(...reasons);
    },
    score(_state, pod, node) {
      return leastAllocatedScore(node.data, node.base, pod.nonZeroRequests.milliCPU, pod.nonZeroRequests.memory);
    },
  }),
};

/** The allocation-free check the filter runs on every node; reasons are only worded for misfits. */
function fits(pod: PodInfo, node: NodeInfo): boolean {
  const wanted = pod.requests;
  return fitsRow(node.data, node.base, wanted.milliCPU, wanted.memory, wanted.ephemeralStorage) && !wanted.scalar;
}

/**
 * The filter on a NodeTable row for cpu, memory, ephemeral storage and the pod count (the whole
 * filter for a pod without extended resources); the row path calls it too.
 */
export function fitsRow(
  data: Float64Array,
  base: number,
  milliCPU: number,
  memory: number,
  ephemeralStorage: number,
): boolean {
  if (data[base + Field.podCount] + 1 > data[base + Field.allowedPodNumber]) return false;
  if (milliCPU > 0 && data[base + Field.allocatableMilliCPU] < milliCPU + data[base + Field.requestedMilliCPU]) {
    return false;
  }
  if (memory > 0 && data[base + Field.allocatableMemory] < memory + data[base + Field.requestedMemory]) {
    return false;
  }
  return !(
    ephemeralStorage > 0 &&
    data[base + Field.allocatableEphemeralStorage] < ephemeralStorage + data[base + Field.requestedEphemeralStorage]
  );
}

/** LeastAllocated on a NodeTable row, from the pod's non-zero cpu and memory requests (the Score). */
export function leastAllocatedScore(
  data: Float64Array,
  base: number,
  nonZeroMilliCPU: number,
  nonZeroMemory: number,
): number {
  const cpu = leastRequested(
    data[base + Field.nonZeroMilliCPU] + nonZeroMilliCPU,
    data[base + Field.allocatableMilliCPU],
  );
  const memory = leastRequested(data[base + Field.nonZeroMemory] + nonZeroMemory, data[base + Field.allocatableMemory]);
  return Math.trunc((cpu + memory) / 2);
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

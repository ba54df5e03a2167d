import { Field } from "../../framework/NodeTable";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "NodeResourcesBalancedAllocation";
/** framework.MaxNodeScore, local so the per-node loop reads a constant, not a module binding. */
const maxNodeScore = 100;

/**
 * Favors nodes whose cpu and memory would be used in equal fractions after placing the pod:
 * score = (1 − standard deviation of the fractions) × 100, on actual requests (the standard
 * deviation of two fractions is half their distance).
 */
export const NodeResourcesBalancedAllocation: PluginFactory = {
  name,
  weight: 1,
  create: (): Plugin => ({
    name,
    score(_state, pod, node) {
      return balancedAllocationScore(node.data, node.base, pod.requests.milliCPU, pod.requests.memory);
    },
  }),
};

/** The Score on a NodeTable row, from the pod's cpu and memory requests (the row path calls it too). */
export function balancedAllocationScore(data: Float64Array, base: number, milliCPU: number, memory: number): number {
  const cpuCapacity = data[base + Field.allocatableMilliCPU];
  const memoryCapacity = data[base + Field.allocatableMemory];
  // With only one resource known there is nothing to balance.
  if (cpuCapacity <= 0 || memoryCapacity <= 0) return maxNodeScore;
  const cpuFraction = Math.min(1, (data[base + Field.requestedMilliCPU] + milliCPU) / cpuCapacity);
  const memoryFraction = Math.min(1, (data[base + Field.requestedMemory] + memory) / memoryCapacity);
  return Math.trunc((1 - Math.abs(cpuFraction - memoryFraction) / 2) * maxNodeScore);
}

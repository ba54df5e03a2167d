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
      const { data, base } = node;
      const cpuCapacity = data[base + Field.allocatableMilliCPU];
      const memoryCapacity = data[base + Field.allocatableMemory];
      // With only one resource known there is nothing to balance.
      if (cpuCapacity <= 0 || memoryCapacity <= 0) return maxNodeScore;
      const cpu = Math.min(1, (data[base + Field.requestedMilliCPU] + pod.requests.milliCPU) / cpuCapacity);
      const memory = Math.min(1, (data[base + Field.requestedMemory] + pod.requests.memory) / memoryCapacity);
      return Math.trunc((1 - Math.abs(cpu - memory) / 2) * maxNodeScore);
    },
  }),
};

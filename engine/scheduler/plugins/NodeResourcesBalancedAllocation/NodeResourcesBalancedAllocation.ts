import { maxNodeScore, type Plugin, type PluginFactory } from "../../framework/types";

export const name = "NodeResourcesBalancedAllocation";

/**
 * Favors nodes whose cpu and memory would be used in equal fractions after placing the pod:
 * score = (1 − standard deviation of the fractions) × 100, on actual requests.
 */
export const NodeResourcesBalancedAllocation: PluginFactory = {
  name,
  weight: 1,
  create: (): Plugin => ({
    name,
    score(_state, pod, node) {
      const cpuCapacity = node.allocatable.milliCPU;
      const memoryCapacity = node.allocatable.memory;
      const fractions: number[] = [];
      if (cpuCapacity > 0) fractions.push(Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / cpuCapacity));
      if (memoryCapacity > 0)
        fractions.push(Math.min(1, (node.requested.memory + pod.requests.memory) / memoryCapacity));
      let deviation = 0;
      if (fractions.length === 2) {
        deviation = Math.abs(fractions[0] - fractions[1]) / 2;
      } else if (fractions.length > 2) {
        const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
        deviation = Math.sqrt(fractions.reduce((sum, f) => sum + (f - mean) ** 2, 0) / fractions.length);
      }
      return Math.trunc((1 - deviation) * maxNodeScore);
    },
  }),
};

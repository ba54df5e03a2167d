import type { PodInfo } from "../framework/PodInfo";
import type { RowPath, RowPathFactory } from "../framework/RowPath";
import {
  name as balancedAllocation,
  balancedAllocationScore,
} from "./NodeResourcesBalancedAllocation/NodeResourcesBalancedAllocation";
import { fitsRow, leastAllocatedScore, name as nodeResourcesFit } from "./NodeResourcesFit/NodeResourcesFit";
import { name as nodeUnschedulable, schedulableRow } from "./NodeUnschedulable/NodeUnschedulable";
import { name as taintToleration, untaintedRow } from "./TaintToleration/TaintToleration";

/**
 * The default profile's row path (see framework/RowPath.ts): the Filters every plain pod runs
 * (NodeUnschedulable, TaintToleration, NodeResourcesFit) and the Scores it gets when no other
 * plugin has anything to score (NodeResourcesFit's LeastAllocated, NodeResourcesBalancedAllocation).
 * Each term is the plugin's own exported row function, so there is one definition of each rule.
 */
export const defaultRowPath: RowPathFactory = (weight) => new DefaultRowPath(weight);

class DefaultRowPath implements RowPath {
  readonly filterPlugins: ReadonlySet<string> = new Set([nodeUnschedulable, taintToleration, nodeResourcesFit]);
  readonly scorePlugins: ReadonlySet<string> = new Set([nodeResourcesFit, balancedAllocation]);
  private readonly fitWeight: number;
  private readonly balancedWeight: number;
  private milliCPU = 0;
  private memory = 0;
  private ephemeralStorage = 0;
  private nonZeroMilliCPU = 0;
  private nonZeroMemory = 0;

  constructor(weight: (plugin: string) => number) {
    this.fitWeight = weight(nodeResourcesFit);
    this.balancedWeight = weight(balancedAllocation);
  }

  prepare(pod: PodInfo): boolean {
    // Extended resources are counted per name in NodeInfo, not in rows.
    if (pod.requests.scalar) return false;
    this.milliCPU = pod.requests.milliCPU;
    this.memory = pod.requests.memory;
    this.ephemeralStorage = pod.requests.ephemeralStorage;
    this.nonZeroMilliCPU = pod.nonZeroRequests.milliCPU;
    this.nonZeroMemory = pod.nonZeroRequests.memory;
    return true;
  }

  fits(data: Float64Array, base: number): boolean {
    // A cordoned or tainted node may still pass (the pod may tolerate it): the plugins decide those.
    return (
      schedulableRow(data, base) &&
      untaintedRow(data, base) &&
      fitsRow(data, base, this.milliCPU, this.memory, this.ephemeralStorage)
    );
  }

  score(data: Float64Array, base: number): number {
    // The same order of addition as the general path's running total.
    return (
      leastAllocatedScore(data, base, this.nonZeroMilliCPU, this.nonZeroMemory) * this.fitWeight +
      balancedAllocationScore(data, base, this.milliCPU, this.memory) * this.balancedWeight
    );
  }
}

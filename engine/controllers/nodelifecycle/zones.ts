import type { Node } from "../../api/core";

/** ZoneState of node_lifecycle_controller.go. */
export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

/** kube-controller-manager's node lifecycle flags, with their 1.32 defaults. */
export interface NodeLifecycleOptions {
  /** --node-monitor-period: how often upstream's monitor pass runs (here: the grid passes run on). */
  monitorPeriodMs: number;
  /** --node-monitor-grace-period. */
  monitorGraceMs: number;
  /** --node-startup-grace-period: for a node whose kubelet never posted a Ready condition. */
  startupGraceMs: number;
  /** --node-eviction-rate: NoExecute taints per second per zone while it is healthy. */
  evictionRate: number;
  /** --secondary-node-eviction-rate: per zone in partial disruption, in a large cluster. */
  secondaryEvictionRate: number;
  /** --large-cluster-size-threshold: zones of more nodes than this are large. */
  largeClusterThreshold: number;
  /** --unhealthy-zone-threshold: the share of not-Ready nodes (at least 3) that makes a partial disruption. */
  unhealthyZoneThreshold: number;
}

export const NODE_LIFECYCLE_DEFAULTS: NodeLifecycleOptions = {
  monitorPeriodMs: 5_000,
  monitorGraceMs: 50_000,
  startupGraceMs: 60_000,
  evictionRate: 0.1,
  secondaryEvictionRate: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** labelNodeDisruptionExclusion: nodes with this label do not count in their zone's state. */
export const EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";

/**
 * nodetopology.GetZoneKey: `<region>:\0:<zone>` from the beta failure-domain labels or, without
 * them, the topology.kubernetes.io ones; "" when the node has neither.
 */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels;
  if (!labels) return "";
  const zone = labels["failure-domain.beta.kubernetes.io/zone"] ?? labels["topology.kubernetes.io/zone"] ?? "";
  const region = labels["failure-domain.beta.kubernetes.io/region"] ?? labels["topology.kubernetes.io/region"] ?? "";
  if (region === "" && zone === "") return "";
  return `${region}:\0:${zone}`;
}

/** A zone key as klog prints it (%q: the NUL as \x00). */
export function printZone(zone: string): string {
  return `"${zone.replaceAll("\0", "\\x00")}"`;
}

/**
 * ComputeZoneState: FullDisruption when no node of the zone is Ready, PartialDisruption when more
 * than 2 are not Ready and they are at least `threshold` of the zone, Normal otherwise.
 */
export function computeZoneState(ready: number, notReady: number, threshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (notReady + ready) >= threshold) return "PartialDisruption";
  return "Normal";
}

/** setLimiterInZone: the NoExecute tainting rate of a zone in `state` with `zoneSize` nodes. */
export function zoneEvictionRate(
  state: ZoneState,
  zoneSize: number,
  options: NodeLifecycleOptions,
): number | undefined {
  switch (state) {
    case "Normal":
      return options.evictionRate;
    case "PartialDisruption":
      // ReducedQPSFunc: large zones evict slower, small ones not at all.
      return zoneSize > options.largeClusterThreshold ? options.secondaryEvictionRate : 0;
    case "FullDisruption":
      // HealthyQPSFunc: a zone that is wholly down while others are not is evicted at the normal rate.
      return options.evictionRate;
    default:
      return undefined;
  }
}

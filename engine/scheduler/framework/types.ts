import type { PersistentVolume, PersistentVolumeClaim, Pod } from "../../api/core";
import type { StorageClass } from "../../api/storage";
import type { KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import type { Clock } from "../../clock/Clock";
import type { NodeInfo } from "./NodeInfo";
import type { PodInfo } from "./PodInfo";
import type { MaybeStatus, Status } from "./Status";

/** The highest score a Score plugin may give after normalization (`framework.MaxNodeScore`). */
export const maxNodeScore = 100;

/** A change in the cluster that may make an unschedulable pod schedulable (`framework.ClusterEvent`). */
export interface ClusterEvent {
  resource:
    | "Pod"
    | "AssignedPod"
    | "Node"
    | "PersistentVolumeClaim"
    | "PersistentVolume"
    | "StorageClass"
    | "Namespace"
    | "Service";
  action: "Add" | "Update" | "Delete";
}

/** Data plugins share within one scheduling cycle of one pod, keyed by plugin name. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  readonly skipFilter = new Set<string>();
  readonly skipScore = new Set<string>();
  /** The Filter plugins this cycle runs (those whose PreFilter did not skip), fixed after PreFilter. */
  filters?: Plugin[];
  /** Their Filter methods, bound, in the same order. */
  filterFunctions?: FilterFunction[];
  /** Set while preemption dry-runs filters, so plugins can tell (none need to today). */
  preempting = false;

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown) {
    this.data.set(key, value);
  }
}

/** What PreFilter may narrow the candidate nodes to (`framework.PreFilterResult`). */
export interface PreFilterResult {
  nodeNames?: Set<string>;
}

/** One node's score as NormalizeScore sees it. */
export interface NodeScore {
  name: string;
  score: number;
}

/** The scheduler's services that plugins may use (`framework.Handle`): the snapshot and the listers. */
export interface Handle {
  clock: Clock;
  client: Client;
  /** Every node in the snapshot, in a stable order. */
  nodes(): NodeInfo[];
  node(name: string): NodeInfo | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  persistentVolumes(): Iterable<PersistentVolume>;
  storageClass(name: string): StorageClass | undefined;
  /** Services, ReplicationControllers, ReplicaSets and StatefulSets of a namespace, for default spreading. */
  workloads(namespace: string): Iterable<KubeObject>;
  /** Runs every Filter plugin for the pod on the node (with PreFilter state) — for preemption's dry runs. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): MaybeStatus;
  /** Records an event about an object (and the object related to it), as `default-scheduler`. */
  event(
    regarding: KubeObject,
    type: "Normal" | "Warning",
    reason: string,
    action: string,
    note: string,
    related?: KubeObject,
  ): void;
  /** How many nodes have a PreferNoSchedule taint, for TaintToleration's PreScore. */
  preferNoScheduleTaintedNodes(): number;
  /** How many nodes hold an image (normalized name), for ImageLocality's spread. */
  imageNodeCount(image: string): number;
  /** Pods nominated to run on a node after preemption (they are not in NodeInfo yet). */
  nominatedPods(nodeName: string): readonly PodInfo[];
  /** Whether any pod is nominated anywhere (checked once per cycle). */
  hasNominatedPods(): boolean;
  /** Nodes holding pods with (anti-)affinity terms; InterPodAffinity only looks at these. */
  nodesWithAffinityPods(): Iterable<NodeInfo>;
  nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo>;
}

/**
 * A scheduling plugin: a name and the extension points it implements. Hot paths (Filter, Score)
 * are synchronous and return `null` for success so a 5,000-node cycle allocates nothing per node.
 */
export interface Plugin {
  readonly name: string;
  /** Cluster events after which a pod this plugin rejected may now fit. */
  readonly events?: ClusterEvent[];
  /** QueueSort: does `a` go before `b`? */
  less?(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  /** PreEnqueue: may the pod enter the active queue at all? */
  preEnqueue?(pod: Pod): MaybeStatus;
  preFilter?(state: CycleState, pod: PodInfo): { status: MaybeStatus; result?: PreFilterResult };
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): MaybeStatus;
  postFilter?(
    state: CycleState,
    pod: PodInfo,
    statuses: Map<string, Status>,
  ): Promise<{ status: MaybeStatus; nominatedNodeName?: string }>;
  preScore?(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): MaybeStatus;
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
  reserve?(state: CycleState, pod: PodInfo, nodeName: string): MaybeStatus;
  unreserve?(state: CycleState, pod: PodInfo, nodeName: string): void;
  permit?(state: CycleState, pod: PodInfo, nodeName: string): MaybeStatus;
  preBind?(state: CycleState, pod: PodInfo, nodeName: string): Promise<MaybeStatus>;
  bind?(state: CycleState, pod: PodInfo, nodeName: string): Promise<MaybeStatus>;
}

/** A pod waiting in the scheduling queue (`framework.QueuedPodInfo`). */
export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod was first added to the queue (clock ms). */
  initialAttemptTimestamp: number;
  /** When the pod was last added to activeQ (clock ms); PrioritySort's tie-breaker. */
  timestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt; events they registered can move it. */
  unschedulablePlugins: Set<string>;
  /** The scheduling cycle in which the pod was popped. */
  cycle: number;
  /** A PreEnqueue plugin (SchedulingGates) keeps the pod out of activeQ. */
  gated: boolean;
}

/** A Filter extension point as a plain function. */
export type FilterFunction = (state: CycleState, pod: PodInfo, node: NodeInfo) => MaybeStatus;

/** A registry entry: how to build a plugin and its score weight in the default profile. */
export interface PluginFactory {
  name: string;
  weight?: number;
  create(handle: Handle): Plugin;
}

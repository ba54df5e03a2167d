import type { Lease } from "../../api/coordination";
import type { Node, NodeCondition, Pod, Taint } from "../../api/core";
import { Leases, Nodes, Pods } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isConflict, isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";
import { minTolerationMs, tolerationsForTaints } from "../shared/tolerations";
import { RateLimitedTimedQueue } from "./rateLimitedQueue";
import {
  computeZoneState,
  EXCLUDE_DISRUPTION_LABEL,
  NODE_LIFECYCLE_DEFAULTS,
  type NodeLifecycleOptions,
  printZone,
  type ZoneState,
  zoneEvictionRate,
  zoneKey,
} from "./zones";

/** node-monitor-grace-period in 1.32. */
export const NODE_MONITOR_GRACE_MS = NODE_LIFECYCLE_DEFAULTS.monitorGraceMs;

export const UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";
export const UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

/** TaintNodesByCondition: which condition status puts which NoSchedule taint on a node. */
const CONDITION_TAINTS: Array<{ type: string; status: string; key: string }> = [
  { type: "Ready", status: "False", key: NOT_READY_TAINT },
  { type: "Ready", status: "Unknown", key: UNREACHABLE_TAINT },
  { type: "MemoryPressure", status: "True", key: "node.kubernetes.io/memory-pressure" },
  { type: "DiskPressure", status: "True", key: "node.kubernetes.io/disk-pressure" },
  { type: "NetworkUnavailable", status: "True", key: "node.kubernetes.io/network-unavailable" },
  { type: "PIDPressure", status: "True", key: "node.kubernetes.io/pid-pressure" },
];

const MANAGED_NO_SCHEDULE = new Set([...CONDITION_TAINTS.map((entry) => entry.key), UNSCHEDULABLE_TAINT]);
const CONDITIONS_MARKED_UNKNOWN = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/** What the monitor pass remembers of a node (upstream's nodeHealthData). */
interface NodeHealth {
  /** The first pass that saw the node with a Ready condition, or the exit from full disruption: the probe time is never earlier. */
  floor?: number;
}

function readyStatus(node: Node): string | undefined {
  return node.status?.conditions?.find((condition) => condition.type === "Ready")?.status;
}

function hasTaint(node: Node, key: string, effect: string): boolean {
  return (node.spec?.taints ?? []).some((taint) => taint.key === key && taint.effect === effect);
}

/** The reference upstream's RecordNodeEvent / RecordNodeStatusChange build for a node. */
function nodeReference(node: Node): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name: node.metadata.name, uid: node.metadata.uid } };
}

/**
 * pkg/controller/nodelifecycle with its taint-eviction controller.
 *
 * Monitor passes: upstream's monitorNodeHealth runs every --node-monitor-period (5 s). Here passes
 * happen on the same 5 s grid, counted from the controller's start, but only at the grid points
 * where something is due: a node changed (its object, its Lease, its kubelet's heartbeats), a
 * silent node's grace period runs out. An idle cluster arms no timer. A pass does what upstream's
 * does for those nodes: Ready Unknown after the grace period (probe times are the passes that saw
 * a heartbeat, as upstream's probeTimestamp), NodeNotReady events and pods marked not Ready, the
 * NoExecute decisions from the Ready status the pass *observed* (so the NoExecute taint of a node
 * turned Unknown comes one pass later, as upstream), then the zone states of every node.
 *
 * Zones (topology region + zone labels): Normal, PartialDisruption (more than 2 nodes and at least
 * 55 % not Ready), FullDisruption (none Ready). NoExecute taints go through one rate-limited queue
 * per zone (0.1 a second; in partial disruption 0.01 in zones over 50 nodes, 0 otherwise); when
 * every zone is fully disrupted the controller stops tainting and removes the NoExecute taints
 * (master disruption mode) until a node is Ready again. The queues arm one timer for when their
 * next token is due. NoSchedule taints follow node conditions at once, as upstream's node workers.
 *
 * Taint eviction: pods that do not tolerate a node's NoExecute taints are deleted, at once or when
 * their shortest tolerationSeconds (from the taint's timeAdded) runs out, on one timer.
 */
export class NodeLifecycleController {
  private readonly options: NodeLifecycleOptions;
  private readonly nodeQueue: WorkQueue;
  private readonly monitorQueue: WorkQueue;
  private readonly taintQueue: WorkQueue;
  private readonly podQueue: WorkQueue;
  private readonly evictionQueue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly nodes;
  private readonly leases;
  private readonly pods;
  /** Where the 5 s grid of monitor passes starts. */
  private readonly epoch: number;
  private passes = 0;
  /** knownNodeSet: node name → uid, for RegisteredNode / RemovingNode. */
  private readonly known = new Map<string, Node>();
  private readonly health = new Map<string, NodeHealth>();
  /** Nodes the next pass must look at. */
  private dirty = new Set<string>();
  /** Nodes whose kubelet is silent: the pass at which their grace period is over. */
  private readonly expiries = new Map<string, number>();
  private readonly zoneStates = new Map<string, ZoneState>();
  /** zoneNoExecuteTainter. */
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();
  /** Pod key → when it must be evicted (ms). */
  private readonly evictions = new Map<string, number>();
  private passTimer?: { due: number; cancel: () => void };
  private taintTimer?: { due: number; cancel: () => void };
  private evictionTimer?: { due: number; cancel: () => void };
  private stopHeartbeats?: () => void;

  constructor(
    private readonly context: ControllerContext,
    options: Partial<NodeLifecycleOptions> = {},
  ) {
    this.options = { ...NODE_LIFECYCLE_DEFAULTS, ...options };
    this.epoch = context.clock.now();
    this.recorder = context.recorder("node-controller");
    this.nodes = context.informer<Node>(Nodes);
    this.leases = context.informer<Lease>(Leases);
    this.pods = context.informer<Pod>(Pods);
    this.nodeQueue = context.loop("node-lifecycle", (name) => this.doNoScheduleTaintingPass(name));
    this.monitorQueue = context.loop("node-monitor", () => this.monitorNodeHealth());
    this.taintQueue = context.loop("node-no-execute-tainting", (zone) => this.doNoExecuteTaintingPass(zone));
    this.podQueue = context.loop("node-lifecycle-pods", (key) => this.processPod(key));
    this.evictionQueue = context.loop("taint-eviction", (key) => this.syncPodEviction(key));

    this.nodes.addHandlers({
      add: (node) => this.nodeChanged(node),
      update: (_old, node) => this.nodeChanged(node),
      delete: (node) => {
        this.markDirty(node.metadata.name ?? "");
        for (const pod of this.podsOn(node.metadata.name ?? "")) this.evictionQueue.add(keyOf(pod));
      },
    });
    this.leases.addHandlers({
      add: (lease) => this.leaseChanged(lease),
      update: (_old, lease) => this.leaseChanged(lease),
    });
    this.pods.addHandlers({
      add: (pod) => {
        if (pod.spec?.nodeName) {
          this.evictionQueue.add(keyOf(pod));
          this.podQueue.add(keyOf(pod));
        }
      },
      update: (old, pod) => {
        if (!pod.spec?.nodeName) return;
        if (old.spec?.nodeName !== pod.spec.nodeName) this.podQueue.add(keyOf(pod));
        if (old.spec?.nodeName !== pod.spec.nodeName || tolerationsChanged(old, pod))
          this.evictionQueue.add(keyOf(pod));
      },
      delete: (pod) => this.evictions.delete(keyOf(pod)),
    });
    // A kubelet that starts or stops renewing changes when its node's lease can expire.
    this.stopHeartbeats = context.heartbeats?.onChange((name) => this.markDirty(name));
  }

  stop(): void {
    this.stopHeartbeats?.();
    this.passTimer?.cancel();
    this.taintTimer?.cancel();
    this.evictionTimer?.cancel();
  }

  /** The zone states the last pass computed (for tests and the README's table). */
  get zones(): ReadonlyMap<string, ZoneState> {
    return this.zoneStates;
  }

  private leaseChanged(lease: Lease): void {
    if (lease.metadata.namespace === "kube-node-lease") this.markDirty(lease.metadata.name ?? "");
  }

  private nodeChanged(node: Node): void {
    const name = node.metadata.name ?? "";
    this.nodeQueue.add(name);
    this.markDirty(name);
    for (const pod of this.podsOn(name)) this.evictionQueue.add(keyOf(pod));
  }

  private podsOn(nodeName: string): Pod[] {
    return this.pods.list().filter((pod) => pod.spec?.nodeName === nodeName);
  }

  // ---- the monitor pass grid ----

  /** The first pass time at or after `time` (strictly after when `strict`). */
  private gridAfter(time: number, strict: boolean): number {
    const period = this.options.monitorPeriodMs;
    const steps = (time - this.epoch) / period;
    let index = Math.max(0, Math.ceil(steps));
    if (strict && this.epoch + index * period <= time) index++;
    return this.epoch + index * period;
  }

  private markDirty(name: string): void {
    this.dirty.add(name);
    const now = this.context.clock.now();
    // Upstream's first pass runs as the controller starts; every later change waits for the next one.
    this.armPass(this.passes === 0 ? this.gridAfter(now, false) : this.gridAfter(now, true));
  }

  private armPass(due: number): void {
    const now = this.context.clock.now();
    if (this.passTimer && this.passTimer.due <= due && this.passTimer.due >= now) return;
    this.passTimer?.cancel();
    const cancel = this.context.clock.setTimer(Math.max(0, due - now), () => {
      this.passTimer = undefined;
      this.monitorQueue.add("monitor");
    });
    this.passTimer = { due, cancel };
  }

  /** The last sign of life as upstream's probeTimestamp: the pass that saw the latest heartbeat. */
  private probeTime(node: Node, now: number): number {
    const name = node.metadata.name ?? "";
    const lease = this.leases.get("kube-node-lease", name);
    const renewed = this.context.heartbeats?.lastRenewal(name, now);
    const candidates = [
      lease?.spec?.renewTime,
      node.status?.conditions?.find((c) => c.type === "Ready")?.lastHeartbeatTime,
    ]
      .filter((time): time is string => !!time)
      .map((time) => Date.parse(time))
      .filter((time) => !Number.isNaN(time));
    if (renewed !== undefined) candidates.push(renewed);
    let probe: number;
    if (candidates.length > 0) probe = this.gridAfter(Math.max(...candidates), false);
    else probe = Date.parse(node.metadata.creationTimestamp ?? "") || now;
    const floor = this.health.get(name)?.floor;
    return floor !== undefined ? Math.max(probe, floor) : probe;
  }

  /** monitorNodeHealth: one pass, for the nodes that need one, then the zones of every node. */
  async monitorNodeHealth(): Promise<void> {
    const dirty = this.dirty;
    this.dirty = new Set();
    try {
      await this.monitorPass(dirty);
    } catch (error) {
      // Looked at again on the retry.
      for (const name of dirty) this.dirty.add(name);
      throw error;
    }
  }

  private async monitorPass(dirty: Set<string>): Promise<void> {
    const now = this.context.clock.now();
    this.passes++;
    const nodes = this.nodes.list();
    const present = new Set<string>();

    // classifyNodes.
    const added: Node[] = [];
    const addedNames = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata.name ?? "";
      present.add(name);
      if (!this.known.has(name)) {
        added.push(node);
        addedNames.add(name);
      } else if (!this.zoneStates.has(zoneKey(node))) this.addPodEvictorForNewZone(node, now);
    }
    for (const node of added) {
      this.recorder.event(
        nodeReference(node),
        "Normal",
        "RegisteredNode",
        `Node ${node.metadata.name} event: Registered Node ${node.metadata.name} in Controller`,
      );
      this.known.set(node.metadata.name ?? "", node);
      this.addPodEvictorForNewZone(node, now);
      await this.markNodeAsReachable(node);
    }
    for (const [name, node] of this.known) {
      if (present.has(name)) continue;
      this.recorder.event(
        nodeReference(node),
        "Normal",
        "RemovingNode",
        `Node ${name} event: Removing Node ${name} from Controller`,
      );
      this.known.delete(name);
      this.health.delete(name);
      this.expiries.delete(name);
    }

    for (const node of nodes) {
      const name = node.metadata.name ?? "";
      const expiry = this.expiries.get(name);
      if (dirty.has(name) || (expiry !== undefined && expiry <= now) || addedNames.has(name)) {
        await this.updateNode(name, now);
      }
    }

    // handleDisruption over every node, with the Ready conditions as they are after this pass.
    const zoneConditions = new Map<string, { ready: number; notReady: number }>();
    const current = this.nodes.list();
    for (const node of current) {
      if (node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] !== undefined) continue;
      const zone = zoneKey(node);
      const counts = zoneConditions.get(zone) ?? { ready: 0, notReady: 0 };
      if (readyStatus(node) === "True") counts.ready++;
      else counts.notReady++;
      zoneConditions.set(zone, counts);
    }
    await this.handleDisruption(zoneConditions, current, now);
    this.kickTainters();

    let next = Number.POSITIVE_INFINITY;
    for (const due of this.expiries.values()) next = Math.min(next, due);
    if (this.dirty.size > 0) next = Math.min(next, this.gridAfter(now, true));
    if (next !== Number.POSITIVE_INFINITY) this.armPass(Math.max(next, this.gridAfter(now, true)));
  }

  /** tryUpdateNodeHealth + processTaintBaseEviction + the NodeNotReady transition, for one node. */
  private async updateNode(name: string, now: number): Promise<void> {
    const cached = this.nodes.get(undefined, name);
    if (!cached) return;
    const observed = readyStatus(cached);
    let health = this.health.get(name);
    if (!health) {
      health = {};
      this.health.set(name, health);
    }
    // Creating timestamp entry for newly observed Node: its probe time is no earlier than this pass.
    if (observed !== undefined && health.floor === undefined) health.floor = now;
    const grace = observed === undefined ? this.options.startupGraceMs : this.options.monitorGraceMs;
    const probe = this.probeTime(cached, now);
    let current = observed;
    let node = cached;
    this.expiries.delete(name);
    if (now > probe + grace) {
      if (observed !== "Unknown") {
        const updated = await this.markUnknown(cached, now);
        if (!updated) return; // Gone, or refused: skipped this pass, as upstream ("no pods will be evicted").
        node = updated;
        current = "Unknown";
      }
    } else if (!this.context.heartbeats?.isRenewing(name)) {
      // A kubelet that is still renewing cannot go silent: no expiry until it stops.
      this.expiries.set(name, this.gridAfter(probe + grace, true));
    }
    if (current === undefined) return;

    await this.processTaintBaseEviction(node, observed ?? "Unknown");
    if (current !== "True" && observed === "True") {
      // RecordNodeStatusChange, then MarkPodsNotReady.
      this.recorder.event(nodeReference(node), "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      await this.markPodsNotReady(this.podsOn(name), name);
    }
  }

  /** Every kubelet condition to Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated when it never posted one). */
  private async markUnknown(cached: Node, now: number): Promise<Node | undefined> {
    const time = toRfc3339(now);
    for (let attempt = 0; attempt < 5; attempt++) {
      let source: Node | undefined = cached;
      if (attempt > 0)
        source = await this.context.client
          .get<Node>(Nodes, undefined, cached.metadata.name ?? "")
          .catch(() => undefined);
      if (!source) return undefined;
      const node = structuredClone(source);
      node.status ??= {};
      const conditions = node.status.conditions ?? [];
      for (const type of CONDITIONS_MARKED_UNKNOWN) {
        const existing = conditions.find((condition) => condition.type === type);
        if (existing) {
          if (existing.status !== "Unknown") {
            existing.status = "Unknown";
            existing.reason = "NodeStatusUnknown";
            existing.message = "Kubelet stopped posting node status.";
            existing.lastTransitionTime = time;
          }
        } else {
          const condition: NodeCondition = {
            type,
            status: "Unknown",
            lastHeartbeatTime: node.metadata.creationTimestamp,
            lastTransitionTime: time,
            reason: "NodeStatusNeverUpdated",
            message: "Kubelet never posted node status.",
          };
          conditions.push(condition);
        }
      }
      node.status.conditions = conditions;
      try {
        return await this.context.client.update<Node>(Nodes, node, { subresource: "status" });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error)) throw error;
      }
    }
    return undefined;
  }

  /** MarkPodsNotReady: each pod's Ready condition to False, and a NodeNotReady event for it. */
  private async markPodsNotReady(pods: Pod[], nodeName: string): Promise<void> {
    const time = toRfc3339(this.context.clock.now());
    for (const cached of pods) {
      if (cached.spec?.nodeName !== nodeName) continue;
      const ready = cached.status?.conditions?.find((condition) => condition.type === "Ready");
      if (!ready || ready.status === "False") continue;
      const pod = structuredClone(cached);
      for (const condition of pod.status?.conditions ?? []) {
        if (condition.type !== "Ready") continue;
        condition.status = "False";
        condition.lastTransitionTime = time;
      }
      try {
        await this.context.client.update(Pods, pod, { subresource: "status" });
        this.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready");
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
  }

  /** processPod: a pod newly assigned to a node the last pass saw not Ready is marked not Ready. */
  private async processPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.health.has(nodeName)) return;
    const node = this.nodes.get(undefined, nodeName);
    const status = node ? readyStatus(node) : undefined;
    if (status !== undefined && status !== "True") await this.markPodsNotReady([pod], nodeName);
  }

  // ---- NoExecute tainting, per zone ----

  private addPodEvictorForNewZone(node: Node, now: number): void {
    const zone = zoneKey(node);
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, "Initial");
    this.tainters.set(zone, new RateLimitedTimedQueue(this.options.evictionRate, now));
    this.context.log(`Initializing eviction metric for zone zone=${printZone(zone)}`);
  }

  private tainter(node: Node): RateLimitedTimedQueue {
    const zone = zoneKey(node);
    let queue = this.tainters.get(zone);
    if (!queue) {
      queue = new RateLimitedTimedQueue(this.options.evictionRate, this.context.clock.now());
      this.tainters.set(zone, queue);
    }
    return queue;
  }

  private async processTaintBaseEviction(node: Node, observed: string): Promise<void> {
    const name = node.metadata.name ?? "";
    if (observed === "False") {
      if (hasTaint(node, UNREACHABLE_TAINT, "NoExecute"))
        await this.swapNoExecuteTaint(name, NOT_READY_TAINT, UNREACHABLE_TAINT);
      else this.markNodeForTainting(node, NOT_READY_TAINT);
    } else if (observed === "Unknown") {
      if (hasTaint(node, NOT_READY_TAINT, "NoExecute"))
        await this.swapNoExecuteTaint(name, UNREACHABLE_TAINT, NOT_READY_TAINT);
      else this.markNodeForTainting(node, UNREACHABLE_TAINT);
    } else if (observed === "True") {
      await this.markNodeAsReachable(node);
    }
  }

  private markNodeForTainting(node: Node, key: string): void {
    const queue = this.tainter(node);
    const name = node.metadata.name ?? "";
    if (!hasTaint(node, key, "NoExecute")) queue.remove(name);
    queue.add(name, node.metadata.uid ?? "", this.context.clock.now());
  }

  /** markNodeAsReachable: no NoExecute taint of ours, and out of the zone's queue. */
  private async markNodeAsReachable(node: Node): Promise<void> {
    const name = node.metadata.name ?? "";
    await this.changeTaints(name, (taints) => {
      const next = taints.filter(
        (taint) =>
          !(taint.effect === "NoExecute" && (taint.key === UNREACHABLE_TAINT || taint.key === NOT_READY_TAINT)),
      );
      return next.length === taints.length ? undefined : next;
    });
    this.tainter(node).remove(name);
  }

  /** SwapNodeControllerTaint: `add` (NoExecute, timeAdded now) in, `remove` out. */
  private async swapNoExecuteTaint(name: string, add: string, remove: string): Promise<boolean> {
    return this.changeTaints(name, (taints) => {
      const next = taints.filter(
        (taint) => !(taint.effect === "NoExecute" && (taint.key === remove || taint.key === add)),
      );
      next.push({ key: add, effect: "NoExecute", timeAdded: toRfc3339(this.context.clock.now()) });
      return next;
    });
  }

  /** A read-modify-write of a node's taints, retried on conflicts with a fresh read (RetryOnConflict). */
  private async changeTaints(name: string, change: (taints: Taint[]) => Taint[] | undefined): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      let source: Node | undefined = this.nodes.get(undefined, name);
      if (attempt > 0) source = await this.context.client.get<Node>(Nodes, undefined, name).catch(() => undefined);
      if (!source) return false;
      const next = change(source.spec?.taints ?? []);
      if (!next) return true;
      const node = structuredClone(source);
      node.spec = { ...(node.spec ?? {}), taints: next };
      if (next.length === 0) delete node.spec.taints;
      try {
        await this.context.client.update(Nodes, node);
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        if (!isConflict(error)) throw error;
      }
    }
    return false;
  }

  /** Queues every zone whose tainter could act now, and arms one timer for the earliest later one. */
  private kickTainters(): void {
    const now = this.context.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [zone, queue] of this.tainters) {
      const due = queue.nextDue(now);
      if (due === undefined) continue;
      if (due <= now) this.taintQueue.add(zone);
      else next = Math.min(next, due);
    }
    if (next === Number.POSITIVE_INFINITY) {
      this.taintTimer?.cancel();
      this.taintTimer = undefined;
      return;
    }
    if (this.taintTimer && this.taintTimer.due === next) return;
    this.taintTimer?.cancel();
    const cancel = this.context.clock.setTimer(next - now, () => {
      this.taintTimer = undefined;
      this.kickTainters();
    });
    this.taintTimer = { due: next, cancel };
  }

  /** doNoExecuteTaintingPass for one zone: RateLimitedTimedQueue.Try. */
  async doNoExecuteTaintingPass(zone: string): Promise<void> {
    const queue = this.tainters.get(zone);
    try {
      for (let head = queue?.head(); queue && head; head = queue.head()) {
        const now = this.context.clock.now();
        if (!queue.limiter.tryAccept(now)) break;
        if (now < head.processAt) break;
        const retryAfter = await this.taintNode(head.value);
        if (retryAfter === undefined) queue.removeFromQueue(head.value);
        else queue.replace({ ...head, processAt: now + retryAfter });
      }
    } finally {
      this.kickTainters();
    }
  }

  /** The tainting function: undefined when done, else the ms to wait before trying again. */
  private async taintNode(name: string): Promise<number | undefined> {
    const node = this.nodes.get(undefined, name);
    if (!node) return undefined; // Node no longer present in nodeLister.
    const status = readyStatus(node);
    if (status === undefined) return 50;
    // Unreachable and not-ready mirror Ready Unknown and False: they exclude each other.
    if (status === "False")
      return (await this.swapNoExecuteTaint(name, NOT_READY_TAINT, UNREACHABLE_TAINT)) ? undefined : 0;
    if (status === "Unknown")
      return (await this.swapNoExecuteTaint(name, UNREACHABLE_TAINT, NOT_READY_TAINT)) ? undefined : 0;
    return undefined; // Ready again: nothing to taint.
  }

  // ---- zones ----

  private async handleDisruption(
    zoneConditions: Map<string, { ready: number; notReady: number }>,
    nodes: readonly Node[],
    now: number,
  ): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, { ready, notReady }] of zoneConditions) {
      const state = computeZoneState(ready, notReady, this.options.unhealthyZoneThreshold);
      if (state !== "FullDisruption") allAreFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) {
        this.context.log(`Setting initial state for unseen zone zone=${printZone(zone)}`);
        this.zoneStates.set(zone, "Initial");
      }
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of this.zoneStates) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== "FullDisruption") {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;

    if (allAreFullyDisrupted) {
      this.context.log("Controller detected that all Nodes are not-Ready. Entering master disruption mode");
      for (const node of nodes) await this.markNodeAsReachable(node);
      for (const zone of this.zoneStates.keys()) this.tainters.get(zone)?.swapLimiter(0, now);
      for (const zone of this.zoneStates.keys()) this.zoneStates.set(zone, "FullDisruption");
      return;
    }
    if (allWasFullyDisrupted) {
      this.context.log("Controller detected that some Nodes are Ready. Exiting master disruption mode");
      // When exiting disruption mode update probe timestamps on all Nodes.
      for (const node of nodes) {
        const name = node.metadata.name ?? "";
        const health = this.health.get(name) ?? {};
        health.floor = now;
        this.health.set(name, health);
        if (this.expiries.has(name)) this.dirty.add(name);
      }
      for (const zone of this.zoneStates.keys()) {
        const state = newStates.get(zone) ?? "Normal";
        this.setLimiterInZone(zone, zoneConditions.get(zone), state, now);
        this.zoneStates.set(zone, state);
      }
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const newState = newStates.get(zone) ?? "Normal";
      if (state === newState) continue;
      this.context.log(
        `Controller detected that zone is now in new state zone=${printZone(zone)} newState="${newState}"`,
      );
      this.setLimiterInZone(zone, zoneConditions.get(zone), newState, now);
      this.zoneStates.set(zone, newState);
    }
  }

  private setLimiterInZone(
    zone: string,
    counts: { ready: number; notReady: number } | undefined,
    state: ZoneState,
    now: number,
  ): void {
    const size = (counts?.ready ?? 0) + (counts?.notReady ?? 0);
    const rate = zoneEvictionRate(state, size, this.options);
    if (rate !== undefined) this.tainters.get(zone)?.swapLimiter(rate, now);
  }

  // ---- NoSchedule taints (the node workers) ----

  /** doNoScheduleTaintingPass: NoSchedule taints from the node's conditions and spec.unschedulable. */
  async doNoScheduleTaintingPass(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) return;
    const conditions = node.status?.conditions ?? [];
    const wanted = new Set<string>();
    for (const entry of CONDITION_TAINTS) {
      if (conditions.some((condition) => condition.type === entry.type && condition.status === entry.status))
        wanted.add(entry.key);
    }
    if (node.spec?.unschedulable) wanted.add(UNSCHEDULABLE_TAINT);
    const ok = await this.changeTaints(name, (taints) => {
      const next = taints.filter(
        (taint) => !(taint.effect === "NoSchedule" && MANAGED_NO_SCHEDULE.has(taint.key) && !wanted.has(taint.key)),
      );
      for (const key of wanted) {
        if (!next.some((taint) => taint.key === key && taint.effect === "NoSchedule"))
          next.push({ key, effect: "NoSchedule" });
      }
      return next.length === taints.length && next.every((taint, index) => taint === taints[index]) ? undefined : next;
    });
    if (!ok && this.nodes.get(undefined, name)) throw new Error(`failed to swap taints of node ${name}`);
  }

  // ---- taint eviction ----

  private armEvictionTimer(): void {
    let due = Number.POSITIVE_INFINITY;
    for (const time of this.evictions.values()) due = Math.min(due, time);
    if (due === Number.POSITIVE_INFINITY) {
      this.evictionTimer?.cancel();
      this.evictionTimer = undefined;
      return;
    }
    if (this.evictionTimer && this.evictionTimer.due === due) return;
    this.evictionTimer?.cancel();
    const cancel = this.context.clock.setTimer(Math.max(0, due - this.context.clock.now()), () => {
      this.evictionTimer = undefined;
      const now = this.context.clock.now();
      for (const [key, time] of this.evictions) if (time <= now) this.evictionQueue.add(key);
      this.armEvictionTimer();
    });
    this.evictionTimer = { due, cancel };
  }

  /** The taint eviction controller's handling of one pod. */
  async syncPodEviction(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    const node = nodeName ? this.nodes.get(undefined, nodeName) : undefined;
    const noExecute = (node?.spec?.taints ?? []).filter((taint) => taint.effect === "NoExecute");
    if (!pod || pod.metadata.deletionTimestamp || !node || noExecute.length === 0) {
      if (this.evictions.delete(key)) this.armEvictionTimer();
      return;
    }
    const now = this.context.clock.now();
    const { all, used } = tolerationsForTaints(pod.spec?.tolerations ?? [], noExecute);
    let due: number;
    if (!all) {
      due = now;
    } else {
      const toleration = minTolerationMs(used);
      if (toleration === Number.POSITIVE_INFINITY) {
        if (this.evictions.delete(key)) this.armEvictionTimer();
        return;
      }
      // Measured from when the earliest of these taints was added (upstream: the taint's timeAdded).
      const added = Math.min(...noExecute.map((taint) => (taint.timeAdded ? Date.parse(taint.timeAdded) : now)));
      due = added + toleration;
    }
    if (due > now) {
      this.evictions.set(key, due);
      this.armEvictionTimer();
      return;
    }
    this.evictions.delete(key);
    this.armEvictionTimer();
    this.recorder.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${namespace}/${name}`);
    await this.addDisruptionCondition(pod);
    try {
      await this.context.client.delete(Pods, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** 1.32 marks the pod with DisruptionTarget (DeletionByTaintManager) before deleting it. */
  private async addDisruptionCondition(cached: Pod): Promise<void> {
    if (cached.status?.conditions?.some((condition) => condition.type === "DisruptionTarget")) return;
    const pod = structuredClone(cached);
    pod.status ??= {};
    pod.status.conditions = [
      ...(pod.status.conditions ?? []),
      {
        type: "DisruptionTarget",
        status: "True",
        lastTransitionTime: toRfc3339(this.context.clock.now()),
        reason: "DeletionByTaintManager",
        message: "Taint manager: deleting due to NoExecute taint",
      },
    ];
    try {
      await this.context.client.update(Pods, pod, { subresource: "status" });
    } catch {
      // Best effort, as upstream: the deletion matters, the condition is informative.
    }
  }
}

function tolerationsChanged(a: Pod, b: Pod): boolean {
  return JSON.stringify(a.spec?.tolerations ?? []) !== JSON.stringify(b.spec?.tolerations ?? []);
}

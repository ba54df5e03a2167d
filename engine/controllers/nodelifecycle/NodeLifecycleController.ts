import type { Lease } from "../../api/coordination";
import type { Node, NodeCondition, Pod, Taint } from "../../api/core";
import { Leases, Nodes, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isConflict, isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";
import { minTolerationMs, tolerationsForTaints } from "../shared/tolerations";

/** node-monitor-grace-period in 1.32. */
export const NODE_MONITOR_GRACE_MS = 50_000;

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

/**
 * pkg/controller/nodelifecycle and its taint-eviction controller. A node whose Lease (and status
 * heartbeat) is older than the grace period turns Ready=Unknown with every kubelet condition
 * Unknown; Ready False/Unknown nodes get the not-ready/unreachable taints (NoSchedule and
 * NoExecute); pods that do not tolerate a node's NoExecute taints are deleted, immediately or when
 * their shortest tolerationSeconds runs out. Instead of upstream's 5 s monitor loop, a single clock
 * timer is armed for the next moment something is due (a lease expiring, an eviction).
 */
export class NodeLifecycleController {
  private readonly nodeQueue: WorkQueue;
  private readonly evictionQueue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly nodes;
  private readonly leases;
  private readonly pods;
  /** Pod key → when it must be evicted (ms). */
  private readonly evictions = new Map<string, number>();
  private leaseTimer?: { due: number; cancel: () => void };
  private evictionTimer?: { due: number; cancel: () => void };
  private stopHeartbeats?: () => void;

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("node-controller");
    this.nodes = context.informer<Node>(Nodes);
    this.leases = context.informer<Lease>(Leases);
    this.pods = context.informer<Pod>(Pods);
    this.nodeQueue = context.loop("node-lifecycle", (name) => this.syncNode(name));
    this.evictionQueue = context.loop("taint-eviction", (key) => this.syncPodEviction(key));

    this.nodes.addHandlers({
      add: (node) => this.nodeChanged(node),
      update: (_old, node) => this.nodeChanged(node),
      delete: (node) => {
        for (const pod of this.podsOn(node.metadata.name ?? "")) this.evictionQueue.add(keyOf(pod));
      },
    });
    this.leases.addHandlers({
      add: (lease) => this.leaseChanged(lease),
      update: (_old, lease) => this.leaseChanged(lease),
    });
    this.pods.addHandlers({
      add: (pod) => {
        if (pod.spec?.nodeName) this.evictionQueue.add(keyOf(pod));
      },
      update: (old, pod) => {
        if (pod.spec?.nodeName && (old.spec?.nodeName !== pod.spec.nodeName || tolerationsChanged(old, pod)))
          this.evictionQueue.add(keyOf(pod));
      },
      delete: (pod) => this.evictions.delete(keyOf(pod)),
    });
    // A kubelet that starts or stops renewing changes when its node's lease can expire.
    this.stopHeartbeats = context.heartbeats?.onChange((name) => this.nodeQueue.add(name));
  }

  stop(): void {
    this.stopHeartbeats?.();
    this.leaseTimer?.cancel();
    this.evictionTimer?.cancel();
  }

  private leaseChanged(lease: Lease): void {
    if (lease.metadata.namespace === "kube-node-lease") this.nodeQueue.add(lease.metadata.name ?? "");
  }

  private nodeChanged(node: Node): void {
    this.nodeQueue.add(node.metadata.name ?? "");
    for (const pod of this.podsOn(node.metadata.name ?? "")) this.evictionQueue.add(keyOf(pod));
  }

  private podsOn(nodeName: string): Pod[] {
    return this.pods.list().filter((pod) => pod.spec?.nodeName === nodeName);
  }

  /** The last sign of life: the Lease's renewTime or the Ready condition's heartbeat, whichever is later. */
  private lastHeartbeat(node: Node): number | undefined {
    const lease = this.leases.get("kube-node-lease", node.metadata.name ?? "");
    const renewed = this.context.heartbeats?.lastRenewal(node.metadata.name ?? "", this.context.clock.now());
    const candidates = [
      renewed !== undefined ? new Date(renewed).toISOString() : undefined,
      lease?.spec?.renewTime,
      node.status?.conditions?.find((condition) => condition.type === "Ready")?.lastHeartbeatTime,
      node.metadata.creationTimestamp,
    ]
      .filter((time): time is string => !!time)
      .map((time) => Date.parse(time))
      .filter((time) => !Number.isNaN(time));
    return candidates.length ? Math.max(...candidates) : undefined;
  }

  /** monitorNodeHealth + the tainting passes, for one node. */
  async syncNode(name: string): Promise<void> {
    const cached = this.nodes.get(undefined, name);
    if (!cached) return;
    const node = structuredClone(cached);
    const now = this.context.clock.now();
    const heartbeat = this.lastHeartbeat(node) ?? now;
    const expires = heartbeat + NODE_MONITOR_GRACE_MS;
    const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");

    if (now >= expires && ready?.status !== "Unknown") {
      await this.markUnknown(node, now);
      return; // The status update comes back as an event and taints follow on that sync.
    }
    // A lease whose kubelet is still renewing cannot expire: no timer until it stops.
    if (now < expires && !this.context.heartbeats?.isRenewing(name)) this.armLeaseTimer(expires);

    await this.reconcileTaints(node, now);
  }

  private async markUnknown(node: Node, now: number): Promise<void> {
    const time = toRfc3339(now);
    node.status ??= {};
    const conditions = node.status.conditions ?? [];
    const everReported = conditions.length > 0;
    for (const type of CONDITIONS_MARKED_UNKNOWN) {
      const existing = conditions.find((condition) => condition.type === type);
      const reason = existing ? "NodeStatusUnknown" : "NodeStatusNeverUpdated";
      const message = existing ? "Kubelet stopped posting node status." : "Kubelet never posted node status.";
      if (existing) {
        if (existing.status !== "Unknown") existing.lastTransitionTime = time;
        existing.status = "Unknown";
        existing.reason = reason;
        existing.message = message;
      } else {
        const condition: NodeCondition = {
          type,
          status: "Unknown",
          lastHeartbeatTime: time,
          lastTransitionTime: time,
          reason,
          message,
        };
        conditions.push(condition);
      }
    }
    node.status.conditions = conditions;
    try {
      await this.context.client.update(Nodes, node, { subresource: "status" });
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) throw error;
      throw error;
    }
    if (everReported) {
      this.recorder.event(node, "Normal", "NodeNotReady", `Node ${node.metadata.name} status is now: NodeNotReady`);
      await this.markPodsNotReady(node.metadata.name ?? "");
    }
  }

  /** MarkPodsNotReady: pods on an unresponsive node are no longer Ready (so endpoints drop them). */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const time = toRfc3339(this.context.clock.now());
    for (const cached of this.podsOn(nodeName)) {
      const ready = cached.status?.conditions?.find((condition) => condition.type === "Ready");
      if (!ready || ready.status === "False") continue;
      const pod = structuredClone(cached);
      for (const condition of pod.status?.conditions ?? []) {
        if (condition.type === "Ready" || condition.type === "ContainersReady") {
          condition.status = "False";
          condition.lastTransitionTime = time;
        }
      }
      try {
        await this.context.client.update(Pods, pod, { subresource: "status" });
        this.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready");
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
  }

  /** doNoScheduleTaintingPass + doNoExecuteTaintingPass. */
  private async reconcileTaints(node: Node, now: number): Promise<void> {
    const conditions = node.status?.conditions ?? [];
    const wantedNoSchedule = new Set<string>();
    for (const entry of CONDITION_TAINTS) {
      if (conditions.some((condition) => condition.type === entry.type && condition.status === entry.status))
        wantedNoSchedule.add(entry.key);
    }
    if (node.spec?.unschedulable) wantedNoSchedule.add(UNSCHEDULABLE_TAINT);
    const ready = conditions.find((condition) => condition.type === "Ready");
    const wantedNoExecute =
      ready?.status === "False" ? NOT_READY_TAINT : ready?.status === "Unknown" ? UNREACHABLE_TAINT : undefined;

    const taints = node.spec?.taints ?? [];
    const next: Taint[] = [];
    for (const taint of taints) {
      if (taint.effect === "NoSchedule" && MANAGED_NO_SCHEDULE.has(taint.key) && !wantedNoSchedule.has(taint.key))
        continue;
      if (
        taint.effect === "NoExecute" &&
        (taint.key === NOT_READY_TAINT || taint.key === UNREACHABLE_TAINT) &&
        taint.key !== wantedNoExecute
      )
        continue;
      next.push(taint);
    }
    for (const key of wantedNoSchedule) {
      if (!next.some((taint) => taint.key === key && taint.effect === "NoSchedule"))
        next.push({ key, effect: "NoSchedule" });
    }
    if (wantedNoExecute && !next.some((taint) => taint.key === wantedNoExecute && taint.effect === "NoExecute")) {
      next.push({ key: wantedNoExecute, effect: "NoExecute", timeAdded: toRfc3339(now) });
    }
    if (JSON.stringify(next) === JSON.stringify(taints)) return;
    node.spec = { ...(node.spec ?? {}), taints: next };
    if (next.length === 0) delete node.spec.taints;
    await this.context.client.update(Nodes, node);
  }

  /** Arms the one lease timer for the earliest expiry still ahead. */
  private armLeaseTimer(due: number): void {
    if (this.leaseTimer && this.leaseTimer.due <= due && this.leaseTimer.due > this.context.clock.now()) return;
    this.leaseTimer?.cancel();
    const cancel = this.context.clock.setTimer(due - this.context.clock.now(), () => {
      this.leaseTimer = undefined;
      // Re-examine every node: whichever expired turns Unknown, the rest re-arm the timer.
      for (const node of this.nodes.list()) this.nodeQueue.add(node.metadata.name ?? "");
    });
    this.leaseTimer = { due, cancel };
  }

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

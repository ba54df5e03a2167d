import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition } from "../api/core";
import {
  Namespaces,
  Nodes,
  PersistentVolumeClaims,
  PersistentVolumes,
  Pods,
  PriorityClasses,
  ReplicaSets,
  Services,
  StatefulSets,
  StorageClasses,
} from "../api/resources";
import type { PriorityClass } from "../api/scheduling";
import type { StorageClass } from "../api/storage";
import type { GroupVersionResource, KubeObject } from "../api/types";
import { createSeriesEventRecorder, type SeriesEventRecorder } from "../client/eventSeries";
import { toRfc3339 } from "../clock/Clock";
import type { Component, ComponentContext } from "../cluster/Component";
import { SchedulerCache } from "./cache/SchedulerCache";
import { fitErrorMessage } from "./framework/FitError";
import { type Explanation, Framework } from "./framework/Framework";
import { newPodInfo, type PodInfo } from "./framework/PodInfo";
import type { Status } from "./framework/Status";
import type { ClusterEvent, CycleState, Handle, PluginFactory, QueuedPodInfo } from "./framework/types";
import { type ObjectWatch, watchObjects } from "./internal/watchObjects";
import { defaultPlugins } from "./plugins/registry";
import { defaultRowPath } from "./plugins/rowPath";
import { SchedulingQueue } from "./queue/SchedulingQueue";

/** The scheduler name pods ask for by default, and the name events are reported under. */
export const defaultSchedulerName = "default-scheduler";
/**
 * The teaching annotation: why the pod landed where it did. A pod opts in by carrying it (the value
 * `explainRequest` by convention); the scheduler then replaces the value with its record. See README.md.
 */
export const explainAnnotation = "scheduler.kubelab.dev/explain";
/** The value a manifest sets to ask for the record (`scheduler.kubelab.dev/explain: "request"`). */
export const explainRequest = "request";

export interface SchedulerOptions {
  /**
   * Record per-node filter verdicts and scores on every pod (default: off; only pods that carry
   * the explain annotation get the record, so a plain pod looks and costs as on a real cluster).
   */
  explain?: boolean;
  /** Plugins of the profile (default: the upstream default plugins). */
  plugins?: PluginFactory[];
  /** Tie-breaking randomness (tests pass a seeded one). */
  random?: () => number;
  /** The host name in reportingInstance (`default-scheduler-controlplane`). */
  hostname?: string;
  /**
   * At most this many pods are scheduled in one turn of the event loop (default 128): the bound
   * on a clock whose time stands still within a turn (the VirtualClock).
   */
  batchSize?: number;
  /**
   * Milliseconds of the clock one turn may take before the loop yields (default 20), counting the
   * API writes the turn's pods set off (bindings, status updates, events), so a burst of pods —
   * 100,000 of which do not fit, say — never holds the event loop for long.
   */
  turnBudgetMs?: number;
}

/** Bindings the loop lets pile up before it waits for them, at least (see `bindingCostMs`). */
const minBindingsPerSettle = 4;

/** A running scheduler, with views for tests and the benchmark. */
export interface SchedulerComponent extends Component {
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  /** Resolves when every watch has delivered its first list. */
  readonly synced: Promise<void>;
  /** Pods bound so far by this scheduler. */
  readonly scheduledCount: number;
}

/**
 * Starts kube-scheduler: informers on pods (pending ones feed the queue, bound ones the cache),
 * nodes and the objects plugins consult; a loop that pops the queue and runs the framework's
 * scheduling cycle synchronously, then binds asynchronously while the next pod is scheduled.
 */
export function startScheduler(ctx: ComponentContext, options: SchedulerOptions = {}): SchedulerComponent {
  return new Scheduler(ctx, options);
}

const noPods: readonly PodInfo[] = [];
const assignedPodAdd: ClusterEvent = { resource: "AssignedPod", action: "Add" };
const terminal = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const assigned = (pod: Pod) => Boolean(pod.spec?.nodeName);
const responsible = (pod: Pod) => (pod.spec?.schedulerName || defaultSchedulerName) === defaultSchedulerName;

class Scheduler implements SchedulerComponent {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly synced: Promise<void>;
  scheduledCount = 0;
  private readonly framework: Framework;
  private readonly events: SeriesEventRecorder;
  private readonly watches: Array<ObjectWatch<KubeObject>> = [];
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNodeOf = new Map<string, string>();
  private readonly priorityClasses = new Map<string, PriorityClass>();
  private readonly explain: boolean;
  private stopped = false;
  private readonly pods: ObjectWatch<Pod>;
  private readonly namespaces: ObjectWatch<KubeObject>;
  private readonly claims: ObjectWatch<PersistentVolumeClaim>;
  private readonly volumes: ObjectWatch<PersistentVolume>;
  private readonly storageClasses: ObjectWatch<StorageClass>;
  private readonly workloadWatches: Array<ObjectWatch<KubeObject>> = [];
  /** Binding cycles started since the loop last waited for them. */
  private readonly bindings = new Set<Promise<void>>();
  /**
   * What one binding takes of the clock (its writes and what they set off), a moving average
   * measured as the loop waits for them. Pessimistic until measured.
   */
  private bindingCostMs = 1;

  constructor(
    private readonly ctx: ComponentContext,
    private readonly options: SchedulerOptions,
  ) {
    this.explain = options.explain ?? false;
    const hostname = options.hostname ?? "controlplane";
    // Upstream's scheduler records through the events.k8s.io broadcaster (client-go tools/events):
    // events.k8s.io/v1 Events whose repeats count in an EventSeries, written on the second
    // occurrence, every 30 minutes while the series is open and once it has been quiet for 6; it
    // neither combines similar messages nor drops events by a per-object spam filter as
    // tools/record's EventCorrelator does.
    this.events = createSeriesEventRecorder(ctx.client, ctx.clock, {
      reportingController: defaultSchedulerName,
      reportingInstance: `${defaultSchedulerName}-${hostname}`,
    });
    const handle = this.handle();
    // The row path stands for default plugins, so it comes with the default profile only.
    this.framework = options.plugins
      ? new Framework(options.plugins, handle, options.random)
      : new Framework(defaultPlugins, handle, options.random, 0, defaultRowPath);
    const pluginEvents = new Map<string, ClusterEvent[]>();
    for (const plugin of this.framework.plugins) if (plugin.events) pluginEvents.set(plugin.name, plugin.events);
    this.queue = new SchedulingQueue({
      clock: ctx.clock,
      less: (a, b) => this.framework.less(a, b),
      admit: (info) => this.framework.preEnqueue(info) === null,
      pluginEvents,
    });

    const syncs: Promise<void>[] = [];
    const watch = <T extends KubeObject>(
      gvr: GroupVersionResource,
      handlers: Parameters<typeof watchObjects<T>>[3],
    ) => {
      let resolve!: () => void;
      syncs.push(new Promise<void>((r) => (resolve = r)));
      const watcher = watchObjects<T>(ctx.client, ctx.clock, gvr, { ...handlers, synced: resolve });
      this.watches.push(watcher as unknown as ObjectWatch<KubeObject>);
      return watcher;
    };
    watch<PriorityClass>(PriorityClasses, {
      add: (pc) => this.priorityClasses.set(pc.metadata.name ?? "", pc),
      update: (_old, pc) => this.priorityClasses.set(pc.metadata.name ?? "", pc),
      delete: (pc) => this.priorityClasses.delete(pc.metadata.name ?? ""),
    });
    this.namespaces = watch(Namespaces, {});
    const onEvent = (event: ClusterEvent) => () => this.queue.onEvent(event);
    this.claims = watch<PersistentVolumeClaim>(PersistentVolumeClaims, {
      add: onEvent({ resource: "PersistentVolumeClaim", action: "Add" }),
      update: onEvent({ resource: "PersistentVolumeClaim", action: "Update" }),
    });
    this.volumes = watch<PersistentVolume>(PersistentVolumes, {
      add: onEvent({ resource: "PersistentVolume", action: "Add" }),
      update: onEvent({ resource: "PersistentVolume", action: "Update" }),
    });
    this.storageClasses = watch<StorageClass>(StorageClasses, {
      add: onEvent({ resource: "StorageClass", action: "Add" }),
    });
    for (const gvr of [Services, ReplicaSets, StatefulSets]) this.workloadWatches.push(watch(gvr, {}));
    watch<Node>(Nodes, {
      add: (node) => {
        this.cache.addOrUpdateNode(node);
        this.queue.onEvent({ resource: "Node", action: "Add" });
      },
      update: (old, node) => {
        this.cache.addOrUpdateNode(node);
        if (nodeSchedulingPropertiesChanged(old, node)) this.queue.onEvent({ resource: "Node", action: "Update" });
      },
      delete: (node) => {
        this.cache.removeNode(node.metadata.name ?? "");
        this.queue.onEvent({ resource: "Node", action: "Delete" });
      },
    });
    this.pods = watch<Pod>(Pods, {
      add: (pod) => this.podAdded(pod),
      update: (old, pod) => this.podUpdated(old, pod),
      delete: (pod) => this.podDeleted(pod),
    });
    this.synced = Promise.all(syncs).then(() => undefined);
    void this.run();
  }

  stop() {
    this.stopped = true;
    this.queue.close();
    for (const watcher of this.watches) watcher.stop();
    this.events.stop();
  }

  // ---- informer handlers (upstream eventhandlers.go) ----

  private priorityOf(pod: Pod): number {
    if (pod.spec?.priority !== undefined) return pod.spec.priority;
    const className = pod.spec?.priorityClassName;
    if (className) return this.priorityClasses.get(className)?.value ?? 0;
    for (const pc of this.priorityClasses.values()) if (pc.globalDefault) return pc.value;
    return 0;
  }

  private info(pod: Pod): PodInfo {
    return newPodInfo(pod, this.priorityOf(pod));
  }

  private podAdded(pod: Pod) {
    if (terminal(pod)) return;
    if (assigned(pod)) {
      this.cache.addOrUpdatePod(this.info(pod), pod.spec?.nodeName ?? "");
      this.queue.onEvent({ resource: "AssignedPod", action: "Add" });
      return;
    }
    if (!responsible(pod) || pod.metadata.deletionTimestamp) return;
    const info = this.info(pod);
    this.updateNomination(info);
    this.queue.add(info);
  }

  private podUpdated(old: Pod, pod: Pod) {
    if (terminal(pod)) {
      if (!terminal(old)) this.podDeleted(old);
      return;
    }
    if (assigned(pod)) {
      const uid = pod.metadata.uid ?? "";
      // Our own binding coming back: the assumed PodInfo was built from `old`, and a binding changes
      // nothing it derives from, so the cache only swaps the object in (no second newPodInfo).
      if (!assigned(old) && this.cache.confirmAssumedPod(uid, pod, old, pod.spec?.nodeName ?? "")) {
        this.clearNomination(uid);
        this.queue.delete(uid);
        this.queue.onEvent(assignedPodAdd);
        return;
      }
      const info = this.info(pod);
      this.clearNomination(info.uid);
      if (!assigned(old)) this.queue.delete(info.uid);
      this.cache.addOrUpdatePod(info, pod.spec?.nodeName ?? "");
      if (!assigned(old)) this.queue.onEvent({ resource: "AssignedPod", action: "Add" });
      // Kubelets post status all the time; only a change that can free room or alter affinity and
      // spreading (upstream's UpdatePodScaleDown / UpdatePodLabel) is worth retrying pods for.
      else if (assignedPodChangeMatters(old, pod)) this.queue.onEvent({ resource: "AssignedPod", action: "Update" });
      return;
    }
    if (!responsible(pod)) return;
    const info = this.info(pod);
    if (pod.metadata.deletionTimestamp) {
      this.clearNomination(info.uid);
      this.queue.delete(info.uid);
      return;
    }
    this.updateNomination(info);
    this.queue.update(info, podSpecChanged(old, pod));
  }

  private podDeleted(pod: Pod) {
    const uid = pod.metadata.uid ?? "";
    this.clearNomination(uid);
    if (assigned(pod)) {
      this.cache.removePod(uid);
      this.queue.onEvent({ resource: "AssignedPod", action: "Delete" });
    } else {
      this.queue.delete(uid);
    }
  }

  private updateNomination(info: PodInfo, nodeName = info.pod.status?.nominatedNodeName) {
    this.clearNomination(info.uid);
    if (!nodeName) return;
    let pods = this.nominated.get(nodeName);
    if (!pods) {
      pods = new Map();
      this.nominated.set(nodeName, pods);
    }
    pods.set(info.uid, info);
    this.nominatedNodeOf.set(info.uid, nodeName);
  }

  private clearNomination(uid: string) {
    const nodeName = this.nominatedNodeOf.get(uid);
    if (nodeName === undefined) return;
    this.nominatedNodeOf.delete(uid);
    const pods = this.nominated.get(nodeName);
    pods?.delete(uid);
    if (pods?.size === 0) this.nominated.delete(nodeName);
  }

  // ---- the scheduling loop ----

  /**
   * Pops and schedules pods until the queue is empty, then waits for it. A turn ends (a zero-delay
   * timer of the Clock: in hosted clusters, the cluster's turn) after `batchSize` pods or once the
   * turn has used `turnBudgetMs` of the clock. In-process API calls never yield on their own, so
   * without this a burst of 128 pods that each write a binding and an event, or a status and an
   * event, ran as one turn of hundreds of milliseconds. Bindings are asynchronous (the next pod is
   * scheduled while they are in flight, as upstream's binding goroutines), so the loop lets them
   * complete every few pods before it reads the clock: their writes count in the turn that
   * issued them.
   */
  private async run() {
    await this.synced;
    const clock = this.ctx.clock;
    const batchSize = this.options.batchSize ?? 128;
    const budget = this.options.turnBudgetMs ?? 20;
    let sinceYield = 0;
    let turnStart = clock.now();
    while (!this.stopped) {
      let pod = this.queue.tryPop();
      if (!pod) {
        if (this.bindings.size > 0) {
          await this.settleBindings();
          continue;
        }
        pod = await this.queue.pop();
        // Woken by whoever queued the pod: a turn of its own as far as this loop is concerned.
        sinceYield = 0;
        turnStart = clock.now();
      }
      if (!pod || this.stopped) return;
      try {
        const pending = this.scheduleOne(pod);
        if (pending) await pending;
      } catch (error) {
        this.ctx.log(`scheduling ${pod.info.key} failed unexpectedly: ${error instanceof Error ? error.stack : error}`);
        this.queue.requeueAfterFailure(pod, new Set());
      }
      // Bindings in flight may take at most half the budget unseen: a few against the API server
      // (a write and its watch deliveries each), a whole batch against a cheap fake.
      const settleAt = Math.max(minBindingsPerSettle, Math.floor(budget / 2 / this.bindingCostMs));
      if (this.bindings.size >= settleAt) await this.settleBindings();
      if (++sinceYield >= batchSize || clock.now() - turnStart >= budget) {
        await this.settleBindings();
        // Let watches, the API's clients and other clusters run before the next pods.
        await new Promise<void>((resolve) => clock.setTimer(0, resolve));
        sinceYield = 0;
        turnStart = clock.now();
      }
    }
  }

  /** Waits for the bindings in flight (in-process, they complete within the turn) and measures them. */
  private async settleBindings() {
    const count = this.bindings.size;
    if (count === 0) return;
    const inFlight = [...this.bindings];
    this.bindings.clear();
    const start = this.ctx.clock.now();
    await Promise.all(inFlight);
    const cost = (this.ctx.clock.now() - start) / count;
    // The clock reads whole milliseconds: the average sees through that; the floor keeps it finite.
    this.bindingCostMs = Math.max(0.01, 0.75 * this.bindingCostMs + 0.25 * cost);
  }

  /** One scheduling cycle; returns a promise only when the failure path needs to await (PostFilter). */
  private scheduleOne(queued: QueuedPodInfo): Promise<void> | undefined {
    const info = queued.info;
    const current = this.pods.getByKey(info.key);
    if (
      !current ||
      current.metadata.uid !== info.pod.metadata.uid ||
      assigned(current) ||
      current.metadata.deletionTimestamp
    ) {
      this.queue.done(info.uid);
      return undefined;
    }
    if (this.cache.isAssumed(info.uid)) {
      this.queue.done(info.uid);
      return undefined;
    }
    const state = this.framework.newCycleState();
    const explain = this.explain || explainAnnotation in (current.metadata.annotations ?? {});
    const result = this.framework.schedulePod(state, info, explain);
    if (!result.ok) {
      return this.handleFailure(queued, state, {
        statuses: result.statuses,
        preFilterMessage: result.preFilterMessage,
        unschedulablePlugins: result.unschedulablePlugins,
        error: result.error,
        absentStatus: result.absentStatus,
        explanation: result.explanation,
      });
    }
    const nodeName = result.nodeName;
    this.cache.assumePod(info, nodeName);
    const rejected =
      this.framework.runReserve(state, info, nodeName) ?? this.framework.runPermit(state, info, nodeName);
    if (rejected) {
      this.framework.runUnreserve(state, info, nodeName);
      this.cache.forgetPod(info.uid);
      return this.handleFailure(queued, state, {
        statuses: new Map(),
        preFilterMessage: "",
        unschedulablePlugins: new Set([rejected.plugin]),
        error: rejected.message(),
      });
    }
    this.bindings.add(
      this.bindingCycle(queued, state, nodeName, result.explanation).catch((error) =>
        this.ctx.log(`binding ${info.key} failed unexpectedly: ${error instanceof Error ? error.stack : error}`),
      ),
    );
    return undefined;
  }

  private async bindingCycle(queued: QueuedPodInfo, state: CycleState, nodeName: string, explanation?: Explanation) {
    const info = queued.info;
    const preBind = this.framework.runPreBind(state, info, nodeName);
    const status = (preBind && (await preBind)) ?? (await this.framework.runBind(state, info, nodeName));
    if (status) {
      this.framework.runUnreserve(state, info, nodeName);
      this.cache.forgetPod(info.uid);
      // The room the pod held is free again (upstream: AssignedPodDelete after a binding failure).
      this.queue.onEvent({ resource: "AssignedPod", action: "Delete" });
      await this.handleFailure(queued, state, {
        statuses: new Map(),
        preFilterMessage: "",
        unschedulablePlugins: new Set(),
        error: `Binding rejected: ${status.message()}`,
      });
      return;
    }
    this.queue.done(info.uid);
    this.scheduledCount++;
    this.events.event(info.pod, "Normal", "Scheduled", "Binding", `Successfully assigned ${info.key} to ${nodeName}`);
    if (explanation) await this.annotate(info, explanation);
  }

  private async handleFailure(
    queued: QueuedPodInfo,
    state: CycleState,
    failure: {
      statuses: Map<string, Status>;
      preFilterMessage: string;
      unschedulablePlugins: Set<string>;
      error?: string;
      absentStatus?: Status;
      explanation?: Explanation;
    },
  ) {
    const info = queued.info;
    let message: string;
    let nominatedNodeName: string | undefined;
    let reason = "Unschedulable";
    if (failure.error !== undefined) {
      message = failure.error;
      reason = "SchedulerError";
    } else {
      const post = await this.framework.runPostFilter(state, info, failure.statuses);
      nominatedNodeName = post.nominatedNodeName;
      message = fitErrorMessage(
        this.cache.nodes().length,
        failure.statuses,
        failure.preFilterMessage,
        post.message,
        failure.absentStatus,
      );
    }
    if (nominatedNodeName) this.updateNomination(info, nominatedNodeName);
    this.queue.requeueAfterFailure(queued, failure.error !== undefined ? new Set() : failure.unschedulablePlugins);
    // A pod deleted meanwhile gets no event or status (there is nothing left to explain it on).
    const current = this.pods.getByKey(info.key);
    if (this.stopped || current?.metadata.uid !== info.pod.metadata.uid) return;
    this.events.event(info.pod, "Warning", "FailedScheduling", "Scheduling", message);
    await this.updatePodStatus(info, reason, message, nominatedNodeName);
    if (failure.explanation) await this.annotate(info, failure.explanation);
  }

  /** PodScheduled=False with the reason and message, and the nominated node, written only when they change. */
  private async updatePodStatus(info: PodInfo, reason: string, message: string, nominatedNodeName?: string) {
    const pod = this.pods.getByKey(info.key) ?? info.pod;
    const conditions = pod.status?.conditions ?? [];
    const existing = conditions.find((c) => c.type === "PodScheduled");
    const nominationChanged = nominatedNodeName !== undefined && pod.status?.nominatedNodeName !== nominatedNodeName;
    if (
      existing?.status === "False" &&
      existing.reason === reason &&
      existing.message === message &&
      !nominationChanged
    )
      return;
    const condition: PodCondition = {
      type: "PodScheduled",
      status: "False",
      lastProbeTime: null,
      lastTransitionTime: existing?.status === "False" ? existing.lastTransitionTime : toRfc3339(this.ctx.clock.now()),
      reason,
      message,
    };
    const patch: Record<string, unknown> = {
      conditions: [...conditions.filter((c) => c.type !== "PodScheduled"), condition],
    };
    if (nominationChanged) patch.nominatedNodeName = nominatedNodeName;
    try {
      await this.ctx.client.patch(
        Pods,
        info.namespace,
        info.pod.metadata.name ?? "",
        "merge",
        { status: patch },
        {
          subresource: "status",
        },
      );
    } catch (error) {
      this.ctx.log(`could not update status of pod ${info.key}: ${error instanceof Error ? error.message : error}`);
    }
  }

  private async annotate(info: PodInfo, explanation: Explanation) {
    const compact = compactExplanation(explanation);
    try {
      await this.ctx.client.patch(Pods, info.namespace, info.pod.metadata.name ?? "", "merge", {
        metadata: { annotations: { [explainAnnotation]: JSON.stringify(compact) } },
      });
    } catch {
      // The pod may be gone; the explanation is only for teaching.
    }
  }

  // ---- the framework's handle ----

  private handle(): Handle {
    const self = this;
    return {
      clock: this.ctx.clock,
      client: this.ctx.client,
      nodes: () => self.cache.nodes(),
      node: (name) => self.cache.node(name),
      namespaceLabels: (namespace) => self.namespaces.get(undefined, namespace)?.metadata.labels,
      persistentVolumeClaim: (namespace, name) => self.claims.get(namespace, name),
      persistentVolumes: () => self.volumes.values(),
      storageClass: (name) => self.storageClasses.get(undefined, name),
      *workloads(namespace) {
        // Through the informers' namespace index: a pod's cycle must not walk every namespace's workloads.
        for (const watcher of self.workloadWatches) {
          if (watcher.size > 0) yield* watcher.inNamespace(namespace);
        }
      },
      runFilters: (state, pod, node) => self.framework.runFilters(state, pod, node),
      event: (regarding, type, reason, action, note, related) =>
        self.events.event(regarding, type, reason, action, note, related),
      imageNodeCount: (image) => self.cache.imageNodeCounts.get(image) ?? 0,
      preferNoScheduleTaintedNodes: () => self.cache.preferNoScheduleTaintedNodes,
      nominatedPods: (nodeName) => {
        if (self.nominated.size === 0) return noPods;
        const pods = self.nominated.get(nodeName);
        return pods ? [...pods.values()] : noPods;
      },
      hasNominatedPods: () => self.nominated.size > 0,
      nodesWithAffinityPods: () => self.cache.nodesWithAffinityPods.values(),
      nodesWithRequiredAntiAffinityPods: () => self.cache.nodesWithRequiredAntiAffinityPods.values(),
    };
  }
}

/** Did a node change in a way that can make a pod fit (not a heartbeat, not its image list)? */
function nodeSchedulingPropertiesChanged(old: Node, node: Node): boolean {
  return (
    JSON.stringify(old.metadata.labels) !== JSON.stringify(node.metadata.labels) ||
    JSON.stringify(old.spec) !== JSON.stringify(node.spec) ||
    JSON.stringify(old.status?.allocatable) !== JSON.stringify(node.status?.allocatable)
  );
}

/** Did a bound pod's labels or resource requests change (not just its status)? */
function assignedPodChangeMatters(old: Pod, pod: Pod): boolean {
  return (
    JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels) ||
    JSON.stringify(old.spec?.containers?.map((c) => c.resources)) !==
      JSON.stringify(pod.spec?.containers?.map((c) => c.resources)) ||
    JSON.stringify(old.spec?.initContainers?.map((c) => c.resources)) !==
      JSON.stringify(pod.spec?.initContainers?.map((c) => c.resources))
  );
}

/** Upstream `isPodUpdated` ignores resourceVersion, generation, managed fields and status. */
function podSpecChanged(old: Pod, pod: Pod): boolean {
  return (
    JSON.stringify(old.spec) !== JSON.stringify(pod.spec) ||
    JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels) ||
    JSON.stringify(withoutExplain(old.metadata.annotations)) !==
      JSON.stringify(withoutExplain(pod.metadata.annotations))
  );
}

function withoutExplain(annotations: Record<string, string> | undefined) {
  if (!annotations || !(explainAnnotation in annotations)) return annotations;
  const { [explainAnnotation]: _ignored, ...rest } = annotations;
  return rest;
}

/** At most 20 nodes in the annotation: the chosen one, then the best scored, then rejections. */
function compactExplanation(explanation: Explanation) {
  const scored = Object.entries(explanation.scores).sort((a, b) => (b[1].total ?? 0) - (a[1].total ?? 0));
  return {
    chosen: explanation.chosen,
    scores: Object.fromEntries(scored.slice(0, 10)),
    rejected: Object.fromEntries(Object.entries(explanation.rejected).slice(0, 10)),
  };
}

import type { NodeInfo } from "./NodeInfo";
import type { PodInfo } from "./PodInfo";
import type { RowPath, RowPathFactory } from "./RowPath";
import { Code, type MaybeStatus, Status } from "./Status";
import {
  CycleState,
  type FilterFunction,
  type Handle,
  type NodeScore,
  type Plugin,
  type PluginFactory,
  type QueuedPodInfo,
} from "./types";

/** Upstream's adaptive sampling constants (`schedule_one.go`). */
const minFeasibleNodesToFind = 100;
const minFeasibleNodesPercentageToFind = 5;
const basePercentageOfNodesToScore = 50;
/** How many nodes ahead the filter loop touches (see schedulePod). */
const prefetchDistance = 6;

/** Why a pod landed where it did, per node (the teaching "explain" record). */
export interface Explanation {
  /** Filter verdicts of rejected nodes: node → `Plugin: reason`. */
  rejected: Record<string, string>;
  /** Weighted scores of feasible nodes: node → plugin → score, plus `total`. */
  scores: Record<string, Record<string, number>>;
  chosen?: string;
}

export type ScheduleResult =
  | { ok: true; nodeName: string; evaluated: number; feasible: number; explanation?: Explanation }
  | {
      ok: false;
      /** Filter statuses of rejected nodes (absent nodes were excluded by PreFilter). */
      statuses: Map<string, Status>;
      preFilterMessage: string;
      unschedulablePlugins: Set<string>;
      /** An internal error rather than a fit failure. */
      error?: string;
      /** Status for nodes a PreFilter result excluded. */
      absentStatus?: Status;
      explanation?: Explanation;
    };

/**
 * One scheduling profile: the plugins of each extension point in registry order, and the
 * scheduling cycle (`schedulePod`: PreFilter → Filter over a rotating sample of nodes → PreScore
 * → Score → NormalizeScore → weighted sum → highest score, ties broken at random).
 */
export class Framework {
  readonly plugins: Plugin[];
  private readonly weights = new Map<string, number>();
  private readonly preFilters: Plugin[];
  private readonly filters: Plugin[];
  private readonly filterFunctions = new Map<Plugin, FilterFunction>();
  private readonly postFilters: Plugin[];
  private readonly preScores: Plugin[];
  private readonly scorers: Plugin[];
  private readonly reservers: Plugin[];
  private readonly permitters: Plugin[];
  private readonly preBinders: Plugin[];
  private readonly binders: Plugin[];
  private readonly queueSort?: Plugin;
  private readonly preEnqueuers: Plugin[];
  private readonly rowPath?: RowPath;
  private readonly scan = { found: 0 };
  /** The node list the row arrays were built from, and per node its row's chunk and offset. */
  private rowsOf?: NodeInfo[];
  private rowData: Float64Array[] = [];
  private rowBase = new Int32Array(0);
  private nextStartNodeIndex = 0;
  /** The sum of the filter loop's look-ahead reads, stored so they are not dead code (see schedulePod). */
  lookahead = 0;
  private totals = new Float64Array(0);
  private readonly feasible: NodeInfo[] = [];
  private readonly scores: NodeScore[] = [];
  private readonly scorePool: NodeScore[] = [];

  constructor(
    factories: PluginFactory[],
    private readonly handle: Handle,
    private readonly random: () => number = Math.random,
    /** `percentageOfNodesToScore`; 0 means adaptive, as upstream's default. */
    private readonly percentageOfNodesToScore = 0,
    /** A shortcut for cycles that only need what NodeTable rows hold (see RowPath.ts); none by default. */
    rowPath?: RowPathFactory,
  ) {
    this.plugins = factories.map((factory) => {
      this.weights.set(factory.name, factory.weight ?? 1);
      return factory.create(handle);
    });
    const having = (point: keyof Plugin) => this.plugins.filter((p) => typeof p[point] === "function");
    this.preFilters = having("preFilter");
    this.filters = having("filter");
    for (const plugin of this.filters) {
      this.filterFunctions.set(plugin, (plugin.filter as FilterFunction).bind(plugin));
    }
    this.postFilters = having("postFilter");
    this.preScores = having("preScore");
    this.scorers = having("score");
    this.reservers = having("reserve");
    this.permitters = having("permit");
    this.preBinders = having("preBind");
    this.binders = having("bind");
    this.queueSort = having("less")[0];
    this.preEnqueuers = having("preEnqueue");
    this.rowPath = rowPath?.((plugin) => this.weight(plugin));
  }

  weight(plugin: string): number {
    return this.weights.get(plugin) ?? 1;
  }

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.queueSort?.less ? this.queueSort.less(a, b) : a.timestamp < b.timestamp;
  }

  /** PreEnqueue: the first plugin that objects keeps the pod out of activeQ. */
  preEnqueue(pod: PodInfo): MaybeStatus {
    for (const plugin of this.preEnqueuers) {
      const status = plugin.preEnqueue?.(pod.pod) ?? null;
      if (status && status.code !== Code.Success) return status.withPlugin(plugin.name);
    }
    return null;
  }

  /** Filters then scores the nodes for one pod; synchronous, reads the cache directly. */
  schedulePod(state: CycleState, pod: PodInfo, explain = false): ScheduleResult {
    const allNodes = this.handle.nodes();
    const statuses = new Map<string, Status>();
    const unschedulablePlugins = new Set<string>();
    const explanation: Explanation | undefined = explain ? { rejected: {}, scores: {} } : undefined;
    if (allNodes.length === 0) {
      // Upstream's ErrNoNodesAvailable: not a fit error, so no PostFilter; the pod retries after back-off.
      return {
        ok: false,
        statuses,
        preFilterMessage: "",
        unschedulablePlugins,
        error: "no nodes available to schedule pods",
      };
    }

    // PreFilter
    let allowed: Set<string> | undefined;
    for (const plugin of this.preFilters) {
      const { status, result } = plugin.preFilter?.(state, pod) ?? { status: null };
      if (status && status.code === Code.Skip) {
        state.skipFilter.add(plugin.name);
        continue;
      }
      if (status && status.code !== Code.Success) {
        status.withPlugin(plugin.name);
        if (status.code === Code.Error) {
          return { ok: false, statuses, preFilterMessage: "", unschedulablePlugins, error: status.message() };
        }
        unschedulablePlugins.add(plugin.name);
        for (const node of allNodes) statuses.set(node.name, status);
        return { ok: false, statuses, preFilterMessage: status.message(), unschedulablePlugins, explanation };
      }
      if (result?.nodeNames) {
        allowed = allowed ? new Set([...allowed].filter((n) => result.nodeNames?.has(n))) : new Set(result.nodeNames);
      }
    }
    const withNominated = this.handle.hasNominatedPods();

    // A node nominated for the pod by an earlier preemption is tried first, alone (upstream's
    // evaluateNominatedNode): it is likely the only one with room.
    const nominatedNodeName = pod.pod.status?.nominatedNodeName;
    const nominatedNode = nominatedNodeName ? this.handle.node(nominatedNodeName) : undefined;
    if (nominatedNode) {
      const status = withNominated
        ? this.runFiltersWithNominatedPods(state, pod, nominatedNode)
        : this.runFilters(state, pod, nominatedNode);
      if (status === null) {
        if (explanation) explanation.chosen = nominatedNode.name;
        return { ok: true, nodeName: nominatedNode.name, evaluated: 1, feasible: 1, explanation };
      }
      // Upstream logs the error and goes on with every node.
      if (status.code !== Code.Error) this.reject(nominatedNode, status, statuses, unschedulablePlugins, explanation);
    }

    // Filter over a rotating window, stopping once enough feasible nodes are found.
    const candidates = allowed ? allNodes.filter((n) => allowed?.has(n.name)) : allNodes;
    const count = candidates.length;
    const wanted = this.numFeasibleNodesToFind(count);
    // Reused across cycles (plugins only read it during the cycle): no 500-slot array per pod.
    // Its length only changes when the number of feasible nodes does, so its storage stays.
    const feasible = this.feasible;
    let found = 0;
    let error: string | undefined;
    // As upstream, the window starts where the previous cycle stopped, also over a PreFilter's
    // narrowed list (the index is kept modulo all nodes, used modulo the candidates).
    const start = count === 0 ? 0 : this.nextStartNodeIndex % count;
    // The row path reads the nodes' rows through arrays in node order and never touches a NodeInfo
    // that fits: a cycle walks 500 nodes of a cluster-sized working set, so what it reads per node
    // is what it costs.
    const rows = allowed ? undefined : this.rowPathFor(state, pod, withNominated, explanation);
    if (rows !== undefined) this.syncRows(allNodes);
    const rowData = this.rowData;
    const rowBase = this.rowBase;
    if (this.totals.length < wanted) this.totals = new Float64Array(wanted);
    const totals = this.totals;
    // Reading a node a few places ahead starts its (likely cold) cache line loading while this
    // node's filters run; the sum only keeps the read from being optimized away.
    let lookahead = 0;
    for (let i = 0; i < count && found < wanted; i++) {
      if (rows !== undefined) {
        // The nodes that fit on rows, in a loop of its own (see scanRows); it stops at the first
        // node the rows cannot pass, which the plugins then decide below.
        const scan = this.scan;
        scan.found = found;
        i = scanRows(rows, rowData, rowBase, candidates, start, i, count, wanted, feasible, totals, scan);
        found = scan.found;
        if (i >= count || found >= wanted) break;
      }
      let index = start + i;
      if (index >= count) index -= count;
      if (rows === undefined) {
        let ahead = index + prefetchDistance;
        if (ahead >= count) ahead %= count;
        lookahead += candidates[ahead].base;
      }
      const node = candidates[index];
      const status = withNominated
        ? this.runFiltersWithNominatedPods(state, pod, node)
        : this.runFilters(state, pod, node);
      if (status === null) {
        if (rows !== undefined) totals[found] = rows.score(rowData[index], rowBase[index]);
        feasible[found++] = node;
      } else if (status.code === Code.Error) {
        error = status.message();
        break;
      } else {
        this.reject(node, status, statuses, unschedulablePlugins, explanation);
      }
    }
    if (feasible.length !== found) feasible.length = found;
    this.lookahead = lookahead;
    // Upstream counts the nodes it looked at as feasible ones plus recorded statuses (the nominated
    // node's included), and advances the start by that much, modulo all nodes, even after an error.
    this.nextStartNodeIndex = (this.nextStartNodeIndex + found + statuses.size) % allNodes.length;
    if (error !== undefined) {
      return { ok: false, statuses, preFilterMessage: "", unschedulablePlugins, error };
    }
    const absentStatus = allowed
      ? Status.unresolvable(
          `node(s) didn't satisfy plugin(s) [${[...unschedulablePlugins, "NodeAffinity"].filter((v, i, a) => a.indexOf(v) === i).join(" ")}]`,
        )
      : undefined;
    if (found === 0) {
      return { ok: false, statuses, preFilterMessage: "", unschedulablePlugins, absentStatus, explanation };
    }
    const evaluated = found + statuses.size;
    if (found === 1) {
      if (explanation) explanation.chosen = feasible[0].name;
      return { ok: true, nodeName: feasible[0].name, evaluated, feasible: 1, explanation };
    }

    // PreScore, Score, NormalizeScore, weights.
    for (const plugin of this.preScores) {
      const status = plugin.preScore?.(state, pod, feasible) ?? null;
      if (status?.code === Code.Skip) state.skipScore.add(plugin.name);
      else if (status && status.code !== Code.Success) {
        return { ok: false, statuses, preFilterMessage: "", unschedulablePlugins, error: status.message() };
      }
    }
    // With the row path the totals were summed while filtering; they stand when the cycle's
    // scorers are exactly the row path's.
    if (rows === undefined || !this.scoresOnRows(state)) {
      totals.fill(0, 0, found);
      this.scoreOnPlugins(state, pod, feasible, totals, explanation);
    }
    // Highest total; among equals, each has the same chance (as upstream's reservoir sampling in
    // selectHost, with one random draw: count the ties, then take the k-th of them).
    let best = 0;
    let ties = 1;
    for (let i = 1; i < found; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
      }
    }
    if (ties > 1) {
      const top = totals[best];
      let k = Math.floor(this.random() * ties);
      for (let i = 0; i < found; i++) {
        if (totals[i] === top && k-- === 0) {
          best = i;
          break;
        }
      }
    }
    if (explanation) {
      for (let i = 0; i < found; i++) nodeScores(explanation, feasible[i].name).total = totals[i];
      explanation.chosen = feasible[best].name;
    }
    return { ok: true, nodeName: feasible[best].name, evaluated, feasible: found, explanation };
  }

  /** Brings the row arrays in line with the node list (which is only appended to or replaced). */
  private syncRows(nodes: NodeInfo[]) {
    if (nodes === this.rowsOf && nodes.length === this.rowData.length) return;
    const rowData: Float64Array[] = [];
    const rowBase = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      rowData.push(nodes[i].data);
      rowBase[i] = nodes[i].base;
    }
    this.rowsOf = nodes;
    this.rowData = rowData;
    this.rowBase = rowBase;
  }

  private reject(
    node: NodeInfo,
    status: Status,
    statuses: Map<string, Status>,
    unschedulablePlugins: Set<string>,
    explanation: Explanation | undefined,
  ) {
    statuses.set(node.name, status);
    unschedulablePlugins.add(status.plugin);
    if (explanation) explanation.rejected[node.name] = `${status.plugin}: ${status.message()}`;
  }

  /**
   * The row path, prepared for this pod, when the cycle's Filters are all ones it covers (and
   * nothing needs per-node records or nominated pods' room); otherwise undefined.
   */
  private rowPathFor(
    state: CycleState,
    pod: PodInfo,
    withNominated: boolean,
    explanation: Explanation | undefined,
  ): RowPath | undefined {
    const path = this.rowPath;
    if (path === undefined || withNominated || explanation) return undefined;
    for (const plugin of this.filters) {
      if (!state.skipFilter.has(plugin.name) && !path.filterPlugins.has(plugin.name)) return undefined;
    }
    return path.prepare(pod) ? path : undefined;
  }

  /** Are the cycle's scorers (after PreScore skips) exactly the row path's? */
  private scoresOnRows(state: CycleState): boolean {
    const covered = (this.rowPath as RowPath).scorePlugins;
    let active = 0;
    for (const plugin of this.scorers) {
      if (state.skipScore.has(plugin.name)) continue;
      if (!covered.has(plugin.name)) return false;
      active++;
    }
    return active === covered.size;
  }

  /** Every Score plugin not skipped, normalized and weighted, added into `totals`. */
  private scoreOnPlugins(
    state: CycleState,
    pod: PodInfo,
    feasible: NodeInfo[],
    totals: Float64Array,
    explanation: Explanation | undefined,
  ) {
    for (const plugin of this.scorers) {
      if (state.skipScore.has(plugin.name)) continue;
      const score = plugin.score as NonNullable<Plugin["score"]>;
      const weight = this.weight(plugin.name);
      if (!plugin.normalizeScore && !explanation) {
        // No NormalizeScore and nothing to record: the weighted score goes straight into the sum.
        for (let i = 0; i < feasible.length; i++) totals[i] += score(state, pod, feasible[i]) * weight;
        continue;
      }
      const scores = this.scoreRecords(feasible);
      for (let i = 0; i < feasible.length; i++) scores[i].score = score(state, pod, feasible[i]);
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < feasible.length; i++) {
        const weighted = scores[i].score * weight;
        totals[i] += weighted;
        if (explanation) nodeScores(explanation, feasible[i].name)[plugin.name] = weighted;
      }
    }
  }

  /**
   * The score records NormalizeScore works on, one per feasible node; reused across cycles (a
   * 5,000-node cluster would otherwise allocate hundreds of them per pod).
   */
  private scoreRecords(feasible: NodeInfo[]): NodeScore[] {
    const scores = this.scores;
    while (this.scorePool.length < feasible.length) this.scorePool.push({ name: "", score: 0 });
    scores.length = feasible.length;
    for (let i = 0; i < feasible.length; i++) {
      const record = this.scorePool[i];
      record.name = feasible[i].name;
      record.score = 0;
      scores[i] = record;
    }
    return scores;
  }

  /**
   * `numFeasibleNodesToFind`: all nodes under 100, else an adaptive share (50% − nodes/125, at
   * least 5%), and never fewer than 100.
   */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
    let percentage = this.percentageOfNodesToScore;
    if (percentage <= 0) {
      // Integer arithmetic, as upstream's int32s: 130 nodes give 49 %, not 48.96 %.
      percentage = basePercentageOfNodesToScore - Math.trunc(numAllNodes / 125);
      if (percentage < minFeasibleNodesPercentageToFind) percentage = minFeasibleNodesPercentageToFind;
    }
    const count = Math.trunc((numAllNodes * percentage) / 100);
    return Math.max(count, minFeasibleNodesToFind);
  }

  /** Every Filter plugin, stopping at the first rejection; `null` when the node fits. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    let filters = state.filters;
    let functions = state.filterFunctions;
    if (!filters || !functions) {
      filters = this.filters.filter((plugin) => !state.skipFilter.has(plugin.name));
      // The methods themselves, looked up once per cycle rather than once per node and plugin.
      functions = filters.map((plugin) => this.filterFunctions.get(plugin) as FilterFunction);
      state.filters = filters;
      state.filterFunctions = functions;
    }
    for (let i = 0; i < functions.length; i++) {
      const status = functions[i](state, pod, node);
      if (status !== null && status.code !== Code.Success) return status.withPlugin(filters[i].name);
    }
    return null;
  }

  /**
   * As upstream, a node must also fit with the pods nominated to it (of equal or higher priority)
   * counted, so a preemptor's room is not taken by a lower-priority pod meanwhile.
   */
  private runFiltersWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const nominated = this.handle.nominatedPods(node.name);
    if (nominated.length > 0) {
      const others = nominated.filter((p) => p.uid !== pod.uid && p.priority >= pod.priority);
      if (others.length > 0) {
        const withNominated = node.clone();
        for (const other of others) withNominated.addPod(other);
        const status = this.runFilters(state, pod, withNominated);
        if (status) return status;
      }
    }
    return this.runFilters(state, pod, node);
  }

  async runPostFilter(
    state: CycleState,
    pod: PodInfo,
    statuses: Map<string, Status>,
  ): Promise<{ message: string; nominatedNodeName?: string }> {
    for (const plugin of this.postFilters) {
      const { status, nominatedNodeName } = (await plugin.postFilter?.(state, pod, statuses)) ?? { status: null };
      if (status === null || status.code === Code.Success) return { message: "", nominatedNodeName };
      // Unschedulable: the next PostFilter plugin may still help; any other code ends the phase.
      if (status.code !== Code.Unschedulable || plugin === this.postFilters[this.postFilters.length - 1]) {
        return { message: status.message() };
      }
    }
    return { message: "" };
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const plugin of this.reservers) {
      const status = plugin.reserve?.(state, pod, nodeName) ?? null;
      if (status && status.code !== Code.Success) return status.withPlugin(plugin.name);
    }
    return null;
  }

  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string) {
    for (const plugin of [...this.reservers].reverse()) plugin.unreserve?.(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: PodInfo, nodeName: string): Status | null {
    for (const plugin of this.permitters) {
      const status = plugin.permit?.(state, pod, nodeName) ?? null;
      if (status && status.code !== Code.Success) return status.withPlugin(plugin.name);
    }
    return null;
  }

  /**
   * PreBind, or `null` at once when no plugin has anything to pre-bind: a plugin whose PreFilter
   * skipped the pod (VolumeBinding for a pod without claims) is skipped here too, as upstream's
   * PreBindPreFlight does, so a plain pod's binding cycle awaits nothing before Bind.
   */
  runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> | null {
    const preBinders = this.preBinders.filter((plugin) => !state.skipFilter.has(plugin.name));
    return preBinders.length === 0 ? null : this.runPreBinders(preBinders, state, pod, nodeName);
  }

  private async runPreBinders(
    preBinders: Plugin[],
    state: CycleState,
    pod: PodInfo,
    nodeName: string,
  ): Promise<Status | null> {
    for (const plugin of preBinders) {
      const status = (await plugin.preBind?.(state, pod, nodeName)) ?? null;
      if (status && status.code !== Code.Success) return status.withPlugin(plugin.name);
    }
    return null;
  }

  /** Bind: the first binder that does not skip decides. */
  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status | null> {
    for (const plugin of this.binders) {
      const status = (await plugin.bind?.(state, pod, nodeName)) ?? null;
      if (status?.code === Code.Skip) continue;
      return status ? status.withPlugin(plugin.name) : null;
    }
    return Status.error("no bind plugin bound the pod");
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}

/**
 * The row path's loop: from window position `i`, appends each node whose row fits (with its
 * total score, computed while the row is in cache and used if PreScore leaves only the covered
 * scorers) until `wanted` are found, the window ends, or a row does not fit; returns that
 * position. A function of its own so the optimizing compiler inlines the row path's `fits` and
 * `score` into this small loop (inside schedulePod its inlining budget runs out).
 */
function scanRows(
  rows: RowPath,
  rowData: Float64Array[],
  rowBase: Int32Array,
  candidates: NodeInfo[],
  start: number,
  i: number,
  count: number,
  wanted: number,
  feasible: NodeInfo[],
  totals: Float64Array,
  scan: { found: number },
): number {
  let found = scan.found;
  for (; i < count && found < wanted; i++) {
    let index = start + i;
    if (index >= count) index -= count;
    const data = rowData[index];
    const base = rowBase[index];
    if (!rows.fits(data, base)) break;
    totals[found] = rows.score(data, base);
    feasible[found++] = candidates[index];
  }
  scan.found = found;
  return i;
}

function nodeScores(explanation: Explanation, node: string): Record<string, number> {
  let scores = explanation.scores[node];
  if (!scores) {
    scores = {};
    explanation.scores[node] = scores;
  }
  return scores;
}

import { Pods } from "../../../api/resources";
import { toRfc3339 } from "../../../clock/Clock";
import { fitErrorMessage } from "../../framework/FitError";
import type { NodeInfo } from "../../framework/NodeInfo";
import type { PodInfo } from "../../framework/PodInfo";
import { Code, Status } from "../../framework/Status";
import type { CycleState, Handle, Plugin, PluginFactory } from "../../framework/types";

export const name = "DefaultPreemption";
export const reasonNotHelpful = "Preemption is not helpful for scheduling";
export const reasonNoVictims = "No preemption victims found for incoming pod";

interface Candidate {
  node: NodeInfo;
  victims: PodInfo[];
}

/**
 * PostFilter: when no node fits, find nodes where evicting lower-priority pods would make room,
 * choose the one that hurts least (lowest highest-victim priority, then smallest priority sum,
 * then fewest victims), evict its victims through the API and nominate the node. When no node
 * qualifies, its message explains why per node, as upstream's `preemption: 0/N nodes are available: …`.
 */
export const DefaultPreemption: PluginFactory = {
  name,
  create: (handle): Plugin => ({
    name,
    async postFilter(state, pod, statuses) {
      const eligibility = eligible(handle, pod, statuses);
      if (eligibility) return { status: Status.unschedulable(eligibility) };
      const nodes = handle.nodes();
      const nodeStatuses = new Map<string, Status>();
      const candidates: Candidate[] = [];
      for (const node of nodes) {
        const status = statuses.get(node.name);
        if (!status || status.code === Code.UnschedulableAndUnresolvable) {
          nodeStatuses.set(node.name, Status.unresolvable(reasonNotHelpful));
          continue;
        }
        const result = selectVictims(handle, state, pod, node);
        if (result instanceof Status) nodeStatuses.set(node.name, result);
        else candidates.push({ node, victims: result });
      }
      if (candidates.length === 0) {
        const message = fitErrorMessage(nodes.length, nodeStatuses, "", "");
        return { status: Status.unschedulable(`preemption: ${message}`) };
      }
      const best = pickCandidate(candidates);
      for (const victim of best.victims) await evict(handle, victim, pod, best.node.name);
      return { status: null, nominatedNodeName: best.node.name };
    },
  }),
};

function eligible(handle: Handle, pod: PodInfo, statuses: Map<string, Status>): string | undefined {
  if (pod.pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
  const nominated = pod.pod.status?.nominatedNodeName;
  if (nominated && statuses.get(nominated)?.code !== Code.UnschedulableAndUnresolvable) {
    const node = handle.node(nominated);
    for (const existing of node?.pods.values() ?? []) {
      if (existing.pod.metadata.deletionTimestamp && existing.priority < pod.priority) {
        return "not eligible due to a terminating pod on the nominated node.";
      }
    }
  }
  return undefined;
}

/** Removes every lower-priority pod, checks the pod fits, then reprieves victims from the most important down. */
function selectVictims(handle: Handle, state: CycleState, pod: PodInfo, node: NodeInfo): PodInfo[] | Status {
  const potential = [...node.pods.values()]
    .filter((existing) => existing.priority < pod.priority)
    .sort((a, b) => b.priority - a.priority || startTime(a) - startTime(b));
  if (potential.length === 0) return Status.unresolvable(reasonNoVictims);
  const trial = node.clone();
  for (const victim of potential) trial.removePod(victim.uid);
  state.preempting = true;
  try {
    const fits = handle.runFilters(state, pod, trial);
    if (fits) return fits;
    const victims: PodInfo[] = [];
    for (const victim of potential) {
      trial.addPod(victim);
      if (handle.runFilters(state, pod, trial)) {
        trial.removePod(victim.uid);
        victims.push(victim);
      }
    }
    return victims;
  } finally {
    state.preempting = false;
  }
}

function pickCandidate(candidates: Candidate[]): Candidate {
  const key = (c: Candidate) => {
    const highest = Math.max(...c.victims.map((v) => v.priority));
    const sum = c.victims.reduce((total, v) => total + v.priority + 2 ** 31, 0);
    return [highest, sum, c.victims.length];
  };
  let best = candidates[0];
  let bestKey = key(best);
  for (const candidate of candidates.slice(1)) {
    const candidateKey = key(candidate);
    for (let i = 0; i < candidateKey.length; i++) {
      if (candidateKey[i] < bestKey[i]) {
        best = candidate;
        bestKey = candidateKey;
        break;
      }
      if (candidateKey[i] > bestKey[i]) break;
    }
  }
  return best;
}

async function evict(handle: Handle, victim: PodInfo, preemptor: PodInfo, nodeName: string) {
  const { namespace } = victim;
  const victimName = victim.pod.metadata.name ?? "";
  try {
    const conditions = (victim.pod.status?.conditions ?? []).filter((c) => c.type !== "DisruptionTarget");
    conditions.push({
      type: "DisruptionTarget",
      status: "True",
      lastTransitionTime: toRfc3339(handle.clock.now()),
      reason: "PreemptionByScheduler",
      message: "default-scheduler: preempting to accommodate a higher priority pod",
    });
    await handle.client.patch(
      Pods,
      namespace,
      victimName,
      "merge",
      { status: { conditions } },
      { subresource: "status" },
    );
  } catch {
    // The condition is informative; eviction proceeds without it.
  }
  try {
    await handle.client.delete(Pods, namespace, victimName, { preconditions: { uid: victim.uid } });
    handle.event(
      victim.pod,
      "Normal",
      "Preempted",
      "Preempting",
      `Preempted by pod ${preemptor.uid} on node ${nodeName}`,
      preemptor.pod,
    );
  } catch {
    // Already gone: the room is made either way.
  }
}

function startTime(info: PodInfo): number {
  const start = info.pod.status?.startTime;
  return start ? Date.parse(start) : Number.POSITIVE_INFINITY;
}

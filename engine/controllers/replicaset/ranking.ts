import type { Pod } from "../../api/core";
import { isPodReady, maxContainerRestarts, podReadyTime } from "../shared/pods";

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * controller.ActivePodsWithRanks' ordering: which pods a ReplicaSet deletes first when it scales
 * down. `rank` counts the related pods on the same node (doubled-up pods go first); `now` drives
 * the logarithmic buckets of LogarithmicScaleDown (on by default since 1.22).
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  // 1. Unassigned < assigned.
  const assignedA = !!a.spec?.nodeName;
  const assignedB = !!b.spec?.nodeName;
  if (assignedA !== assignedB) return assignedA ? 1 : -1;
  // 2. Pending < Unknown < Running.
  const phaseA = PHASE_ORDER[a.status?.phase ?? "Pending"] ?? 0;
  const phaseB = PHASE_ORDER[b.status?.phase ?? "Pending"] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  // 3. Not ready < ready.
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  // 4. Lower pod-deletion-cost < higher.
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  // 5. Doubled up (higher rank) < not doubled up.
  if (rankA !== rankB) return rankB - rankA;
  // 6. Ready for less time < ready for longer (in logarithmic buckets).
  if (readyA && readyB) {
    const timeA = podReadyTime(a);
    const timeB = podReadyTime(b);
    if (timeA !== timeB) {
      const order = compareLogarithmic(timeA, timeB, now);
      if (order !== 0) return order;
      return (a.metadata.uid ?? "") < (b.metadata.uid ?? "") ? -1 : 1;
    }
  }
  // 7. More restarts < fewer restarts.
  const restartsA = maxContainerRestarts(a);
  const restartsB = maxContainerRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  // 8. Newer < older.
  const createdA = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : undefined;
  const createdB = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : undefined;
  if (createdA !== createdB) {
    const order = compareLogarithmic(createdA, createdB, now);
    if (order !== 0) return order;
    return (a.metadata.uid ?? "") < (b.metadata.uid ?? "") ? -1 : 1;
  }
  return 0;
}

function deletionCost(pod: Pod): number {
  const value = Number(pod.metadata.annotations?.["controller.kubernetes.io/pod-deletion-cost"]);
  return Number.isInteger(value) ? value : 0;
}

/**
 * logarithmicRankDiff with afterOrZero for unknown times: compares floor(log2(age in ns)) so pods
 * of similar age count as equal and the tie is broken by UID, spreading deletions.
 */
function compareLogarithmic(timeA: number | undefined, timeB: number | undefined, now: number): number {
  if (timeA === undefined) return timeB === undefined ? 0 : -1;
  if (timeB === undefined) return 1;
  const bucket = (time: number) => {
    const ageNs = (now - time) * 1e6;
    return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
  };
  return bucket(timeA) - bucket(timeB);
}

/**
 * getPodsToDelete: ranks `pods` by the number of `related` pods (the same owner family) on their
 * node and returns the first `count` to delete.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now: number): Pod[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const pod of related) {
    const node = pod.spec?.nodeName;
    if (node && !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed")
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: Pod) => (pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0);
  const ranked = pods.map((pod) => ({ pod, rank: rank(pod) }));
  ranked.sort((x, y) => comparePodsForDeletion(x.pod, y.pod, x.rank, y.rank, now));
  return ranked.slice(0, count).map((entry) => entry.pod);
}

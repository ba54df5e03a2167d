import type { Taint, Toleration } from "../../api/core";

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** Whether every taint is tolerated; also returns the tolerations that matched. */
export function tolerationsForTaints(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const matching = tolerations.filter((toleration) => toleratesTaint(toleration, taint));
    if (matching.length === 0) return { all: false, used };
    used.push(...matching);
  }
  return { all: true, used };
}

/**
 * getMinTolerationTime: the shortest tolerationSeconds among the matching tolerations, in ms;
 * Infinity when all of them tolerate forever; 0 for negative values.
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const toleration of used) {
    if (toleration.tolerationSeconds === undefined || toleration.tolerationSeconds === null) continue;
    min = Math.min(min, Math.max(0, toleration.tolerationSeconds) * 1000);
  }
  return min;
}

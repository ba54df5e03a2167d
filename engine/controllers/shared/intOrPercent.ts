import type { IntOrString } from "../../api/core";

/**
 * intstr.GetScaledValueFromIntOrPercent: an absolute number, or a percentage of `total` rounded up
 * (`roundUp`) or down. Returns undefined for a malformed value, which callers treat as an error.
 */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    const asNumber = Number(value);
    return Number.isInteger(asNumber) ? asNumber : undefined;
  }
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * deploymentutil.ResolveFenceposts: surge rounds up, unavailable rounds down, and both zero means one
 * unavailable so that a rollout can make progress.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? "25%", desired, true) ?? 0;
  let unavailable = scaledValue(maxUnavailable ?? "25%", desired, false) ?? 0;
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

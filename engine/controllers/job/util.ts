import type { Job, JobCondition } from "../../api/batch";

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
export const COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
/** Failures of the pod's index before it (backoffLimitPerIndex), and those a podFailurePolicy ignored. */
export const INDEX_FAILURE_COUNT_ANNOTATION = "batch.kubernetes.io/job-index-failure-count";
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = "batch.kubernetes.io/job-index-ignored-failure-count";
/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 360_000;

/** batch.JobControllerName: the `spec.managedBy` value that leaves a Job to this controller. */
export const JOB_CONTROLLER_NAME = "kubernetes.io/job-controller";

/**
 * managedByExternalController: the name of the controller a Job is delegated to through
 * `spec.managedBy` (JobManagedBy, beta and on by default in 1.32), or undefined when the built-in
 * job controller owns it (the field unset or `kubernetes.io/job-controller`).
 */
export function managedByExternalController(job: Job): string | undefined {
  const manager = job.spec?.managedBy;
  return manager !== undefined && manager !== null && manager !== JOB_CONTROLLER_NAME ? manager : undefined;
}

/** Whether the job has a terminal condition (Complete or Failed) that is True. */
export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some(
    (condition) => (condition.type === "Complete" || condition.type === "Failed") && condition.status === "True",
  );
}

/** The time the job finished (its Complete/Failed condition's transition), in ms. */
export function jobFinishTime(job: Job): number | undefined {
  const condition = (job.status?.conditions ?? []).find(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
  return condition?.lastTransitionTime ? Date.parse(condition.lastTransitionTime) : undefined;
}

export function jobCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((condition) => condition.type === type);
}

/**
 * getRemainingTime of the pod failure back-off: 10 s doubling per consecutive failure since the
 * last success, capped at six minutes, counted from the last failure.
 */
export function backoffRemainingMs(failuresAfterLastSuccess: number, lastFailureTime: number, now: number): number {
  if (failuresAfterLastSuccess === 0) return 0;
  let backoff = BACKOFF_BASE_MS;
  for (let i = 1; i < failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff > BACKOFF_MAX_MS) {
      backoff = BACKOFF_MAX_MS;
      break;
    }
  }
  const elapsed = now - lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

/** Parses a completedIndexes/failedIndexes string (`1,3-5`) into a set. */
export function parseIndexes(text: string | undefined): Set<number> {
  const result = new Set<number>();
  for (const part of (text ?? "").split(",")) {
    if (!part) continue;
    const [from, to] = part.split("-").map(Number);
    if (!Number.isInteger(from)) continue;
    for (let i = from; i <= (Number.isInteger(to) ? to : from); i++) result.add(i);
  }
  return result;
}

/** Renders an index set as intervals (`1,3-5`, `7,8`), as the Job status does. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    // Two neighbours print as a pair (`5,6`), three or more as a range (`5-7`), as orderedIntervals.String().
    if (i === j) parts.push(`${sorted[i]}`);
    else if (j === i + 1) parts.push(`${sorted[i]},${sorted[j]}`);
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

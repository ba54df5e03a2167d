import type { Job, JobCondition, JobStatus } from "../../api/batch";
import type { Pod } from "../../api/core";
import { Jobs, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { BURST_REPLICAS, createPodFromTemplate, deletePod } from "../replicaset/ReplicaSetController";
import { podsToDelete } from "../replicaset/ranking";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { claimObjects, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { Expectations } from "../shared/expectations";
import { canonicalJson } from "../shared/hash";
import { selectorFromLabelSelector } from "../shared/labels";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { isPodActive, isPodReady, keyOf, splitKey } from "../shared/pods";
import { slowStartBatch } from "../shared/slowStart";
import { matchPodFailurePolicy } from "./podFailurePolicy";
import {
  backoffRemainingMs,
  COMPLETION_INDEX_ANNOTATION,
  formatIndexes,
  isJobFinished,
  JOB_TRACKING_FINALIZER,
  jobCondition,
  parseIndexes,
} from "./util";

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime: number;
}

const MESSAGES = {
  backoffLimit: ["BackoffLimitExceeded", "Job has reached the specified backoff limit"],
  deadline: ["DeadlineExceeded", "Job was active longer than specified deadline"],
  completions: ["CompletionsReached", "Reached expected number of succeeded pods"],
} as const;

/**
 * pkg/controller/job: runs pods until `completions` succeed (NonIndexed or Indexed), at most
 * `parallelism` at a time, replacing failures after a back-off of 10 s doubling to 6 min, failing
 * the job after `backoffLimit` failures or `activeDeadlineSeconds`. Finished pods are counted
 * through `uncountedTerminatedPods` and the `batch.kubernetes.io/job-tracking` finalizer, as in
 * 1.32; terminal conditions are preceded by SuccessCriteriaMet / FailureTarget, as 1.32 does.
 */
export class JobController {
  private readonly expectations: Expectations;
  private readonly queue: WorkQueue;
  private readonly orphanQueue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly jobs;
  private readonly pods;
  private readonly backoff = new Map<string, BackoffRecord>();

  constructor(private readonly context: ControllerContext) {
    this.expectations = new Expectations(() => context.clock.now());
    this.recorder = context.recorder("job-controller");
    this.jobs = context.informer<Job>(Jobs);
    this.pods = context.informer<Pod>(Pods);
    this.queue = context.loop("job", (key) => this.sync(key));
    this.orphanQueue = context.loop("job-orphan-pod", (key) => this.syncOrphanPod(key));

    this.jobs.addHandlers({
      add: (job) => this.queue.add(keyOf(job)),
      update: (_old, job) => this.queue.add(keyOf(job)),
      delete: (job) => {
        this.expectations.delete(keyOf(job));
        this.backoff.delete(keyOf(job));
        for (const pod of this.pods.list(job.metadata.namespace)) {
          if (controllerOf(pod)?.uid === job.metadata.uid && hasTrackingFinalizer(pod))
            this.orphanQueue.add(keyOf(pod));
        }
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.podChanged(pod, true),
      update: (old, pod) => {
        if (old.metadata.resourceVersion !== pod.metadata.resourceVersion) this.podChanged(pod, false);
      },
      delete: (pod) => {
        const job = this.jobOf(pod);
        if (!job) return;
        this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        this.queue.add(keyOf(job));
      },
    });
  }

  private jobOf(pod: Pod): Job | undefined {
    const reference = controllerOf(pod);
    if (reference?.kind !== "Job") return undefined;
    const job = this.jobs.get(pod.metadata.namespace, reference.name);
    return job && job.metadata.uid === reference.uid ? job : undefined;
  }

  private podChanged(pod: Pod, added: boolean): void {
    const job = this.jobOf(pod);
    if (!job) {
      if (controllerOf(pod)?.kind === "Job" && hasTrackingFinalizer(pod)) this.orphanQueue.add(keyOf(pod));
      return;
    }
    if (added && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(keyOf(job));
    if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(job), keyOf(pod));
    this.queue.add(keyOf(job));
  }

  /** Pods of a deleted (or unknown) job keep no tracking finalizer: they could never be removed. */
  private async syncOrphanPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod) || this.jobOf(pod)) return;
    const reference = controllerOf(pod);
    if (reference) {
      try {
        const job = await this.context.client.get<Job>(Jobs, namespace, reference.name);
        if (job.metadata.uid === reference.uid && !isJobFinished(job) && isPodActive(pod)) return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    await this.removeTrackingFinalizer(pod);
  }

  private now(): number {
    return this.context.clock.now();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    const job = structuredClone(cached);
    const selector = selectorFromLabelSelector(job.spec?.selector);
    const candidates = this.pods.list(namespace).filter((pod) => {
      const reference = controllerOf(pod);
      return reference ? reference.uid === job.metadata.uid : selector.matches(pod.metadata.labels);
    });
    const pods = await claimObjects(this.context.client, Pods, job, selector, candidates, async () => {
      try {
        const fresh = await this.context.client.get<Job>(Jobs, namespace, name);
        return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
      } catch {
        return false;
      }
    });

    if (isJobFinished(job)) {
      for (const pod of pods)
        if (hasTrackingFinalizer(pod) && !isPodActive(pod)) await this.removeTrackingFinalizer(pod);
      return;
    }

    const now = this.now();
    const spec = withJobDefaults(job.spec);
    const indexed = spec.completionMode === "Indexed";
    const status: JobStatus = structuredClone(job.status ?? {});
    const uncounted = {
      succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])],
      failed: [...(status.uncountedTerminatedPods?.failed ?? [])],
    };
    const uncountedSet = new Set([...uncounted.succeeded, ...uncounted.failed]);
    const completed = parseIndexes(status.completedIndexes);

    // 1. Newly finished pods still carrying the tracking finalizer.
    const newlyFinished: Array<{ pod: Pod; succeeded: boolean; time: number }> = [];
    for (const pod of pods) {
      if (!hasTrackingFinalizer(pod) || uncountedSet.has(pod.metadata.uid ?? "")) continue;
      const phase = pod.status?.phase;
      if (phase === "Succeeded") newlyFinished.push({ pod, succeeded: true, time: finishTime(pod, now) });
      else if (phase === "Failed" || pod.metadata.deletionTimestamp)
        newlyFinished.push({ pod, succeeded: false, time: finishTime(pod, now) });
    }
    newlyFinished.sort((a, b) => a.time - b.time);
    let policyFailure: string | undefined;
    const record = this.backoff.get(key) ?? { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
    for (const entry of newlyFinished) {
      const uid = entry.pod.metadata.uid ?? "";
      if (entry.succeeded) {
        uncounted.succeeded.push(uid);
        record.failuresAfterLastSuccess = 0;
        if (indexed) {
          const index = podIndex(entry.pod);
          if (index !== undefined && index < (spec.completions ?? 0)) completed.add(index);
        }
      } else {
        const verdict = entry.pod.status?.phase === "Failed" ? matchPodFailurePolicy(spec, entry.pod) : undefined;
        // Ignore: the failure neither counts towards backoffLimit nor delays the replacement.
        if (verdict?.action === "Ignore") continue;
        if (verdict?.action === "FailJob") policyFailure ??= verdict.message;
        uncounted.failed.push(uid);
        record.failuresAfterLastSuccess++;
        record.lastFailureTime = Math.max(record.lastFailureTime, entry.time);
      }
    }
    this.backoff.set(key, record);

    const active = pods.filter(isPodActive);
    const terminating = pods.filter((pod) => pod.metadata.deletionTimestamp && !isTerminal(pod));
    const succeeded = indexed ? completed.size : (status.succeeded ?? 0) + uncounted.succeeded.length;
    const failed = (status.failed ?? 0) + uncounted.failed.length;

    if (!status.startTime && !spec.suspend) {
      status.startTime = toRfc3339(now);
      if (spec.activeDeadlineSeconds !== undefined) this.queue.addAfter(key, spec.activeDeadlineSeconds * 1000);
    }

    // 2. Decide whether the job has met its success or failure criteria.
    let failureTarget = jobCondition(job, "FailureTarget");
    let successMet = jobCondition(job, "SuccessCriteriaMet");
    const conditions = [...(status.conditions ?? [])];
    const time = toRfc3339(now);
    if (!failureTarget && !successMet) {
      const backoffLimit = spec.backoffLimit ?? 6;
      const restarts =
        spec.template.spec?.restartPolicy === "OnFailure"
          ? active.reduce(
              (sum, pod) => sum + (pod.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0),
              0,
            )
          : 0;
      const startTime = status.startTime ? Date.parse(status.startTime) : now;
      let failure: readonly [string, string] | undefined;
      if (policyFailure) failure = ["PodFailurePolicy", policyFailure];
      else if (failed > backoffLimit || (restarts > 0 && restarts >= backoffLimit)) failure = MESSAGES.backoffLimit;
      else if (
        spec.activeDeadlineSeconds !== undefined &&
        !spec.suspend &&
        startTime + spec.activeDeadlineSeconds * 1000 <= now
      )
        failure = MESSAGES.deadline;
      if (failure) {
        failureTarget = {
          type: "FailureTarget",
          status: "True",
          lastProbeTime: time,
          lastTransitionTime: time,
          reason: failure[0],
          message: failure[1],
        };
        conditions.push(failureTarget);
      } else {
        const complete =
          spec.completions === undefined || spec.completions === null
            ? succeeded > 0 && active.length === 0
            : succeeded >= spec.completions;
        if (complete) {
          successMet = {
            type: "SuccessCriteriaMet",
            status: "True",
            lastProbeTime: time,
            lastTransitionTime: time,
            reason: MESSAGES.completions[0],
            message: MESSAGES.completions[1],
          };
          conditions.push(successMet);
        }
      }
    }

    let activeCount = active.length;
    let manageError: unknown;
    if (failureTarget || successMet) {
      // Finishing: no pod may keep running.
      for (const pod of active) {
        try {
          await deletePod(this.context.client, this.recorder, job, pod);
        } catch (error) {
          if (!isNotFound(error)) manageError ??= error;
        }
      }
      activeCount = 0;
    } else if (this.expectations.satisfied(key)) {
      try {
        activeCount = await this.manageJob(job, active, succeeded, completed, record, key, conditions);
      } catch (error) {
        manageError = error;
      }
    }

    // 3. Record newly finished pods as uncounted before their finalizers go (crash safety upstream).
    status.conditions = conditions;
    status.uncountedTerminatedPods = uncounted;
    if (newlyFinished.length > 0) {
      const written = await this.writeStatus(job, status);
      job.metadata.resourceVersion = written.metadata.resourceVersion;
      for (const entry of newlyFinished) await this.removeTrackingFinalizer(entry.pod);
    }

    // 4. Fold the uncounted pods into the counts, and finish the job when nothing runs any more.
    status.succeeded = succeeded;
    status.failed = failed;
    if (indexed) status.completedIndexes = formatIndexes(completed);
    status.uncountedTerminatedPods = {};
    status.active = activeCount;
    status.ready = active.filter(isPodReady).length;
    if (failureTarget || successMet) status.ready = 0;
    status.terminating = terminating.length + (failureTarget || successMet ? active.length : 0);
    let event: [string, string, string] | undefined;
    if ((failureTarget || successMet) && status.terminating === 0) {
      if (failureTarget && !jobCondition({ ...job, status }, "Failed")) {
        conditions.push({ ...failureTarget, type: "Failed", lastProbeTime: time, lastTransitionTime: time });
        event = ["Warning", failureTarget.reason ?? "", failureTarget.message ?? ""];
      } else if (successMet && !jobCondition({ ...job, status }, "Complete")) {
        conditions.push({ ...successMet, type: "Complete", lastProbeTime: time, lastTransitionTime: time });
        status.completionTime = time;
        event = ["Normal", "Completed", "Job completed"];
      }
    }
    status.conditions = conditions;
    if (!statusEqual(job.status, status)) await this.writeStatus(job, status);
    if (event) this.recorder.event(job, event[0] as "Normal" | "Warning", event[1], event[2]);
    if (manageError !== undefined) throw manageError;

    // Come back when the deadline passes.
    if (
      !failureTarget &&
      !successMet &&
      spec.activeDeadlineSeconds !== undefined &&
      status.startTime &&
      !spec.suspend
    ) {
      const due = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now;
      if (due > 0) this.queue.addAfter(key, due);
    }
  }

  /** manageJob: creates or deletes pods towards the wanted number of active pods. */
  private async manageJob(
    job: Job,
    active: Pod[],
    succeeded: number,
    completed: Set<number>,
    record: BackoffRecord,
    key: string,
    conditions: JobCondition[],
  ): Promise<number> {
    const spec = withJobDefaults(job.spec);
    const time = toRfc3339(this.now());
    const suspended = jobCondition(job, "Suspended");
    if (spec.suspend) {
      if (suspended?.status !== "True") {
        replaceCondition(conditions, {
          type: "Suspended",
          status: "True",
          lastProbeTime: time,
          lastTransitionTime: time,
          reason: "JobSuspended",
          message: "Job suspended",
        });
        this.recorder.event(job, "Normal", "Suspended", "Job suspended");
      }
      await this.deletePods(job, active, active.length, key);
      return 0;
    }
    if (suspended?.status === "True") {
      replaceCondition(conditions, {
        type: "Suspended",
        status: "False",
        lastProbeTime: time,
        lastTransitionTime: time,
        reason: "JobResumed",
        message: "Job resumed",
      });
      this.recorder.event(job, "Normal", "Resumed", "Job resumed");
    }
    const parallelism = spec.parallelism ?? 1;
    let wantActive: number;
    if (spec.completions === undefined || spec.completions === null) {
      wantActive = succeeded > 0 ? active.length : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(spec.completions - succeeded, parallelism));
    }
    if (active.length > wantActive) {
      await this.deletePods(job, active, active.length - wantActive, key);
      return wantActive;
    }
    if (active.length === wantActive) return active.length;

    const remaining = backoffRemainingMs(record.failuresAfterLastSuccess, record.lastFailureTime, this.now());
    if (remaining > 0) {
      this.queue.addAfter(key, remaining);
      return active.length;
    }
    let diff = Math.min(wantActive - active.length, BURST_REPLICAS);
    let indexes: number[] = [];
    if (spec.completionMode === "Indexed") {
      const taken = new Set(active.map(podIndex));
      for (let i = 0; i < (spec.completions ?? 0) && indexes.length < diff; i++)
        if (!completed.has(i) && !taken.has(i)) indexes.push(i);
      diff = indexes.length;
    }
    this.expectations.expectCreations(key, diff);
    const template = structuredClone(spec.template);
    template.metadata ??= {};
    template.metadata.finalizers = [...(template.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    indexes = [...indexes];
    const { successes, error } = await slowStartBatch(diff, 1, async () => {
      const index = indexes.shift();
      try {
        await createPodFromTemplate(this.context.client, this.recorder, job, template, newControllerRef(job), (pod) => {
          if (index === undefined) return;
          pod.metadata.generateName = `${job.metadata.name}-${index}-`;
          pod.metadata.annotations = {
            ...(pod.metadata.annotations ?? {}),
            [COMPLETION_INDEX_ANNOTATION]: String(index),
          };
          pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX_ANNOTATION]: String(index) };
          if (pod.spec) {
            pod.spec.hostname = `${job.metadata.name}-${index}`;
            for (const container of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
              container.env = [
                ...(container.env ?? []),
                {
                  name: "JOB_COMPLETION_INDEX",
                  valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } },
                },
              ];
            }
          }
        });
      } catch (createError) {
        if (isNamespaceTerminating(createError)) return;
        throw createError;
      }
    });
    for (let skipped = diff - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return active.length + successes;
  }

  private async deletePods(job: Job, active: Pod[], count: number, key: string): Promise<void> {
    if (count <= 0) return;
    const victims = podsToDelete(active, active, Math.min(count, BURST_REPLICAS), this.now());
    this.expectations.expectDeletions(key, victims.map(keyOf));
    for (const pod of victims) {
      try {
        await deletePod(this.context.client, this.recorder, job, pod);
      } catch (error) {
        this.expectations.deletionObserved(key, keyOf(pod));
        if (!isNotFound(error)) throw error;
      }
    }
  }

  private async writeStatus(job: Job, status: JobStatus): Promise<Job> {
    const body = structuredClone(job);
    body.status = status;
    const written = await this.context.client.update<Job>(Jobs, body, { subresource: "status" });
    job.metadata.resourceVersion = written.metadata.resourceVersion;
    job.status = structuredClone(status);
    return written;
  }

  private async removeTrackingFinalizer(pod: Pod): Promise<void> {
    const rest = (pod.metadata.finalizers ?? []).filter((finalizer) => finalizer !== JOB_TRACKING_FINALIZER);
    try {
      await this.context.client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", "json", [
        { op: "test", path: "/metadata/uid", value: pod.metadata.uid },
        { op: "replace", path: "/metadata/finalizers", value: rest },
      ]);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function hasTrackingFinalizer(pod: Pod): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function podIndex(pod: Pod): number | undefined {
  const value = Number(pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION]);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** When a pod finished: its containers' last finishedAt, else its deletion, else now. */
function finishTime(pod: Pod, now: number): number {
  let latest: number | undefined;
  for (const status of pod.status?.containerStatuses ?? []) {
    const finished = status.state?.terminated?.finishedAt;
    if (finished) latest = Math.max(latest ?? 0, Date.parse(finished));
  }
  if (latest !== undefined) return latest;
  if (pod.metadata.deletionTimestamp) return Math.min(now, Date.parse(pod.metadata.deletionTimestamp));
  return now;
}

function replaceCondition(conditions: JobCondition[], condition: JobCondition): void {
  const index = conditions.findIndex((c) => c.type === condition.type);
  if (index >= 0) {
    if (conditions[index].status === condition.status)
      condition.lastTransitionTime = conditions[index].lastTransitionTime;
    conditions[index] = condition;
  } else {
    conditions.push(condition);
  }
}

function statusEqual(a: JobStatus | undefined, b: JobStatus): boolean {
  const normalize = (status: JobStatus | undefined) => {
    const copy = { ...(status ?? {}) } as Record<string, unknown>;
    for (const [field, value] of Object.entries(copy)) {
      if (value === undefined || (Array.isArray(value) && value.length === 0)) delete copy[field];
      if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)
        delete copy[field];
    }
    for (const field of ["active", "ready", "succeeded", "failed", "terminating"]) if (!copy[field]) delete copy[field];
    return canonicalJson(copy);
  };
  return normalize(a) === normalize(b);
}

/** batch/v1 defaulting, in case the API did not apply it: no completions and no parallelism means one of each. */
function withJobDefaults(spec: Job["spec"]): NonNullable<Job["spec"]> {
  const copy = { ...(spec ?? { template: {} }) };
  if (
    (copy.completions === undefined || copy.completions === null) &&
    (copy.parallelism === undefined || copy.parallelism === null)
  ) {
    copy.completions = 1;
    copy.parallelism = 1;
  }
  copy.parallelism ??= 1;
  return copy;
}

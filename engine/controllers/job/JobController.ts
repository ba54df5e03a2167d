import type { Job, JobCondition, JobStatus } from "../../api/batch";
import type { Pod } from "../../api/core";
import { Jobs, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { BURST_REPLICAS, createPodFromTemplate, deletePod } from "../replicaset/ReplicaSetController";
import { podsToDelete } from "../replicaset/ranking";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { claimObjects, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { ControllerIndex } from "../shared/controllerIndex";
import { Expectations } from "../shared/expectations";
import { canonicalJson } from "../shared/hash";
import { selectorFromLabelSelector } from "../shared/labels";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { isPodActive, isPodReady, keyOf, splitKey } from "../shared/pods";
import { SLOW_START_CHUNK, slowStartBatch } from "../shared/slowStart";
import { matchPodFailurePolicy } from "./podFailurePolicy";
import { matchSuccessPolicy } from "./successPolicy";
import {
  backoffRemainingMs,
  COMPLETION_INDEX_ANNOTATION,
  formatIndexes,
  INDEX_FAILURE_COUNT_ANNOTATION,
  INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  isJobFinished,
  JOB_TRACKING_FINALIZER,
  jobCondition,
  managedByExternalController,
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
  maxFailedIndexes: ["MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes"],
  failedIndexes: ["FailedIndexes", "Job has failed indexes"],
} as const;

/** What one sync knows about an Indexed job's indexes (upstream's syncJobCtx fields). */
interface IndexState {
  /** status.failedIndexes plus the indexes that failed since (backoffLimitPerIndex). */
  failed: Set<number>;
  /** Per index, the failed pod kept (with its finalizer) until its replacement exists. */
  delayed: Map<number, Pod>;
  /** Indexes of terminating pods, not yet replaceable when podReplacementPolicy is Failed. */
  terminating: Set<number>;
}

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
  private readonly podIndex;
  private readonly backoff = new Map<string, BackoffRecord>();

  constructor(private readonly context: ControllerContext) {
    this.expectations = new Expectations(() => context.clock.now());
    this.recorder = context.recorder("job-controller");
    this.jobs = context.informer<Job>(Jobs);
    this.pods = context.informer<Pod>(Pods);
    this.podIndex = ControllerIndex.of(this.pods);
    this.queue = context.loop("job", (key) => this.sync(key));
    this.orphanQueue = context.loop("job-orphan-pod", (key) => this.syncOrphanPod(key));

    this.jobs.addHandlers({
      add: (job) => this.queue.add(keyOf(job)),
      update: (_old, job) => this.queue.add(keyOf(job)),
      delete: (job) => {
        this.expectations.delete(keyOf(job));
        this.backoff.delete(keyOf(job));
        for (const pod of this.podIndex.controlledBy(job.metadata.uid)) {
          if (hasTrackingFinalizer(pod)) this.orphanQueue.add(keyOf(pod));
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
        if (job.metadata.uid === reference.uid) {
          // A delegated job's own controller decides about its pods' finalizers (upstream syncOrphanPod).
          if (managedByExternalController(job)) return;
          if (!isJobFinished(job) && isPodActive(pod)) return;
        }
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
    // A Job delegated through spec.managedBy is left alone entirely: no pods, no status, no
    // finalizer clean-up (upstream checks in syncJob, not only when queueing, because a queued
    // key may by now name a different Job with the field).
    if (managedByExternalController(cached)) return;
    const job = structuredClone(cached);
    const selector = selectorFromLabelSelector(job.spec?.selector);
    const candidates = [
      ...this.podIndex.controlledBy(job.metadata.uid),
      ...this.podIndex.orphans(namespace).filter((pod) => selector.matches(pod.metadata.labels)),
    ];
    const pods = await claimObjects(this.context.client, Pods, job, selector, candidates, async () => {
      try {
        const fresh = await this.context.client.get<Job>(Jobs, namespace, name);
        return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
      } catch {
        return false;
      }
    });

    if (isJobFinished(job)) {
      await this.inTurns(
        pods.filter((pod) => hasTrackingFinalizer(pod) && !isPodActive(pod)),
        (pod) => this.removeTrackingFinalizer(pod),
      );
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
    const perIndex = indexed && spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null;
    const onlyReplaceFailed = onlyReplaceFailedPods(spec);
    const failedPod = (pod: Pod) => isPodFailed(pod, onlyReplaceFailed);
    const indexState = indexed ? this.indexState(spec, status, pods, uncountedSet, completed, perIndex) : undefined;

    // 1. Newly finished pods still carrying the tracking finalizer.
    const newlyFinished: Array<{ pod: Pod; succeeded: boolean; time: number }> = [];
    const delayedFailures: Pod[] = [];
    const released: Pod[] = [];
    // With podReplacementPolicy Failed a deleted pod only counts once it has failed, but a job that
    // is finishing counts every pod it deleted as failed (or, succeeding, just lets it go).
    const finishingWithFailure = jobCondition(job, "FailureTarget")?.status === "True";
    const finishingWithSuccess = jobCondition(job, "SuccessCriteriaMet")?.status === "True";
    for (const pod of pods) {
      if (!hasTrackingFinalizer(pod) || uncountedSet.has(pod.metadata.uid ?? "")) continue;
      const phase = pod.status?.phase;
      if (phase === "Succeeded") newlyFinished.push({ pod, succeeded: true, time: finishTime(pod, now) });
      else if (failedPod(pod) || (finishingWithFailure && pod.metadata.deletionTimestamp)) {
        // canRemoveFinalizer: a failed pod whose index waits for its replacement keeps its finalizer
        // (and stays uncounted) so the replacement can carry the index's failure count.
        const index = podIndex(pod);
        if (index !== undefined && indexState?.delayed.get(index) === pod) delayedFailures.push(pod);
        else newlyFinished.push({ pod, succeeded: false, time: finishTime(pod, now) });
      } else if (finishingWithSuccess && pod.metadata.deletionTimestamp) {
        // A finished job lets go of the pods it deleted without counting them.
        released.push(pod);
      }
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
      if (!failure && perIndex && indexState) {
        const failedCount = indexState.failed.size;
        if (
          spec.maxFailedIndexes !== undefined &&
          spec.maxFailedIndexes !== null &&
          failedCount > spec.maxFailedIndexes
        ) {
          failure = MESSAGES.maxFailedIndexes;
        } else if (failedCount > 0 && failedCount + completed.size >= (spec.completions ?? 0)) {
          failure = MESSAGES.failedIndexes;
        }
      }
      const successPolicyMessage = !failure && indexed ? matchSuccessPolicy(spec, completed) : undefined;
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
      } else if (successPolicyMessage) {
        successMet = {
          type: "SuccessCriteriaMet",
          status: "True",
          lastProbeTime: time,
          lastTransitionTime: time,
          reason: "SuccessPolicy",
          message: successPolicyMessage,
        };
        conditions.push(successMet);
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

    // A finishing job keeps no pod back for a replacement: the delayed failures count now.
    let failedTotal = failed;
    if ((failureTarget || successMet) && delayedFailures.length > 0) {
      for (const pod of delayedFailures) {
        newlyFinished.push({ pod, succeeded: false, time: finishTime(pod, now) });
        if (matchPodFailurePolicy(spec, pod)?.action === "Ignore") continue;
        uncounted.failed.push(pod.metadata.uid ?? "");
        failedTotal++;
      }
    }

    let activeCount = active.length;
    let manageError: unknown;
    if (failureTarget || successMet) {
      // Finishing: no pod may keep running.
      await this.inTurns(active, async (pod) => {
        try {
          await deletePod(this.context.client, this.recorder, job, pod);
        } catch (error) {
          if (!isNotFound(error)) manageError ??= error;
        }
      });
      activeCount = 0;
    } else if (this.expectations.satisfied(key)) {
      try {
        const terminatingCount = onlyReplaceFailed ? terminating.length : 0;
        activeCount = await this.manageJob(job, active, succeeded, completed, record, key, conditions, {
          terminating: terminatingCount,
          indexes: indexState,
        });
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
      await this.inTurns(newlyFinished, (entry) => this.removeTrackingFinalizer(entry.pod));
    }
    await this.inTurns(released, (pod) => this.removeTrackingFinalizer(pod));

    // 4. Fold the uncounted pods into the counts, and finish the job when nothing runs any more.
    status.succeeded = succeeded;
    status.failed = failedTotal;
    if (indexed) status.completedIndexes = formatIndexes(completed);
    if (perIndex && indexState) status.failedIndexes = formatIndexes(indexState.failed);
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

  /**
   * calculateFailedIndexes and getPodsWithDelayedDeletionPerIndex: the indexes that failed for
   * good (a counted failure with `backoffLimitPerIndex` failures before it, or a FailIndex rule),
   * and per remaining index the last failed pod, whose removal waits for its replacement.
   */
  private indexState(
    spec: NonNullable<Job["spec"]>,
    status: JobStatus,
    pods: Pod[],
    uncounted: Set<string>,
    completed: Set<number>,
    perIndex: boolean,
  ): IndexState {
    const completions = spec.completions ?? 0;
    const onlyReplaceFailed = onlyReplaceFailedPods(spec);
    const valid = (pod: Pod) => {
      const index = podIndex(pod);
      return index !== undefined && index < completions && hasTrackingFinalizer(pod) ? index : undefined;
    };
    const failed = new Set([...parseIndexes(status.failedIndexes)].filter((i) => i < completions));
    const delayed = new Map<number, Pod>();
    const terminating = new Set<number>();
    for (const pod of pods) {
      const index = podIndex(pod);
      if (index !== undefined && pod.metadata.deletionTimestamp && !isTerminal(pod)) terminating.add(index);
    }
    if (!perIndex) return { failed, delayed, terminating };
    const limit = spec.backoffLimitPerIndex ?? 0;
    for (const pod of pods) {
      const index = valid(pod);
      if (index === undefined || !isPodFailed(pod, onlyReplaceFailed)) continue;
      const verdict = pod.status?.phase === "Failed" ? matchPodFailurePolicy(spec, pod) : undefined;
      if (verdict?.action === "FailIndex") failed.add(index);
      else if (verdict?.action !== "Ignore" && indexFailureCount(pod) >= limit) failed.add(index);
    }
    const activeIndexes = new Set(pods.filter(isPodActive).map(podIndex));
    for (const pod of pods) {
      const index = valid(pod);
      if (index === undefined || uncounted.has(pod.metadata.uid ?? "") || !isPodFailed(pod, onlyReplaceFailed))
        continue;
      if (completed.has(index) || failed.has(index) || activeIndexes.has(index)) continue;
      const previous = delayed.get(index);
      if (
        !previous ||
        (absoluteFailureCount(previous) <= absoluteFailureCount(pod) &&
          finishTime(pod, this.now()) >= finishTime(previous, this.now()))
      ) {
        delayed.set(index, pod);
      }
    }
    return { failed, delayed, terminating };
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
    extra: { terminating: number; indexes?: IndexState },
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
    // podReplacementPolicy Failed: a terminating pod still holds its place until it has failed.
    if (active.length + extra.terminating >= wantActive) return active.length;

    const perIndex =
      spec.completionMode === "Indexed" &&
      spec.backoffLimitPerIndex !== undefined &&
      spec.backoffLimitPerIndex !== null;
    if (!perIndex) {
      const remaining = backoffRemainingMs(record.failuresAfterLastSuccess, record.lastFailureTime, this.now());
      if (remaining > 0) {
        this.queue.addAfter(key, remaining);
        return active.length;
      }
    }
    let diff = Math.min(wantActive - extra.terminating - active.length, BURST_REPLICAS);
    let indexes: number[] = [];
    const delayed = extra.indexes?.delayed;
    if (spec.completionMode === "Indexed") {
      // firstPendingIndexes: not succeeded, not running, not failed for good, not (with
      // podReplacementPolicy Failed) still terminating.
      const taken = new Set(active.map(podIndex));
      for (const index of extra.indexes?.failed ?? []) taken.add(index);
      if (extra.terminating > 0) for (const index of extra.indexes?.terminating ?? []) taken.add(index);
      for (let i = 0; i < (spec.completions ?? 0) && indexes.length < diff; i++)
        if (!completed.has(i) && !taken.has(i)) indexes.push(i);
      if (perIndex) {
        // Each index backs off on its own: 10 s doubling per failure of that index, from its last failure.
        let soonest = Number.POSITIVE_INFINITY;
        const now = this.now();
        indexes = indexes.filter((index) => {
          const last = delayed?.get(index);
          if (!last) return true;
          const failures = indexFailureCount(last) + indexIgnoredFailureCount(last) + 1;
          const remaining = backoffRemainingMs(failures, finishTime(last, now), now);
          if (remaining > 0) soonest = Math.min(soonest, remaining);
          return remaining === 0;
        });
        if (indexes.length === 0 && Number.isFinite(soonest)) {
          this.queue.addAfter(key, soonest);
          return active.length;
        }
      }
      diff = indexes.length;
    }
    this.expectations.expectCreations(key, diff);
    const template = structuredClone(spec.template);
    template.metadata ??= {};
    template.metadata.finalizers = [...(template.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    indexes = [...indexes];
    const { successes, error } = await slowStartBatch(
      diff,
      1,
      async () => {
        const index = indexes.shift();
        try {
          await createPodFromTemplate(
            this.context.client,
            this.recorder,
            job,
            template,
            newControllerRef(job),
            (pod) => {
              if (index === undefined) return;
              pod.metadata.generateName = `${job.metadata.name}-${index}-`;
              pod.metadata.annotations = {
                ...(pod.metadata.annotations ?? {}),
                [COMPLETION_INDEX_ANNOTATION]: String(index),
              };
              if (perIndex) {
                const [failures, ignored] = newIndexFailureCounts(spec, delayed?.get(index));
                pod.metadata.annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(failures);
                if (ignored > 0) pod.metadata.annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(ignored);
              }
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
            },
          );
        } catch (createError) {
          if (isNamespaceTerminating(createError)) return;
          throw createError;
        }
      },
      () => this.context.yieldTurn(),
    );
    for (let skipped = diff - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return active.length + successes;
  }

  private async deletePods(job: Job, active: Pod[], count: number, key: string): Promise<void> {
    if (count <= 0) return;
    const victims = podsToDelete(active, active, Math.min(count, BURST_REPLICAS), this.now());
    this.expectations.expectDeletions(key, victims.map(keyOf));
    await this.inTurns(victims, async (pod) => {
      try {
        await deletePod(this.context.client, this.recorder, job, pod);
      } catch (error) {
        this.expectations.deletionObserved(key, keyOf(pod));
        if (!isNotFound(error)) throw error;
      }
    });
  }

  /**
   * Runs `write` for each item in order, giving the rest of the process a turn every
   * {@link SLOW_START_CHUNK} writes: in-process API calls never yield on their own, and a job
   * finishing with 500 pods would otherwise hold the event loop for all of their deletions.
   */
  private async inTurns<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<void> {
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && i % SLOW_START_CHUNK === 0) await this.context.yieldTurn();
      await write(items[i]);
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

/**
 * onlyReplaceFailedPods: with podReplacementPolicy Failed (the default when a podFailurePolicy is
 * set) a replacement waits until the old pod has failed, not merely started terminating.
 */
function onlyReplaceFailedPods(spec: NonNullable<Job["spec"]>): boolean {
  return spec.podReplacementPolicy === "Failed" || Boolean(spec.podFailurePolicy);
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded. */
function isPodFailed(pod: Pod, onlyReplaceFailed: boolean): boolean {
  if (pod.status?.phase === "Failed") return true;
  if (onlyReplaceFailed) return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== "Succeeded";
}

/** An annotation as a non-negative int32, 0 when absent or malformed (as parseInt32 upstream). */
function countAnnotation(pod: Pod, name: string): number {
  const value = Number(pod.metadata.annotations?.[name]);
  return Number.isInteger(value) && value >= 0 && value <= 2147483647 ? value : 0;
}

function indexFailureCount(pod: Pod): number {
  return countAnnotation(pod, INDEX_FAILURE_COUNT_ANNOTATION);
}

function indexIgnoredFailureCount(pod: Pod): number {
  return countAnnotation(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);
}

function absoluteFailureCount(pod: Pod): number {
  return indexFailureCount(pod) + indexIgnoredFailureCount(pod);
}

/** getNewIndexFailureCounts: the replaced pod's counts plus its own failure (ignored or not). */
function newIndexFailureCounts(spec: NonNullable<Job["spec"]>, replaced: Pod | undefined): [number, number] {
  if (!replaced) return [0, 0];
  let failures = indexFailureCount(replaced);
  let ignored = indexIgnoredFailureCount(replaced);
  if (spec.podFailurePolicy && matchPodFailurePolicy(spec, replaced)?.action === "Ignore") ignored++;
  else failures++;
  return [failures, ignored];
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

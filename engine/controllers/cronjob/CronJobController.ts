import type { CronJob, CronJobStatus, Job } from "../../api/batch";
import type { ObjectReference } from "../../api/core";
import { CronJobs, Jobs } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { isJobFinished } from "../job/util";
import { errorMessage } from "../replicaset/ReplicaSetController";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isAlreadyExists, isNotFound } from "../shared/claim";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { keyOf, splitKey } from "../shared/pods";
import { parseSchedule, type Schedule } from "./schedule";

export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/**
 * pkg/controller/cronjob (v2): creates `<cronjob>-<scheduled time in minutes>` Jobs on schedule,
 * honouring suspend, startingDeadlineSeconds, concurrencyPolicy and the history limits. It
 * re-queues itself for the next schedule time instead of polling.
 */
export class CronJobController {
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly cronJobs;
  private readonly jobs;

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("cronjob-controller");
    this.cronJobs = context.informer<CronJob>(CronJobs);
    this.jobs = context.informer<Job>(Jobs);
    this.queue = context.loop("cronjob", (key) => this.sync(key));
    this.cronJobs.addHandlers({
      add: (cj) => this.queue.add(keyOf(cj)),
      update: (old, cj) => {
        if (old.metadata.resourceVersion !== cj.metadata.resourceVersion) this.queue.add(keyOf(cj));
      },
    });
    const jobChanged = (job: Job) => {
      const reference = controllerOf(job);
      if (reference?.kind !== "CronJob") return;
      const cj = this.cronJobs.get(job.metadata.namespace, reference.name);
      if (cj && cj.metadata.uid === reference.uid) this.queue.add(keyOf(cj));
    };
    this.jobs.addHandlers({ add: jobChanged, update: (_old, job) => jobChanged(job), delete: jobChanged });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.cronJobs.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const cj = structuredClone(cached);
    const jobs = this.jobs.list(namespace).filter((job) => controllerOf(job)?.uid === cj.metadata.uid);
    const before = JSON.stringify(cj.status ?? {});
    const requeueAfter = await this.syncCronJob(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== before) {
      await this.context.client.update(CronJobs, cj, { subresource: "status" });
    }
    await this.cleanupFinishedJobs(cj, jobs);
    if (requeueAfter !== undefined) this.queue.addAfter(key, requeueAfter);
  }

  /** syncCronJob: returns when to look again (ms), or undefined. Mutates cj.status. */
  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<number | undefined> {
    cj.status ??= {};
    const status: CronJobStatus = cj.status;
    const now = this.context.clock.now();
    const childrenByName = new Map(jobs.map((job) => [job.metadata.name, job]));

    for (const job of jobs) {
      const activeIndex = (status.active ?? []).findIndex((reference) => reference.uid === job.metadata.uid);
      if (activeIndex >= 0 && isJobFinished(job)) {
        const condition = (job.status?.conditions ?? []).find(
          (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
        );
        this.recorder.event(
          cj,
          "Normal",
          "SawCompletedJob",
          `Saw completed job: ${job.metadata.name}, condition: ${condition?.type}`,
        );
        status.active?.splice(activeIndex, 1);
        if (condition?.type === "Complete" && job.status?.completionTime) {
          const completion = Date.parse(job.status.completionTime);
          if (!status.lastSuccessfulTime || Date.parse(status.lastSuccessfulTime) < completion)
            status.lastSuccessfulTime = job.status.completionTime;
        }
      }
    }
    for (const reference of [...(status.active ?? [])]) {
      if (childrenByName.has(reference.name)) continue;
      // Not in our cache: confirm with the API before calling it missing.
      try {
        const job = await this.context.client.get<Job>(Jobs, cj.metadata.namespace, reference.name ?? "");
        if (job.metadata.uid === reference.uid) continue;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      this.recorder.event(cj, "Warning", "MissingJob", `Active job went missing: ${reference.name}`);
      status.active = (status.active ?? []).filter((r) => r.uid !== reference.uid);
    }
    if (status.active?.length === 0) delete status.active;

    if (cj.spec?.suspend) return undefined;
    const timeZone = cj.spec?.timeZone;
    if (timeZone !== undefined && timeZone !== null) {
      const check = parseSchedule("* * * * *", timeZone);
      if (check.error) {
        this.recorder.event(cj, "Warning", "UnknownTimeZone", `invalid timeZone: "${timeZone}": ${check.error}`);
        return undefined;
      }
    }
    const parsed = parseSchedule(cj.spec?.schedule ?? "", timeZone ?? "UTC");
    if (!parsed.schedule) {
      this.recorder.event(
        cj,
        "Warning",
        "UnparseableSchedule",
        `unparseable schedule: "${cj.spec?.schedule}" : ${parsed.error}`,
      );
      return undefined;
    }
    const schedule = parsed.schedule;
    const scheduled = this.mostRecentScheduleTime(cj, now, schedule);
    if (scheduled === undefined) return nextDelay(schedule, now);

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      this.recorder.event(
        cj,
        "Warning",
        "MissSchedule",
        `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`,
      );
      return nextDelay(schedule, now);
    }
    const jobName = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    if ((status.active ?? []).some((reference) => reference.name === jobName) || childrenByName.has(jobName)) {
      return nextDelay(schedule, now);
    }
    const policy = cj.spec?.concurrencyPolicy ?? "Allow";
    if (policy === "Forbid" && (status.active?.length ?? 0) > 0) {
      this.recorder.event(
        cj,
        "Normal",
        "JobAlreadyActive",
        "Not starting job because prior execution is running and concurrency policy is Forbid",
      );
      return nextDelay(schedule, now);
    }
    if (policy === "Replace") {
      for (const reference of [...(status.active ?? [])]) {
        await this.deleteJob(cj, reference.name ?? "");
        status.active = (status.active ?? []).filter((r) => r.uid !== reference.uid);
      }
      if (status.active?.length === 0) delete status.active;
    }

    const job = this.jobFromTemplate(cj, jobName, scheduled);
    let created: Job;
    try {
      created = await this.context.client.create<Job>(Jobs, job);
      this.recorder.event(cj, "Normal", "SuccessfulCreate", `Created job ${created.metadata.name}`);
    } catch (error) {
      if (isAlreadyExists(error)) {
        const existing = await this.context.client.get<Job>(Jobs, cj.metadata.namespace, jobName);
        if (controllerOf(existing)?.uid !== cj.metadata.uid) return nextDelay(schedule, now);
        created = existing;
      } else {
        this.recorder.event(cj, "Warning", "FailedCreate", `Error creating job: ${errorMessage(error)}`);
        throw error;
      }
    }
    const reference: ObjectReference = {
      kind: "Job",
      namespace: created.metadata.namespace,
      name: created.metadata.name,
      uid: created.metadata.uid,
      apiVersion: "batch/v1",
      resourceVersion: created.metadata.resourceVersion,
    };
    status.active = [...(status.active ?? []), reference];
    status.lastScheduleTime = toRfc3339(scheduled);
    return nextDelay(schedule, now);
  }

  /** mostRecentScheduleTime: the latest missed start, with the `too many missed start times` warning. */
  private mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule): number | undefined {
    let earliest = cj.status?.lastScheduleTime
      ? Date.parse(cj.status.lastScheduleTime)
      : Date.parse(cj.metadata.creationTimestamp ?? toRfc3339(now));
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
    if (earliest > now) return undefined;
    const first = schedule.next(earliest);
    if (first === undefined || first > now) return undefined;
    let missed = 1;
    let latest = first;
    for (let t = schedule.next(first); t !== undefined && t <= now; t = schedule.next(t)) {
      latest = t;
      missed++;
      if (missed > 1000) {
        // Jump ahead by the schedule's period instead of stepping through years of minutes.
        const period = t - first;
        const perStep = period / (missed - 1);
        const skip = Math.floor((now - t) / perStep) - 1;
        if (skip > 0) {
          missed += skip;
          const resumed = schedule.next(t + skip * perStep - 1);
          if (resumed === undefined) break;
          t = resumed;
          latest = t;
        }
      }
    }
    if (missed > 100) {
      this.recorder.event(
        cj,
        "Warning",
        "TooManyMissedTimes",
        `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
    }
    return latest;
  }

  private jobFromTemplate(cj: CronJob, name: string, scheduled: number): Job {
    const template = structuredClone(cj.spec?.jobTemplate ?? {});
    return {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP_ANNOTATION]: toRfc3339(scheduled),
        },
        ownerReferences: [newControllerRef(cj)],
      },
      spec: template.spec ?? { template: {} },
    };
  }

  private async deleteJob(cj: CronJob, name: string): Promise<void> {
    try {
      await this.context.client.delete(Jobs, cj.metadata.namespace, name, { propagationPolicy: "Background" });
      this.recorder.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${name}`);
    } catch (error) {
      if (isNotFound(error)) return;
      this.recorder.event(cj, "Warning", "FailedDelete", `Deleted job: ${errorMessage(error)}`);
      throw error;
    }
  }

  /** cleanupFinishedJobs: keep the newest successful and failed jobs within the history limits. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const successfulLimit = cj.spec?.successfulJobsHistoryLimit ?? 3;
    const failedLimit = cj.spec?.failedJobsHistoryLimit ?? 1;
    const finished = (type: string) =>
      jobs
        .filter((job) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === "True"))
        .filter((job) => !job.metadata.deletionTimestamp)
        .sort((a, b) => startTime(a) - startTime(b));
    for (const [type, limit] of [
      ["Complete", successfulLimit],
      ["Failed", failedLimit],
    ] as const) {
      const list = finished(type);
      for (const job of list.slice(0, Math.max(0, list.length - limit)))
        await this.deleteJob(cj, job.metadata.name ?? "");
    }
  }
}

function startTime(job: Job): number {
  const time = job.status?.startTime ?? job.metadata.creationTimestamp;
  return time ? Date.parse(time) : 0;
}

/** nextScheduleTimeDuration: until the next activation, plus 100 ms of slack as upstream. */
function nextDelay(schedule: Schedule, now: number): number | undefined {
  const next = schedule.next(now);
  return next === undefined ? undefined : next - now + 100;
}

/** Go's time.RFC1123Z layout: `Mon, 02 Jan 2006 15:04:05 -0700`. */
function rfc1123z(ms: number): string {
  const date = new Date(ms);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    date.getUTCMonth()
  ];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day}, ${pad(date.getUTCDate())} ${month} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

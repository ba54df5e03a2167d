import type { Job } from "../../api/batch";
import { Jobs } from "../../api/resources";
import { isJobFinished, jobFinishTime } from "../job/util";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";

/**
 * pkg/controller/ttlafterfinished: deletes a finished Job (in the foreground, so its pods go
 * first) `ttlSecondsAfterFinished` after it finished; re-queues itself for that moment.
 */
export class TTLAfterFinishedController {
  private readonly queue: WorkQueue;
  private readonly jobs;

  constructor(private readonly context: ControllerContext) {
    this.jobs = context.informer<Job>(Jobs);
    this.queue = context.loop("ttl-after-finished", (key) => this.sync(key));
    const changed = (job: Job) => {
      if (job.metadata.deletionTimestamp || job.spec?.ttlSecondsAfterFinished === undefined) return;
      if (isJobFinished(job)) this.queue.add(keyOf(job));
    };
    this.jobs.addHandlers({ add: changed, update: (_old, job) => changed(job) });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const job = this.jobs.get(namespace, name);
    if (!job || job.metadata.deletionTimestamp || !isJobFinished(job)) return;
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const finished = jobFinishTime(job) ?? this.context.clock.now();
    const remaining = finished + ttl * 1000 - this.context.clock.now();
    if (remaining > 0) {
      this.queue.addAfter(key, remaining);
      return;
    }
    // Re-read to make sure the TTL was not changed meanwhile (upstream does the same).
    let fresh: Job;
    try {
      fresh = await this.context.client.get<Job>(Jobs, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    if (fresh.metadata.uid !== job.metadata.uid || fresh.spec?.ttlSecondsAfterFinished !== ttl) {
      this.queue.add(key);
      return;
    }
    try {
      await this.context.client.delete(Jobs, namespace, name, {
        propagationPolicy: "Foreground",
        preconditions: { uid: job.metadata.uid },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

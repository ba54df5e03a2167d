import { afterEach, describe, expect, it } from "vitest";
import type { CronJob, Job } from "../../api/batch";
import type { Event } from "../../api/core";
import { CronJobs, Events, Jobs } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { createHarness, type Harness } from "../testing/harness";

function cronJob(name: string, schedule: string, spec: Partial<NonNullable<CronJob["spec"]>> = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default" },
    spec: {
      schedule,
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } },
      },
      ...spec,
    },
  };
}

async function complete(harness: Harness, job: Job): Promise<void> {
  const now = toRfc3339(harness.clock.now());
  job.status = {
    ...(job.status ?? {}),
    completionTime: now,
    succeeded: 1,
    conditions: [{ type: "Complete", status: "True", lastTransitionTime: now, reason: "CompletionsReached" }],
  };
  await harness.client.update(Jobs, job, { subresource: "status" });
}

describe("CronJobController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("creates <name>-<minutes> jobs on schedule, records them, and keeps the history limit", async () => {
    harness = await createHarness({ controllers: ["cronjob"], start: Date.UTC(2026, 0, 1, 0, 0, 30) });
    await harness.client.create(CronJobs, cronJob("tick", "* * * * *", { successfulJobsHistoryLimit: 2 }));
    await harness.settle();
    expect(await harness.list(Jobs, "default")).toEqual([]);
    // The controller looks again 100 ms after the scheduled time, as upstream does.
    await harness.settle(30_200);
    let jobs = await harness.list<Job>(Jobs, "default");
    const minute = Math.floor(Date.UTC(2026, 0, 1, 0, 1) / 60_000);
    expect(jobs.map((j) => j.metadata.name)).toEqual([`tick-${minute}`]);
    expect(jobs[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", name: "tick", controller: true });
    expect(jobs[0].metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(
      "2026-01-01T00:01:00Z",
    );
    let cj = await harness.client.get<CronJob>(CronJobs, "default", "tick");
    expect(cj.status?.active?.map((a) => a.name)).toEqual([`tick-${minute}`]);
    expect(cj.status?.lastScheduleTime).toBe("2026-01-01T00:01:00Z");
    for (let i = 0; i < 3; i++) {
      for (const job of await harness.list<Job>(Jobs, "default"))
        if (!job.status?.completionTime) await complete(harness, job);
      await harness.settle(60_000);
    }
    jobs = await harness.list<Job>(Jobs, "default");
    cj = await harness.client.get<CronJob>(CronJobs, "default", "tick");
    const finished = jobs.filter((j) => j.status?.completionTime && !j.metadata.deletionTimestamp);
    expect(finished).toHaveLength(2);
    const events = (await harness.list<Event>(Events, "default")).map((e) => `${e.reason}: ${e.message}`);
    expect(events).toContain(`SuccessfulCreate: Created job tick-${minute}`);
    expect(events).toContain(`SawCompletedJob: Saw completed job: tick-${minute}, condition: Complete`);
    expect(events).toContain(`SuccessfulDelete: Deleted job tick-${minute}`);
    expect(cj.status?.lastSuccessfulTime).toBeDefined();
  });

  it("Forbid skips a run while one is active", async () => {
    harness = await createHarness({ controllers: ["cronjob"] });
    await harness.client.create(CronJobs, cronJob("once", "*/5 * * * *", { concurrencyPolicy: "Forbid" }));
    await harness.settle(5 * 60_000 + 1000);
    await harness.settle(5 * 60_000);
    expect(await harness.list(Jobs, "default")).toHaveLength(1);
    const events = (await harness.list<Event>(Events, "default")).map((e) => e.reason);
    expect(events).toContain("JobAlreadyActive");
  });

  it("reports too many missed start times and starts the most recent one", async () => {
    harness = await createHarness({ controllers: [], start: Date.UTC(2026, 0, 1) });
    await harness.client.create(CronJobs, cronJob("late", "* * * * *"));
    harness.stop();
    // The controller manager was down for three hours.
    await harness.clock.advance(3 * 3_600_000);
    const { startControllerManager } = await import("../index");
    const logs: string[] = [];
    const manager = startControllerManager(
      { clock: harness.clock, speed: "fast", client: harness.client, log: (l) => logs.push(l) },
      { controllers: ["cronjob"] },
    );
    for (let i = 0; i < 50 && !manager.idle; i++) await harness.clock.advance(0);
    await harness.clock.advance(0);
    const events = (await harness.client.list<Event>(Events, "default")).items;
    expect(events.find((e) => e.reason === "TooManyMissedTimes")?.message).toBe(
      "too many missed start times: 180. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
    );
    const jobs = (await harness.client.list<Job>(Jobs, "default")).items;
    expect(jobs.map((j) => j.metadata.name)).toEqual([
      `late-${Math.floor((Date.UTC(2026, 0, 1) + 3 * 3_600_000) / 60_000)}`,
    ]);
    manager.stop();
  });
});

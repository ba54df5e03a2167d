import { describe, expect, it } from "vitest";
import type { CronJob, Job } from "../../../api/batch";
import { renderFieldError } from "../../ApiError";
import { fakeStrategyContext } from "../support/fakeStrategyContext";
import { cronJobs } from "./cronjobs";
import { cronScheduleError } from "./cronSchedule";
import { jobs } from "./jobs";

/** The value, or a test failure when it is missing (instead of a non-null assertion). */
function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

const now = Date.parse("2026-01-01T12:00:00Z");
const ago = (milliseconds: number) => new Date(now - milliseconds).toISOString();
const podTemplate = { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } };

function createJob(spec: Partial<NonNullable<Job["spec"]>> = {}) {
  const context = fakeStrategyContext();
  const job: Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "0f2b6c1e-1111-2222-3333-444455556666" },
    spec: { template: structuredClone(podTemplate), ...spec },
  };
  jobs.strategy.defaults?.(job, context);
  jobs.strategy.prepareForCreate?.(job, context);
  return { job, errors: (jobs.strategy.validate?.(job, context) ?? []).map(renderFieldError), context };
}

describe("jobs", () => {
  it("fills SetDefaults_Job and generates the selector and labels", () => {
    const { job, errors } = createJob();
    expect(errors).toEqual([]);
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: "NonIndexed",
      suspend: false,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "0f2b6c1e-1111-2222-3333-444455556666" } },
    });
    expect(job.spec?.template.metadata?.labels).toEqual({
      "batch.kubernetes.io/controller-uid": "0f2b6c1e-1111-2222-3333-444455556666",
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": "0f2b6c1e-1111-2222-3333-444455556666",
      "job-name": "pi",
    });
    expect(job.metadata.generation).toBe(1);
  });

  it("rejects restartPolicy Always", () => {
    const { errors } = createJob({ template: { spec: { containers: [{ name: "pi", image: "perl" }] } } });
    expect(errors).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it("keeps the template immutable", () => {
    const { job, context } = createJob();
    const update = structuredClone(job);
    present(present(update.spec).template.spec).containers[0].image = "perl:5.36";
    expect((jobs.strategy.validateUpdate?.(update, job, context) ?? []).map(renderFieldError)).toEqual([
      "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable",
    ]);
  });

  // printJob cases in the manner of upstream's TestPrintJob.
  it.each([
    ["running", { completions: 1 }, { succeeded: 0, startTime: ago(30_000) }, undefined, ["Running", "0/1", "30s"]],
    [
      "complete",
      { completions: 3 },
      {
        succeeded: 3,
        startTime: ago(600_000),
        completionTime: ago(300_000),
        conditions: [{ type: "Complete", status: "True" }],
      },
      undefined,
      ["Complete", "3/3", "5m"],
    ],
    [
      "parallel without completions",
      { completions: undefined, parallelism: 2 },
      { succeeded: 1 },
      undefined,
      ["Running", "1/1 of 2", ""],
    ],
    [
      "failed",
      { completions: 1 },
      { conditions: [{ type: "Failed", status: "True" }] },
      undefined,
      ["Failed", "0/1", ""],
    ],
    [
      "suspended",
      { completions: 1 },
      { conditions: [{ type: "Suspended", status: "True" }] },
      undefined,
      ["Suspended", "0/1", ""],
    ],
    ["terminating", { completions: 1 }, {}, ago(0), ["Terminating", "0/1", ""]],
    [
      "failing (FailureTarget)",
      { completions: 1 },
      { conditions: [{ type: "FailureTarget", status: "True" }] },
      undefined,
      ["FailureTarget", "0/1", ""],
    ],
    // upstream's printJob knows Complete, Failed, Suspended and FailureTarget only: a job whose
    // success policy is met but not yet Complete still prints Running.
    [
      "succeeding (SuccessCriteriaMet)",
      { completions: 1 },
      { conditions: [{ type: "SuccessCriteriaMet", status: "True" }] },
      undefined,
      ["Running", "0/1", ""],
    ],
    [
      "with a condition that is not True",
      { completions: 1 },
      { conditions: [{ type: "Complete", status: "False" }] },
      undefined,
      ["Running", "0/1", ""],
    ],
  ])("prints a %s job", (_name, spec, status, deletionTimestamp, expected) => {
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "pi", deletionTimestamp },
      spec: {
        template: podTemplate,
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u" } },
        ...spec,
      },
      status: status as Job["status"],
    };
    expect(jobs.table?.cells(job, now)).toEqual([
      "pi",
      ...expected,
      "<unknown>",
      "pi",
      "perl:5.34",
      "batch.kubernetes.io/controller-uid=u",
    ]);
  });

  it("selects on status.successful", () => {
    const { job } = createJob();
    expect(jobs.selectableFields?.["status.successful"](job)).toBe("0");
  });
});

describe("cronjobs", () => {
  const cronJob = (schedule: string, name = "backup"): CronJob => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default" },
    spec: { schedule, jobTemplate: { spec: { template: structuredClone(podTemplate) } } },
  });

  it("fills SetDefaults_CronJob", () => {
    const context = fakeStrategyContext();
    const input = cronJob("*/5 * * * *");
    cronJobs.strategy.defaults?.(input, context);
    expect(input.spec).toMatchObject({
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { backoffLimit: 6, completions: 1, parallelism: 1 } },
    });
    expect(cronJobs.strategy.validate?.(input, context)).toEqual([]);
    expect(cronJobs.table?.cells(input, now)).toEqual([
      "backup",
      "*/5 * * * *",
      "<none>",
      "False",
      0,
      "<none>",
      "<unknown>",
      "pi",
      "perl:5.34",
      "<none>",
    ]);
  });

  it.each([
    ["*/5 * * * *", undefined],
    ["0 0 * * MON-FRI", undefined],
    ["@hourly", undefined],
    ["@every 1h30m", undefined],
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["61 * * * *", "end of range (61) above maximum (59): 61"],
    ["x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ["@often", "unrecognized descriptor: @often"],
  ])("schedule %j", (schedule, error) => {
    expect(cronScheduleError(schedule)).toBe(error);
  });

  it("reports a bad schedule and a long name", () => {
    const context = fakeStrategyContext();
    const input = cronJob("TZ=UTC 0 * * * *", "a".repeat(53));
    cronJobs.strategy.defaults?.(input, context);
    expect((cronJobs.strategy.validate?.(input, context) ?? []).map(renderFieldError)).toEqual([
      `metadata.name: Invalid value: "${"a".repeat(53)}": must be no more than 52 characters`,
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
  });
});

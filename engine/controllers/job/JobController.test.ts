import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "../../api/batch";
import type { Event, Pod } from "../../api/core";
import { Events, Jobs, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { createHarness, type Harness } from "../testing/harness";

function job(name: string, spec: Partial<NonNullable<Job["spec"]>> = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      template: {
        metadata: { labels: { "job-name": name } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
      },
      ...spec,
    },
  };
}

/** The fake kubelet finishing every active pod of the job with `phase`. */
async function finishPods(
  harness: Harness,
  name: string,
  phase: "Succeeded" | "Failed",
  count = Number.POSITIVE_INFINITY,
): Promise<number> {
  const pods = (await harness.list<Pod>(Pods, "default", `job-name=${name}`)).filter(
    (pod) => !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed",
  );
  let finished = 0;
  for (const pod of pods.slice(0, count)) {
    const now = toRfc3339(harness.clock.now());
    pod.status = {
      phase,
      containerStatuses: [
        {
          name: "c",
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          state: {
            terminated: {
              exitCode: phase === "Succeeded" ? 0 : 1,
              reason: phase === "Succeeded" ? "Completed" : "Error",
              finishedAt: now,
            },
          },
        },
      ],
    };
    await harness.client.update(Pods, pod, { subresource: "status" });
    finished++;
  }
  return finished;
}

async function activePods(harness: Harness, name: string): Promise<Pod[]> {
  return (await harness.list<Pod>(Pods, "default", `job-name=${name}`)).filter(
    (pod) => !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed",
  );
}

describe("JobController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("runs to completion with parallelism, then Complete after SuccessCriteriaMet", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, job("pi", { completions: 3, parallelism: 2 }));
    await harness.settle();
    expect(await activePods(harness, "pi")).toHaveLength(2);
    const [first] = await activePods(harness, "pi");
    expect(first.metadata.finalizers).toContain("batch.kubernetes.io/job-tracking");
    expect(first.metadata.name).toMatch(/^pi-[a-z0-9]{5}$/);
    await finishPods(harness, "pi", "Succeeded");
    await harness.settle();
    let current = await harness.client.get<Job>(Jobs, "default", "pi");
    expect(current.status).toMatchObject({ succeeded: 2, active: 1 });
    expect(
      (await harness.list<Pod>(Pods, "default", "job-name=pi"))
        .filter((p) => p.status?.phase === "Succeeded")
        .every((p) => !(p.metadata.finalizers ?? []).length),
    ).toBe(true);
    await finishPods(harness, "pi", "Succeeded");
    await harness.settle();
    current = await harness.client.get<Job>(Jobs, "default", "pi");
    expect(current.status?.succeeded).toBe(3);
    expect(current.status?.active ?? 0).toBe(0);
    expect(current.status?.completionTime).toBeDefined();
    expect(current.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["SuccessCriteriaMet", "True", "CompletionsReached"],
      ["Complete", "True", "CompletionsReached"],
    ]);
    const events = (await harness.list<Event>(Events, "default")).filter((e) => e.involvedObject.kind === "Job");
    expect(events.filter((e) => e.reason === "SuccessfulCreate")).toHaveLength(3);
    expect(events.find((e) => e.reason === "Completed")?.message).toBe("Job completed");
  });

  it("replaces failed pods after 10 s, 20 s, 40 s … and fails once backoffLimit is exceeded", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, job("flaky", { backoffLimit: 3 }));
    await harness.settle();
    const delays: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      await finishPods(harness, "flaky", "Failed");
      const failedAt = harness.clock.now();
      await harness.settle();
      expect(await activePods(harness, "flaky")).toHaveLength(0);
      let waited = 0;
      while ((await activePods(harness, "flaky")).length === 0 && waited < 120_000) {
        await harness.settle(1000);
        waited += 1000;
      }
      delays.push(harness.clock.now() - failedAt);
    }
    expect(delays).toEqual([10_000, 20_000, 40_000]);
    await finishPods(harness, "flaky", "Failed");
    await harness.settle();
    const current = await harness.client.get<Job>(Jobs, "default", "flaky");
    expect(current.status?.failed).toBe(4);
    expect(current.status?.conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ["Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ]);
    const warning = (await harness.list<Event>(Events, "default")).find((e) => e.reason === "BackoffLimitExceeded");
    expect(warning).toMatchObject({ type: "Warning", message: "Job has reached the specified backoff limit" });
  });

  it("fails with DeadlineExceeded after activeDeadlineSeconds and deletes its running pods", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, job("slow", { activeDeadlineSeconds: 30 }));
    await harness.settle();
    await harness.runPods();
    await harness.settle(29_000);
    expect(await activePods(harness, "slow")).toHaveLength(1);
    await harness.settle(1_500);
    await harness.finishTerminating();
    await harness.settle();
    const current = await harness.client.get<Job>(Jobs, "default", "slow");
    expect(current.status?.conditions?.find((c) => c.type === "Failed")).toMatchObject({
      reason: "DeadlineExceeded",
      message: "Job was active longer than specified deadline",
    });
    expect(await activePods(harness, "slow")).toHaveLength(0);
  });

  it("Indexed: one pod per index with its completion index", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, job("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }));
    await harness.settle();
    const pods = await activePods(harness, "idx");
    expect(pods.map((p) => p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]).sort()).toEqual([
      "0",
      "1",
      "2",
    ]);
    expect(pods.map((p) => p.spec?.hostname).sort()).toEqual(["idx-0", "idx-1", "idx-2"]);
    await finishPods(harness, "idx", "Succeeded");
    await harness.settle();
    const current = await harness.client.get<Job>(Jobs, "default", "idx");
    expect(current.status).toMatchObject({ succeeded: 3, completedIndexes: "0-2" });
    expect(current.status?.conditions?.some((c) => c.type === "Complete")).toBe(true);
  });

  it("podFailurePolicy: FailJob on an exit code fails the job, Ignore on a disruption does not count", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(
      Jobs,
      job("policy", {
        backoffLimit: 6,
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { containerName: "c", operator: "In", values: [42] } },
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          ],
        },
      }),
    );
    await harness.settle();
    // A disrupted pod: ignored, replaced at once, not counted.
    const [first] = await activePods(harness, "policy");
    first.status = {
      phase: "Failed",
      conditions: [{ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager" }],
      containerStatuses: [
        {
          name: "c",
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          state: { terminated: { exitCode: 137, reason: "Error" } },
        },
      ],
    };
    await harness.client.update(Pods, first, { subresource: "status" });
    await harness.settle();
    let current = await harness.client.get<Job>(Jobs, "default", "policy");
    expect(current.status?.failed ?? 0).toBe(0);
    expect(await activePods(harness, "policy")).toHaveLength(1);
    // Exit code 42: the job fails.
    const [second] = await activePods(harness, "policy");
    second.status = {
      phase: "Failed",
      containerStatuses: [
        {
          name: "c",
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          state: { terminated: { exitCode: 42, reason: "Error" } },
        },
      ],
    };
    await harness.client.update(Pods, second, { subresource: "status" });
    await harness.settle();
    current = await harness.client.get<Job>(Jobs, "default", "policy");
    expect(current.status?.conditions?.find((c) => c.type === "Failed")).toMatchObject({
      reason: "PodFailurePolicy",
      message: `Container c for pod default/${second.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    });
  });
});

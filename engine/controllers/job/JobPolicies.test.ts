import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "../../api/batch";
import type { Pod } from "../../api/core";
import { Jobs, Pods } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { createHarness, type Harness } from "../testing/harness";
import { matchSuccessPolicy } from "./successPolicy";
import { formatIndexes, parseIndexes } from "./util";

const INDEX = "batch.kubernetes.io/job-completion-index";
const FAILURES = "batch.kubernetes.io/job-index-failure-count";

function indexedJob(name: string, spec: Partial<NonNullable<Job["spec"]>>): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      completionMode: "Indexed",
      template: {
        metadata: { labels: { "job-name": name } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
      },
      ...spec,
    },
  };
}

async function activePods(harness: Harness, name: string): Promise<Pod[]> {
  return (await harness.list<Pod>(Pods, "default", `job-name=${name}`)).filter(
    (pod) => !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed",
  );
}

/** The fake kubelet ending the running pod of `index` with `phase` (exit code 1 on failure). */
async function finishIndex(harness: Harness, name: string, index: number, phase: "Succeeded" | "Failed", exitCode = 1) {
  const pod = (await activePods(harness, name)).find((p) => p.metadata.annotations?.[INDEX] === String(index));
  if (!pod) throw new Error(`no running pod for index ${index}`);
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
            exitCode: phase === "Succeeded" ? 0 : exitCode,
            reason: phase === "Succeeded" ? "Completed" : "Error",
            finishedAt: toRfc3339(harness.clock.now()),
          },
        },
      },
    ],
  };
  await harness.client.update(Pods, pod, { subresource: "status" });
  return pod;
}

async function getJob(harness: Harness, name: string): Promise<Job> {
  return harness.client.get<Job>(Jobs, "default", name);
}

const conditions = (job: Job) => job.status?.conditions?.map((c) => [c.type, c.reason, c.message]);

describe("Job policies (1.32)", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("backoffLimitPerIndex: an index retries after its own back-off, carries its failure count, then fails alone", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, indexedJob("per", { completions: 3, parallelism: 3, backoffLimitPerIndex: 1 }));
    await harness.settle();
    const first = await activePods(harness, "per");
    expect(first.map((p) => p.metadata.annotations?.[FAILURES])).toEqual(["0", "0", "0"]);

    await finishIndex(harness, "per", 0, "Failed");
    await harness.settle(9_000);
    // The failed pod waits (with its finalizer) for its replacement, 10 s after the failure.
    expect((await activePods(harness, "per")).map((p) => p.metadata.annotations?.[INDEX]).sort()).toEqual(["1", "2"]);
    await harness.settle(1_000);
    const retry = (await activePods(harness, "per")).find((p) => p.metadata.annotations?.[INDEX] === "0");
    expect(retry?.metadata.annotations?.[FAILURES]).toBe("1");

    // The second failure of index 0 exceeds its limit: no more retries, the others go on.
    await finishIndex(harness, "per", 0, "Failed");
    await harness.settle(60_000);
    expect((await activePods(harness, "per")).map((p) => p.metadata.annotations?.[INDEX]).sort()).toEqual(["1", "2"]);
    let current = await getJob(harness, "per");
    expect(current.status?.failedIndexes).toBe("0");
    expect(current.status?.failed).toBe(2);
    expect(current.status?.conditions ?? []).toEqual([]);

    await finishIndex(harness, "per", 1, "Succeeded");
    await finishIndex(harness, "per", 2, "Succeeded");
    await harness.settle();
    current = await getJob(harness, "per");
    expect(current.status).toMatchObject({ completedIndexes: "1,2", failedIndexes: "0", succeeded: 2, failed: 2 });
    expect(conditions(current)).toEqual([
      ["FailureTarget", "FailedIndexes", "Job has failed indexes"],
      ["Failed", "FailedIndexes", "Job has failed indexes"],
    ]);
  });

  it.each([
    {
      name: "maxFailedIndexes 0: the first failed index fails the job",
      spec: { backoffLimitPerIndex: 0, maxFailedIndexes: 0 },
      exitCode: 1,
      reason: "MaxFailedIndexesExceeded",
      message: "Job has exceeded the specified maximal number of failed indexes",
    },
    {
      name: "a FailIndex rule fails the index at once, whatever its back-off limit",
      spec: {
        backoffLimitPerIndex: 5,
        maxFailedIndexes: 0,
        podFailurePolicy: { rules: [{ action: "FailIndex", onExitCodes: { operator: "In", values: [42] } }] },
      },
      exitCode: 42,
      reason: "MaxFailedIndexesExceeded",
      message: "Job has exceeded the specified maximal number of failed indexes",
    },
  ])("$name", async ({ spec, exitCode, reason, message }) => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(Jobs, indexedJob("max", { completions: 3, parallelism: 3, ...spec }));
    await harness.settle();
    await finishIndex(harness, "max", 1, "Failed", exitCode);
    await harness.settle();
    await harness.finishTerminating();
    await harness.settle();
    const current = await getJob(harness, "max");
    // The pods deleted as the job failed count as failed too (as upstream); index 1 failed first.
    expect(parseIndexes(current.status?.failedIndexes).has(1)).toBe(true);
    expect(conditions(current)).toEqual([
      ["FailureTarget", reason, message],
      ["Failed", reason, message],
    ]);
    expect(await activePods(harness, "max")).toHaveLength(0);
  });

  it("successPolicy: the job succeeds once the named indexes have, and stops the rest", async () => {
    harness = await createHarness({ controllers: ["job"] });
    await harness.client.create(
      Jobs,
      indexedJob("leader", {
        completions: 5,
        parallelism: 5,
        successPolicy: { rules: [{ succeededIndexes: "0,1" }] },
      }),
    );
    await harness.settle();
    await harness.runPods();
    await finishIndex(harness, "leader", 0, "Succeeded");
    await harness.settle();
    expect(conditions(await getJob(harness, "leader"))).toEqual([]);
    await finishIndex(harness, "leader", 1, "Succeeded");
    await harness.settle();
    let current = await getJob(harness, "leader");
    expect(conditions(current)).toEqual([["SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"]]);
    expect(current.status?.terminating).toBe(3);
    await harness.finishTerminating();
    await harness.settle();
    current = await getJob(harness, "leader");
    expect(conditions(current)).toEqual([
      ["SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"],
      ["Complete", "SuccessPolicy", "Matched rules at index 0"],
    ]);
    expect(current.status).toMatchObject({ succeeded: 2, completedIndexes: "0,1", active: 0, terminating: 0 });
  });

  it.each([
    { policy: "TerminatingOrFailed", replacedWhileTerminating: true },
    { policy: "Failed", replacedWhileTerminating: false },
  ])(
    "podReplacementPolicy $policy: a deleted pod is replaced while terminating: $replacedWhileTerminating",
    async ({ policy, replacedWhileTerminating }) => {
      harness = await createHarness({ controllers: ["job"] });
      await harness.client.create(Jobs, {
        ...indexedJob("repl", { completions: 1, parallelism: 1, podReplacementPolicy: policy }),
        spec: {
          completions: 1,
          parallelism: 1,
          podReplacementPolicy: policy,
          template: {
            metadata: { labels: { "job-name": "repl" } },
            spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
          },
        },
      });
      await harness.settle();
      await harness.runPods();
      const [pod] = await activePods(harness, "repl");
      await harness.client.delete(Pods, "default", pod.metadata.name ?? "");
      await harness.settle(10_000);
      expect(await activePods(harness, "repl")).toHaveLength(replacedWhileTerminating ? 1 : 0);
      const current = await getJob(harness, "repl");
      expect(current.status?.terminating).toBe(1);
      if (!replacedWhileTerminating) {
        // Once the old pod has failed, the replacement comes after the usual failure back-off.
        const terminating = await harness.client.get<Pod>(Pods, "default", pod.metadata.name ?? "");
        terminating.status = { ...terminating.status, phase: "Failed" };
        await harness.client.update(Pods, terminating, { subresource: "status" });
        await harness.settle(10_000);
        expect(await activePods(harness, "repl")).toHaveLength(1);
        expect((await getJob(harness, "repl")).status?.failed).toBe(1);
      }
    },
  );
});

describe("job status helpers", () => {
  it.each([
    { indexes: [], text: "" },
    { indexes: [3], text: "3" },
    { indexes: [0, 1], text: "0,1" },
    { indexes: [0, 1, 2], text: "0-2" },
    { indexes: [1, 3, 4, 5, 7, 8], text: "1,3-5,7,8" },
  ])("formatIndexes($indexes) = $text", ({ indexes, text }) => {
    expect(formatIndexes(indexes)).toBe(text);
  });

  it.each([
    { name: "all listed indexes", rules: [{ succeededIndexes: "0-2" }], succeeded: [0, 1, 2], match: 0 },
    { name: "not all listed", rules: [{ succeededIndexes: "0-2" }], succeeded: [0, 2], match: undefined },
    {
      name: "a count within the list",
      rules: [{ succeededIndexes: "0-4", succeededCount: 2 }],
      succeeded: [1, 4],
      match: 0,
    },
    {
      name: "a count alone",
      rules: [{ succeededIndexes: "9" }, { succeededCount: 3 }],
      succeeded: [5, 6, 7],
      match: 1,
    },
    {
      name: "indexes beyond completions are ignored",
      rules: [{ succeededIndexes: "10-12" }],
      succeeded: [1],
      match: undefined,
    },
  ])("matchSuccessPolicy: $name", ({ rules, succeeded, match }) => {
    const message = matchSuccessPolicy({ completions: 10, successPolicy: { rules }, template: {} }, new Set(succeeded));
    expect(message).toBe(match === undefined ? undefined : `Matched rules at index ${match}`);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { Job, JobCondition } from "../../api/batch";
import { Jobs } from "../../api/resources";
import { toRfc3339 } from "../../clock/Clock";
import { createHarness, type Harness } from "../testing/harness";

function job(ttlSecondsAfterFinished?: number): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "done", namespace: "default" },
    spec: {
      ...(ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished }),
      template: {
        metadata: { labels: { app: "done" } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
      },
    },
  };
}

/** Marks the job finished now, as the job controller would (interim condition, then the terminal one). */
async function finish(harness: Harness, type: "Complete" | "Failed"): Promise<void> {
  const current = await harness.client.get<Job>(Jobs, "default", "done");
  const now = toRfc3339(harness.clock.now());
  const interim = type === "Complete" ? "SuccessCriteriaMet" : "FailureTarget";
  const condition = (kind: string): JobCondition => ({
    type: kind,
    status: "True",
    lastProbeTime: now,
    lastTransitionTime: now,
  });
  current.status = {
    startTime: now,
    ...(type === "Complete" ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
    conditions: [condition(interim), condition(type)],
  };
  await harness.client.update(Jobs, current, { subresource: "status" });
}

async function exists(harness: Harness): Promise<boolean> {
  return harness.client.get(Jobs, "default", "done").then(
    () => true,
    () => false,
  );
}

describe("TTLAfterFinishedController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  const cases: Array<{ name: string; ttl?: number; finished?: "Complete" | "Failed"; goneAfter?: number }> = [
    { name: "ttl 0: deleted as soon as it completes", ttl: 0, finished: "Complete", goneAfter: 0 },
    { name: "ttl 30: deleted 30 s after it failed, not before", ttl: 30, finished: "Failed", goneAfter: 30 },
    { name: "no ttl: kept", finished: "Complete" },
    { name: "ttl 5 but still running: kept", ttl: 5 },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      harness = await createHarness({ controllers: ["ttl-after-finished", "garbagecollector"] });
      await harness.client.create(Jobs, job(testCase.ttl));
      await harness.settle();
      if (testCase.finished) await finish(harness, testCase.finished);
      if (testCase.goneAfter === undefined) {
        await harness.settle(3_600_000);
        expect(await exists(harness)).toBe(true);
        return;
      }
      if (testCase.goneAfter > 0) {
        await harness.settle(testCase.goneAfter * 1000 - 1000);
        expect(await exists(harness)).toBe(true);
      }
      await harness.settle(1000);
      // Deleted in the foreground: the garbage collector removes the job once its dependents are gone.
      await harness.settle();
      expect(await exists(harness)).toBe(false);
    });
  }
});

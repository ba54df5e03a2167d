import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkLessons, formatLessonsCheck } from "../../grader/run/lessonsCheck";

const lessons = path.resolve(import.meta.dirname, "..", "..", "lessons");

/** `kubelab lessons check` over the whole course: every file valid, every exercise fails before and passes after its solution. */
describe("the course", () => {
  it("passes kubelab lessons check", async () => {
    const report = await checkLessons([lessons]);
    expect(report.problems, formatLessonsCheck(report)).toEqual([]);
    expect(
      report.exercises.filter((verdict) => !verdict.ok),
      formatLessonsCheck(report),
    ).toEqual([]);
    expect(report.exercises.length).toBeGreaterThan(0);
  }, 300_000);
});

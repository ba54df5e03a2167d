import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "../../lib/database/prisma";
import { migratedTestDatabase } from "../../lib/database/testDatabase";
import { parseLesson } from "../../lib/lessons/parseLesson";
import type { ExerciseResult } from "../checks/index";
import { type GradedLesson, gradedLesson } from "../format/gradedLesson";
import { checksCount, finishAssessment, openAssessment } from "./assessment";
import { courseProgress } from "./courseProgress";
import { saveSubmission } from "./learnerGrading";

const exercise = (id: string, points: number) =>
  `\`\`\`exercise\nid: ${id}\ntitle: Task ${id}\npoints: ${points}\nchecks:\n  - {type: exists, kind: Pod, name: ${id}}\nsolution: kubectl run ${id} --image=nginx\n\`\`\`\n`;

function lesson(id: string, front: string): GradedLesson {
  const source = `---\nid: ${id}\ntitle: T\nmodule: M\norder: 1\nsummary: S\n${front}---\n${exercise("a", 10)}${exercise("b", 20)}`;
  const parsed = parseLesson(source, `${id}.md`);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return gradedLesson(parsed.lesson);
}

const result = (exerciseId: string, score: number, maxScore: number): ExerciseResult => ({
  exerciseId,
  status: score === maxScore ? "pass" : "fail",
  score,
  maxScore,
  checks: [],
});

/** Timed lessons and course progress against a real (temporary) SQLite database with the migrations applied. */
describe("assessments and progress", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-assessment-"));
  const timed = lesson("exam", "timeLimitMinutes: 30\n");
  const untimed = lesson("plain", "");
  const minute = 60_000;
  const t0 = new Date("2026-01-01T10:00:00Z");
  const at = (minutes: number) => new Date(t0.getTime() + minutes * minute);

  beforeAll(async () => {
    migratedTestDatabase(folder);
    for (const id of ["learner-1", "learner-2", "learner-3"]) await prisma().learner.create({ data: { id } });
  }, 60_000);
  afterAll(async () => {
    await disconnectPrisma();
    rmSync(folder, { recursive: true, force: true });
  });

  it("starts the clock at the first open and keeps the same deadline after", async () => {
    expect(await openAssessment("learner-1", untimed, t0)).toBeUndefined();
    const first = await openAssessment("learner-1", timed, t0);
    expect(first).toMatchObject({ timeLimitMinutes: 30, remainingMs: 30 * minute, endsAt: at(30).toISOString() });
    expect(first?.result).toBeUndefined();
    const later = await openAssessment("learner-1", timed, at(10));
    expect(later).toMatchObject({ startedAt: t0.toISOString(), remainingMs: 20 * minute });
    expect(await checksCount("learner-1", timed, at(29))).toBe(true);
  });

  it("ends when the time is up, scoring only what was earned in time", async () => {
    await prisma().submission.deleteMany({});
    await openAssessment("learner-2", timed, t0);
    const inTime = await saveSubmission("learner-2", "exam", result("a", 10, 10), "check");
    const late = await saveSubmission("learner-2", "exam", result("b", 20, 20), "check");
    await prisma().submission.update({ where: { id: inTime }, data: { createdAt: at(5) } });
    await prisma().submission.update({ where: { id: late }, data: { createdAt: at(31) } });
    const ended = await openAssessment("learner-2", timed, at(45));
    expect(ended).toMatchObject({ remainingMs: 0, endedAt: at(30).toISOString() });
    expect(ended?.result).toEqual({
      score: 10,
      maxScore: 30,
      tasks: [
        { id: "a", title: "Task a", score: 10, maxScore: 10, passed: true },
        { id: "b", title: "Task b", score: 0, maxScore: 20, passed: false },
      ],
    });
    expect(await checksCount("learner-2", timed, at(45))).toBe(false);
    expect(await checksCount("learner-2", untimed, at(45))).toBe(true);
  });

  it("ends when the learner finishes, for good", async () => {
    await openAssessment("learner-3", timed, t0);
    const partial = await saveSubmission("learner-3", "exam", result("b", 5, 20), "check");
    await prisma().submission.update({ where: { id: partial }, data: { createdAt: at(2) } });
    const finished = await finishAssessment("learner-3", timed, at(4));
    expect(finished).toMatchObject({ endedAt: at(4).toISOString(), remainingMs: 0 });
    expect(finished?.result?.score).toBe(5);
    expect((await finishAssessment("learner-3", timed, at(8)))?.endedAt).toBe(at(4).toISOString());
    expect(await checksCount("learner-3", timed, at(5))).toBe(false);
  });

  it("counts exercises done and best points per lesson", async () => {
    await saveSubmission("learner-3", "plain", result("a", 3, 10), "check");
    await saveSubmission("learner-3", "plain", result("a", 10, 10), "live");
    await saveSubmission("learner-3", "plain", result("b", 12, 20), "check");
    const progress = await courseProgress("learner-3", [untimed, timed]);
    expect(progress.get("plain")).toEqual({ done: 1, total: 2, points: 22, maxPoints: 30 });
    expect(progress.get("exam")).toEqual({ done: 0, total: 2, points: 5, maxPoints: 30 });
    expect((await courseProgress("learner-1", [untimed])).get("plain")).toEqual({
      done: 0,
      total: 2,
      points: 0,
      maxPoints: 30,
    });
  });
});

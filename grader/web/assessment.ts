import "server-only";
import { prisma } from "../../lib/database/prisma";
import type { GradedLesson } from "../format/gradedLesson";
import { exerciseMaxPoints } from "./courseProgress";

/** One task's line in an assessment's final score. */
export interface AssessmentTask {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  passed: boolean;
}

/** A learner's timed attempt at a lesson with `timeLimitMinutes`. */
export interface AssessmentState {
  timeLimitMinutes: number;
  startedAt: string;
  endsAt: string;
  /** Milliseconds left at `now` (0 once ended). */
  remainingMs: number;
  /** When it ended: the learner finished, or the time ran out. */
  endedAt?: string;
  /** The final score, once ended: best score per task within the time. */
  result?: { score: number; maxScore: number; tasks: AssessmentTask[] };
}

/**
 * The learner's attempt at a timed lesson, starting its clock if this is the first time they
 * open it. The start lives in the learner's LessonProgress row (startedAt), so reloading, another
 * tab or a server restart keeps the same deadline; finishing sets completedAt.
 */
export async function openAssessment(
  learnerId: string,
  lesson: GradedLesson,
  now = new Date(),
): Promise<AssessmentState | undefined> {
  const minutes = lesson.timeLimitMinutes;
  if (minutes === undefined) return undefined;
  const lessonId = lesson.lesson.id;
  const where = { learnerId_lessonId: { learnerId, lessonId } };
  let row = await prisma().lessonProgress.findUnique({ where });
  if (!row) {
    try {
      row = await prisma().lessonProgress.create({ data: { learnerId, lessonId, status: "started", startedAt: now } });
    } catch {
      // Another request (a second tab) started it first.
      row = await prisma().lessonProgress.findUniqueOrThrow({ where });
    }
  }
  const startedAt = row.startedAt;
  const endsAt = new Date(startedAt.getTime() + minutes * 60_000);
  const endedAt = row.completedAt && row.completedAt < endsAt ? row.completedAt : now >= endsAt ? endsAt : undefined;
  const state: AssessmentState = {
    timeLimitMinutes: minutes,
    startedAt: startedAt.toISOString(),
    endsAt: endsAt.toISOString(),
    remainingMs: endedAt ? 0 : endsAt.getTime() - now.getTime(),
  };
  if (endedAt) {
    state.endedAt = endedAt.toISOString();
    state.result = await finalScore(learnerId, lesson, endedAt);
  }
  return state;
}

/** Ends the learner's attempt now (the Finish button); a no-op once it has ended. */
export async function finishAssessment(
  learnerId: string,
  lesson: GradedLesson,
  now = new Date(),
): Promise<AssessmentState | undefined> {
  const state = await openAssessment(learnerId, lesson, now);
  if (!state || state.endedAt) return state;
  await prisma().lessonProgress.update({
    where: { learnerId_lessonId: { learnerId, lessonId: lesson.lesson.id } },
    data: { status: "completed", completedAt: now },
  });
  return openAssessment(learnerId, lesson, now);
}

/** True while checks count: not a timed lesson, or a timed one whose attempt has not ended. */
export async function checksCount(learnerId: string, lesson: GradedLesson, now = new Date()): Promise<boolean> {
  if (lesson.timeLimitMinutes === undefined) return true;
  const state = await openAssessment(learnerId, lesson, now);
  return state?.endedAt === undefined;
}

async function finalScore(learnerId: string, lesson: GradedLesson, endedAt: Date) {
  const rows = await prisma().submission.findMany({
    where: { learnerId, lessonId: lesson.lesson.id, createdAt: { lte: endedAt } },
    select: { exerciseId: true, passed: true, score: true },
  });
  const tasks: AssessmentTask[] = lesson.exercises.map((exercise) => {
    const mine = rows.filter((row) => row.exerciseId === exercise.id);
    return {
      id: exercise.id,
      title: exercise.title,
      score: Math.max(0, ...mine.map((row) => row.score)),
      maxScore: exerciseMaxPoints(exercise),
      passed: mine.some((row) => row.passed),
    };
  });
  const sum = (values: number[]) => Math.round(values.reduce((total, value) => total + value, 0) * 100) / 100;
  return {
    score: sum(tasks.map((task) => task.score)),
    maxScore: sum(tasks.map((task) => task.maxScore)),
    tasks,
  };
}

import "server-only";
import { prisma } from "../../lib/database/prisma";
import type { GradedLesson } from "../format/gradedLesson";
import type { Exercise } from "../format/schema";

/** How far a learner got in one lesson's exercises. */
export interface LessonScore {
  /** Exercises passed at least once. */
  done: number;
  total: number;
  /** Sum of the best score per exercise. */
  points: number;
  maxPoints: number;
}

/** An exercise's full marks: its `points`, or the sum of its checks' weights (as gradeExercise scales them). */
export function exerciseMaxPoints(exercise: Exercise): number {
  const weight = exercise.checks.reduce((sum, check) => sum + check.points, 0);
  return round(exercise.points ?? weight);
}

/**
 * Exercises done and points per lesson for one learner, from their submissions (the Check button,
 * the live checklist's passes and API submissions): the best score per exercise counts.
 */
export async function courseProgress(learnerId: string, lessons: GradedLesson[]): Promise<Map<string, LessonScore>> {
  const rows = await prisma().submission.findMany({
    where: { learnerId },
    select: { lessonId: true, exerciseId: true, passed: true, score: true },
  });
  const best = new Map<string, { passed: boolean; score: number }>();
  for (const row of rows) {
    const key = `${row.lessonId}/${row.exerciseId}`;
    const seen = best.get(key) ?? { passed: false, score: 0 };
    best.set(key, { passed: seen.passed || row.passed, score: Math.max(seen.score, row.score) });
  }
  const progress = new Map<string, LessonScore>();
  for (const lesson of lessons) {
    const score: LessonScore = { done: 0, total: lesson.exercises.length, points: 0, maxPoints: 0 };
    for (const exercise of lesson.exercises) {
      const found = best.get(`${lesson.lesson.id}/${exercise.id}`);
      if (found?.passed) score.done++;
      score.points += found?.score ?? 0;
      score.maxPoints += exerciseMaxPoints(exercise);
    }
    score.points = round(score.points);
    score.maxPoints = round(score.maxPoints);
    progress.set(lesson.lesson.id, score);
  }
  return progress;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

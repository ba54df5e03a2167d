import "server-only";
import { prisma } from "../../lib/database/prisma";
import { gradedCourse } from "./learnerGrading";

export const INSTRUCTOR_COOKIE = "kubelab_instructor";

/** The gradebook: learners × exercises with each learner's best score and latest submission. */
export async function gradebook() {
  const lessons = gradedCourse();
  const columns = lessons.flatMap((lesson) =>
    lesson.exercises.map((exercise) => ({
      lessonId: lesson.lesson.id,
      exerciseId: exercise.id,
      title: exercise.title,
    })),
  );
  // Every graded run counts, the live checklist's passes too: a learner who never pressed Check
  // still has the exercise done, as the course map shows.
  const submissions = await prisma().submission.findMany({
    orderBy: { createdAt: "asc" },
    select: { id: true, learnerId: true, lessonId: true, exerciseId: true, score: true, maxScore: true, status: true },
  });
  const rows = new Map<string, Map<string, { best: number; max: number; latestId: number; attempts: number }>>();
  for (const submission of submissions) {
    const key = `${submission.lessonId}/${submission.exerciseId}`;
    const learner = rows.get(submission.learnerId) ?? new Map();
    rows.set(submission.learnerId, learner);
    const cell = learner.get(key) ?? { best: 0, max: submission.maxScore, latestId: submission.id, attempts: 0 };
    cell.best = Math.max(cell.best, submission.score);
    cell.max = submission.maxScore;
    cell.latestId = submission.id;
    cell.attempts++;
    learner.set(key, cell);
  }
  return {
    columns,
    rows: [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([learnerId, cells]) => ({ learnerId, cells })),
  };
}

/** The gradebook as CSV: one row per learner, a column per exercise with the best score. */
export async function gradebookCsv(): Promise<string> {
  const book = await gradebook();
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const header = ["learner", ...book.columns.map((column) => `${column.lessonId}/${column.exerciseId}`), "total"];
  const lines = [header.map(quote).join(",")];
  for (const row of book.rows) {
    let total = 0;
    const cells = book.columns.map((column) => {
      const cell = row.cells.get(`${column.lessonId}/${column.exerciseId}`);
      total += cell?.best ?? 0;
      return cell ? String(cell.best) : "";
    });
    lines.push([quote(row.learnerId), ...cells, String(Math.round(total * 100) / 100)].join(","));
  }
  return `${lines.join("\n")}\n`;
}

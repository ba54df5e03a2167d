import type { ExerciseResult } from "../checks/index";
import { gradeExercise } from "../checks/index";
import type { LocatedExercise } from "../format/gradedLesson";
import { formatProblem, type LoadedLesson, loadGradedLessons } from "./course";
import { applyStartingState, freshClusterWriters, startFreshCluster } from "./freshCluster";

/** How one exercise fared under `lessons check`. */
export interface ExerciseVerdict {
  lesson: string;
  exercise: string;
  /** file:line of the exercise block. */
  location: string;
  ok: boolean;
  problems: string[];
  before?: ExerciseResult;
  after?: ExerciseResult;
}

/** The outcome of `lessons check`. */
export interface LessonsCheckReport {
  ok: boolean;
  /** file:line problems in lesson files. */
  problems: string[];
  exercises: ExerciseVerdict[];
  lessons: number;
}

export interface LessonsCheckOptions {
  /** How long a check may wait for convergence after the solution ran (default 30 s). */
  waitMs?: number;
  /** Only validate the files; run no clusters. */
  validateOnly?: boolean;
  log?: (line: string) => void;
  /** Lessons checked at the same time (default 3). */
  concurrency?: number;
}

/**
 * Validates lesson files, then for each lesson with exercises starts a fresh cluster with the
 * lesson's starting state and, exercise by exercise in lesson order: every check must fail before
 * the solution (no check passes vacuously), the solution runs in a learner-like shell, and every
 * check must pass after it.
 */
export async function checkLessons(paths: string[], options: LessonsCheckOptions = {}): Promise<LessonsCheckReport> {
  const log = options.log ?? (() => {});
  const loaded = loadGradedLessons(paths);
  const problems = loaded.flatMap((lesson) => lesson.problems.map((problem) => formatProblem(lesson, problem)));
  const exercises: ExerciseVerdict[] = [];
  if (!options.validateOnly) {
    // Lessons are independent (a fresh cluster each) and mostly wait on convergence: a few at a time.
    const queue = loaded.filter((lesson) => lesson.graded && lesson.graded.exercises.length > 0);
    const verdicts: ExerciseVerdict[][] = new Array(queue.length);
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const index = next++;
        verdicts[index] = await checkLesson(queue[index] as LoadedLesson, options.waitMs ?? 30_000, log);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 3, queue.length) }, worker));
    for (const list of verdicts) exercises.push(...list);
  }
  return {
    ok: problems.length === 0 && exercises.every((verdict) => verdict.ok),
    problems,
    exercises,
    lessons: loaded.length,
  };
}

async function checkLesson(
  loaded: LoadedLesson,
  waitMs: number,
  log: (line: string) => void,
): Promise<ExerciseVerdict[]> {
  const graded = loaded.graded;
  if (!graded) return [];
  const verdicts: ExerciseVerdict[] = [];
  const locate = (exercise: LocatedExercise) =>
    formatProblem(loaded, { file: "", line: exercise.line, message: "" }).replace(/: $/, "");
  const booting = Date.now();
  const cluster = await startFreshCluster();
  log(`cluster for ${graded.lesson.id} up in ${Date.now() - booting} ms`);
  try {
    if (graded.startingState) {
      try {
        await applyStartingState(freshClusterWriters(cluster), graded.startingState);
      } catch (error) {
        return graded.exercises.map((exercise) => ({
          lesson: graded.lesson.id,
          exercise: exercise.id,
          location: locate(exercise),
          ok: false,
          problems: [`the starting state could not be applied: ${(error as Error).message}`],
        }));
      }
    }
    const context = { cluster: cluster.grading, lessonFolder: loaded.folder };
    for (const exercise of graded.exercises) {
      const verdict: ExerciseVerdict = {
        lesson: graded.lesson.id,
        exercise: exercise.id,
        location: locate(exercise),
        ok: true,
        problems: [],
      };
      const started = Date.now();
      verdict.before = await gradeExercise(exercise, context, { noWait: true });
      for (const check of verdict.before.checks) {
        if (check.status === "pass")
          verdict.problems.push(
            `check ${check.id} ("${check.description}") passes before the solution: ${check.message}`,
          );
        if (check.status === "error")
          verdict.problems.push(`check ${check.id} errors before the solution: ${check.message}`);
      }
      const run = await cluster.shell.run(exercise.solution, { tolerateReadOnlyFailures: true });
      if (run.exitCode !== 0) {
        const last = run.steps.at(-1);
        verdict.problems.push(`the solution failed at \`${last?.command}\`: ${last?.output.trim().split("\n")[0]}`);
      }
      verdict.after = await gradeExercise(exercise, context, { defaultWaitMs: waitMs });
      for (const check of verdict.after.checks) {
        if (check.status !== "pass")
          verdict.problems.push(
            `check ${check.id} ("${check.description}") does not pass after the solution: ${check.message}`,
          );
      }
      verdict.ok = verdict.problems.length === 0;
      log(`${verdict.ok ? "ok  " : "FAIL"} ${graded.lesson.id}/${exercise.id} ${Date.now() - started} ms`);
      verdicts.push(verdict);
    }
  } finally {
    await cluster.stop();
  }
  return verdicts;
}

/** The report as text for a terminal. */
export function formatLessonsCheck(report: LessonsCheckReport): string {
  const lines: string[] = [];
  for (const problem of report.problems) lines.push(problem);
  for (const verdict of report.exercises) {
    lines.push(`${verdict.ok ? "ok  " : "FAIL"} ${verdict.lesson}/${verdict.exercise} (${verdict.location})`);
    for (const problem of verdict.problems) lines.push(`     ${verdict.location}: ${problem}`);
  }
  const failed = report.exercises.filter((verdict) => !verdict.ok).length;
  lines.push(
    `${report.lessons} lesson files, ${report.problems.length} file problems, ${report.exercises.length} exercises checked, ${failed} failing`,
  );
  return `${lines.join("\n")}\n`;
}

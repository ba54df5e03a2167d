import { parseAllDocuments } from "yaml";
import { type ExerciseResult, gradeExercise } from "../checks/index";
import type { GradedLesson } from "../format/gradedLesson";
import { applyManifests, applyStartingState, freshClusterWriters, startFreshCluster } from "./freshCluster";
import type { GradingCluster } from "./GradingCluster";

/** A file handed in: manifests (.yaml, .yml, .json) or a shell script (.sh). */
export interface SubmittedFile {
  name: string;
  content: string;
}

/** The graded outcome of a lesson (or one exercise of it). */
export interface GradeReport {
  lesson: string;
  status: "pass" | "fail" | "error";
  score: number;
  maxScore: number;
  exercises: ExerciseResult[];
  /** What happened before grading (applied objects, script output, parse errors). */
  notes: string[];
}

/** Picks the exercises to grade; undefined when the exercise id is unknown. */
export function selectExercises(lesson: GradedLesson, exerciseId?: string) {
  if (!exerciseId) return lesson.exercises;
  const exercise = lesson.exercises.find((item) => item.id === exerciseId);
  return exercise ? [exercise] : undefined;
}

/** Grades exercises on a live cluster (waits, bounded, honour each check's own `wait`). */
export async function gradeCluster(
  lesson: GradedLesson,
  exerciseId: string | undefined,
  cluster: GradingCluster,
  lessonFolder: string,
  options: { defaultWaitMs?: number; noWait?: boolean } = {},
): Promise<GradeReport> {
  const exercises = selectExercises(lesson, exerciseId) ?? [];
  const results: ExerciseResult[] = [];
  for (const exercise of exercises) results.push(await gradeExercise(exercise, { cluster, lessonFolder }, options));
  return summarize(lesson.lesson.id, results, []);
}

export function summarize(lesson: string, exercises: ExerciseResult[], notes: string[]): GradeReport {
  const score = exercises.reduce((sum, result) => sum + result.score, 0);
  const maxScore = exercises.reduce((sum, result) => sum + result.maxScore, 0);
  const status = exercises.some((result) => result.status === "error")
    ? "error"
    : exercises.length > 0 && exercises.every((result) => result.status === "pass")
      ? "pass"
      : "fail";
  return {
    lesson,
    status,
    score: Math.round(score * 100) / 100,
    maxScore: Math.round(maxScore * 100) / 100,
    exercises,
    notes,
  };
}

/** A submission that could not be applied: every check fails with the reason as feedback. */
function zeroReport(lesson: GradedLesson, exerciseId: string | undefined, reason: string): GradeReport {
  const exercises = (selectExercises(lesson, exerciseId) ?? []).map((exercise): ExerciseResult => {
    const weight = exercise.checks.reduce((sum, check) => sum + check.points, 0);
    const scale = exercise.points !== undefined && weight > 0 ? exercise.points / weight : 1;
    return {
      exerciseId: exercise.id,
      status: "fail",
      score: 0,
      maxScore: Math.round(weight * scale * 100) / 100,
      checks: exercise.checks.map((check, index) => ({
        id: check.id ?? `check-${index + 1}`,
        description: check.description ?? check.type,
        status: "fail",
        points: 0,
        maxPoints: Math.round(check.points * scale * 100) / 100,
        message: reason,
      })),
    };
  });
  return summarize(lesson.lesson.id, exercises, [reason]);
}

/**
 * Grades a submission on a fresh in-process cluster with the lesson's starting state: manifests
 * are applied as `kubectl apply -f` would, scripts run in the learner-like shell (kubectl and
 * heredocs), then the checks run (waiting, bounded, for convergence). Invalid YAML grades 0 with
 * the parse error as feedback.
 */
export async function gradeSubmission(
  lesson: GradedLesson,
  exerciseId: string | undefined,
  files: SubmittedFile[],
  lessonFolder: string,
  options: { defaultWaitMs?: number } = {},
): Promise<GradeReport> {
  for (const file of files) {
    if (isScript(file)) continue;
    for (const document of parseAllDocuments(file.content) as ReturnType<typeof parseAllDocuments> & unknown[]) {
      const [error] = document.errors;
      if (error) {
        const line = error.linePos?.[0]?.line;
        return zeroReport(
          lesson,
          exerciseId,
          `invalid YAML in ${file.name}${line ? ` line ${line}` : ""}: ${error.message.split("\n")[0]}`,
        );
      }
    }
  }
  const cluster = await startFreshCluster();
  try {
    const notes: string[] = [];
    if (lesson.startingState) await applyStartingState(freshClusterWriters(cluster), lesson.startingState);
    for (const file of files) {
      if (isScript(file)) {
        const run = await cluster.shell.run(file.content, { tolerateReadOnlyFailures: true });
        for (const step of run.steps) notes.push(`$ ${step.command}${step.output ? `\n${step.output.trimEnd()}` : ""}`);
        if (run.exitCode !== 0) notes.push(`${file.name} stopped: exit status ${run.exitCode}`);
      } else {
        try {
          notes.push(...(await applyManifests(cluster.grading, file.content, file.name)));
        } catch (error) {
          notes.push(`${file.name}: ${(error as Error).message.split("\n")[0]}`);
        }
      }
    }
    const report = await gradeCluster(lesson, exerciseId, cluster.grading, lessonFolder, {
      defaultWaitMs: options.defaultWaitMs ?? 20_000,
    });
    return { ...report, notes };
  } finally {
    await cluster.stop();
  }
}

function isScript(file: SubmittedFile): boolean {
  return file.name.endsWith(".sh") || file.content.startsWith("#!");
}

/** A report as text for a terminal. */
export function formatReport(report: GradeReport): string {
  const lines: string[] = [];
  for (const exercise of report.exercises) {
    lines.push(`${exercise.exerciseId}: ${exercise.score}/${exercise.maxScore} ${exercise.status.toUpperCase()}`);
    for (const check of exercise.checks) {
      const mark = check.status === "pass" ? "✔" : check.status === "error" ? "!" : "✘";
      lines.push(`  ${mark} ${check.description} — ${check.message} (${check.points}/${check.maxPoints})`);
    }
  }
  lines.push(
    `${report.lesson}: ${report.score}/${report.maxScore} points${report.status === "error" ? " (some checks could not run)" : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

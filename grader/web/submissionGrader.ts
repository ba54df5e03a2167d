import type { GradedLesson } from "../format/gradedLesson";
import type { GradeReport, SubmittedFile } from "../run/submission";

/** Grades a submission on a fresh in-process cluster (grader/run/submission's gradeSubmission). */
export type SubmissionGrader = (
  lesson: GradedLesson,
  exerciseId: string | undefined,
  files: SubmittedFile[],
  lessonFolder: string,
) => Promise<GradeReport>;

// The engine is never bundled by Next: the server (run by tsx) registers the grader that starts
// clusters, and the route handlers Next bundles look it up here.
const KEY = Symbol.for("kubelab.submissionGrader");
type Holder = { [KEY]?: SubmissionGrader };

/**
 * Registers the process's submission grader (server/mounts.ts, at start-up, through
 * registerSubmissionGrader.ts — kept in its own module so that the route handlers Next bundles
 * never reach the engine, even through a dynamic import).
 */
export function setSubmissionGrader(grader: SubmissionGrader): void {
  (globalThis as Holder)[KEY] = grader;
}

/** The registered grader; throws when the server registered none (e.g. `next dev` alone). */
export function submissionGrader(): SubmissionGrader {
  const grader = (globalThis as Holder)[KEY];
  if (!grader) throw new Error("no submission grader in this process: start Kubelab with `npm start`");
  return grader;
}

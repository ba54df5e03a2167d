import { gradeSubmission } from "../run/submission";
import { setSubmissionGrader } from "./submissionGrader";

/** Registers the grader that starts fresh in-process clusters (server/mounts.ts, at start-up). */
export function registerSubmissionGrader(): void {
  setSubmissionGrader(gradeSubmission);
}

import { gradeExercise } from "../../../../../../../grader/checks/index";
import { checksCount } from "../../../../../../../grader/web/assessment";
import {
  learnerGradingCluster,
  lessonFolderPath,
  saveSubmission,
  updateProgress,
} from "../../../../../../../grader/web/learnerGrading";
import { resolveLearnerExercise } from "../../../../../../../grader/web/learnerRequest";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string; exercise: string }>;
}

/**
 * POST /api/lessons/<lesson>/exercises/<exercise>/check: grades the exercise on the learner's own
 * cluster (the learner cookie picks it) as it is now, saves the submission and the lesson's progress.
 */
export async function POST(_request: Request, { params }: Params): Promise<Response> {
  const resolved = await resolveLearnerExercise(params);
  if ("response" in resolved) return resolved.response;
  const { learnerId, lesson, exercise } = resolved;
  if (!(await checksCount(learnerId, lesson)))
    return Response.json({ error: "The time is up: checks no longer count for this assessment." }, { status: 409 });
  let cluster: Awaited<ReturnType<typeof learnerGradingCluster>>;
  try {
    cluster = await learnerGradingCluster(learnerId);
  } catch (error) {
    return Response.json(
      { status: "error", message: `cannot reach the cluster (${(error as Error).message})`, checks: [] },
      { status: 503 },
    );
  }
  const result = await gradeExercise(exercise, { cluster, lessonFolder: lessonFolderPath() }, { noWait: true });
  let progress: string | undefined;
  let submissionId: number | undefined;
  if (result.status !== "error") {
    submissionId = await saveSubmission(learnerId, lesson.lesson.id, result, "check");
    progress = await updateProgress(learnerId, lesson);
  }
  return Response.json({ ...result, submissionId, progress }, { headers: { "Cache-Control": "no-store" } });
}

import { gradeExercise } from "../../../../../../../grader/checks/index";
import { checksCount } from "../../../../../../../grader/web/assessment";
import {
  findExercise,
  learnerGradingCluster,
  lessonFolderPath,
  saveSubmission,
  updateProgress,
} from "../../../../../../../grader/web/learnerGrading";
import { currentLearnerId } from "../../../../../../../lib/learner/currentLearner";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string; exercise: string }>;
}

/**
 * POST /api/lessons/<lesson>/exercises/<exercise>/check: grades the exercise on the learner's own
 * cluster (the learner cookie picks it) as it is now, saves the submission and the lesson's progress.
 */
export async function POST(_request: Request, { params }: Params): Promise<Response> {
  const { id, exercise: exerciseId } = await params;
  const found = findExercise(id, exerciseId);
  if ("missing" in found) {
    return Response.json(
      { error: `unknown ${found.missing}: ${found.missing === "lesson" ? id : exerciseId}` },
      { status: 404 },
    );
  }
  const learnerId = await currentLearnerId();
  if (!learnerId) return Response.json({ error: "no learner: open the lesson page first" }, { status: 401 });
  if (!(await checksCount(learnerId, found.lesson)))
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
  const result = await gradeExercise(found.exercise, { cluster, lessonFolder: lessonFolderPath() }, { noWait: true });
  let progress: string | undefined;
  let submissionId: number | undefined;
  if (result.status !== "error") {
    submissionId = await saveSubmission(learnerId, id, result, "check");
    progress = await updateProgress(learnerId, found.lesson);
  }
  return Response.json({ ...result, submissionId, progress }, { headers: { "Cache-Control": "no-store" } });
}

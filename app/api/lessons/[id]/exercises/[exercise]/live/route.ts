import { gradeExercise } from "../../../../../../../grader/checks/index";
import { checksCount } from "../../../../../../../grader/web/assessment";
import {
  findExercise,
  learnerGradingCluster,
  lessonFolderPath,
  saveSubmission,
  updateProgress,
} from "../../../../../../../grader/web/learnerGrading";
import { watchForChanges } from "../../../../../../../grader/web/liveChecks";
import { currentLearnerId } from "../../../../../../../lib/learner/currentLearner";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string; exercise: string }>;
}

/**
 * GET /api/lessons/<lesson>/exercises/<exercise>/live: Server-Sent Events with the exercise's
 * results, re-graded whenever the learner's cluster changes (driven by watches on the kinds the
 * checks look at; no polling; after Reset cluster the watches start again on the new cluster and it
 * is graded again). A passing result is saved, so progress follows the live checklist
 * (in a timed lesson, until its time is up).
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id, exercise: exerciseId } = await params;
  const found = findExercise(id, exerciseId);
  if ("missing" in found) return Response.json({ error: `unknown ${found.missing}` }, { status: 404 });
  const learnerId = await currentLearnerId();
  if (!learnerId) return Response.json({ error: "no learner" }, { status: 401 });
  // The client of the moment: Reset cluster may replace it, and the watches below then start again on it.
  let cluster = await learnerGradingCluster(learnerId);
  const currentCluster = async () => {
    cluster = await learnerGradingCluster(learnerId);
    return cluster;
  };
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let last = "";
      let savedPass = false;
      const send = async () => {
        const result = await gradeExercise(
          found.exercise,
          { cluster, lessonFolder: lessonFolderPath() },
          { noWait: true },
        );
        const text = JSON.stringify(result);
        if (text === last) return;
        last = text;
        // A timed lesson's passes count only until its time is up.
        if (result.status === "pass" && !savedPass && (await checksCount(learnerId, found.lesson))) {
          savedPass = true;
          await saveSubmission(learnerId, id, result, "live");
          await updateProgress(learnerId, found.lesson);
        }
        try {
          controller.enqueue(encoder.encode(`event: result\ndata: ${text}\n\n`));
        } catch {
          stop?.();
        }
      };
      await send().catch(() => undefined);
      stop = await watchForChanges(currentCluster, found.exercise, () => send().catch(() => undefined));
      request.signal.addEventListener("abort", () => {
        stop?.();
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      });
    },
    cancel() {
      stop?.();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" },
  });
}

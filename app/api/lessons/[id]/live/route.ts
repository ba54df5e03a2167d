import { gradeExercise } from "../../../../../grader/checks/index";
import { checksCount } from "../../../../../grader/web/assessment";
import {
  learnerGradingCluster,
  lessonFolderPath,
  saveSubmission,
  updateProgress,
} from "../../../../../grader/web/learnerGrading";
import { resolveLearnerLesson } from "../../../../../grader/web/learnerRequest";
import { liveLesson } from "../../../../../grader/web/liveLesson";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string }>;
}

/**
 * GET /api/lessons/<lesson>/live: one Server-Sent Events stream per lesson page with the live
 * checklist of every exercise of the lesson: `event: result` whose data is an exercise's result
 * (tagged by its `exerciseId`), sent first for every exercise and then whenever the learner's
 * cluster changes what it grades to. All exercises share one set of watches on the cluster
 * (grader/web/liveLesson.ts; no polling; after Reset cluster the watches start again on the new
 * cluster and everything is graded again). One stream rather than one per exercise: a browser
 * opens at most six HTTP/1.1 connections per host, and Check and Reset need theirs. A passing
 * result is saved, so progress follows the live checklist (in a timed lesson, until its time is up).
 */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const resolved = await resolveLearnerLesson(params);
  if ("response" in resolved) return resolved.response;
  const { learnerId, lesson } = resolved;
  const lessonId = lesson.lesson.id;
  const lessonFolder = lessonFolderPath();
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  let closed = false;
  const end = () => {
    closed = true;
    stop?.();
  };
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const savedPass = new Set<string>();
      const send = async (result: Awaited<ReturnType<typeof gradeExercise>>) => {
        // A timed lesson's passes count only until its time is up.
        if (result.status === "pass" && !savedPass.has(result.exerciseId) && (await checksCount(learnerId, lesson))) {
          savedPass.add(result.exerciseId);
          await saveSubmission(learnerId, lessonId, result, "live");
          await updateProgress(learnerId, lesson);
        }
        try {
          controller.enqueue(encoder.encode(`event: result\ndata: ${JSON.stringify(result)}\n\n`));
        } catch {
          end();
        }
      };
      request.signal.addEventListener("abort", () => {
        end();
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      });
      try {
        const stopLive = await liveLesson({
          exercises: lesson.exercises,
          // The client of the moment: Reset cluster may replace it, and the watches then start again on it.
          client: () => learnerGradingCluster(learnerId),
          grade: (exercise, cluster) => gradeExercise(exercise, { cluster, lessonFolder }, { noWait: true }),
          onResult: send,
        });
        if (closed) stopLive();
        else stop = stopLive;
      } catch (error) {
        // No grading client (the cluster could not be made): say so; the browser tries again in 30 s.
        const problem = JSON.stringify({ message: `cannot reach the cluster (${(error as Error).message})` });
        controller.enqueue(encoder.encode(`retry: 30000\nevent: problem\ndata: ${problem}\n\n`));
        controller.close();
      }
    },
    cancel() {
      end();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive" },
  });
}

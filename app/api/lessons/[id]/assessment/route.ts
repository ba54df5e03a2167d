import { finishAssessment, openAssessment } from "../../../../../grader/web/assessment";
import { findGradedLesson } from "../../../../../grader/web/learnerGrading";
import { currentLearnerId } from "../../../../../lib/learner/currentLearner";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string }>;
}

async function respond(id: string, act: typeof openAssessment): Promise<Response> {
  const lesson = findGradedLesson(id);
  if (!lesson) return Response.json({ error: `unknown lesson: ${id}` }, { status: 404 });
  if (lesson.timeLimitMinutes === undefined)
    return Response.json({ error: `lesson ${id} is not timed` }, { status: 404 });
  const learnerId = await currentLearnerId();
  if (!learnerId) return Response.json({ error: "no learner: open the lesson page first" }, { status: 401 });
  return Response.json(await act(learnerId, lesson), { headers: { "Cache-Control": "no-store" } });
}

/** GET /api/lessons/<lesson>/assessment: the learner's timed attempt (started on first open), with the final score once ended. */
export async function GET(_request: Request, { params }: Params): Promise<Response> {
  return respond((await params).id, openAssessment);
}

/** POST /api/lessons/<lesson>/assessment: the learner finishes now; answers with the final score. */
export async function POST(_request: Request, { params }: Params): Promise<Response> {
  return respond((await params).id, finishAssessment);
}

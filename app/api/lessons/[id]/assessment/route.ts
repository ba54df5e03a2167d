import { finishAssessment, openAssessment } from "../../../../../grader/web/assessment";
import { resolveLearnerLesson } from "../../../../../grader/web/learnerRequest";

export const dynamic = "force-dynamic";

interface Params {
  params: Promise<{ id: string }>;
}

async function respond(params: Params["params"], act: typeof openAssessment): Promise<Response> {
  const resolved = await resolveLearnerLesson(params);
  if ("response" in resolved) return resolved.response;
  const { learnerId, lesson } = resolved;
  if (lesson.timeLimitMinutes === undefined)
    return Response.json({ error: `lesson ${lesson.lesson.id} is not timed` }, { status: 404 });
  return Response.json(await act(learnerId, lesson), { headers: { "Cache-Control": "no-store" } });
}

/** GET /api/lessons/<lesson>/assessment: the learner's timed attempt (started on first open), with the final score once ended. */
export async function GET(_request: Request, { params }: Params): Promise<Response> {
  return respond(params, openAssessment);
}

/** POST /api/lessons/<lesson>/assessment: the learner finishes now; answers with the final score. */
export async function POST(_request: Request, { params }: Params): Promise<Response> {
  return respond(params, finishAssessment);
}

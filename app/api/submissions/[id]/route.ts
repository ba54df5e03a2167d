import { isInstructor } from "../../../../grader/web/learnerGrading";
import { prisma } from "../../../../lib/database/prisma";

export const dynamic = "force-dynamic";

/** GET /api/submissions/<id> (instructor token): a stored submission with its per-check results. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!isInstructor(request)) return Response.json({ error: "an instructor token is required" }, { status: 401 });
  const id = Number((await params).id);
  const row = Number.isInteger(id)
    ? await prisma().submission.findUnique({ where: { id }, include: { results: { orderBy: { position: "asc" } } } })
    : null;
  if (!row) return Response.json({ error: `unknown submission: ${(await params).id}` }, { status: 404 });
  return Response.json(
    {
      id: row.id,
      learner: row.learnerId,
      lesson: row.lessonId,
      exercise: row.exerciseId,
      status: row.status,
      score: row.score,
      maxScore: row.maxScore,
      source: row.source,
      notes: JSON.parse(row.notes),
      createdAt: row.createdAt,
      checks: row.results.map((result) => ({
        id: result.checkId,
        description: result.description,
        status: result.status,
        points: result.points,
        maxPoints: result.maxPoints,
        message: result.message,
        expected: result.expected ?? undefined,
        found: result.found ?? undefined,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

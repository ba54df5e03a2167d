import { z } from "zod";
import { resetLearnerCluster } from "../../../../../lib/clusters/learnerClusters";
import { currentLearnerId } from "../../../../../lib/learner/currentLearner";
import { jsonError } from "../../requestOrigin";

export const dynamic = "force-dynamic";

const ResetRequest = z
  .object({
    /** Reset to this lesson's starting state (when it declares one). */
    lessonId: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      .max(100)
      .optional(),
  })
  .strict();

/** POST /api/clusters/mine/reset {lessonId?}: a fresh cluster (same id and tokens). */
export async function POST(request: Request): Promise<Response> {
  const learnerId = await currentLearnerId();
  if (!learnerId) return jsonError(401, "no learner: open a lesson page first");
  // Only same-origin pages may reset (a cross-site form cannot send JSON with this content type).
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
    return jsonError(415, "send application/json");
  }
  const text = await request.text();
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return jsonError(400, "the body is not JSON");
  }
  const parsed = ResetRequest.safeParse(body);
  if (!parsed.success)
    return jsonError(400, `bad request: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  try {
    const clusterId = await resetLearnerCluster(learnerId, parsed.data.lessonId);
    return Response.json({ id: clusterId, reset: true }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return jsonError(503, `could not reset your cluster: ${(error as Error).message}`);
  }
}

import { downloadKubeconfig } from "../../../../../lib/clusters/learnerClusters";
import { currentLearnerId } from "../../../../../lib/learner/currentLearner";
import { jsonError, requestOrigin } from "../../requestOrigin";

export const dynamic = "force-dynamic";

/**
 * GET /api/clusters/mine/kubeconfig: a kubeconfig for the learner's own kubectl, k9s or Lens.
 * Each download carries a new token and revokes the previously downloaded one.
 */
export async function GET(request: Request): Promise<Response> {
  const learnerId = await currentLearnerId();
  if (!learnerId) return jsonError(401, "no learner: open a lesson page first");
  try {
    const kubeconfig = await downloadKubeconfig(learnerId, requestOrigin(request));
    return new Response(kubeconfig, {
      headers: {
        "Content-Type": "application/yaml",
        "Content-Disposition": 'attachment; filename="kubelab-kubeconfig.yaml"',
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return jsonError(503, `your cluster is not available: ${(error as Error).message}`);
  }
}

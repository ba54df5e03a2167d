import { clusterHost } from "../../../../lib/clusters/clusterHost";
import { ensureLearnerCluster, externalClusterUrl } from "../../../../lib/clusters/learnerClusters";
import { currentLearnerId } from "../../../../lib/learner/currentLearner";
import { jsonError, requestOrigin } from "../requestOrigin";

export const dynamic = "force-dynamic";

/** GET /api/clusters/mine: the learner's cluster (id, API URL, state, usage and quotas); no token. */
export async function GET(request: Request): Promise<Response> {
  const learnerId = await currentLearnerId();
  if (!learnerId) return jsonError(401, "no learner: open a lesson page first");
  try {
    const { clusterId } = await ensureLearnerCluster(learnerId);
    const info = clusterHost().info(clusterId);
    return Response.json(
      { ...info, server: externalClusterUrl(requestOrigin(request), clusterId).server },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return jsonError(503, `your cluster is not available: ${(error as Error).message}`);
  }
}

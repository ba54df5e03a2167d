import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { ApiError } from "../ApiError";
import type { ApiServerCore } from "../ApiServer";
import { isPlainObject } from "../patch/mergePatch";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse } from "../ResourceRequest";
import { selectorFromObject } from "../selectors/LabelSelector";
import { deleteObject } from "./deletion";

/**
 * `pods/eviction` (policy/v1 Eviction), as upstream's EvictionREST: a pod that is not running
 * (or already being deleted) is deleted straight away; otherwise the PodDisruptionBudget that
 * selects it must allow a disruption, which the eviction consumes; a budget with none left is a
 * 429 the caller retries.
 */
export function evictPod(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  if (request.verb !== "create") throw ApiError.methodNotSupported("", "pods/eviction", request.verb);
  const eviction = request.body as KubeObject;
  if (!isPlainObject(eviction)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const name = request.name ?? "";
  if (eviction.metadata?.name && eviction.metadata.name !== name) {
    throw ApiError.badRequest(`name in URL does not match name in Eviction object`);
  }
  const found = server.readOrNotFound(definition, request.namespace, name);
  const pod = found.object;
  const deleteOptions = (eviction.deleteOptions ?? {}) as Record<string, unknown>;
  const remove = () =>
    deleteObject(server, definition, {
      ...request,
      verb: "delete",
      subresource: undefined,
      options: {
        ...request.options,
        gracePeriodSeconds:
          typeof deleteOptions.gracePeriodSeconds === "number" ? deleteOptions.gracePeriodSeconds : undefined,
        preconditions: deleteOptions.preconditions as ResourceRequest["options"]["preconditions"],
        dryRun: request.options.dryRun || (Array.isArray(deleteOptions.dryRun) && deleteOptions.dryRun.includes("All")),
      },
    });
  const success: ResourceResponse = {
    status: 201,
    body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } as unknown as KubeObject,
  };
  const phase = pod.status?.phase;
  if (pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed" || phase === "Pending") {
    remove();
    return success;
  }
  const budgets = server.listObjects("policy", "poddisruptionbudgets", request.namespace).filter((budget) => {
    try {
      const selector = selectorFromObject(budget.spec?.selector);
      return !selector.empty() && selector.matches(pod.metadata.labels);
    } catch {
      return false;
    }
  });
  if (budgets.length > 1) {
    throw new ApiError(
      "InternalError",
      500,
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  }
  if (budgets.length === 1) {
    const budget = budgets[0];
    const status = budget.status ?? {};
    const allowed = Number(status.disruptionsAllowed ?? 0);
    if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 0) || allowed <= 0) {
      const error = ApiError.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0);
      if (error.details)
        error.details.causes = [
          {
            reason: "DisruptionBudget",
            message: `The disruption budget ${budget.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
          },
        ];
      throw error;
    }
    if (!request.options.dryRun) {
      const disruptedPods = { ...(status.disruptedPods ?? {}), [name]: toRfc3339(server.clock.now()) };
      server.writeStatusDirect("policy", "poddisruptionbudgets", {
        ...budget,
        status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods },
      });
    }
  }
  remove();
  return success;
}

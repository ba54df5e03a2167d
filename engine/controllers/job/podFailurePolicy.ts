import type { JobSpec } from "../../api/batch";
import type { Pod } from "../../api/core";

/** What a matched podFailurePolicy rule decides, with upstream's message for FailJob. */
export interface PolicyVerdict {
  action: "FailJob" | "FailIndex" | "Ignore" | "Count";
  message: string;
}

/**
 * matchPodFailurePolicy: the first rule matching a failed pod — by a container's non-zero exit
 * code (optionally one named container) or by a pod condition — and its action; undefined when no
 * rule matches (the failure counts, as without a policy).
 */
export function matchPodFailurePolicy(spec: JobSpec, pod: Pod): PolicyVerdict | undefined {
  const rules = spec.podFailurePolicy?.rules ?? [];
  const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [index, rule] of rules.entries()) {
    const action = rule.action as PolicyVerdict["action"];
    const exitCodes = rule.onExitCodes;
    if (exitCodes) {
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
      for (const status of statuses) {
        if (exitCodes.containerName && exitCodes.containerName !== status.name) continue;
        const code = status.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        const listed = exitCodes.values.includes(code);
        if (exitCodes.operator === "In" ? listed : exitCodes.operator === "NotIn" ? !listed : false) {
          return {
            action,
            message: `Container ${status.name} for pod ${where} failed with exit code ${code} matching ${action} rule at index ${index}`,
          };
        }
      }
      continue;
    }
    for (const wanted of rule.onPodConditions ?? []) {
      const condition = pod.status?.conditions?.find(
        (c) => c.type === wanted.type && c.status === (wanted.status || "True"),
      );
      if (condition) {
        return {
          action,
          message: `Pod ${where} has condition ${wanted.type} matching ${action} rule at index ${index}`,
        };
      }
    }
  }
  return undefined;
}

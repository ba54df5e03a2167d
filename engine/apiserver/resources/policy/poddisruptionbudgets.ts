/** policy/v1 poddisruptionbudgets: ValidatePodDisruptionBudget, the strategy and printPodDisruptionBudget. */
import type { PodDisruptionBudget } from "../../../api/policy";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  nameIsDnsSubdomain,
  notSupported,
  validateLabelSelector,
  validateObjectMeta,
} from "../support/validation";
import { validateIntOrPercent } from "../support/workloads";

function validateBudget(budget: PodDisruptionBudget): FieldError[] {
  const errors = validateObjectMeta(budget.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = budget.spec ?? {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errors.push({
      ...invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"),
      renderedBadValue: "policy.PodDisruptionBudgetSpec{...}",
    });
  }
  errors.push(...validateIntOrPercent(spec.minAvailable, "spec.minAvailable"));
  errors.push(...validateIntOrPercent(spec.maxUnavailable, "spec.maxUnavailable"));
  errors.push(...validateLabelSelector(spec.selector, "spec.selector"));
  const policies = ["AlwaysAllow", "IfHealthyBudget"];
  if (spec.unhealthyPodEvictionPolicy && !policies.includes(spec.unhealthyPodEvictionPolicy)) {
    errors.push(notSupported("spec.unhealthyPodEvictionPolicy", spec.unhealthyPodEvictionPolicy, policies));
  }
  return errors;
}

export const podDisruptionBudgets: ResourceDefinition<PodDisruptionBudget> = {
  group: "policy",
  versions: ["v1"],
  resource: "poddisruptionbudgets",
  kind: "PodDisruptionBudget",
  singular: "poddisruptionbudget",
  namespaced: true,
  shortNames: ["pdb"],
  storagePrefix: "poddisruptionbudgets",
  subresources: { status: true },
  strategy: specStatusStrategy<PodDisruptionBudget>(
    { validate: validateBudget, validateUpdate: validateBudget },
    { initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }) },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Min Available", "string", "The minimum number of pods that must be available."),
      column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
      column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
      ageColumn(),
    ],
    cells: (budget, now) => [
      budget.metadata.name ?? "",
      budget.spec?.minAvailable !== undefined ? String(budget.spec.minAvailable) : "N/A",
      budget.spec?.maxUnavailable !== undefined ? String(budget.spec.maxUnavailable) : "N/A",
      budget.status?.disruptionsAllowed ?? 0,
      translateTimestampSince(budget.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("policy", "v1", "PodDisruptionBudget"),
  schemaComponents,
};

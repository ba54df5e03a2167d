/** scheduling.k8s.io/v1 priorityclasses: defaults, ValidatePriorityClass(Update) and printPriorityClass. */
import type { PriorityClass } from "../../../api/scheduling";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { forbidden, invalid, nameIsDnsSubdomain, notSupported, validateObjectMeta } from "../support/validation";

/** The classes Kubernetes creates itself; only they may use the `system-` prefix and values above 1e9. */
export const systemPriorityClasses: Record<string, number> = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000,
};

const highestUserDefinablePriority = 1000000000;

function validatePriorityClass(priorityClass: PriorityClass): FieldError[] {
  const errors = validateObjectMeta(priorityClass.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  const name = priorityClass.metadata.name ?? "";
  const system = name in systemPriorityClasses;
  if (system) {
    if (priorityClass.value !== systemPriorityClasses[name]) {
      errors.push(invalid("metadata.name", name, "name is a known system priority class, but value does not match"));
    }
  } else {
    if (name.startsWith("system-")) {
      errors.push(
        invalid("metadata.name", name, "priority class names with 'system-' prefix are reserved for system use only"),
      );
    }
    if (priorityClass.value > highestUserDefinablePriority) {
      errors.push(
        forbidden("value", `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`),
      );
    }
  }
  const policies = ["Never", "PreemptLowerPriority"];
  if (priorityClass.preemptionPolicy && !policies.includes(priorityClass.preemptionPolicy)) {
    errors.push(notSupported("preemptionPolicy", priorityClass.preemptionPolicy, policies));
  }
  return errors;
}

export const priorityClasses: ResourceDefinition<PriorityClass> = {
  group: "scheduling.k8s.io",
  versions: ["v1"],
  resource: "priorityclasses",
  kind: "PriorityClass",
  singular: "priorityclass",
  namespaced: false,
  shortNames: ["pc"],
  storagePrefix: "priorityclasses",
  strategy: {
    defaults(priorityClass) {
      priorityClass.preemptionPolicy ||= "PreemptLowerPriority";
    },
    validate: validatePriorityClass,
    validateUpdate(priorityClass, old) {
      const errors = validatePriorityClass(priorityClass);
      if (priorityClass.value !== old.value) errors.push(forbidden("value", "may not be changed in an update."));
      if (priorityClass.preemptionPolicy !== old.preemptionPolicy) {
        errors.push(invalid("preemptionPolicy", priorityClass.preemptionPolicy, "field is immutable"));
      }
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Value", "integer", ["V1PriorityClass", "value"]),
      column("Global-Default", "boolean", ["V1PriorityClass", "globalDefault"]),
      ageColumn(),
      column("PreemptionPolicy", "string", ["V1PriorityClass", "preemptionPolicy"]),
    ],
    cells: (priorityClass, now) => [
      priorityClass.metadata.name ?? "",
      priorityClass.value ?? 0,
      priorityClass.globalDefault === true,
      translateTimestampSince(priorityClass.metadata.creationTimestamp, now),
      priorityClass.preemptionPolicy ?? "",
    ],
  },
  schema: kindSchema("scheduling.k8s.io", "v1", "PriorityClass"),
  schemaComponents,
};

/** core/v1 limitranges: ValidateLimitRange; no printer upstream, so the default Name/Created At table. */
import type { LimitRange } from "../../../api/core";
import { compareQuantities, isQuantity } from "../../../api/quantity";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultTableConvertor } from "../support/printing";
import {
  invalid,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
  validateQuantity,
} from "../support/validation";

const limitTypes = ["Container", "PersistentVolumeClaim", "Pod"];

function validateLimitRange(range: LimitRange): FieldError[] {
  const errors = validateObjectMeta(range.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  if (!range.spec) return [...errors, required("spec")];
  (range.spec.limits ?? []).forEach((item, index) => {
    const path = `spec.limits[${index}]`;
    if (!limitTypes.includes(item.type)) errors.push(notSupported(`${path}.type`, item.type, limitTypes));
    for (const key of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) {
      for (const [name, value] of Object.entries(item[key] ?? {}))
        errors.push(...validateQuantity(value, `${path}.${key}[${name}]`));
    }
    for (const [name, min] of Object.entries(item.min ?? {})) {
      const max = item.max?.[name];
      if (max !== undefined && isQuantity(min) && isQuantity(max) && compareQuantities(min, max) > 0) {
        errors.push(invalid(`${path}.min[${name}]`, String(min), `min value ${min} is greater than max value ${max}`));
      }
    }
    if (item.type === "Pod" && (item.default || item.defaultRequest)) {
      if (item.default)
        errors.push({
          type: "FieldValueForbidden",
          field: `${path}.default`,
          detail: "may not be specified when `type` is 'Pod'",
        });
      if (item.defaultRequest) {
        errors.push({
          type: "FieldValueForbidden",
          field: `${path}.defaultRequest`,
          detail: "may not be specified when `type` is 'Pod'",
        });
      }
    }
  });
  return errors;
}

export const limitRanges: ResourceDefinition<LimitRange> = {
  group: "",
  versions: ["v1"],
  resource: "limitranges",
  kind: "LimitRange",
  singular: "limitrange",
  namespaced: true,
  shortNames: ["limits"],
  storagePrefix: "limitranges",
  strategy: { validate: validateLimitRange, validateUpdate: validateLimitRange },
  table: defaultTableConvertor(),
  schema: kindSchema("", "v1", "LimitRange"),
  schemaComponents,
};

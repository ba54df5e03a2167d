/**
 * Checks shared by the controllers' objects (deployments, replica sets, daemon sets, stateful
 * sets, jobs): selectors, template labels and IntOrString percentages, with upstream's messages
 * and Go renderings of the bad values.
 */
import type { IntOrString, PodTemplateSpec } from "../../../api/core";
import type { LabelSelector } from "../../../api/types";
import type { FieldError } from "../../ResourceDefinition";
import {
  goStringMap,
  invalid,
  isEmptySelector,
  jsonEqual,
  required,
  selectorMatches,
  validateLabelSelector,
} from "./validation";

/** Go's %#v of a metav1.LabelSelector as field errors print it (pointers are dereferenced). */
export function goLabelSelector(selector: LabelSelector | undefined): string {
  if (!selector) return "null";
  const labels = selector.matchLabels ? goStringMap(selector.matchLabels) : "map[string]string(nil)";
  const expressions = selector.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${selector.matchExpressions
        .map(
          (expression) =>
            `v1.LabelSelectorRequirement{Key:${JSON.stringify(expression.key)}, Operator:${JSON.stringify(expression.operator)}, Values:${
              expression.values
                ? `[]string{${expression.values.map((value) => JSON.stringify(value)).join(", ")}}`
                : "[]string(nil)"
            }}`,
        )
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}

/**
 * A workload's selector: required, non-empty, valid, and matching the template's labels
 * (ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateDaemonSetSpec …).
 */
export function validateWorkloadSelector(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  field = "spec",
): FieldError[] {
  const errors: FieldError[] = [];
  if (!selector) {
    // A missing selector selects nothing (labels.Nothing()), so the template cannot match it either.
    errors.push(required(`${field}.selector`));
    if (template) errors.push(templateMismatch(template, field));
    return errors;
  }
  errors.push(...validateLabelSelector(selector, `${field}.selector`));
  if (isEmptySelector(selector)) {
    errors.push({
      ...invalid(`${field}.selector`, selector, "empty selector is invalid for deployment"),
      renderedBadValue: goLabelSelector(selector),
    });
    return errors;
  }
  if (template && !selectorMatches(selector, template.metadata?.labels)) errors.push(templateMismatch(template, field));
  return errors;
}

function templateMismatch(template: PodTemplateSpec, field: string): FieldError {
  return {
    ...invalid(
      `${field}.template.metadata.labels`,
      template.metadata?.labels ?? {},
      "`selector` does not match template `labels`",
    ),
    renderedBadValue: goStringMap(template.metadata?.labels),
  };
}

/** `spec.selector: Invalid value: …: field is immutable` (apps/v1 and batch/v1 selectors never change). */
export function validateSelectorImmutable(
  selector: LabelSelector | undefined,
  old: LabelSelector | undefined,
  field = "spec.selector",
): FieldError[] {
  if (jsonEqual(selector, old)) return [];
  return [{ ...invalid(field, selector, "field is immutable"), renderedBadValue: goLabelSelector(selector) }];
}

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
export function validateIntOrPercent(value: IntOrString | undefined, field: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === "number") {
    return value < 0 ? [invalid(field, value, "must be greater than or equal to 0")] : [];
  }
  const match = /^(\d+)%$/.exec(value);
  if (!match) {
    return [
      invalid(
        field,
        value,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ];
  }
  if (Number(match[1]) > 100) return [invalid(field, value, "must not be greater than 100%")];
  return [];
}

/** The integer value of an IntOrString percentage against 100 (0 for 0 or 0%). */
export function isZeroIntOrPercent(value: IntOrString | undefined): boolean {
  return value === 0 || value === "0%" || value === "0";
}

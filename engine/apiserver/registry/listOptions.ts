import type { FieldError } from "../ResourceDefinition";

/** The ListOptions fields upstream's ValidateListOptions looks at; `resourceVersionMatch` as sent. */
export interface ListOptionsToValidate {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  continue?: string;
  sendInitialEvents?: boolean;
}

const forbidden = (detail: string): FieldError => ({
  type: "FieldValueForbidden",
  field: "resourceVersionMatch",
  detail,
});

/**
 * upstream's ValidateListOptions (apimachinery/pkg/apis/meta/internalversion/validation) with the
 * WatchList feature on, as in 1.32: the errors are answered as a 422 on `ListOptions.meta.k8s.io`.
 */
export function validateListOptions(options: ListOptionsToValidate, watch: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const match = options.resourceVersionMatch ?? "";
  if (watch) {
    if (options.sendInitialEvents !== undefined && match !== "NotOlderThan") {
      errors.push(forbidden("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    }
    if (match) {
      if (options.sendInitialEvents === undefined) {
        errors.push(forbidden("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
      }
      if (match !== "NotOlderThan") {
        errors.push({
          type: "FieldValueNotSupported",
          field: "resourceVersionMatch",
          badValue: match,
          supportedValues: ["NotOlderThan"],
        });
      }
      if (options.continue) errors.push(forbidden("resourceVersionMatch is forbidden when continue is provided"));
    }
    return errors;
  }
  if (match) {
    if (!options.resourceVersion) {
      errors.push(forbidden("resourceVersionMatch is forbidden unless resourceVersion is provided"));
    }
    if (options.continue) errors.push(forbidden("resourceVersionMatch is forbidden when continue is provided"));
    if (match !== "Exact" && match !== "NotOlderThan") {
      errors.push({
        type: "FieldValueNotSupported",
        field: "resourceVersionMatch",
        badValue: match,
        supportedValues: ["Exact", "NotOlderThan", ""],
      });
    }
    if (match === "Exact" && options.resourceVersion === "0") {
      errors.push(forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (options.sendInitialEvents !== undefined) {
    errors.push({
      type: "FieldValueForbidden",
      field: "sendInitialEvents",
      detail: "sendInitialEvents is forbidden for list",
    });
  }
  return errors;
}

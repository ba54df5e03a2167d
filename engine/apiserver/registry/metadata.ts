import type { KubeObject } from "../../api/types";
import type { FieldError, ResourceDefinition } from "../ResourceDefinition";
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
} from "../validation";

/**
 * Generic ObjectMeta validation every resource gets (upstream's ValidateObjectMeta): the name must
 * be usable in a URL (and a DNS subdomain when the resource's own strategy does not validate
 * names), namespaces must be DNS labels, labels and annotation keys must be well-formed.
 */
export function validateObjectMeta(
  definition: ResourceDefinition,
  object: KubeObject,
  validateNameFormat: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const metadata = object.metadata;
  const name = metadata.name ?? "";
  for (const message of isValidPathSegmentName(name)) {
    errors.push({ type: "FieldValueInvalid", field: "metadata.name", badValue: name, detail: message });
  }
  if (validateNameFormat && errors.length === 0 && definition.group !== "rbac.authorization.k8s.io") {
    const messages = definition.resource === "namespaces" ? isDns1123Label(name) : isDns1123Subdomain(name);
    for (const message of messages)
      errors.push({ type: "FieldValueInvalid", field: "metadata.name", badValue: name, detail: message });
  }
  if (definition.namespaced && metadata.namespace) {
    for (const message of isDns1123Label(metadata.namespace)) {
      errors.push({
        type: "FieldValueInvalid",
        field: "metadata.namespace",
        badValue: metadata.namespace,
        detail: message,
      });
    }
  }
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    for (const message of isQualifiedName(key))
      errors.push({ type: "FieldValueInvalid", field: "metadata.labels", badValue: key, detail: message });
    if (typeof value !== "string") {
      errors.push({
        type: "FieldValueInvalid",
        field: `metadata.labels`,
        badValue: value,
        detail: "label values must be strings",
      });
      continue;
    }
    for (const message of isValidLabelValue(value)) {
      errors.push({ type: "FieldValueInvalid", field: "metadata.labels", badValue: value, detail: message });
    }
  }
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    for (const message of isQualifiedName(key.toLowerCase())) {
      errors.push({ type: "FieldValueInvalid", field: "metadata.annotations", badValue: key, detail: message });
    }
    annotationBytes += key.length + String(value).length;
  }
  if (annotationBytes > 256 * 1024) {
    errors.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      detail: "may not be more than 262144 bytes",
    });
  }
  for (const [index, finalizer] of (metadata.finalizers ?? []).entries()) {
    if (typeof finalizer !== "string") {
      errors.push({
        type: "FieldValueInvalid",
        field: `metadata.finalizers[${index}]`,
        badValue: finalizer,
        detail: "must be a string",
      });
      continue;
    }
    for (const message of isQualifiedName(finalizer)) {
      errors.push({
        type: "FieldValueInvalid",
        field: `metadata.finalizers[${index}]`,
        badValue: finalizer,
        detail: message,
      });
    }
  }
  return errors;
}

const METADATA_TYPES: Record<string, { check: (value: unknown) => boolean; goType: string }> = {
  name: { check: (value) => typeof value === "string", goType: "string" },
  generateName: { check: (value) => typeof value === "string", goType: "string" },
  namespace: { check: (value) => typeof value === "string", goType: "string" },
  uid: { check: (value) => typeof value === "string", goType: "types.UID" },
  resourceVersion: { check: (value) => typeof value === "string", goType: "string" },
  generation: { check: (value) => Number.isInteger(value), goType: "int64" },
  labels: { check: (value) => isStringMap(value), goType: "map[string]string" },
  annotations: { check: (value) => isStringMap(value), goType: "map[string]string" },
  finalizers: {
    check: (value) => Array.isArray(value) && value.every((item) => typeof item === "string"),
    goType: "[]string",
  },
  ownerReferences: {
    check: (value) =>
      Array.isArray(value) && value.every((item) => item !== null && typeof item === "object" && !Array.isArray(item)),
    goType: "[]v1.OwnerReference",
  },
  managedFields: { check: (value) => Array.isArray(value), goType: "[]v1.ManagedFieldsEntry" },
};

function isStringMap(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === "string")
  );
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  return typeof value;
}

/**
 * Decoding checks on ObjectMeta's field types, as Go's JSON decoder makes them: a wrong type is a
 * 400 (`json: cannot unmarshal object into Go struct field ObjectMeta.metadata.finalizers of type
 * []string`). Returns the message, or undefined when the metadata decodes. `null` means absent.
 */
export function metadataTypeError(metadata: Record<string, unknown>): string | undefined {
  for (const [field, { check, goType }] of Object.entries(METADATA_TYPES)) {
    const value = metadata[field];
    if (value === undefined || value === null) continue;
    if (!check(value)) {
      const inner =
        Array.isArray(value) || (value && typeof value === "object")
          ? Object.values(value as object).find((item) => typeof item !== "string")
          : undefined;
      const shown = goType === "map[string]string" && inner !== undefined ? jsonType(inner) : jsonType(value);
      return `json: cannot unmarshal ${shown} into Go struct field ObjectMeta.metadata.${field} of type ${goType === "map[string]string" && inner !== undefined ? "string" : goType}`;
    }
  }
  return undefined;
}

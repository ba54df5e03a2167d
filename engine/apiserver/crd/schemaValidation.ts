import { isPlainObject } from "../patch/mergePatch";
import type { FieldError } from "../ResourceDefinition";

/** The parts of a CRD's structural schema that validation reads. */
export interface StructuralSchema {
  type?: string;
  format?: string;
  properties?: Record<string, StructuralSchema>;
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema | boolean;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
}

/**
 * Validates a custom object against its CRD's openAPIV3Schema with the messages upstream's
 * kube-openapi validator gives (`spec.replicas in body must be of type integer: "string"`).
 * `metadata`, `apiVersion` and `kind` at the root are the API server's business, not the schema's.
 */
export function validateAgainstSchema(object: unknown, schema: StructuralSchema): FieldError[] {
  const errors: FieldError[] = [];
  visit(object, schema, "", errors, true);
  return errors;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function visit(value: unknown, schema: StructuralSchema, path: string, errors: FieldError[], root = false): void {
  const field = path || "<root>";
  if (value === null) {
    if (!schema.nullable && schema.type) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: "null",
        detail: `${field} in body must be of type ${schema.type}: "null"`,
      });
    }
    return;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: typeOf(value),
        detail: `${field} in body must be of type integer,string: "${typeOf(value)}"`,
      });
    }
    return;
  }
  const actual = typeOf(value);
  if (schema.type) {
    const matches = schema.type === actual || (schema.type === "number" && actual === "integer");
    if (!matches) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: actual,
        detail: `${field} in body must be of type ${schema.type}: "${actual}"`,
      });
      return;
    }
  }
  if (schema.enum && !schema.enum.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value))) {
    errors.push({
      type: "FieldValueNotSupported",
      field,
      badValue: value,
      supportedValues: schema.enum.map((candidate) =>
        typeof candidate === "string" ? candidate : JSON.stringify(candidate),
      ),
    });
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: value,
        detail: `${field} in body should be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${schema.minimum}`,
      });
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: value,
        detail: `${field} in body should be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${schema.maximum}`,
      });
    }
  }
  if (typeof value === "string") {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      errors.push({
        type: "FieldValueTooLong",
        field,
        badValue: value,
        detail: `may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: value,
        detail: `${field} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (schema.pattern) {
      let pattern: RegExp | undefined;
      try {
        pattern = new RegExp(schema.pattern, "u");
      } catch {
        pattern = undefined;
      }
      if (pattern && !pattern.test(value)) {
        errors.push({
          type: "FieldValueInvalid",
          field,
          badValue: value,
          detail: `${field} in body should match '${schema.pattern}'`,
        });
      }
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({
        type: "FieldValueTooMany",
        field,
        badValue: value.length,
        detail: `must have at most ${schema.maxItems} items`,
      });
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({
        type: "FieldValueInvalid",
        field,
        badValue: value.length,
        detail: `${field} in body should have at least ${schema.minItems} items`,
      });
    }
    const items = schema.items;
    if (items) for (const [index, item] of value.entries()) visit(item, items, `${path}[${index}]`, errors);
    return;
  }
  if (isPlainObject(value)) {
    for (const required of schema.required ?? []) {
      if (root && (required === "metadata" || required === "apiVersion" || required === "kind")) continue;
      if (!(required in value))
        errors.push({ type: "FieldValueRequired", field: path ? `${path}.${required}` : required, detail: "" });
    }
    for (const [key, item] of Object.entries(value)) {
      if (root && (key === "metadata" || key === "apiVersion" || key === "kind")) continue;
      const child =
        schema.properties?.[key] ??
        (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (child) visit(item, child as StructuralSchema, path ? `${path}.${key}` : key, errors);
    }
  }
}

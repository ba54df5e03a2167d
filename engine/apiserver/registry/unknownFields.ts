import type { OpenApiSchema } from "../ResourceDefinition";
import { isPlainObject } from "../patch/mergePatch";

/** Metadata's fields, for schemas that only declare `metadata: {type: object}`. */
const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

/**
 * Finds fields the schema does not know (`spec.contianers`), removing them from `object` as
 * decoding into Go structs (or CRD pruning) does. Returns their paths in upstream's notation.
 * `$ref`s are not followed: a field described by a reference is accepted as a whole.
 */
export function checkUnknownFields(object: Record<string, unknown>, schema: OpenApiSchema, custom: boolean): string[] {
  const unknown: string[] = [];
  visit(object, schema, "", unknown, custom, true);
  return unknown;
}

function visit(
  value: unknown,
  schema: OpenApiSchema | undefined,
  path: string,
  unknown: string[],
  custom: boolean,
  root = false,
): void {
  if (!schema || schema.$ref || schema["x-kubernetes-preserve-unknown-fields"] || schema["x-kubernetes-int-or-string"])
    return;
  const effective = schema.allOf?.length ? { ...schema, ...mergeAllOf(schema.allOf) } : schema;
  if (effective.$ref) return;
  if (Array.isArray(value)) {
    if (effective.items)
      value.forEach((item, index) => visit(item, effective.items, `${path}[${index}]`, unknown, custom));
    return;
  }
  if (!isPlainObject(value)) return;
  if (path === "metadata" && root === false && !effective.properties) {
    for (const key of Object.keys(value)) {
      if (!OBJECT_META_FIELDS.has(key)) {
        unknown.push(`metadata.${key}`);
        delete value[key];
      }
    }
    return;
  }
  const properties = effective.properties;
  if (!properties) {
    if (isPlainObject(effective.additionalProperties)) {
      for (const [key, item] of Object.entries(value))
        visit(item, effective.additionalProperties, join(path, key), unknown, custom);
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (root && (key === "apiVersion" || key === "kind")) continue;
    const child = properties[key];
    if (!child) {
      if (effective.additionalProperties) continue;
      if (root && key === "metadata") continue;
      unknown.push(join(path, key));
      delete value[key];
      continue;
    }
    if (root && key === "metadata") {
      visit(item, child.properties ? child : { type: "object" }, "metadata", unknown, custom);
      continue;
    }
    visit(item, child, join(path, key), unknown, custom);
  }
}

function mergeAllOf(schemas: OpenApiSchema[]): OpenApiSchema {
  const merged: OpenApiSchema = {};
  for (const schema of schemas) Object.assign(merged, schema);
  return merged;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

import type { OpenApiSchema } from "../ResourceDefinition";

/**
 * Finds the fields of `value` that `schema` does not declare, with upstream's paths
 * (`spec.template.spec.containers[0].imagePullPolice`), as the typed decoders of the real
 * apiserver find them for fieldValidation Strict and Warn. With `prune`, removes them too, as
 * decoding into a typed struct drops them.
 *
 * A schema object that declares no properties (or preserves unknown fields, or has
 * additionalProperties) accepts anything beneath it. `$ref`s resolve through `components`.
 */
export function findUnknownFields(
  value: unknown,
  schema: OpenApiSchema | undefined,
  components: Record<string, OpenApiSchema> = {},
  prune = false,
): string[] {
  const unknown: string[] = [];
  walk(value, schema, "", components, unknown, prune, 0);
  return unknown;
}

/** Paths of directive keys of strategic merge patches, which are not fields. */
function isPatchDirective(key: string): boolean {
  return key.startsWith("$") || key.startsWith("$setElementOrder/") || key.startsWith("$deleteFromPrimitiveList/");
}

/** Follows `$ref` and single-entry `allOf` wrappers to the schema that describes the value. */
export function resolveSchema(
  schema: OpenApiSchema | undefined,
  components: Record<string, OpenApiSchema>,
): OpenApiSchema | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 16; depth++) {
    if (current.$ref) {
      const name = current.$ref.replace(/^#\/(components\/schemas|definitions)\//, "");
      const target = components[name];
      if (!target) return undefined;
      current = target.properties || target.items || target.type ? target : target;
      if (!current.$ref && !(current.allOf && current.allOf.length === 1 && !current.properties)) return current;
      continue;
    }
    if (current.allOf && current.allOf.length === 1 && !current.properties && !current.type) {
      current = current.allOf[0];
      continue;
    }
    return current;
  }
  return current;
}

function walk(
  value: unknown,
  rawSchema: OpenApiSchema | undefined,
  path: string,
  components: Record<string, OpenApiSchema>,
  unknown: string[],
  prune: boolean,
  depth: number,
): void {
  if (depth > 64 || value === null || typeof value !== "object") return;
  const schema = resolveSchema(rawSchema, components);
  if (!schema || schema["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(value)) {
    if (!schema.items) return;
    for (const [index, item] of value.entries()) {
      walk(item, schema.items, `${path}[${index}]`, components, unknown, prune, depth + 1);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  if (schema.properties && Object.keys(schema.properties).length > 0) {
    for (const key of Object.keys(record)) {
      const fieldPath = path ? `${path}.${key}` : key;
      const property = schema.properties[key];
      if (property) {
        walk(record[key], property, fieldPath, components, unknown, prune, depth + 1);
      } else if (isPatchDirective(key)) {
      } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        walk(record[key], schema.additionalProperties, fieldPath, components, unknown, prune, depth + 1);
      } else if (!schema.additionalProperties) {
        unknown.push(fieldPath);
        if (prune) delete record[key];
      }
    }
    return;
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    for (const key of Object.keys(record)) {
      walk(
        record[key],
        schema.additionalProperties,
        path ? `${path}.${key}` : key,
        components,
        unknown,
        prune,
        depth + 1,
      );
    }
  }
}

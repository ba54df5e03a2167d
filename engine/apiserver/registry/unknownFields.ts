import { objectMetaFields } from "../../api/types";
import { isPlainObject } from "../patch/mergePatch";
import type { OpenApiSchema } from "../ResourceDefinition";

/** Metadata's fields, for schemas that only declare `metadata: {type: object}`. */
const OBJECT_META_FIELDS = new Set<string>(objectMetaFields);

/**
 * Finds fields the schema does not know (`spec.contianers`), removing them from `object` as
 * decoding into Go structs (or CRD pruning) does. Returns their paths in upstream's notation.
 * `$ref`s resolve through `components` (`#/components/schemas/<name>`); an unresolvable one accepts
 * the field as a whole.
 */
export function checkUnknownFields(
  object: Record<string, unknown>,
  schema: OpenApiSchema,
  components?: Readonly<Record<string, OpenApiSchema>>,
): string[] {
  const unknown: string[] = [];
  visit(object, schema, "", unknown, components ?? NO_COMPONENTS, true);
  return unknown;
}

const NO_COMPONENTS: Readonly<Record<string, OpenApiSchema>> = Object.freeze({});

/** Resolved schemas, per components map: definitions are shared and never mutated, so this is safe to keep. */
const resolvedCache = new WeakMap<object, WeakMap<OpenApiSchema, OpenApiSchema | null>>();

/** Follows `$ref` and `allOf: [{$ref}]`; undefined when unresolvable. Cached per schema node. */
function resolve(
  schema: OpenApiSchema,
  components: Readonly<Record<string, OpenApiSchema>>,
): OpenApiSchema | undefined {
  if (!schema.$ref && !schema.allOf?.length) return schema;
  let cache = resolvedCache.get(components);
  if (!cache) {
    cache = new WeakMap();
    resolvedCache.set(components, cache);
  }
  const cached = cache.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  const resolved = resolveUncached(schema, components);
  cache.set(schema, resolved ?? null);
  return resolved;
}

function resolveUncached(
  schema: OpenApiSchema,
  components: Readonly<Record<string, OpenApiSchema>>,
): OpenApiSchema | undefined {
  let current: OpenApiSchema | undefined = schema;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.$ref) {
      const name: string = current.$ref.replace(/^#\/components\/schemas\//, "");
      const target: OpenApiSchema | undefined = components[name];
      if (!target) return undefined;
      const { $ref: _ref, ...rest } = current;
      current = { ...target, ...rest };
      continue;
    }
    if (current.allOf?.length) {
      const { allOf, ...rest }: OpenApiSchema = current;
      current = { ...mergeAllOf(allOf ?? []), ...rest };
      continue;
    }
    return current;
  }
  return undefined;
}

function visit(
  value: unknown,
  schema: OpenApiSchema | undefined,
  path: string,
  unknown: string[],
  components: Readonly<Record<string, OpenApiSchema>>,
  root = false,
): void {
  if (!schema) return;
  const effective = resolve(schema, components);
  if (!effective || effective["x-kubernetes-preserve-unknown-fields"] || effective["x-kubernetes-int-or-string"])
    return;
  if (Array.isArray(value)) {
    if (effective.items) {
      for (const [index, item] of value.entries())
        visit(item, effective.items, `${path}[${index}]`, unknown, components);
    }
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
        visit(item, effective.additionalProperties, join(path, key), unknown, components);
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
      const metadataSchema = resolve(child, components);
      visit(item, metadataSchema?.properties ? metadataSchema : { type: "object" }, "metadata", unknown, components);
      continue;
    }
    visit(item, child, join(path, key), unknown, components);
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

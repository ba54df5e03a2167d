import { ApiError } from "../ApiError";
import type { OpenApiSchema } from "../ResourceDefinition";
import { type ListStrategy, listStrategyFor } from "./listStrategies";
import { isPlainObject } from "./mergePatch";

/**
 * Where the patch walker is in the kind's OpenAPI schema: the node of the current map (or list
 * item), with the shared components its `$ref`s point into. Lists take their strategy from the
 * schema's `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` (upstream's struct tags);
 * a list without them, or a field the schema does not know, is replaced whole.
 */
export interface PatchSchema {
  node: OpenApiSchema | undefined;
  components: Readonly<Record<string, OpenApiSchema>>;
}

/** Follows `$ref` and `allOf: [{$ref}]` to the referenced schema. */
function resolveSchema(
  node: OpenApiSchema | undefined,
  components: PatchSchema["components"],
): OpenApiSchema | undefined {
  let current = node;
  for (let depth = 0; current && depth < 8; depth++) {
    const reference = current.$ref ?? current.allOf?.find((part) => part.$ref)?.$ref;
    if (!reference) return current;
    current = components[reference.replace("#/components/schemas/", "")];
  }
  return current;
}

/** The schema of field `key` inside the map at `schema` (a property, or the value schema of a map). */
function childSchema(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  if (!schema) return undefined;
  const resolved = resolveSchema(schema.node, schema.components);
  const additional = resolved?.additionalProperties;
  const node = resolved?.properties?.[key] ?? (typeof additional === "object" ? additional : undefined);
  return { node, components: schema.components };
}

/** The schema of the items of the list at `schema`. */
function itemSchema(schema: PatchSchema | undefined): PatchSchema | undefined {
  if (!schema) return undefined;
  return { node: resolveSchema(schema.node, schema.components)?.items, components: schema.components };
}

/** A list's strategy from its schema node's patch extensions. */
function schemaListStrategy(node: OpenApiSchema | undefined): ListStrategy {
  const strategies = (node?.["x-kubernetes-patch-strategy"] ?? "").split(",");
  if (!strategies.includes("merge")) return { strategy: "replace" };
  const mergeKey = node?.["x-kubernetes-patch-merge-key"];
  return mergeKey ? { strategy: "merge", mergeKey } : { strategy: "merge", set: true };
}

type Json = unknown;
type JsonMap = Record<string, unknown>;

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
const SET_ELEMENT_ORDER = "$setElementOrder/";

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as upstream's
 * `strategicpatch.StrategicMergePatch`: lists merge by their merge key (containers by name, ports
 * by containerPort …) or are replaced when atomic; scalar sets (finalizers) union; and the
 * directives `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
 * `$setElementOrder/<field>` are honoured. Throws a BadRequest ApiError for a malformed patch.
 */
export function applyStrategicMergePatch(original: Json, patch: Json, schema?: PatchSchema): Json {
  if (!isPlainObject(patch))
    throw ApiError.badRequest('unable to find api field in struct Unstructured for the json field "$patch"');
  return mergeMap(isPlainObject(original) ? original : {}, patch, [], schema);
}

/**
 * The strategy of list `field` of the map at `schema` (path `parents`): the schema's extensions
 * when there is a schema, else the hand-kept table of listStrategies.ts.
 */
function strategyOf(schema: PatchSchema | undefined, parents: string[], field: string): ListStrategy {
  if (!schema) return listStrategyFor(parents, field);
  return schemaListStrategy(childSchema(schema, field)?.node);
}

function mergeMap(original: JsonMap, patch: JsonMap, parents: string[], schema?: PatchSchema): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive === "replace") {
    const replaced: JsonMap = {};
    for (const [key, value] of Object.entries(patch)) if (!key.startsWith("$")) replaced[key] = stripDirectives(value);
    return replaced;
  }
  if (directive !== undefined && directive !== "merge" && directive !== "delete") {
    throw ApiError.badRequest(`Unrecognized patch directive: ${JSON.stringify(directive)}`);
  }
  const result: JsonMap = { ...original };
  const retainKeys = patch[RETAIN_KEYS];
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS) continue;
    if (key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      if (!Array.isArray(value)) throw ApiError.badRequest(`${key} must be a list`);
      const current = result[field];
      if (Array.isArray(current))
        result[field] = current.filter((item) => !value.some((removed) => deepEqual(removed, item)));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (isPlainObject(value)) {
      if (value[DIRECTIVE] === "delete") {
        delete result[key];
        continue;
      }
      const merged = mergeMap(
        isPlainObject(current) ? current : {},
        value,
        [...parents, key],
        childSchema(schema, key),
      );
      result[key] = merged;
      continue;
    }
    if (Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(current) ? current : [], value, parents, key, schema);
      continue;
    }
    result[key] = value;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (Array.isArray(order) && Array.isArray(result[field])) {
      result[field] = applyElementOrder(result[field] as Json[], order, strategyOf(schema, parents, field).mergeKey);
    }
  }
  // Without an explicit $retainKeys a retainKeys map (a Deployment's strategy) merges normally.
  if (retainKeys !== undefined) {
    if (!Array.isArray(retainKeys)) throw ApiError.badRequest("$retainKeys must be a list of strings");
    for (const key of Object.keys(result)) if (!retainKeys.includes(key)) delete result[key];
  }
  return result;
}

function mergeList(
  original: Json[],
  patch: Json[],
  parents: string[],
  field: string,
  schema: PatchSchema | undefined,
): Json[] {
  const strategy = strategyOf(schema, parents, field);
  const items = itemSchema(childSchema(schema, field));
  const replaceDirective = patch.some((item) => isPlainObject(item) && item[DIRECTIVE] === "replace");
  if (replaceDirective) {
    return patch.filter((item) => !(isPlainObject(item) && item[DIRECTIVE] === "replace")).map(stripDirectives);
  }
  if (strategy.strategy !== "merge") return patch.map(stripDirectives);
  if (strategy.set || !strategy.mergeKey) {
    // A list of scalars merged as a set: union, keeping the original order first.
    const result = [...original];
    for (const item of patch) if (!result.some((existing) => deepEqual(existing, item))) result.push(item);
    return result;
  }
  const mergeKey = strategy.mergeKey;
  const result = original.map((item) => item);
  for (const item of patch) {
    if (!isPlainObject(item))
      throw ApiError.badRequest(`merging an object in json but data type is not an object for field ${field}`);
    if (!(mergeKey in item)) {
      throw ApiError.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const index = result.findIndex(
      (existing) => isPlainObject(existing) && deepEqual(existing[mergeKey], item[mergeKey]),
    );
    if (item[DIRECTIVE] === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      result[index] = mergeMap(result[index] as JsonMap, item, [...parents, field], items);
    } else {
      result.push(mergeMap({}, item, [...parents, field], items));
    }
  }
  return result;
}

function applyElementOrder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const identity = (item: Json) => (mergeKey && isPlainObject(item) ? item[mergeKey] : item);
  const position = (item: Json) => order.findIndex((entry) => deepEqual(identity(entry), identity(item)));
  const ordered = list.filter((item) => position(item) >= 0).sort((a, b) => position(a) - position(b));
  const rest = list.filter((item) => position(item) < 0);
  return [...ordered, ...rest];
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const result: JsonMap = {};
  for (const [key, item] of Object.entries(value)) {
    if (
      key === DIRECTIVE ||
      key === RETAIN_KEYS ||
      key.startsWith(SET_ELEMENT_ORDER) ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
    )
      continue;
    result[key] = stripDirectives(item);
  }
  return result;
}

/** Structural equality of JSON values. */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!deepEqual(a[index], b[index])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a as JsonMap);
  const bKeys = Object.keys(b as JsonMap);
  if (aKeys.length !== bKeys.length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b as JsonMap, key)) return false;
    if (!deepEqual((a as JsonMap)[key], (b as JsonMap)[key])) return false;
  }
  return true;
}

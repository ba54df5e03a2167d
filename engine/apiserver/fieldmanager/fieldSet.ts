import { listStrategyFor } from "../patch/listStrategies";
import { isPlainObject } from "../patch/mergePatch";
import { deepEqual } from "../patch/strategicMergePatch";

/**
 * Field sets as server-side apply tracks them (sigs.k8s.io/structured-merge-diff): each field is a
 * path of elements `f:<name>` (a struct or map field), `k:{"name":"web"}` (an item of an
 * associative list), `v:<json>` (an item of a scalar set) and `.` (the item itself). A set is held
 * as a `Set` of paths joined by a separator, and converts to and from the `fieldsV1` tree stored in
 * `metadata.managedFields`.
 */
export type FieldPath = string[];

const SEPARATOR = "\u0000";

export function pathKey(path: FieldPath): string {
  return path.join(SEPARATOR);
}

export function keyPath(key: string): FieldPath {
  return key.split(SEPARATOR);
}

/** Metadata fields the system owns; they never appear in managedFields. */
const IGNORED_METADATA = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
]);

/** Context for list types: CRD schemas can declare `x-kubernetes-list-type` themselves. */
export type ListTypeResolver = (
  parents: readonly string[],
  field: string,
) => { type: "map"; keys: string[] } | { type: "set" } | { type: "atomic" };

/** The default resolver for built-in kinds, from upstream's struct tags. */
export const builtinListTypes: ListTypeResolver = (parents, field) => {
  const strategy = listStrategyFor(parents, field);
  if (strategy.strategy !== "merge") return { type: "atomic" };
  if (strategy.set) return { type: "set" };
  return { type: "map", keys: strategy.mapKeys ?? (strategy.mergeKey ? [strategy.mergeKey] : []) };
};

/** Every field path an object sets (what a manager owns after writing it). */
export function fieldsOf(object: unknown, resolve: ListTypeResolver = builtinListTypes): Set<string> {
  return new Set(fieldValuesOf(object, resolve).keys());
}

/** What a `.` path (an item or a map itself) and a `v:` path (a set member) hold: their presence. */
const PRESENT = true;

/**
 * Every field path an object sets, with the value found there (a scalar, an atomic list, an empty
 * or whole labels/annotations map; presence for `.` and `v:` paths), in one walk: two objects'
 * maps compare field by field without looking each path up again (an update's changed fields).
 */
export function fieldValuesOf(object: unknown, resolve: ListTypeResolver = builtinListTypes): Map<string, unknown> {
  const result = new Map<string, unknown>();
  if (!isPlainObject(object)) return result;
  for (const [key, value] of Object.entries(object)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata" && isPlainObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (IGNORED_METADATA.has(metaKey)) continue;
        walk(metaValue, `f:metadata${SEPARATOR}f:${metaKey}`, ["metadata"], metaKey, result, resolve);
      }
      continue;
    }
    walk(value, `f:${key}`, [], key, result, resolve);
  }
  return result;
}

/** Walks one value; `path` is the field's path key so far (pathKey of its elements, built as it goes). */
function walk(
  value: unknown,
  path: string,
  parents: string[],
  field: string,
  result: Map<string, unknown>,
  resolve: ListTypeResolver,
): void {
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 || ((field === "labels" || field === "annotations") && parents.length === 1)) {
      result.set(path, value);
      if (entries.length > 0) result.set(`${path}${SEPARATOR}.`, PRESENT);
    }
    const inner = entries.length > 0 ? [...parents, field] : parents;
    for (const [key, item] of entries) walk(item, `${path}${SEPARATOR}f:${key}`, inner, key, result, resolve);
    return;
  }
  if (Array.isArray(value)) {
    const listType = resolve(parents, field);
    if (listType.type === "atomic" || value.length === 0) {
      result.set(path, value);
      return;
    }
    const inner = [...parents, field];
    for (const item of value) {
      if (listType.type === "set" || !isPlainObject(item)) {
        result.set(`${path}${SEPARATOR}v:${JSON.stringify(item)}`, PRESENT);
        continue;
      }
      const itemPath = `${path}${SEPARATOR}${itemKey(item, listType.keys)}`;
      result.set(`${itemPath}${SEPARATOR}.`, PRESENT);
      for (const [key, innerValue] of Object.entries(item)) {
        walk(innerValue, `${itemPath}${SEPARATOR}f:${key}`, inner, key, result, resolve);
      }
    }
    return;
  }
  result.set(path, value);
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: keys in the order declared, absent keys left out. */
export function itemKey(item: Record<string, unknown>, keys: string[]): string {
  const identity: Record<string, unknown> = {};
  for (const key of keys) {
    // A key field left out takes its schema default, as structured-merge-diff does for map keys.
    const value = item[key] ?? KEY_DEFAULTS[key];
    if (value !== undefined) identity[key] = value;
  }
  return `k:${JSON.stringify(identity)}`;
}

/** True when a list item has the key values of `identity` (absent keys take their defaults). */
export function matchesIdentity(item: unknown, identity: Record<string, unknown>): boolean {
  return (
    isPlainObject(item) &&
    Object.entries(identity).every(([key, value]) => deepEqual(item[key] ?? KEY_DEFAULTS[key], value))
  );
}

/** Defaults of list-map key fields in the built-in schemas (ports' protocol). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: "TCP" };

/** The value at a field path in an object, or undefined. */
export function valueAt(object: unknown, path: FieldPath): unknown {
  let current: unknown = object;
  for (const element of path) {
    if (element === ".") return current;
    if (element.startsWith("f:")) {
      if (!isPlainObject(current)) return undefined;
      current = current[element.slice(2)];
    } else if (element.startsWith("k:")) {
      if (!Array.isArray(current)) return undefined;
      const identity = JSON.parse(element.slice(2)) as Record<string, unknown>;
      current = current.find((item) => matchesIdentity(item, identity));
    } else if (element.startsWith("v:")) {
      if (!Array.isArray(current)) return undefined;
      const wanted = JSON.parse(element.slice(2));
      return current.some((item) => deepEqual(item, wanted)) ? wanted : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** Converts a field set to the `fieldsV1` tree. */
export function toFieldsV1(fields: Set<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const key of [...fields].sort()) {
    let node = root;
    for (const element of keyPath(key)) {
      if (!isPlainObject(node[element])) node[element] = {};
      node = node[element] as Record<string, unknown>;
    }
  }
  return root;
}

/** Converts a `fieldsV1` tree back to a field set (each node a field, as structured-merge-diff reads it). */
export function fromFieldsV1(tree: unknown): Set<string> {
  const result = new Set<string>();
  const visit = (node: unknown, path: FieldPath) => {
    if (!isPlainObject(node)) return;
    const entries = Object.entries(node);
    if (entries.length === 0 && path.length > 0) result.add(pathKey(path));
    for (const [element, child] of entries) {
      if (element === ".") result.add(pathKey([...path, "."]));
      else visit(child, [...path, element]);
    }
  };
  visit(tree, []);
  return result;
}

/** `.spec.containers[name="web"].image`, as structured-merge-diff prints a path in conflicts. */
export function printPath(path: FieldPath): string {
  let text = "";
  for (const element of path) {
    if (element === ".") continue;
    if (element.startsWith("f:")) text += `.${element.slice(2)}`;
    else if (element.startsWith("k:")) {
      const identity = JSON.parse(element.slice(2)) as Record<string, unknown>;
      text += `[${Object.entries(identity)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(",")}]`;
    } else if (element.startsWith("v:")) text += `[=${element.slice(2)}]`;
  }
  return text;
}

/** True when `prefix` is a proper prefix of (or equal to) `path`. */
export function isPrefix(prefix: FieldPath, path: FieldPath): boolean {
  if (prefix.length > path.length) return false;
  for (let index = 0; index < prefix.length; index++) if (prefix[index] !== path[index]) return false;
  return true;
}

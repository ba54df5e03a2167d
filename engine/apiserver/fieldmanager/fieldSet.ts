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

/**
 * How an update changed an object's fields, found by walking the old and new objects side by side:
 * `changed` holds the field paths of the new object that are new or hold another value (the same
 * paths {@link fieldValuesOf} of both would show differing), and `removed` says whether some field
 * of the old object is gone. Parts both objects hold unchanged cost a comparison, not a path each.
 */
export interface FieldChanges {
  changed: Set<string>;
  removed: boolean;
}

/** {@link FieldChanges} between two objects (undefined: neither is a plain object with plain metadata). */
export function fieldChangesOf(
  oldObject: unknown,
  newObject: unknown,
  resolve: ListTypeResolver = builtinListTypes,
): FieldChanges | undefined {
  if (!isPlainObject(oldObject) || !isPlainObject(newObject)) return undefined;
  const oldMetadata = oldObject.metadata;
  const newMetadata = newObject.metadata;
  if (!isPlainObject(oldMetadata) || !isPlainObject(newMetadata)) return undefined;
  const diff = new FieldDiff(resolve);
  for (const key of Object.keys(newObject)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata") {
      for (const metaKey of Object.keys(newMetadata)) {
        if (IGNORED_METADATA.has(metaKey)) continue;
        const path = `f:metadata${SEPARATOR}f:${metaKey}`;
        if (Object.hasOwn(oldMetadata, metaKey))
          diff.compare(oldMetadata[metaKey], newMetadata[metaKey], path, METADATA_PARENTS, metaKey);
        else diff.add(newMetadata[metaKey], path, METADATA_PARENTS, metaKey);
      }
      continue;
    }
    if (Object.hasOwn(oldObject, key)) diff.compare(oldObject[key], newObject[key], `f:${key}`, [], key);
    else diff.add(newObject[key], `f:${key}`, [], key);
  }
  if (!diff.removed) {
    for (const key of Object.keys(oldObject)) {
      if (key === "apiVersion" || key === "kind" || key === "metadata") continue;
      if (!Object.hasOwn(newObject, key)) diff.removed = true;
    }
    for (const metaKey of Object.keys(oldMetadata)) {
      if (!IGNORED_METADATA.has(metaKey) && !Object.hasOwn(newMetadata, metaKey)) diff.removed = true;
    }
  }
  const changed = new Set<string>();
  for (const key of diff.changed.keys()) changed.add(key);
  return { changed, removed: diff.removed };
}

const METADATA_PARENTS: readonly string[] = Object.freeze(["metadata"]);

/** Labels and annotations of metadata (and any such field one level down) are owned whole too. */
function isOwnedMap(parents: readonly string[], field: string): boolean {
  return (field === "labels" || field === "annotations") && parents.length === 1;
}

class FieldDiff {
  /** Paths of the new object that are new or changed (a Map so `walk` can add a subtree's paths). */
  readonly changed = new Map<string, unknown>();
  removed = false;

  constructor(private readonly resolve: ListTypeResolver) {}

  /** Every path of a value only the new object has. */
  add(value: unknown, path: string, parents: readonly string[], field: string): void {
    walk(value, path, parents as string[], field, this.changed, this.resolve);
  }

  /** The paths under one position both objects hold, as `walk` would find them in each. */
  compare(before: unknown, after: unknown, path: string, parents: readonly string[], field: string): void {
    if (before === after) return;
    const beforeObject = isPlainObject(before);
    const afterObject = isPlainObject(after);
    const beforeArray = Array.isArray(before);
    const afterArray = Array.isArray(after);
    if (beforeObject !== afterObject || beforeArray !== afterArray) {
      // Another shape: the old paths go, the new ones come (a present value always has a path).
      this.removed = true;
      this.add(after, path, parents, field);
      return;
    }
    if ((afterObject || afterArray) && deepEqual(before, after)) return;
    if (afterObject) {
      this.compareObjects(before as Record<string, unknown>, after as Record<string, unknown>, path, parents, field);
      return;
    }
    if (afterArray) {
      this.compareLists(before as unknown[], after as unknown[], path, parents, field);
      return;
    }
    if (!deepEqual(before, after)) this.changed.set(path, after);
  }

  private compareObjects(
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    path: string,
    parents: readonly string[],
    field: string,
  ): void {
    const beforeKeys = Object.keys(before);
    const afterKeys = Object.keys(after);
    const owned = isOwnedMap(parents, field);
    // The object itself is a field when empty, and labels/annotations are also fields whole (and `.`).
    const beforeSelf = beforeKeys.length === 0 || owned;
    const afterSelf = afterKeys.length === 0 || owned;
    if (afterSelf) {
      if (!beforeSelf || !deepEqual(before, after)) this.changed.set(path, after);
    } else if (beforeSelf) {
      this.removed = true;
    }
    if (owned) {
      const beforeDot = beforeKeys.length > 0;
      const afterDot = afterKeys.length > 0;
      if (afterDot && !beforeDot) this.changed.set(`${path}${SEPARATOR}.`, PRESENT);
      else if (beforeDot && !afterDot) this.removed = true;
    }
    if (afterKeys.length > 0) {
      const inner = [...parents, field];
      for (const key of afterKeys) {
        const childPath = `${path}${SEPARATOR}f:${key}`;
        if (Object.hasOwn(before, key)) this.compare(before[key], after[key], childPath, inner, key);
        else this.add(after[key], childPath, inner, key);
      }
    }
    if (!this.removed) for (const key of beforeKeys) if (!Object.hasOwn(after, key)) this.removed = true;
  }

  private compareLists(
    before: unknown[],
    after: unknown[],
    path: string,
    parents: readonly string[],
    field: string,
  ): void {
    const listType = this.resolve(parents, field);
    const beforeSelf = listType.type === "atomic" || before.length === 0;
    const afterSelf = listType.type === "atomic" || after.length === 0;
    if (afterSelf) {
      if (!beforeSelf) this.removed = true;
      if (!beforeSelf || !deepEqual(before, after)) this.changed.set(path, after);
      return;
    }
    if (beforeSelf) {
      this.removed = true;
      this.add(after, path, parents, field);
      return;
    }
    const keys = listType.type === "map" ? listType.keys : undefined;
    const beforeItems = listItems(before, keys);
    const afterItems = listItems(after, keys);
    if (!beforeItems || !afterItems) {
      // Items sharing a key merge into one set of paths: compare the list's paths as `walk` finds them.
      const beforeFields = new Map<string, unknown>();
      const afterFields = new Map<string, unknown>();
      walk(before, path, parents as string[], field, beforeFields, this.resolve);
      walk(after, path, parents as string[], field, afterFields, this.resolve);
      for (const [key, value] of afterFields) {
        if (!beforeFields.has(key) || !deepEqual(beforeFields.get(key), value)) this.changed.set(key, value);
      }
      if (!this.removed) for (const key of beforeFields.keys()) if (!afterFields.has(key)) this.removed = true;
      return;
    }
    const inner = [...parents, field];
    for (const [element, item] of afterItems) {
      const itemPath = `${path}${SEPARATOR}${element}`;
      if (item === PRESENT) {
        if (!beforeItems.has(element)) this.changed.set(itemPath, PRESENT);
        continue;
      }
      const previous = beforeItems.get(element);
      const record = item as Record<string, unknown>;
      if (previous === undefined) {
        this.changed.set(`${itemPath}${SEPARATOR}.`, PRESENT);
        for (const key of Object.keys(record)) this.add(record[key], `${itemPath}${SEPARATOR}f:${key}`, inner, key);
        continue;
      }
      const old = previous as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const childPath = `${itemPath}${SEPARATOR}f:${key}`;
        if (Object.hasOwn(old, key)) this.compare(old[key], record[key], childPath, inner, key);
        else this.add(record[key], childPath, inner, key);
      }
      if (!this.removed) for (const key of Object.keys(old)) if (!Object.hasOwn(record, key)) this.removed = true;
    }
    if (!this.removed) for (const element of beforeItems.keys()) if (!afterItems.has(element)) this.removed = true;
  }
}

/**
 * A non-atomic list's items by path element: `k:{…}` → the item, `v:<json>` → PRESENT (scalar and
 * set items). Undefined when two object items share a key (their paths merge; compared whole).
 */
function listItems(list: unknown[], keys: string[] | undefined): Map<string, unknown> | undefined {
  const items = new Map<string, unknown>();
  for (const item of list) {
    if (keys === undefined || !isPlainObject(item)) {
      items.set(`v:${JSON.stringify(item)}`, PRESENT);
      continue;
    }
    const element = itemKey(item, keys);
    if (items.has(element)) return undefined;
    items.set(element, item);
  }
  return items;
}

/**
 * Whether `fieldValuesOf(object)` holds `key`, found by following the key's path elements instead
 * of listing every field of the object.
 */
export function hasField(object: unknown, key: string, resolve: ListTypeResolver = builtinListTypes): boolean {
  if (!isPlainObject(object)) return false;
  const elements = keyPath(key);
  const first = elements[0];
  if (!first.startsWith("f:")) return false;
  const name = first.slice(2);
  if (name === "apiVersion" || name === "kind" || !Object.hasOwn(object, name)) return false;
  const value = object[name];
  if (name === "metadata" && isPlainObject(value)) {
    const second = elements[1];
    if (second === undefined || !second.startsWith("f:")) return false;
    const metaKey = second.slice(2);
    if (IGNORED_METADATA.has(metaKey) || !Object.hasOwn(value, metaKey)) return false;
    return holds(value[metaKey], elements, 2, METADATA_PARENTS, metaKey, resolve);
  }
  return holds(value, elements, 1, [], name, resolve);
}

/** Whether `walk(value, <elements before index>, parents, field)` yields the path `elements`. */
function holds(
  value: unknown,
  elements: string[],
  index: number,
  parents: readonly string[],
  field: string,
  resolve: ListTypeResolver,
): boolean {
  const last = index === elements.length;
  if (isPlainObject(value)) {
    if (last) {
      for (const _key in value) if (Object.hasOwn(value, _key)) return isOwnedMap(parents, field);
      return true;
    }
    const element = elements[index];
    if (element === ".") {
      if (index !== elements.length - 1 || !isOwnedMap(parents, field)) return false;
      return Object.keys(value).length > 0;
    }
    if (!element.startsWith("f:")) return false;
    const name = element.slice(2);
    if (!Object.hasOwn(value, name)) return false;
    return holds(value[name], elements, index + 1, [...parents, field], name, resolve);
  }
  if (Array.isArray(value)) {
    const listType = resolve(parents, field);
    if (listType.type === "atomic" || value.length === 0) return last;
    if (last) return false;
    const element = elements[index];
    if (element.startsWith("v:")) {
      if (index !== elements.length - 1) return false;
      for (const item of value) {
        if ((listType.type === "set" || !isPlainObject(item)) && `v:${JSON.stringify(item)}` === element) return true;
      }
      return false;
    }
    if (listType.type === "set" || !element.startsWith("k:") || index + 1 >= elements.length) return false;
    const next = elements[index + 1];
    const inner = [...parents, field];
    for (const item of value) {
      if (!isPlainObject(item) || itemKey(item, listType.keys) !== element) continue;
      if (next === ".") {
        if (index + 2 === elements.length) return true;
        continue;
      }
      if (!next.startsWith("f:")) continue;
      const name = next.slice(2);
      if (Object.hasOwn(item, name) && holds(item[name], elements, index + 2, inner, name, resolve)) return true;
    }
    return false;
  }
  return last;
}

/** Where a `fieldsV1` node points in an object (undefined: nowhere the object has a field). */
type Position =
  | { kind: "root"; object: Record<string, unknown> }
  | { kind: "metadata"; metadata: Record<string, unknown> }
  | { kind: "value"; value: unknown; parents: readonly string[]; field: string }
  | { kind: "item"; item: Record<string, unknown>; inner: readonly string[] }
  | { kind: "member" }
  | undefined;

/** Two list items share the key a `k:` element names: their fields merge, so ask field by field. */
const AMBIGUOUS = Symbol("ambiguous");

/**
 * Whether every field of a `fieldsV1` tree (as {@link fromFieldsV1} reads it) is a field of
 * `object` (as {@link fieldValuesOf} finds them), and how many fields the tree holds, found by
 * walking the tree and the object together; undefined when the object's lists hold two items with
 * the key the tree names (then {@link hasField} answers per field).
 */
export function treeFieldsIn(
  tree: unknown,
  object: unknown,
  resolve: ListTypeResolver = builtinListTypes,
): { all: boolean; count: number } | undefined {
  const state = { all: true, count: 0, indexes: new Map() as ListIndexes };
  if (!isPlainObject(tree)) return { all: true, count: 0 };
  try {
    visitTree(tree, isPlainObject(object) ? { kind: "root", object } : undefined, true, state, resolve);
  } catch (error) {
    if (error === AMBIGUOUS) return undefined;
    throw error;
  }
  return { all: state.all, count: state.count };
}

function visitTree(
  node: Record<string, unknown>,
  position: Position,
  root: boolean,
  state: { all: boolean; count: number; indexes: ListIndexes },
  resolve: ListTypeResolver,
): void {
  let empty = true;
  for (const element in node) {
    if (!Object.hasOwn(node, element)) continue;
    empty = false;
    if (element === ".") {
      state.count++;
      if (root || !dotAt(position)) state.all = false;
      continue;
    }
    const child = node[element];
    if (!isPlainObject(child)) continue;
    visitTree(child, position && stepInto(position, element, resolve, state.indexes), false, state, resolve);
  }
  if (empty && !root) {
    state.count++;
    if (!leafAt(position, resolve)) state.all = false;
  }
}

/** The position one path element further, as `walk` lays fields out. */
function stepInto(
  position: NonNullable<Position>,
  element: string,
  resolve: ListTypeResolver,
  indexes: ListIndexes,
): Position {
  const name = element.startsWith("f:") ? element.slice(2) : undefined;
  switch (position.kind) {
    case "root": {
      if (name === undefined || name === "apiVersion" || name === "kind" || !Object.hasOwn(position.object, name))
        return undefined;
      const value = position.object[name];
      if (name === "metadata" && isPlainObject(value)) return { kind: "metadata", metadata: value };
      return { kind: "value", value, parents: [], field: name };
    }
    case "metadata":
      if (name === undefined || IGNORED_METADATA.has(name) || !Object.hasOwn(position.metadata, name)) return undefined;
      return { kind: "value", value: position.metadata[name], parents: METADATA_PARENTS, field: name };
    case "item":
      if (name === undefined || !Object.hasOwn(position.item, name)) return undefined;
      return { kind: "value", value: position.item[name], parents: position.inner, field: name };
    case "member":
      return undefined;
  }
  const value = position.value;
  if (isPlainObject(value)) {
    if (name === undefined || !Object.hasOwn(value, name)) return undefined;
    return { kind: "value", value: value[name], parents: [...position.parents, position.field], field: name };
  }
  if (!Array.isArray(value)) return undefined;
  const listType = resolve(position.parents, position.field);
  if (listType.type === "atomic" || value.length === 0) return undefined;
  if (element.startsWith("v:")) {
    for (const item of value) {
      if ((listType.type === "set" || !isPlainObject(item)) && `v:${JSON.stringify(item)}` === element)
        return { kind: "member" };
    }
    return undefined;
  }
  if (listType.type === "set" || !element.startsWith("k:")) return undefined;
  const found = itemsByKey(indexes, value, listType.keys).get(element);
  if (found === AMBIGUOUS) throw AMBIGUOUS;
  return found && { kind: "item", item: found, inner: [...position.parents, position.field] };
}

/** Lists' object items by `k:` element (AMBIGUOUS for a shared key), each list indexed once per walk. */
type ListIndexes = Map<unknown[], Map<string, Record<string, unknown> | typeof AMBIGUOUS>>;

function itemsByKey(
  indexes: ListIndexes,
  list: unknown[],
  keys: string[],
): Map<string, Record<string, unknown> | typeof AMBIGUOUS> {
  let items = indexes.get(list);
  if (items) return items;
  items = new Map();
  for (const item of list) {
    if (!isPlainObject(item)) continue;
    const element = itemKey(item, keys);
    items.set(element, items.has(element) ? AMBIGUOUS : item);
  }
  indexes.set(list, items);
  return items;
}

/** Whether the path of a position is itself a field (a leaf of a fieldsV1 tree). */
function leafAt(position: Position, resolve: ListTypeResolver): boolean {
  if (!position) return false;
  switch (position.kind) {
    case "member":
      return true;
    case "value": {
      const value = position.value;
      if (isPlainObject(value)) {
        for (const key in value) if (Object.hasOwn(value, key)) return isOwnedMap(position.parents, position.field);
        return true;
      }
      if (Array.isArray(value)) {
        return value.length === 0 || resolve(position.parents, position.field).type === "atomic";
      }
      return true;
    }
    default:
      return false;
  }
}

/** Whether `<path>.` is a field: a list item's, or a non-empty labels/annotations map's. */
function dotAt(position: Position): boolean {
  if (!position) return false;
  if (position.kind === "item") return true;
  if (position.kind !== "value" || !isPlainObject(position.value)) return false;
  if (!isOwnedMap(position.parents, position.field)) return false;
  for (const key in position.value) if (Object.hasOwn(position.value, key)) return true;
  return false;
}

/** Whether a `fieldsV1` tree holds the field `key` (as {@link fromFieldsV1} reads the tree). */
export function treeHasField(tree: unknown, key: string): boolean {
  let node = tree;
  const elements = keyPath(key);
  for (let index = 0; index < elements.length; index++) {
    if (!isPlainObject(node)) return false;
    const element = elements[index];
    if (element === ".") return index === elements.length - 1 && Object.hasOwn(node, ".");
    if (!Object.hasOwn(node, element)) return false;
    node = node[element];
  }
  if (!isPlainObject(node)) return false;
  for (const child in node) if (Object.hasOwn(node, child)) return false;
  return elements.length > 0;
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

/**
 * Converts a field set to the `fieldsV1` tree, each node's children in sorted order (what inserting
 * the sorted paths one by one gives, without sorting the long joined paths).
 */
export function toFieldsV1(fields: Set<string>): Record<string, unknown> {
  const root = new Map<string, unknown>();
  for (const key of fields) {
    let node = root;
    let start = 0;
    for (;;) {
      const end = key.indexOf(SEPARATOR, start);
      const element = end < 0 ? key.slice(start) : key.slice(start, end);
      let child = node.get(element) as Map<string, unknown> | undefined;
      if (child === undefined) {
        child = new Map();
        node.set(element, child);
      }
      node = child;
      if (end < 0) break;
      start = end + 1;
    }
  }
  return sortedTree(root);
}

function sortedTree(node: Map<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (node.size === 0) return result;
  const elements = [...node.keys()];
  if (elements.length > 1) elements.sort();
  for (const element of elements) result[element] = sortedTree(node.get(element) as Map<string, unknown>);
  return result;
}

/**
 * The `fieldsV1` tree of every field an object sets: `toFieldsV1(fieldsOf(object))` built in one
 * walk of the object, without a path string per field (a create's managedFields).
 */
export function fieldsTreeOf(object: unknown, resolve: ListTypeResolver = builtinListTypes): Record<string, unknown> {
  const root = new Map<string, unknown>();
  if (!isPlainObject(object)) return {};
  for (const key of Object.keys(object)) {
    if (key === "apiVersion" || key === "kind") continue;
    const value = object[key];
    if (key === "metadata" && isPlainObject(value)) {
      let metadataNode: Map<string, unknown> | undefined;
      for (const metaKey of Object.keys(value)) {
        if (IGNORED_METADATA.has(metaKey)) continue;
        metadataNode ??= childNode(root, "f:metadata");
        treeWalk(value[metaKey], childNode(metadataNode, `f:${metaKey}`), METADATA_PARENTS, metaKey, resolve);
      }
      continue;
    }
    treeWalk(value, childNode(root, `f:${key}`), [], key, resolve);
  }
  return sortedTree(root);
}

function childNode(node: Map<string, unknown>, element: string): Map<string, unknown> {
  let child = node.get(element) as Map<string, unknown> | undefined;
  if (child === undefined) {
    child = new Map();
    node.set(element, child);
  }
  return child;
}

/** `walk`, adding the paths under `node` (the value's own path) instead of to a map of path strings. */
function treeWalk(
  value: unknown,
  node: Map<string, unknown>,
  parents: readonly string[],
  field: string,
  resolve: ListTypeResolver,
): void {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return;
    if (isOwnedMap(parents, field)) childNode(node, ".");
    const inner = [...parents, field];
    for (const key of keys) treeWalk(value[key], childNode(node, `f:${key}`), inner, key, resolve);
    return;
  }
  if (Array.isArray(value)) {
    const listType = resolve(parents, field);
    if (listType.type === "atomic" || value.length === 0) return;
    const inner = [...parents, field];
    for (const item of value) {
      if (listType.type === "set" || !isPlainObject(item)) {
        childNode(node, `v:${JSON.stringify(item)}`);
        continue;
      }
      const itemNode = childNode(node, itemKey(item, listType.keys));
      childNode(itemNode, ".");
      for (const key of Object.keys(item)) treeWalk(item[key], childNode(itemNode, `f:${key}`), inner, key, resolve);
    }
  }
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

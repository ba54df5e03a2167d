import type { KubeObject, ManagedFieldsEntry, StatusCause } from "../../api/types";
import { ApiError } from "../ApiError";
import { isPlainObject } from "../patch/mergePatch";
import { deepEqual } from "../patch/strategicMergePatch";
import {
  builtinListTypes,
  type FieldPath,
  fieldChangesOf,
  fieldsOf,
  fieldsTreeOf,
  fieldValuesOf,
  fromFieldsV1,
  hasField,
  itemKey,
  keyPath,
  type ListTypeResolver,
  matchesIdentity,
  pathKey,
  printPath,
  toFieldsV1,
  treeFieldsIn,
  treeHasField,
  valueAt,
} from "./fieldSet";

/** Who wrote: the field manager, the operation, the apiVersion used and the subresource. */
export interface ManagerIdentity {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  subresource?: string;
}

interface OwnedEntry {
  identity: ManagerIdentity;
  /** The fields owned; undefined while only `read` (the tree) has been looked at. */
  fields?: Set<string>;
  time?: string;
  /** The entry's fieldsV1 as read, and whether `fields` still holds exactly it (written back as is). */
  read?: unknown;
  unchanged?: boolean;
}

function sameManager(a: ManagerIdentity, b: ManagerIdentity): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation === "Apply" || a.apiVersion === b.apiVersion)
  );
}

function readEntries(object: KubeObject | undefined, lazy = false): OwnedEntry[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    identity: {
      manager: entry.manager ?? "",
      operation: entry.operation ?? "Update",
      apiVersion: entry.apiVersion ?? "",
      subresource: entry.subresource,
    },
    fields: lazy ? undefined : fromFieldsV1(entry.fieldsV1),
    time: entry.time,
    read: entry.fieldsV1,
  }));
}

function writeEntries(entries: OwnedEntry[]): ManagedFieldsEntry[] | undefined {
  const result: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (entry.fields ? entry.fields.size === 0 : !entry.unchanged) continue;
    const written: ManagedFieldsEntry = {
      manager: entry.identity.manager,
      operation: entry.identity.operation,
      apiVersion: entry.identity.apiVersion,
      time: entry.time,
      fieldsType: "FieldsV1",
      // Converting a large set back to a tree is most of an update's field tracking: an entry the
      // write left alone keeps the tree it had.
      fieldsV1:
        entry.unchanged && entry.read ? (entry.read as Record<string, unknown>) : toFieldsV1(ownedFields(entry)),
    };
    if (entry.identity.subresource) written.subresource = entry.identity.subresource;
    result.push(written);
  }
  return result.length > 0 ? result : undefined;
}

/**
 * The managedFields after a create, update or patch by `identity` (operation Update): the writer
 * takes ownership of every field it changed, and other managers lose the fields it changed.
 */
export function managedFieldsAfterUpdate(
  oldObject: KubeObject | undefined,
  newObject: KubeObject,
  identity: ManagerIdentity,
  time: string,
  resolve: ListTypeResolver = builtinListTypes,
): ManagedFieldsEntry[] | undefined {
  if (!oldObject) {
    // A create: the writer owns every field, its tree built straight from the object.
    const tree = fieldsTreeOf(newObject, resolve);
    for (const _element in tree) return writeEntries([{ identity, read: tree, unchanged: true, time }]);
    return undefined;
  }
  // The fields the write set anew or changed (with their values compared), and whether any went.
  let changed: Set<string>;
  let inNew: (key: string) => boolean;
  const changes = oldObject ? fieldChangesOf(oldObject, newObject, resolve) : undefined;
  if (changes) {
    if (changes.changed.size === 0 && !changes.removed) return oldObject?.metadata.managedFields;
    changed = changes.changed;
    inNew = (key) => changed.has(key) || hasField(newObject, key, resolve);
  } else {
    // A create (or objects without plain metadata): every field of both, in one walk each.
    const newFields = fieldValuesOf(newObject, resolve);
    const oldFields = oldObject ? fieldValuesOf(oldObject, resolve) : new Map<string, unknown>();
    changed = new Set<string>();
    let removed = false;
    for (const [key, value] of newFields) {
      if (!oldFields.has(key) || !deepEqual(oldFields.get(key), value)) changed.add(key);
    }
    for (const key of oldFields.keys()) if (!newFields.has(key)) removed = true;
    if (changed.size === 0 && !removed && oldObject) return oldObject.metadata.managedFields;
    inNew = (key) => newFields.has(key);
  }
  const entries = readEntries(oldObject, true);
  let mine = entries.find((entry) => sameManager(entry.identity, identity));
  for (const entry of entries) {
    if (entry === mine) continue;
    // An entry none of whose fields changed or went is written back as it was read, unread.
    let allKept = false;
    if (changes && entry.fields === undefined) {
      const kept = treeFieldsIn(entry.read, newObject, resolve);
      if (kept?.all && !someFieldIn(changed, entry.read)) {
        if (kept.count > 0) entry.unchanged = true;
        else entry.fields = new Set();
        continue;
      }
      allKept = kept?.all ?? false;
    }
    const fields = ownedFields(entry);
    const before = fields.size;
    for (const key of changed) fields.delete(key);
    if (!allKept) for (const key of [...fields]) if (!inNew(key)) fields.delete(key);
    if (fields.size !== before) entry.time = entry.time ?? time;
    else entry.unchanged = true;
  }
  if (!mine) {
    mine = { identity, fields: new Set(), time };
    entries.push(mine);
  }
  let mineChanged = false;
  let allKept = false;
  if (changes && mine.fields === undefined) {
    const kept = treeFieldsIn(mine.read, newObject, resolve);
    if (kept?.all && everyFieldIn(changed, mine.read)) {
      if (kept.count === 0) mine.fields = new Set();
      mine.unchanged = true;
      mine.time = time;
      return writeEntries(entries);
    }
    allKept = kept?.all ?? false;
  }
  const fields = ownedFields(mine);
  for (const key of changed) {
    if (!fields.has(key)) {
      fields.add(key);
      mineChanged = true;
    }
  }
  // Fields the tree showed all present need no asking one by one (what was added is present).
  if (!allKept)
    for (const key of [...fields]) {
      if (!inNew(key)) {
        fields.delete(key);
        mineChanged = true;
      }
    }
  mine.unchanged = !mineChanged;
  mine.time = time;
  return writeEntries(entries);
}

function someFieldIn(keys: Set<string>, tree: unknown): boolean {
  for (const key of keys) if (treeHasField(tree, key)) return true;
  return false;
}

function everyFieldIn(keys: Set<string>, tree: unknown): boolean {
  for (const key of keys) if (!treeHasField(tree, key)) return false;
  return true;
}

/** An entry's fields, read from its tree on first use. */
function ownedFields(entry: OwnedEntry): Set<string> {
  if (entry.fields === undefined) entry.fields = fromFieldsV1(entry.read);
  return entry.fields;
}

/** upstream fieldmanager's printManager: `"kubectl" with subresource "scale" using apps/v1`. */
function printManager(identity: ManagerIdentity): string {
  let text = JSON.stringify(identity.manager);
  if (identity.subresource) text += ` with subresource ${JSON.stringify(identity.subresource)}`;
  return identity.operation === "Update" ? `${text} using ${identity.apiVersion}` : text;
}

/** The outcome of a server-side apply: the merged object and its managedFields. */
export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[] | undefined;
}

/**
 * Server-side apply of `applied` (the manager's whole intent) onto `live` (undefined: create).
 * Fields another manager owns with a different value are conflicts (409, worded as upstream)
 * unless `force`, which takes them over. Fields this manager applied before and no longer applies
 * are removed when nobody else owns them.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  identity: ManagerIdentity,
  force: boolean,
  time: string,
  resolve: ListTypeResolver = builtinListTypes,
): ApplyResult {
  const entries = readEntries(live);
  const appliedFields = fieldsOf(applied, resolve);
  const mine = entries.find((entry) => sameManager(entry.identity, identity));
  const conflicts: Array<{ identity: ManagerIdentity; path: FieldPath; key: string }> = [];
  if (live) {
    for (const entry of entries) {
      if (entry === mine) continue;
      for (const key of appliedFields) {
        if (!ownedFields(entry).has(key)) continue;
        const path = keyPath(key);
        if (path[path.length - 1] === ".") continue;
        if (!deepEqual(valueAt(live, path), valueAt(applied, path)))
          conflicts.push({ identity: entry.identity, path, key });
      }
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const conflict of conflicts) {
    const owner = entries.find((entry) => sameManager(entry.identity, conflict.identity));
    if (owner) ownedFields(owner).delete(conflict.key);
  }
  let merged = mergeApplied(live ?? {}, applied, [], resolve) as KubeObject;
  if (mine) {
    const othersOwn = new Set<string>();
    for (const entry of entries) if (entry !== mine) for (const key of ownedFields(entry)) othersOwn.add(key);
    const removed = [...ownedFields(mine)]
      .filter((key) => !appliedFields.has(key) && !othersOwn.has(key))
      .map(keyPath)
      .sort((a, b) => b.length - a.length);
    for (const path of removed) merged = removeField(merged, path) as KubeObject;
  }
  const mergedFields = fieldsOf(merged, resolve);
  const next: OwnedEntry = {
    identity,
    fields: new Set([...appliedFields].filter((key) => mergedFields.has(key))),
    time,
  };
  const result = entries.filter((entry) => entry !== mine);
  for (const entry of result) {
    const fields = ownedFields(entry);
    for (const key of [...fields]) if (!mergedFields.has(key)) fields.delete(key);
  }
  if (mine) result.splice(entries.indexOf(mine), 0, next);
  else result.push(next);
  return { object: merged, managedFields: writeEntries(result) };
}

function conflictError(conflicts: Array<{ identity: ManagerIdentity; path: FieldPath }>): ApiError {
  const causes: StatusCause[] = conflicts.map((conflict) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(conflict.identity)}`,
    field: printPath(conflict.path),
  }));
  if (conflicts.length === 1) {
    return ApiError.applyConflict(
      causes,
      `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].identity)}: ${printPath(conflicts[0].path)}`,
    );
  }
  const byManager = new Map<string, string[]>();
  for (const conflict of conflicts) {
    const name = printManager(conflict.identity);
    byManager.set(name, [...(byManager.get(name) ?? []), printPath(conflict.path)]);
  }
  const lines: string[] = [];
  for (const name of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${name}:`);
    for (const path of [...(byManager.get(name) ?? [])].sort()) lines.push(`- ${path}`);
  }
  return ApiError.applyConflict(causes, `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`);
}

/** Structured merge of an applied configuration into the live object. */
function mergeApplied(
  live: unknown,
  applied: unknown,
  parents: string[],
  resolve: ListTypeResolver,
  field = "",
): unknown {
  if (isPlainObject(applied)) {
    const base = isPlainObject(live) ? { ...live } : {};
    const nextParents = field ? [...parents, field] : parents;
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) delete base[key];
      else base[key] = mergeApplied(base[key], value, nextParents, resolve, key);
    }
    return base;
  }
  if (Array.isArray(applied)) {
    const listType = resolve(parents, field);
    if (!Array.isArray(live) || listType.type === "atomic") return structuredClone(applied);
    if (listType.type === "set") {
      const result = [...live];
      for (const item of applied) if (!result.some((existing) => deepEqual(existing, item))) result.push(item);
      return result;
    }
    const keyOf = (item: unknown) => (isPlainObject(item) ? itemKey(item, listType.keys) : JSON.stringify(item));
    const result = [...live];
    for (const item of applied) {
      const index = result.findIndex((existing) => keyOf(existing) === keyOf(item));
      if (index >= 0) result[index] = mergeApplied(result[index], item, [...parents, field], resolve);
      else result.push(structuredClone(item));
    }
    return result;
  }
  return applied;
}

/** Removes the field at `path` (a struct field, a list item or a set value) from an object. */
function removeField(object: unknown, path: FieldPath): unknown {
  if (path.length === 0) return object;
  const [head, ...rest] = path;
  if (head === ".") return undefined;
  if (head.startsWith("f:") && isPlainObject(object)) {
    const name = head.slice(2);
    if (!(name in object)) return object;
    const copy = { ...object };
    if (rest.length === 0) delete copy[name];
    else {
      const inner = removeField(copy[name], rest);
      if (inner === undefined) delete copy[name];
      else copy[name] = inner;
    }
    return copy;
  }
  if (Array.isArray(object)) {
    if (head.startsWith("v:")) {
      const value = JSON.parse(head.slice(2));
      return object.filter((item) => !deepEqual(item, value));
    }
    if (head.startsWith("k:")) {
      const identity = JSON.parse(head.slice(2)) as Record<string, unknown>;
      const matches = (item: unknown) => matchesIdentity(item, identity);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === ".")) return object.filter((item) => !matches(item));
      return object.map((item) => (matches(item) ? (removeField(item, rest) ?? item) : item));
    }
  }
  return object;
}

export { pathKey };

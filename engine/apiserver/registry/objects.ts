import type { KubeObject } from "../../api/types";
import type { KeyValue } from "../../store/KeyValueStore";
import type { ResourceDefinition } from "../ResourceDefinition";

/** The etcd key of an object, as upstream lays them out: `/registry/pods/default/web`. */
export function storageKey(definition: ResourceDefinition, namespace: string | undefined, name: string): string {
  return definition.namespaced
    ? `/registry/${definition.storagePrefix}/${namespace}/${name}`
    : `/registry/${definition.storagePrefix}/${name}`;
}

/** The key prefix of a list: every object of the resource, or those of one namespace. */
export function storagePrefix(definition: ResourceDefinition, namespace: string | undefined): string {
  return definition.namespaced && namespace
    ? `/registry/${definition.storagePrefix}/${namespace}/`
    : `/registry/${definition.storagePrefix}/`;
}

/** What is written to the store: the object without its resourceVersion, which the store's modRevision is. */
export function encodeObject(object: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

/**
 * Reads a stored object, setting resourceVersion from the key's modRevision and the apiVersion to
 * the requested version (served versions share one schema here).
 */
export function decodeObject(kv: KeyValue, apiVersion?: string): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata.resourceVersion = String(kv.modRevision);
  if (apiVersion) object.apiVersion = apiVersion;
  return object;
}

/** Freezes an object and everything in it, so a consumer that mutates a shared object fails loudly. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Every watched change is decoded and frozen: walk without collecting each object's values.
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === "object") deepFreeze(item);
    } else {
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== null && typeof item === "object") deepFreeze(item);
      }
    }
  }
  return value;
}

/**
 * A JSON-safe deep copy: what `JSON.parse(JSON.stringify(value))` returns (undefined, function and
 * symbol properties dropped, and such array items turned to null; non-finite numbers to null;
 * `toJSON` honoured), built in one walk instead of through a string, which at a few writes per pod
 * was the largest single cost of a write.
 */
export function clone<T>(value: T): T {
  return value === undefined ? value : (copyJson(value) as T);
}

/**
 * {@link clone}, leaving out the null members of every object below the top level, as decoding
 * into Go structs does (a null field is the zero value, which encodes as absent): one walk where
 * clone and then dropping nulls took two. Array items stay (null included); top-level members stay.
 */
export function cloneDroppingNulls<T extends object>(value: T): T {
  const copy = copyJson(value, true) as Record<string, unknown>;
  return copy as T;
}

function copyJson(value: unknown, dropNulls = false, nested = false): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // JSON writes -0 as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
    case "bigint":
      // As JSON.stringify does.
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object":
      break;
    default:
      return undefined;
  }
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === "function") return copyJson(object.toJSON(), dropNulls, nested);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      const item = copyJson(value[index], dropNulls, true);
      copy[index] = item === undefined ? null : item;
    }
    return copy;
  }
  if (value instanceof Map || value instanceof Set) return {};
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) {
    const item = copyJson((value as Record<string, unknown>)[key], dropNulls, true);
    if (item === undefined || (item === null && dropNulls && nested)) continue;
    // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
    if (key === "__proto__")
      Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

/** Reads a dotted path (`spec.replicas`, `status.selector`) from an object. */
export function getPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.replace(/^\./, "").split(".")) {
    if (!part) continue;
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Writes a dotted path, creating intermediate objects. */
export function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, "").split(".").filter(Boolean);
  let current: Record<string, unknown> = object;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete current[last];
  else current[last] = value;
}

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
    for (const item of Object.values(value as object)) deepFreeze(item);
  }
  return value;
}

/** A JSON-safe deep copy. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
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

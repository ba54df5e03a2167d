/**
 * Client-side three-way strategic merge patch, as `kubectl apply` computes it
 * (k8s.io/apimachinery/pkg/util/strategicpatch CreateThreeWayMergePatch): changes from the live
 * object to the new configuration, plus deletions of what the last-applied configuration had
 * and the new one drops. Lists with a patch merge key are merged item by item; other lists are
 * replaced whole.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Merge keys of the built-in types' lists, by field name (the struct tags' patchMergeKey). */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  finalizers: "",
  resourceClaims: "name",
};

function mergeKeyFor(path: string[], field: string): string | undefined {
  if (field === "ports") {
    // Container ports merge by containerPort, service ports by port.
    return path.includes("containers") || path.includes("initContainers") ? "containerPort" : "port";
  }
  if (field === "envFrom" || field === "tolerations" || field === "args" || field === "command") return undefined;
  const key = mergeKeys[field];
  return key === "" ? undefined : key;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortDeep(value[key])]),
    );
  }
  return value;
}

function diffMaps(
  original: JsonObject | undefined,
  modified: JsonObject,
  current: JsonObject | undefined,
  path: string[],
): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(modified)) {
    const live = current?.[key];
    if (isObject(value) && isObject(live)) {
      const nested = diffMaps(isObject(original?.[key]) ? (original?.[key] as JsonObject) : undefined, value, live, [
        ...path,
        key,
      ]);
      if (Object.keys(nested).length > 0) patch[key] = nested;
      continue;
    }
    if (Array.isArray(value) && Array.isArray(live)) {
      const mergeKey = mergeKeyFor(path, key);
      if (mergeKey && value.every((item) => isObject(item) && mergeKey in item)) {
        const listPatch = diffMergeList(
          Array.isArray(original?.[key]) ? (original?.[key] as Json[]) : [],
          value,
          live,
          mergeKey,
          [...path, key],
        );
        if (listPatch.length > 0) {
          patch[key] = listPatch;
          patch[`$setElementOrder/${key}`] = value.map((item) => ({
            [mergeKey]: (item as JsonObject)[mergeKey] as Json,
          }));
        }
        continue;
      }
    }
    if (live === undefined || !equal(value, live)) patch[key] = value;
  }
  if (original) {
    for (const key of Object.keys(original)) {
      if (!(key in modified) && current && key in current) patch[key] = null;
    }
  }
  return patch;
}

function diffMergeList(original: Json[], modified: Json[], current: Json[], mergeKey: string, path: string[]): Json[] {
  const out: Json[] = [];
  const find = (list: Json[], key: Json) =>
    list.find((item) => isObject(item) && equal(item[mergeKey], key)) as JsonObject | undefined;
  for (const item of modified as JsonObject[]) {
    const key = item[mergeKey] as Json;
    const live = find(current, key);
    if (!live) {
      out.push(item);
      continue;
    }
    const nested = diffMaps(find(original, key), item, live, path);
    if (Object.keys(nested).length > 0) out.push({ ...nested, [mergeKey]: key });
  }
  for (const item of original as JsonObject[]) {
    const key = item[mergeKey] as Json;
    if (!find(modified, key) && find(current, key)) out.push({ [mergeKey]: key, $patch: "delete" });
  }
  return out;
}

/** Computes the patch kubectl apply sends; `{}` means nothing to change. */
export function threeWayMergePatch(original: unknown, modified: unknown, current: unknown): JsonObject {
  return diffMaps(isObject(original) ? original : undefined, modified as JsonObject, current as JsonObject, []);
}

/** A JSON merge patch (RFC 7386) for CRDs and other types without strategic merge support. */
export function threeWayJsonMergePatch(original: unknown, modified: unknown, current: unknown): JsonObject {
  const diff = (o: JsonObject | undefined, m: JsonObject, c: JsonObject | undefined): JsonObject => {
    const patch: JsonObject = {};
    for (const [key, value] of Object.entries(m)) {
      const live = c?.[key];
      if (isObject(value) && isObject(live)) {
        const nested = diff(isObject(o?.[key]) ? (o?.[key] as JsonObject) : undefined, value, live);
        if (Object.keys(nested).length > 0) patch[key] = nested;
      } else if (live === undefined || !equal(value, live)) patch[key] = value;
    }
    for (const key of Object.keys(o ?? {})) if (!(key in m) && c && key in c) patch[key] = null;
    return patch;
  };
  return diff(isObject(original) ? original : undefined, modified as JsonObject, current as JsonObject);
}

/** Applies a strategic merge patch locally (for dry-run=client and diff). */
export function applyStrategicPatch(target: unknown, patch: unknown, path: string[] = []): unknown {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$setElementOrder/") || key === "$patch" || key === "$retainKeys") continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = mergeKeyFor(path, key);
    if (Array.isArray(value) && mergeKey && Array.isArray(result[key])) {
      const list = [...(result[key] as JsonObject[])];
      for (const item of value as JsonObject[]) {
        const index = list.findIndex((entry) => isObject(entry) && equal(entry[mergeKey], item[mergeKey]));
        if (item.$patch === "delete") {
          if (index >= 0) list.splice(index, 1);
        } else if (index >= 0) list[index] = applyStrategicPatch(list[index], item, [...path, key]) as JsonObject;
        else list.push(item);
      }
      result[key] = list;
    } else if (isObject(value)) {
      result[key] = applyStrategicPatch(result[key], value, [...path, key]) as Json;
    } else {
      result[key] = value;
    }
  }
  return result;
}

import type { FieldSpec, Gvk } from "./fieldSpecs";

/** A JSON object as kustomize holds a resource. */
export type JsonMap = Record<string, unknown>;

/**
 * One resource in a build, with what kustomize remembers beside its content: the ids it had
 * before names and namespaces changed (name references are resolved through them), the prefixes
 * and suffixes applied, and, for generated ConfigMaps and Secrets, whether the name gets the
 * content hash at the end.
 */
export interface Resource {
  object: JsonMap;
  /** Earlier [name, namespace] pairs, oldest first (kustomize's PrevIds). */
  previous: { name: string; namespace: string }[];
  prefixes: string[];
  suffixes: string[];
  /** Generated with the name hash still to add. */
  hashName?: boolean;
  /** How a generator meets an earlier resource of its id (create, merge, replace). */
  behavior?: string;
}

export function isMap(value: unknown): value is JsonMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function metadataOf(object: JsonMap): JsonMap {
  if (!isMap(object.metadata)) object.metadata = {};
  return object.metadata as JsonMap;
}

export const nameOf = (object: JsonMap): string => String((isMap(object.metadata) && object.metadata.name) || "");
export const namespaceOf = (object: JsonMap): string =>
  String((isMap(object.metadata) && object.metadata.namespace) || "");
export const kindOf = (object: JsonMap): string => (typeof object.kind === "string" ? object.kind : "");

/** The group/version/kind of an object from its apiVersion and kind. */
export function gvkOf(object: JsonMap): Required<Gvk> {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  return {
    group: slash < 0 ? "" : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: kindOf(object),
  };
}

/** resid.Gvk.IsSelected: each part the selector names must match. */
export function gvkSelected(gvk: Gvk, selector: Gvk): boolean {
  if (selector.group && selector.group !== gvk.group) return false;
  if (selector.version && selector.version !== gvk.version) return false;
  if (selector.kind && selector.kind !== gvk.kind) return false;
  return true;
}

/** Renames a resource, remembering its id before (StorePreviousId). */
export function rename(resource: Resource, name: string, namespace = namespaceOf(resource.object)): void {
  resource.previous.push({ name: nameOf(resource.object), namespace: namespaceOf(resource.object) });
  const metadata = metadataOf(resource.object);
  metadata.name = name;
  if (namespace) metadata.namespace = namespace;
}

/** Every name the resource has had, the current one last. */
export function allNames(resource: Resource): string[] {
  return [...resource.previous.map((id) => id.name), nameOf(resource.object)];
}

/** The original (first) name and namespace, kustomize's OrgId. */
export function originalId(resource: Resource): { name: string; namespace: string } {
  return resource.previous[0] ?? { name: nameOf(resource.object), namespace: namespaceOf(resource.object) };
}

/** Splits a field spec path at unescaped slashes (`a/b\/c` is `a`, `b/c`). */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "\\" && path[i + 1] === "/") {
      current += "/";
      i++;
    } else if (path[i] === "/") {
      out.push(current);
      current = "";
    } else current += path[i];
  }
  out.push(current);
  return out;
}

/**
 * Walks `spec.path` in `object` as kustomize's field spec filter does: lists met on the way are
 * entered item by item, missing maps are created when the spec says so, and `visit` gets each
 * map holding the last field, with that field's name.
 */
export function visitFieldSpec(
  object: JsonMap,
  spec: FieldSpec,
  visit: (parent: JsonMap, field: string) => void,
): void {
  walk(object, pathSegments(spec.path), spec.create === true, visit);
}

function walk(node: unknown, segments: string[], create: boolean, visit: (parent: JsonMap, field: string) => void) {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, segments, create, visit);
    return;
  }
  if (!isMap(node)) return;
  const [first = "", ...rest] = segments;
  const field = first.endsWith("[]") ? first.slice(0, -2) : first;
  if (rest.length === 0) {
    visit(node, field);
    return;
  }
  let child = node[field];
  if (child === undefined || child === null) {
    if (!create) return;
    child = first.endsWith("[]") ? [] : {};
    node[field] = child;
  }
  walk(child, rest, create, visit);
}

/** The resources whose gvk a field spec selects. */
export function specApplies(resource: Resource, spec: FieldSpec): boolean {
  return gvkSelected(gvkOf(resource.object), spec);
}

import type { Operation } from "fast-json-patch";
import * as fastJsonPatch from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { applyStrategicMergePatch } from "../../../engine/apiserver/patch/strategicMergePatch";
import { parseLabelSelector } from "../../../engine/apiserver/selectors/LabelSelector";
import { clusterScopedKinds } from "./fieldSpecs";
import {
  gvkOf,
  gvkSelected,
  isMap,
  type JsonMap,
  kindOf,
  metadataOf,
  nameOf,
  namespaceOf,
  originalId,
  type Resource,
} from "./Resource";

// Node's ESM loader sees fast-json-patch as CommonJS, with its functions only on `default` (as in ApiServer.ts).
const { applyPatch } = (fastJsonPatch as unknown as { default?: typeof fastJsonPatch }).default ?? fastJsonPatch;

/** A patch's target (types.Selector): each part a regular expression, empty parts match anything. */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

const anchored = (pattern: string | undefined) => (pattern ? new RegExp(`^(?:${pattern})$`) : undefined);

/** The namespace kustomize compares: "default" for a namespaced object without one. */
function effectiveNamespace(kind: string, namespace: string): string {
  if (clusterScopedKinds.has(kind)) return "";
  return namespace || "default";
}

/** resWrangler.Select: original or current name and namespace, gvk, label and annotation selectors. */
export function selectTargets(resources: Resource[], target: PatchTarget): Resource[] {
  const name = anchored(target.name);
  const namespace = anchored(target.namespace);
  const labels = target.labelSelector ? parseLabelSelector(target.labelSelector) : undefined;
  const annotations = target.annotationSelector ? parseLabelSelector(target.annotationSelector) : undefined;
  return resources.filter((resource) => {
    const kind = kindOf(resource.object);
    const original = originalId(resource);
    if (
      namespace &&
      !namespace.test(effectiveNamespace(kind, original.namespace)) &&
      !namespace.test(effectiveNamespace(kind, namespaceOf(resource.object)))
    )
      return false;
    if (name && !name.test(original.name) && !name.test(nameOf(resource.object))) return false;
    if (!gvkSelected(gvkOf(resource.object), target)) return false;
    const metadata = isMap(resource.object.metadata) ? resource.object.metadata : {};
    if (labels && !labels.matches(metadata.labels as Record<string, string> | undefined)) return false;
    if (annotations && !annotations.matches(metadata.annotations as Record<string, string> | undefined)) return false;
    return true;
  });
}

/** kustomize's ResId string: `Kind.version.group/name.namespace`. */
export function resIdString(object: JsonMap, name = nameOf(object), namespace = namespaceOf(object)): string {
  const { group, version, kind } = gvkOf(object);
  return `${kind}.${version || "[noVer]"}.${group || "[noGrp]"}/${name}.${namespace || "[noNs]"}`;
}

/** Parses patch text (YAML or JSON, one or more documents). */
export function parsePatchDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(document.errors[0]?.message ?? "invalid YAML");
    const value = document.toJS() as unknown;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

const sameNamespace = (a: string, b: string) => (a || "default") === (b || "default");

/** The one resource a strategic merge patch without a target names (GetById over every id it had). */
function patchedResource(resources: Resource[], patch: JsonMap): Resource {
  const { group, version, kind } = gvkOf(patch);
  const name = nameOf(patch);
  const namespace = namespaceOf(patch);
  const matches = resources.filter((resource) => {
    const gvk = gvkOf(resource.object);
    if (gvk.group !== group || gvk.version !== version || gvk.kind !== kind) return false;
    const ids = [...resource.previous, { name: nameOf(resource.object), namespace: namespaceOf(resource.object) }];
    return ids.some((id) => id.name === name && sameNamespace(id.namespace, namespace));
  });
  const id = resIdString(patch);
  if (matches.length === 0) {
    throw new Error(
      `no resource matches strategic merge patch "${id}": no matches for Id ${id}; failed to find unique target for patch ${id}`,
    );
  }
  if (matches.length > 1) {
    throw new Error(`multiple matches for Id ${id}; failed to find unique target for patch ${id}`);
  }
  return matches[0] as Resource;
}

/** Applies a strategic merge patch to one resource, keeping its name and namespace; `$patch: delete` removes it. */
function mergeInto(resources: Resource[], resource: Resource, patch: JsonMap): Resource[] {
  if (patch.$patch === "delete") return resources.filter((entry) => entry !== resource);
  const name = nameOf(resource.object);
  const namespace = namespaceOf(resource.object);
  const merged = applyStrategicMergePatch(structuredClone(resource.object), structuredClone(patch)) as JsonMap;
  const metadata = metadataOf(merged);
  metadata.name = name;
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  resource.object = merged;
  return resources;
}

/** A strategic merge patch, applied to its target's matches or, without one, to the resource it names. */
export function applyStrategicPatch(resources: Resource[], patch: JsonMap, target?: PatchTarget): Resource[] {
  let out = resources;
  if (!target) return mergeInto(out, patchedResource(resources, patch), patch);
  for (const resource of selectTargets(resources, target)) {
    out = mergeInto(out, resource, { ...patch, metadata: { ...(isMap(patch.metadata) ? patch.metadata : {}) } });
  }
  return out;
}

/** A JSON 6902 patch on every resource the target selects. */
export function applyJsonPatch(resources: Resource[], operations: Operation[], target: PatchTarget): void {
  for (const resource of selectTargets(resources, target)) {
    const result = applyPatch(structuredClone(resource.object), operations, true, false);
    resource.object = result.newDocument as JsonMap;
  }
}

/** True when parsed patch text is a JSON 6902 operation list rather than an object to merge. */
export function isJsonPatch(documents: unknown[]): documents is [Operation[]] {
  return documents.length === 1 && Array.isArray(documents[0]);
}

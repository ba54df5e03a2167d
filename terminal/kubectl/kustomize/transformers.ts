import {
  clusterScopedKinds,
  commonAnnotationSpecs,
  type FieldSpec,
  imageVolumeSpecs,
  namespaceSpecs,
  replicaSpecs,
} from "./fieldSpecs";
import {
  allNames,
  isMap,
  type JsonMap,
  kindOf,
  nameOf,
  namespaceOf,
  type Resource,
  rename,
  specApplies,
  visitFieldSpec,
} from "./Resource";

/** Sets string entries in the map at each field spec (labels, annotations, selectors). */
export function addToMaps(resources: Resource[], entries: Record<string, string>, fieldSpecs: FieldSpec[]): void {
  if (Object.keys(entries).length === 0) return;
  for (const resource of resources) {
    for (const spec of fieldSpecs) {
      if (!specApplies(resource, spec)) continue;
      visitFieldSpec(resource.object, spec, (parent, field) => {
        let map = parent[field];
        if (!isMap(map)) {
          if (map !== undefined && map !== null) return;
          if (!spec.create) return;
          map = {};
          parent[field] = map;
        }
        Object.assign(map as JsonMap, entries);
      });
    }
  }
}

/** commonAnnotations. */
export function addAnnotations(resources: Resource[], annotations: Record<string, string>): void {
  addToMaps(resources, annotations, commonAnnotationSpecs);
}

/**
 * The namespace transformer: namespaced objects move to `namespace` (a Namespace object is renamed
 * to it), and RoleBinding/ClusterRoleBinding subjects that are ServiceAccounts in "default" or in no
 * namespace follow (the default `setRoleBindingSubjects: defaultOnly`).
 */
export function setNamespace(resources: Resource[], namespace: string): void {
  if (!namespace) return;
  for (const resource of resources) {
    const kind = kindOf(resource.object);
    if (kind === "Namespace") {
      if (nameOf(resource.object) !== namespace) rename(resource, namespace);
    } else if (!clusterScopedKinds.has(kind) && namespaceOf(resource.object) !== namespace) {
      rename(resource, nameOf(resource.object), namespace);
    }
    if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
      const subjects = resource.object.subjects;
      if (Array.isArray(subjects)) {
        for (const subject of subjects) {
          if (!isMap(subject) || subject.kind !== "ServiceAccount") continue;
          if (subject.namespace === undefined || subject.namespace === "" || subject.namespace === "default") {
            subject.namespace = namespace;
          }
        }
      }
    }
    for (const spec of namespaceSpecs) {
      if (!specApplies(resource, spec)) continue;
      visitFieldSpec(resource.object, spec, (parent, field) => {
        if (spec.create || parent[field] !== undefined) parent[field] = namespace;
      });
    }
  }
}

/** Kinds namePrefix and nameSuffix leave alone (prefixFieldSpecsToSkip). */
const unprefixedKinds = new Set(["CustomResourceDefinition", "APIService", "Namespace"]);

/** namePrefix / nameSuffix; the resource remembers them for name references. */
export function addPrefixSuffix(resources: Resource[], prefix: string, suffix: string): void {
  for (const resource of resources) {
    if (unprefixedKinds.has(kindOf(resource.object))) continue;
    if (prefix) {
      rename(resource, `${prefix}${nameOf(resource.object)}`);
      resource.prefixes.unshift(prefix);
    }
    if (suffix) {
      rename(resource, `${nameOf(resource.object)}${suffix}`);
      resource.suffixes.push(suffix);
    }
  }
}

/** An `images:` entry. */
export interface ImageChange {
  name?: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

/** image.Split: name, tag and digest, a registry's port not taken for a tag. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf("/");
  const offset = Math.max(slash, 0);
  const search = image.slice(offset);
  const at = search.indexOf("@");
  const colon = search.indexOf(":");
  if (colon < 0 && at < 0) return { name: image, tag: "", digest: "" };
  if (at >= 0 && (at < colon || colon < 0)) {
    return { name: image.slice(0, at + offset), tag: "", digest: image.slice(at + offset + 1) };
  }
  if (at >= 0 && colon >= 0) {
    return {
      name: image.slice(0, colon + offset),
      tag: image.slice(colon + offset + 1, at + offset),
      digest: image.slice(at + offset + 1),
    };
  }
  return { name: image.slice(0, colon + offset), tag: image.slice(colon + offset + 1), digest: "" };
}

/** The image after one `images:` entry, or undefined when the entry does not name it. */
export function updateImage(image: string, change: ImageChange): string | undefined {
  let { name, tag, digest } = splitImage(image);
  if (name !== change.name) return undefined;
  if (change.newName) name = change.newName;
  if (change.newTag && change.digest) {
    tag = change.newTag;
    digest = change.digest;
  } else if (change.newTag) {
    tag = change.newTag;
    digest = "";
  } else if (change.digest) {
    tag = "";
    digest = change.digest;
  }
  if (change.tagSuffix) tag += change.tagSuffix;
  return `${name}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

/** `containers` and `initContainers` lists anywhere in the object (kustomize's legacy image filter). */
function updateContainers(node: unknown, change: ImageChange): void {
  if (Array.isArray(node)) {
    for (const item of node) updateContainers(item, change);
    return;
  }
  if (!isMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
      for (const container of value) {
        if (!isMap(container) || typeof container.image !== "string") continue;
        const updated = updateImage(container.image, change);
        if (updated !== undefined) container.image = updated;
      }
    } else updateContainers(value, change);
  }
}

/** `images:`: new names, tags and digests for matching container images. */
export function setImages(resources: Resource[], changes: ImageChange[]): void {
  for (const change of changes) {
    for (const resource of resources) {
      updateContainers(resource.object, change);
      for (const spec of imageVolumeSpecs) {
        visitFieldSpec(resource.object, spec, (parent, field) => {
          if (typeof parent[field] !== "string") return;
          const updated = updateImage(parent[field] as string, change);
          if (updated !== undefined) parent[field] = updated;
        });
      }
    }
  }
}

/** `replicas:`: a count for every workload that has (or had) the name. */
export function setReplicas(resources: Resource[], replicas: { name?: string; count?: number }[]): void {
  for (const replica of replicas) {
    let found = false;
    for (const resource of resources) {
      if (!allNames(resource).includes(replica.name ?? "")) continue;
      for (const spec of replicaSpecs) {
        if (!specApplies(resource, spec)) continue;
        found = true;
        visitFieldSpec(resource.object, spec, (parent, field) => {
          parent[field] = replica.count ?? 0;
        });
      }
    }
    if (!found) {
      throw new Error(
        `resource with name ${replica.name ?? ""} does not match a config with the following GVK [Deployment.v1.apps ReplicationController.v1.[noGrp] ReplicaSet.v1.apps StatefulSet.v1.apps]`,
      );
    }
  }
}

import { clusterScopedKinds, type FieldSpec, type NameReference, nameReferences } from "./fieldSpecs";
import {
  gvkOf,
  gvkSelected,
  isMap,
  type JsonMap,
  kindOf,
  nameOf,
  namespaceOf,
  type Resource,
  specApplies,
  visitFieldSpec,
} from "./Resource";

const sameNamespace = (a: string, b: string) => (a || "default") === (b || "default");
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * nameref's selectReferral: among the resources of the referred kind that once had the name
 * (a renamed resource is found by any earlier name), keep those the referrer can see (its
 * namespace, cluster-scoped ones, ServiceAccounts anywhere) and, when several remain, those
 * renamed with the same prefixes and suffixes as the referrer.
 */
function selectReferral(
  referrer: Resource,
  reference: NameReference,
  oldName: string,
  resources: Resource[],
  namespace?: string,
): Resource | undefined {
  const referrerKind = kindOf(referrer.object);
  let candidates = resources.filter(
    (candidate) =>
      candidate.previous.some((id) => id.name === oldName) &&
      gvkSelected(gvkOf(candidate.object), reference) &&
      (namespace === undefined || sameNamespace(namespaceOf(candidate.object), namespace)),
  );
  if (!clusterScopedKinds.has(referrerKind)) {
    candidates = candidates.filter((candidate) => {
      const kind = kindOf(candidate.object);
      if (clusterScopedKinds.has(kind) || kind === "ServiceAccount") return true;
      return sameNamespace(namespaceOf(candidate.object), namespaceOf(referrer.object));
    });
  }
  if (candidates.length === 1) return candidates[0];
  candidates = candidates.filter(
    (candidate) => sameList(candidate.prefixes, referrer.prefixes) && sameList(candidate.suffixes, referrer.suffixes),
  );
  if (candidates.length === 0) return undefined;
  const first = candidates[0] as Resource;
  if (candidates.every((candidate) => nameOf(candidate.object) === nameOf(first.object))) return first;
  throw new Error(`found multiple possible referrals: ${candidates.map((c) => nameOf(c.object)).join(", ")}`);
}

/** roleRef/name names a Role or a ClusterRole as roleRef.kind says. */
function roleRefAllows(referrer: Resource, spec: FieldSpec, reference: NameReference): boolean {
  if (!spec.path.startsWith("roleRef")) return true;
  const roleRef = referrer.object.roleRef;
  return isMap(roleRef) && roleRef.kind === reference.kind;
}

/** Updates one reference value: a name, a list of names, or a map with name (and namespace). */
function fixValue(
  referrer: Resource,
  reference: NameReference,
  resources: Resource[],
  parent: JsonMap,
  field: string,
): void {
  const value = parent[field];
  if (typeof value === "string") {
    const referral = selectReferral(referrer, reference, value, resources);
    if (referral) parent[field] = nameOf(referral.object);
  } else if (Array.isArray(value)) {
    parent[field] = value.map((item) => {
      if (typeof item === "string") {
        const referral = selectReferral(referrer, reference, item, resources);
        return referral ? nameOf(referral.object) : item;
      }
      if (isMap(item)) fixNamedMap(referrer, reference, resources, item);
      return item;
    });
  } else if (isMap(value)) {
    fixNamedMap(referrer, reference, resources, value);
  }
}

/** A `{kind?, name, namespace?}` map (RBAC subjects, webhook services). */
function fixNamedMap(referrer: Resource, reference: NameReference, resources: Resource[], map: JsonMap): void {
  if (typeof map.name !== "string") return;
  if (typeof map.kind === "string" && map.kind !== reference.kind) return;
  // A subject or service that names its namespace refers to the object there.
  const namespace = typeof map.namespace === "string" ? map.namespace : undefined;
  const referral = selectReferral(referrer, reference, map.name, resources, namespace);
  if (!referral) return;
  map.name = nameOf(referral.object);
  const referralNamespace = namespaceOf(referral.object);
  if (referralNamespace && (map.namespace !== undefined || typeof map.kind === "string")) {
    map.namespace = referralNamespace;
  }
}

/** FixBackReferences: references to renamed resources follow the new names. */
export function fixNameReferences(resources: Resource[]): void {
  for (const reference of nameReferences) {
    for (const referrer of resources) {
      for (const spec of reference.fieldSpecs) {
        if (!specApplies(referrer, spec) || !roleRefAllows(referrer, spec, reference)) continue;
        visitFieldSpec(referrer.object, spec, (parent, field) => {
          if (parent[field] !== undefined) fixValue(referrer, reference, resources, parent, field);
        });
      }
    }
  }
}

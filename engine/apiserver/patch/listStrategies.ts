/**
 * How Kubernetes merges each list field, from upstream's Go struct tags (`patchStrategy`,
 * `patchMergeKey`) and the structured-merge `listType`/`listMapKeys` markers of k8s.io/api. Used by
 * strategic merge patch (merge keys) and server-side apply (associative list keys).
 *
 * A field is looked up by its name and, where the same name means different things, by its
 * parent field (`ports` of a container vs. of a Service).
 */
export interface ListStrategy {
  /** `merge`: items matched by merge key (or, for scalars, a set union); `replace`: the list is atomic. */
  strategy: "merge" | "replace";
  /** The strategic-merge-patch key (`name` for containers). Absent for scalar sets. */
  mergeKey?: string;
  /** The server-side-apply map keys (`containerPort`, `protocol` for container ports). */
  mapKeys?: string[];
  /** `volumes` and a Deployment's `strategy` clear keys not in `$retainKeys`. */
  retainKeys?: boolean;
  /** Scalar list merged as a set (finalizers). */
  set?: boolean;
}

const byName: Record<string, ListStrategy> = {
  containers: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  initContainers: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  ephemeralContainers: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  env: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  volumeMounts: { strategy: "merge", mergeKey: "mountPath", mapKeys: ["mountPath"] },
  volumeDevices: { strategy: "merge", mergeKey: "devicePath", mapKeys: ["devicePath"] },
  volumes: { strategy: "merge", mergeKey: "name", mapKeys: ["name"], retainKeys: true },
  imagePullSecrets: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  hostAliases: { strategy: "merge", mergeKey: "ip", mapKeys: ["ip"] },
  ownerReferences: { strategy: "merge", mergeKey: "uid", mapKeys: ["uid"] },
  finalizers: { strategy: "merge", set: true },
  conditions: { strategy: "merge", mergeKey: "type", mapKeys: ["type"] },
  addresses: { strategy: "merge", mergeKey: "type", mapKeys: ["type"] },
  topologySpreadConstraints: {
    strategy: "merge",
    mergeKey: "topologyKey",
    mapKeys: ["topologyKey", "whenUnsatisfiable"],
  },
  resourceClaims: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  schedulingGates: { strategy: "merge", mergeKey: "name", mapKeys: ["name"] },
  podCIDRs: { strategy: "merge", set: true },
  ephemeralContainerStatuses: { strategy: "replace" },
};

/**
 * The strategy for list field `field` whose parent path (field names only, outermost first) is
 * `parents`. Lists not listed here are atomic: a patch replaces them whole.
 */
export function listStrategyFor(parents: readonly string[], field: string): ListStrategy {
  const parent = parents[parents.length - 1];
  if (field === "ports") {
    // Container ports merge by containerPort; Service ports by port; endpoint ports are atomic.
    if (parent === "containers" || parent === "initContainers" || parent === "ephemeralContainers") {
      return { strategy: "merge", mergeKey: "containerPort", mapKeys: ["containerPort", "protocol"] };
    }
    if (parent === "spec" && parents.length === 1)
      return { strategy: "merge", mergeKey: "port", mapKeys: ["port", "protocol"] };
    return { strategy: "replace" };
  }
  if (field === "conditions" || field === "addresses") {
    // Node and pod status conditions/addresses merge by type; elsewhere (e.g. endpoint addresses) atomic.
    if (parent === "status") return byName[field];
    return { strategy: "replace" };
  }
  if (field === "podIPs" || field === "hostIPs") {
    return parent === "status" ? { strategy: "merge", mergeKey: "ip", mapKeys: ["ip"] } : { strategy: "replace" };
  }
  if (field === "secrets" && parents.length === 0) {
    // A ServiceAccount's secrets merge by name.
    return { strategy: "merge", mergeKey: "name", mapKeys: ["name"] };
  }
  if (field === "finalizers") {
    // metadata.finalizers merges as a set; a Namespace's spec.finalizers is atomic.
    return parent === "metadata" ? byName.finalizers : { strategy: "replace" };
  }
  return byName[field] ?? { strategy: "replace" };
}

/** Fields (not lists) whose patch strategy is `retainKeys`: a Deployment's `strategy`, DaemonSet's `updateStrategy`. */
export function mapRetainsKeys(parents: readonly string[], field: string): boolean {
  return (field === "strategy" || field === "updateStrategy") && parents[parents.length - 1] === "spec";
}

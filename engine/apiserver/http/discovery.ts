import type { ResourceDefinition } from "../ResourceDefinition";
import { sha256, toBase64 } from "./sha256";

/**
 * Discovery documents, both forms: the aggregated `apidiscovery.k8s.io/v2` lists kubectl 1.32 asks
 * for first, and the legacy APIVersions / APIGroupList / APIGroup / APIResourceList that older
 * clients and client-node's KubernetesObjectApi read. Built from the registry's definitions on
 * every change, so CRDs appear as soon as they are served.
 */

const DEFAULT_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export interface DiscoverySubresource {
  name: string;
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

export interface DiscoveryResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: DiscoverySubresource[];
}

/** Subresources the API server serves besides status and scale (pods' log, exec …), as upstream lists them. */
const CONNECT_SUBRESOURCES: Record<string, Array<Omit<DiscoverySubresource, "version"> & { version?: string }>> = {
  "certificates.k8s.io/certificatesigningrequests": [
    {
      name: "approval",
      group: "certificates.k8s.io",
      kind: "CertificateSigningRequest",
      verbs: ["get", "patch", "update"],
    },
  ],
  "/pods": [
    { name: "attach", group: "", kind: "PodAttachOptions", verbs: ["create", "get"] },
    { name: "binding", group: "", kind: "Binding", verbs: ["create"] },
    { name: "ephemeralcontainers", group: "", kind: "Pod", verbs: ["get", "patch", "update"] },
    { name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
    { name: "exec", group: "", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "log", group: "", kind: "Pod", verbs: ["get"] },
    { name: "portforward", group: "", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
  ],
  "/serviceaccounts": [
    { name: "token", group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] },
  ],
};

/** The metrics.k8s.io group the API server serves from the kubelets' numbers (what metrics-server does). */
export const METRICS_RESOURCES: DiscoveryResource[] = [
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    resource: "nodes",
    kind: "NodeMetrics",
    singular: "",
    namespaced: false,
    verbs: ["get", "list"],
    subresources: [],
  },
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    resource: "pods",
    kind: "PodMetrics",
    singular: "",
    namespaced: true,
    verbs: ["get", "list"],
    subresources: [],
  },
];

/** Upstream kube-aggregator's group priorities: the order of /apis. Unlisted groups (CRDs) follow. */
const GROUP_PRIORITY: Record<string, number> = {
  "apiregistration.k8s.io": 18000,
  apps: 17800,
  "events.k8s.io": 17750,
  "authentication.k8s.io": 17700,
  "authorization.k8s.io": 17600,
  autoscaling: 17500,
  batch: 17400,
  "certificates.k8s.io": 17300,
  "networking.k8s.io": 17200,
  policy: 17100,
  "rbac.authorization.k8s.io": 17000,
  "storage.k8s.io": 16800,
  "admissionregistration.k8s.io": 16700,
  "apiextensions.k8s.io": 16400,
  "scheduling.k8s.io": 16600,
  "coordination.k8s.io": 16500,
  "node.k8s.io": 16300,
  "discovery.k8s.io": 16200,
  "flowcontrol.apiserver.k8s.io": 16100,
  "metrics.k8s.io": 100,
};

/** Kubernetes' version ordering: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
    if (!match) return { valid: false, major: 0, stage: 0, minor: 0 };
    const stage = match[2] === undefined ? 3 : match[2] === "beta" ? 2 : 1;
    return { valid: true, major: Number(match[1]), stage, minor: Number(match[3] ?? 0) };
  };
  const left = parse(a);
  const right = parse(b);
  if (left.valid !== right.valid) return left.valid ? -1 : 1;
  if (!left.valid) return a.localeCompare(b);
  if (left.stage !== right.stage) return right.stage - left.stage;
  if (left.major !== right.major) return right.major - left.major;
  return right.minor - left.minor;
}

/** Every served resource per group-version, from the definitions plus the metrics group. */
export function collectResources(definitions: readonly ResourceDefinition[]): DiscoveryResource[] {
  const resources: DiscoveryResource[] = [];
  for (const definition of definitions) {
    for (const version of definition.versions) {
      const subresources: DiscoverySubresource[] = [];
      if (definition.subresources?.scale) {
        subresources.push({
          name: "scale",
          group: "autoscaling",
          version: "v1",
          kind: "Scale",
          verbs: ["get", "patch", "update"],
        });
      }
      if (definition.subresources?.status) {
        subresources.push({
          name: "status",
          group: definition.group,
          version,
          kind: definition.kind,
          verbs: ["get", "patch", "update"],
        });
      }
      for (const extra of CONNECT_SUBRESOURCES[`${definition.group}/${definition.resource}`] ?? []) {
        subresources.push({ ...extra, version: extra.version ?? version });
      }
      subresources.sort((a, b) => a.name.localeCompare(b.name));
      resources.push({
        group: definition.group,
        version,
        resource: definition.resource,
        kind: definition.kind,
        singular: definition.singular,
        namespaced: definition.namespaced,
        verbs: definition.verbs ?? DEFAULT_VERBS,
        shortNames: definition.shortNames?.length ? definition.shortNames : undefined,
        categories: definition.categories?.length ? definition.categories : undefined,
        subresources,
      });
    }
  }
  return [...resources, ...METRICS_RESOURCES];
}

export interface GroupVersions {
  group: string;
  /** Sorted, preferred first. */
  versions: string[];
}

/** The served groups other than core, in /apis order. */
export function servedGroups(resources: readonly DiscoveryResource[]): GroupVersions[] {
  const byGroup = new Map<string, Set<string>>();
  for (const resource of resources) {
    if (!resource.group) continue;
    let versions = byGroup.get(resource.group);
    if (!versions) {
      versions = new Set();
      byGroup.set(resource.group, versions);
    }
    versions.add(resource.version);
  }
  return [...byGroup.entries()]
    .map(([group, versions]) => ({ group, versions: [...versions].sort(compareKubeVersions) }))
    .sort((a, b) => {
      const priority = (GROUP_PRIORITY[b.group] ?? 1000) - (GROUP_PRIORITY[a.group] ?? 1000);
      return priority !== 0 ? priority : a.group.localeCompare(b.group);
    });
}

/** upstream discovery.StorageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return toBase64(sha256(`${group}/${version}/${kind}`).subarray(0, 8));
}

function resourcesOf(resources: readonly DiscoveryResource[], group: string, version: string): DiscoveryResource[] {
  return resources
    .filter((resource) => resource.group === group && resource.version === version)
    .sort((a, b) => a.resource.localeCompare(b.resource));
}

const gvString = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** Legacy `/api`. */
export function apiVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function apiGroup(group: GroupVersions): object {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.group}/${version}`, version }));
  return { name: group.group, versions, preferredVersion: versions[0] };
}

/** Legacy `/apis`. */
export function apiGroupList(resources: readonly DiscoveryResource[]): object {
  return { kind: "APIGroupList", apiVersion: "v1", groups: servedGroups(resources).map(apiGroup) };
}

/** Legacy `/apis/<group>`, or undefined when the group is not served. */
export function apiGroupDocument(resources: readonly DiscoveryResource[], group: string): object | undefined {
  const found = servedGroups(resources).find((candidate) => candidate.group === group);
  return found ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(found) } : undefined;
}

/** Legacy `/api/v1` or `/apis/<group>/<version>`, or undefined when not served. */
export function apiResourceList(
  resources: readonly DiscoveryResource[],
  group: string,
  version: string,
): object | undefined {
  const served = resourcesOf(resources, group, version);
  if (served.length === 0) return undefined;
  const entries: object[] = [];
  for (const resource of served) {
    const entry: Record<string, unknown> = {
      name: resource.resource,
      singularName: resource.singular,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: resource.verbs,
    };
    if (resource.shortNames) entry.shortNames = resource.shortNames;
    if (resource.categories) entry.categories = resource.categories;
    if (resource.group !== "metrics.k8s.io") {
      entry.storageVersionHash = storageVersionHash(resource.group, resource.version, resource.kind);
    }
    entries.push(entry);
    for (const subresource of resource.subresources) {
      const sub: Record<string, unknown> = {
        name: `${resource.resource}/${subresource.name}`,
        singularName: "",
        namespaced: resource.namespaced,
      };
      if (subresource.group !== group || subresource.version !== version) {
        sub.group = subresource.group;
        sub.version = subresource.version;
      }
      sub.kind = subresource.kind;
      sub.verbs = subresource.verbs;
      entries.push(sub);
    }
  }
  entries.sort((a, b) => String((a as { name: string }).name).localeCompare(String((b as { name: string }).name)));
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: gvString(group, version), resources: entries };
}

function aggregatedResource(resource: DiscoveryResource): object {
  const entry: Record<string, unknown> = {
    resource: resource.resource,
    responseKind: { group: resource.group, version: resource.version, kind: resource.kind },
    scope: resource.namespaced ? "Namespaced" : "Cluster",
    singularResource: resource.singular,
    verbs: resource.verbs,
  };
  if (resource.shortNames) entry.shortNames = resource.shortNames;
  if (resource.categories) entry.categories = resource.categories;
  if (resource.subresources.length > 0) {
    entry.subresources = resource.subresources.map((subresource) => ({
      subresource: subresource.name,
      responseKind: { group: subresource.group, version: subresource.version, kind: subresource.kind },
      verbs: subresource.verbs,
    }));
  }
  return entry;
}

/** Aggregated discovery for `/api` (core) or `/apis` (every other group). */
export function aggregatedDiscovery(
  resources: readonly DiscoveryResource[],
  root: "api" | "apis",
  version: "v2" | "v2beta1",
): object {
  const groups: GroupVersions[] = root === "api" ? [{ group: "", versions: ["v1"] }] : servedGroups(resources);
  const items = groups.map((group) => {
    const metadata: Record<string, unknown> = { creationTimestamp: null };
    if (group.group) metadata.name = group.group;
    return {
      metadata,
      versions: group.versions.map((groupVersion) => ({
        version: groupVersion,
        resources: resourcesOf(resources, group.group, groupVersion).map(aggregatedResource),
        freshness: "Current",
      })),
    };
  });
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

import type { Container, ContainerPort, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../api/core";
import { podRequests, type Resource } from "./resources";
import { compileLabelSelector, type LabelMatcher } from "./selectors";

/** A pod affinity term with its selector compiled and namespaces resolved (`framework.AffinityTerm`). */
export interface AffinityTerm {
  topologyKey: string;
  /** Namespaces the term applies to; empty with `allNamespaces` when a namespaceSelector is `{}`. */
  namespaces: Set<string>;
  namespaceSelector?: LabelMatcher;
  selector: LabelMatcher;
  weight: number;
}

/** A host port a pod asks for (`hostIP`, protocol, port). */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/**
 * A pod with everything the plugins derive from it computed once (`framework.PodInfo`): requests,
 * host ports, affinity terms. The scheduler builds one per pod event, never per node.
 */
export interface PodInfo {
  pod: Pod;
  /** `namespace/name`. */
  key: string;
  uid: string;
  namespace: string;
  priority: number;
  requests: Resource;
  nonZeroRequests: Resource;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
  /** Persistent volume claims the pod mounts (`namespace/name`). */
  claims: string[];
  images: string[];
}

/** Builds a PodInfo; `priority` comes from spec.priority or the pod's PriorityClass. */
export function newPodInfo(pod: Pod, priority = pod.spec?.priority ?? 0): PodInfo {
  const namespace = pod.metadata.namespace ?? "default";
  const spec = pod.spec;
  const hostPorts: HostPort[] = [];
  for (const containers of [spec?.initContainers, spec?.containers]) {
    for (const container of containers ?? noContainers) {
      for (const port of container.ports ?? noPorts) {
        if (port.hostPort && port.hostPort > 0) {
          hostPorts.push({ ip: port.hostIP || "0.0.0.0", protocol: port.protocol || "TCP", port: port.hostPort });
        }
      }
    }
  }
  const affinity = spec?.affinity;
  const claims: string[] = [];
  for (const volume of spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim) claims.push(`${namespace}/${volume.persistentVolumeClaim.claimName}`);
    else if (volume.ephemeral) claims.push(`${namespace}/${pod.metadata.name}-${volume.name}`);
  }
  return {
    pod,
    key: `${namespace}/${pod.metadata.name}`,
    uid: pod.metadata.uid ?? `${namespace}/${pod.metadata.name}`,
    namespace,
    priority,
    requests: podRequests(pod, false),
    nonZeroRequests: podRequests(pod, true),
    hostPorts,
    requiredAffinity: terms(pod, affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: terms(pod, affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: weightedTerms(pod, affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weightedTerms(
      pod,
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    claims,
    images: (spec?.containers ?? []).map((container) => normalizedImageName(container.image ?? "")),
  };
}

// Most pods have no affinity terms: they share one empty (never mutated) list.
const noTerms: AffinityTerm[] = [];
const noContainers: Container[] = [];
const noPorts: ContainerPort[] = [];

function terms(pod: Pod, list: PodAffinityTerm[] | undefined, weight = 1): AffinityTerm[] {
  if (!list?.length) return noTerms;
  return list.map((term) => newAffinityTerm(pod, term, weight));
}

function weightedTerms(pod: Pod, list: WeightedPodAffinityTerm[] | undefined): AffinityTerm[] {
  if (!list?.length) return noTerms;
  return list.map((term) => newAffinityTerm(pod, term.podAffinityTerm, term.weight));
}

function newAffinityTerm(pod: Pod, term: PodAffinityTerm, weight: number): AffinityTerm {
  const namespaces = new Set<string>();
  if ((term.namespaces ?? []).length === 0 && !term.namespaceSelector)
    namespaces.add(pod.metadata.namespace ?? "default");
  else for (const namespace of term.namespaces ?? []) namespaces.add(namespace);
  // matchLabelKeys / mismatchLabelKeys fold the incoming pod's label values into the selector.
  const labelSelector = structuredClone(term.labelSelector ?? undefined);
  if (labelSelector) {
    const labels = pod.metadata.labels ?? {};
    labelSelector.matchExpressions ??= [];
    for (const key of term.matchLabelKeys ?? []) {
      if (key in labels) labelSelector.matchExpressions.push({ key, operator: "In", values: [labels[key]] });
    }
    for (const key of term.mismatchLabelKeys ?? []) {
      if (key in labels) labelSelector.matchExpressions.push({ key, operator: "NotIn", values: [labels[key]] });
    }
  }
  return {
    topologyKey: term.topologyKey,
    namespaces,
    namespaceSelector: term.namespaceSelector ? compileLabelSelector(term.namespaceSelector) : undefined,
    selector: compileLabelSelector(labelSelector),
    weight,
  };
}

/** Does `term` (of some pod) select `pod`? Namespace selectors see the namespace's labels. */
export function termMatches(
  term: AffinityTerm,
  pod: Pod,
  namespaceLabels: (namespace: string) => Record<string, string> | undefined,
): boolean {
  const namespace = pod.metadata.namespace ?? "default";
  if (!term.namespaces.has(namespace) && !(term.namespaceSelector?.(namespaceLabels(namespace)) ?? false)) return false;
  return term.selector(pod.metadata.labels);
}

/** `normalizedImageName`: images without a tag or digest mean `:latest`. */
export function normalizedImageName(image: string): string {
  const lastSlash = image.lastIndexOf("/");
  const tail = image.slice(lastSlash + 1);
  if (image.includes("@") || tail.includes(":")) return image;
  return `${image}:latest`;
}

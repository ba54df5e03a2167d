import * as resources from "../../api/resources";
import type { GroupVersionResource } from "../../api/types";
import { parseApiVersion } from "../../api/types";

/** A resource the controllers can address by kind, and whether it lives in namespaces. */
export interface ResourceKind {
  gvr: GroupVersionResource;
  kind: string;
  namespaced: boolean;
}

const builtIn: Array<[GroupVersionResource, string, boolean]> = [
  [resources.Namespaces, "Namespace", false],
  [resources.Nodes, "Node", false],
  [resources.Pods, "Pod", true],
  [resources.Services, "Service", true],
  [resources.Endpoints, "Endpoints", true],
  [resources.ConfigMaps, "ConfigMap", true],
  [resources.Secrets, "Secret", true],
  [resources.ServiceAccounts, "ServiceAccount", true],
  [resources.Events, "Event", true],
  [resources.PersistentVolumes, "PersistentVolume", false],
  [resources.PersistentVolumeClaims, "PersistentVolumeClaim", true],
  [resources.ResourceQuotas, "ResourceQuota", true],
  [resources.LimitRanges, "LimitRange", true],
  [resources.Deployments, "Deployment", true],
  [resources.ReplicaSets, "ReplicaSet", true],
  [resources.DaemonSets, "DaemonSet", true],
  [resources.StatefulSets, "StatefulSet", true],
  [resources.ControllerRevisions, "ControllerRevision", true],
  [resources.Jobs, "Job", true],
  [resources.CronJobs, "CronJob", true],
  [resources.HorizontalPodAutoscalers, "HorizontalPodAutoscaler", true],
  [resources.Ingresses, "Ingress", true],
  [resources.IngressClasses, "IngressClass", false],
  [resources.NetworkPolicies, "NetworkPolicy", true],
  [resources.EndpointSlices, "EndpointSlice", true],
  [resources.Leases, "Lease", true],
  [resources.StorageClasses, "StorageClass", false],
  [resources.PriorityClasses, "PriorityClass", false],
  [resources.Roles, "Role", true],
  [resources.RoleBindings, "RoleBinding", true],
  [resources.ClusterRoles, "ClusterRole", false],
  [resources.ClusterRoleBindings, "ClusterRoleBinding", false],
  [resources.CustomResourceDefinitions, "CustomResourceDefinition", false],
  [{ group: "policy", version: "v1", resource: "poddisruptionbudgets" }, "PodDisruptionBudget", true],
];

/** The built-in resources, kinds and scopes the controllers know without discovery. */
export const BUILT_IN_KINDS: readonly ResourceKind[] = builtIn.map(([gvr, kind, namespaced]) => ({
  gvr,
  kind,
  namespaced,
}));

/**
 * A RESTMapper over the built-in kinds plus whatever is added (custom resources from CRDs).
 * Maps by group and kind; the version of an owner reference does not matter for finding the object.
 */
export class KindRegistry {
  private readonly byGroupKind = new Map<string, ResourceKind>();

  constructor() {
    for (const entry of BUILT_IN_KINDS) this.add(entry);
    // autoscaling/v1 and v2 share storage; owner references may name either.
  }

  add(entry: ResourceKind): void {
    this.byGroupKind.set(`${entry.gvr.group}/${entry.kind}`, entry);
  }

  remove(group: string, kind: string): void {
    this.byGroupKind.delete(`${group}/${kind}`);
  }

  /** The resource for an owner reference's apiVersion and kind. */
  lookup(apiVersion: string, kind: string): ResourceKind | undefined {
    const { group } = parseApiVersion(apiVersion);
    return this.byGroupKind.get(`${group}/${kind}`);
  }

  all(): ResourceKind[] {
    return [...this.byGroupKind.values()];
  }
}

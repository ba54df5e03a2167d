import type { ResourceInfo } from "./Discovery";

const make = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[] = [],
): ResourceInfo => ({
  group,
  version,
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
  verbs: [],
  categories: [],
  subresources: [],
});

/**
 * Built-in types kubectl's generators know without asking the server (as kubectl's typed
 * generators do), so `create … --dry-run=client` works offline.
 */
export const builtinResources: Record<string, ResourceInfo> = {
  namespaces: make("", "v1", "namespaces", "Namespace", false, ["ns"]),
  configmaps: make("", "v1", "configmaps", "ConfigMap", true, ["cm"]),
  secrets: make("", "v1", "secrets", "Secret", true),
  serviceaccounts: make("", "v1", "serviceaccounts", "ServiceAccount", true, ["sa"]),
  services: make("", "v1", "services", "Service", true, ["svc"]),
  pods: make("", "v1", "pods", "Pod", true, ["po"]),
  resourcequotas: make("", "v1", "resourcequotas", "ResourceQuota", true, ["quota"]),
  "poddisruptionbudgets.policy": make("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"]),
  "priorityclasses.scheduling.k8s.io": make("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, [
    "pc",
  ]),
  "deployments.apps": make("apps", "v1", "deployments", "Deployment", true, ["deploy"]),
  "jobs.batch": make("batch", "v1", "jobs", "Job", true),
  "cronjobs.batch": make("batch", "v1", "cronjobs", "CronJob", true, ["cj"]),
  "roles.rbac.authorization.k8s.io": make("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
  "clusterroles.rbac.authorization.k8s.io": make(
    "rbac.authorization.k8s.io",
    "v1",
    "clusterroles",
    "ClusterRole",
    false,
  ),
  "rolebindings.rbac.authorization.k8s.io": make(
    "rbac.authorization.k8s.io",
    "v1",
    "rolebindings",
    "RoleBinding",
    true,
  ),
  "clusterrolebindings.rbac.authorization.k8s.io": make(
    "rbac.authorization.k8s.io",
    "v1",
    "clusterrolebindings",
    "ClusterRoleBinding",
    false,
  ),
  "ingresses.networking.k8s.io": make("networking.k8s.io", "v1", "ingresses", "Ingress", true, ["ing"]),
  "horizontalpodautoscalers.autoscaling": make(
    "autoscaling",
    "v2",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true,
    ["hpa"],
  ),
};

/**
 * The top-level kinds whose schemas the API serves, each with the @kubernetes/client-node model
 * that describes it. The schema generator walks the models reachable from these.
 */
export interface SchemaKind {
  group: string;
  version: string;
  kind: string;
  /** The client-node model class: `V1Pod`, `CoreV1Event`, `V2HorizontalPodAutoscaler`. */
  model: string;
}

const k = (group: string, version: string, kind: string, model = `V1${kind}`): SchemaKind => ({
  group,
  version,
  kind,
  model,
});

/** Ordered so that shared nested models are named after the group that first reaches them (core first). */
export const schemaKinds: SchemaKind[] = [
  k("", "v1", "Pod"),
  k("", "v1", "PodTemplate"),
  k("", "v1", "Namespace"),
  k("", "v1", "Node"),
  k("", "v1", "Service"),
  k("", "v1", "Endpoints"),
  k("", "v1", "ConfigMap"),
  k("", "v1", "Secret"),
  k("", "v1", "ServiceAccount"),
  k("", "v1", "Event", "CoreV1Event"),
  k("", "v1", "PersistentVolume"),
  k("", "v1", "PersistentVolumeClaim"),
  k("", "v1", "ResourceQuota"),
  k("", "v1", "LimitRange"),
  k("", "v1", "Binding"),
  k("", "v1", "Status"),
  k("", "v1", "DeleteOptions"),
  k("apps", "v1", "Deployment"),
  k("apps", "v1", "ReplicaSet"),
  k("apps", "v1", "DaemonSet"),
  k("apps", "v1", "StatefulSet"),
  k("apps", "v1", "ControllerRevision"),
  k("batch", "v1", "Job"),
  k("batch", "v1", "CronJob"),
  k("autoscaling", "v1", "Scale"),
  k("autoscaling", "v1", "HorizontalPodAutoscaler"),
  k("autoscaling", "v2", "HorizontalPodAutoscaler", "V2HorizontalPodAutoscaler"),
  k("networking.k8s.io", "v1", "Ingress"),
  k("networking.k8s.io", "v1", "IngressClass"),
  k("networking.k8s.io", "v1", "NetworkPolicy"),
  k("discovery.k8s.io", "v1", "EndpointSlice"),
  k("coordination.k8s.io", "v1", "Lease"),
  k("events.k8s.io", "v1", "Event", "EventsV1Event"),
  k("storage.k8s.io", "v1", "StorageClass"),
  k("rbac.authorization.k8s.io", "v1", "Role"),
  k("rbac.authorization.k8s.io", "v1", "RoleBinding"),
  k("rbac.authorization.k8s.io", "v1", "ClusterRole"),
  k("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
  k("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
  k("scheduling.k8s.io", "v1", "PriorityClass"),
  k("certificates.k8s.io", "v1", "CertificateSigningRequest"),
  k("policy", "v1", "PodDisruptionBudget"),
  k("policy", "v1", "Eviction"),
];

/** Models that belong to apimachinery's meta/v1 package, whichever kind reaches them. */
export const metaModels = new Set([
  "V1ObjectMeta",
  "V1ListMeta",
  "V1LabelSelector",
  "V1LabelSelectorRequirement",
  "V1ManagedFieldsEntry",
  "V1OwnerReference",
  "V1Condition",
  "V1Status",
  "V1StatusDetails",
  "V1StatusCause",
  "V1DeleteOptions",
  "V1Preconditions",
]);

/** The Go package segment of a group in upstream's definition names (`io.k8s.api.<package>.<version>.<Kind>`). */
export function groupPackage(group: string): string {
  if (group === "") return "core";
  if (group === "rbac.authorization.k8s.io") return "rbac";
  return group.replace(/\.k8s\.io$/, "");
}

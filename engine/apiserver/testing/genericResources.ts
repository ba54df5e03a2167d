import type { KubeObject } from "../../api/types";
import { deepEqual } from "../patch/strategicMergePatch";
import type { ResourceDefinition, ResourceStrategy } from "../ResourceDefinition";

/**
 * Minimal definitions of the built-in resources with generic behaviour only (no defaulting or
 * validation beyond metadata), for tests of the registry and of components that need a working
 * API server without the real per-resource strategies.
 */
function generic(
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  options: Partial<ResourceDefinition> & { spec?: boolean } = {},
): ResourceDefinition {
  const { spec, ...rest } = options;
  return {
    group,
    versions: ["v1"],
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    storagePrefix: group === "apiextensions.k8s.io" ? `${group}/${resource}` : resource,
    strategy: spec ? specStrategy(!!options.subresources?.status) : {},
    ...rest,
  };
}

/** PrepareForCreate/Update as upstream's workload strategies: generation tracks spec, status is kept. */
function specStrategy(hasStatus: boolean): ResourceStrategy {
  return {
    prepareForCreate(object) {
      if (hasStatus) delete object.status;
      object.metadata.generation = 1;
    },
    prepareForUpdate(object, old) {
      if (hasStatus) object.status = old.status;
      object.metadata.generation = (old.metadata.generation ?? 1) + (deepEqual(object.spec, old.spec) ? 0 : 1);
    },
  };
}

const replicaPaths = {
  specReplicasPath: ".spec.replicas",
  statusReplicasPath: ".status.replicas",
  labelSelectorPath: ".status.selector",
};

export const genericResources: ResourceDefinition[] = [
  generic("", "namespaces", "Namespace", false, {
    subresources: { status: true },
    strategy: {
      prepareForCreate(object: KubeObject) {
        object.status = { phase: "Active" };
        object.spec = { finalizers: ["kubernetes"], ...(object.spec ?? {}) };
        object.metadata.labels = {
          ...(object.metadata.labels ?? {}),
          "kubernetes.io/metadata.name": object.metadata.name ?? "",
        };
      },
      prepareForUpdate(object: KubeObject, old: KubeObject) {
        object.status = old.status;
        object.spec = old.spec;
      },
    },
  }),
  generic("", "nodes", "Node", false, { storagePrefix: "minions", subresources: { status: true } }),
  generic("", "pods", "Pod", true, {
    subresources: { status: true },
    selectableFields: {
      "spec.nodeName": (pod) => pod.spec?.nodeName ?? "",
      "status.phase": (pod) => pod.status?.phase ?? "",
      "spec.serviceAccountName": (pod) => pod.spec?.serviceAccountName ?? "",
      "spec.schedulerName": (pod) => pod.spec?.schedulerName ?? "",
      "status.podIP": (pod) => pod.status?.podIP ?? "",
      "status.nominatedNodeName": (pod) => pod.status?.nominatedNodeName ?? "",
      "spec.restartPolicy": (pod) => pod.spec?.restartPolicy ?? "",
    },
    strategy: {
      prepareForCreate(object: KubeObject) {
        object.status = { phase: "Pending", qosClass: "BestEffort" };
      },
      prepareForUpdate(object: KubeObject, old: KubeObject) {
        object.status = old.status;
      },
    },
  }),
  generic("", "services", "Service", true, {
    storagePrefix: "services/specs",
    subresources: { status: true },
    strategy: {
      defaults(object, context) {
        object.spec = object.spec ?? {};
        if (!object.spec.clusterIP) {
          object.spec.clusterIP = context.allocateClusterIP();
          object.spec.clusterIPs = [object.spec.clusterIP];
        }
      },
    },
  }),
  generic("", "endpoints", "Endpoints", true, { storagePrefix: "services/endpoints" }),
  generic("", "configmaps", "ConfigMap", true),
  generic("", "secrets", "Secret", true),
  generic("", "serviceaccounts", "ServiceAccount", true),
  generic("", "events", "Event", true, {
    selectableFields: {
      "involvedObject.kind": (event) => event.involvedObject?.kind ?? "",
      "involvedObject.name": (event) => event.involvedObject?.name ?? "",
      "involvedObject.namespace": (event) => event.involvedObject?.namespace ?? "",
      "involvedObject.uid": (event) => event.involvedObject?.uid ?? "",
      reason: (event) => event.reason ?? "",
      type: (event) => event.type ?? "",
    },
  }),
  generic("", "persistentvolumes", "PersistentVolume", false, { subresources: { status: true } }),
  generic("", "persistentvolumeclaims", "PersistentVolumeClaim", true, { subresources: { status: true } }),
  generic("", "resourcequotas", "ResourceQuota", true, { subresources: { status: true } }),
  generic("", "limitranges", "LimitRange", true),
  generic("apps", "deployments", "Deployment", true, {
    spec: true,
    subresources: { status: true, scale: replicaPaths },
  }),
  generic("apps", "replicasets", "ReplicaSet", true, {
    spec: true,
    subresources: { status: true, scale: replicaPaths },
  }),
  generic("apps", "statefulsets", "StatefulSet", true, {
    spec: true,
    subresources: { status: true, scale: replicaPaths },
  }),
  generic("apps", "daemonsets", "DaemonSet", true, { spec: true, subresources: { status: true } }),
  generic("apps", "controllerrevisions", "ControllerRevision", true),
  generic("batch", "jobs", "Job", true, { spec: true, subresources: { status: true } }),
  generic("batch", "cronjobs", "CronJob", true, { spec: true, subresources: { status: true } }),
  generic("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, {
    versions: ["v2", "v1"],
    subresources: { status: true },
  }),
  generic("policy", "poddisruptionbudgets", "PodDisruptionBudget", true, {
    spec: true,
    subresources: { status: true },
  }),
  generic("networking.k8s.io", "ingresses", "Ingress", true, { subresources: { status: true } }),
  generic("networking.k8s.io", "ingressclasses", "IngressClass", false),
  generic("networking.k8s.io", "networkpolicies", "NetworkPolicy", true),
  generic("discovery.k8s.io", "endpointslices", "EndpointSlice", true),
  generic("coordination.k8s.io", "leases", "Lease", true),
  generic("storage.k8s.io", "storageclasses", "StorageClass", false),
  generic("scheduling.k8s.io", "priorityclasses", "PriorityClass", false),
  generic("rbac.authorization.k8s.io", "roles", "Role", true),
  generic("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true),
  generic("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false),
  generic("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false),
  generic("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false, {
    subresources: { status: true },
  }),
];

import { gvkOf, nameOf, namespaceOf, type Resource } from "./Resource";

/** SortOrderTransformer's defaultOrderFirst and defaultOrderLast. */
const orderFirst = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const orderLast = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

function typeOrder(kind: string): number {
  const first = orderFirst.indexOf(kind);
  if (first >= 0) return first - orderFirst.length;
  const last = orderLast.indexOf(kind);
  return last >= 0 ? last + 1 : 0;
}

function gvkString(resource: Resource): string {
  const { group, version, kind } = gvkOf(resource.object);
  return `${group || "~G"}_${version || "~V"}_${kind || "~K"}`;
}

function idString(resource: Resource): string {
  return `${gvkString(resource)}|${namespaceOf(resource.object) || "~X"}|${nameOf(resource.object) || "~N"}`;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** kustomize's legacy order: by kind (the lists above), then group/version/kind, namespace and name. */
export function legacySort(resources: Resource[]): Resource[] {
  return [...resources].sort((a, b) => {
    const kindA = gvkOf(a.object).kind;
    const kindB = gvkOf(b.object).kind;
    const gvkA = gvkString(a);
    const gvkB = gvkString(b);
    if (gvkA !== gvkB) {
      const order = typeOrder(kindA) - typeOrder(kindB);
      return order !== 0 ? order : byBytes(gvkA, gvkB);
    }
    return byBytes(idString(a), idString(b));
  });
}

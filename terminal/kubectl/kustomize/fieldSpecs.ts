/**
 * Kustomize's built-in field specs (api/internal/konfig/builtinpluginconsts in kustomize v5.5):
 * where each transformer writes, by the kinds it applies to. Kept as data, in kustomize's order.
 */

/** Selects resources by group/version/kind; an empty part matches anything (resid.Gvk.IsSelected). */
export interface Gvk {
  group?: string;
  version?: string;
  kind?: string;
}

/** A path in the kinds `gvk` selects; `create` makes missing maps on the way. */
export interface FieldSpec extends Gvk {
  path: string;
  create?: boolean;
}

/** Compact rows: `path|kind|group|version|create` (empty parts omitted). */
function specs(rows: string): FieldSpec[] {
  return rows
    .trim()
    .split("\n")
    .map((row) => {
      const [path = "", kind, group, version, create] = row.trim().split("|");
      const spec: FieldSpec = { path };
      if (kind) spec.kind = kind;
      if (group) spec.group = group;
      if (version) spec.version = version;
      if (create === "c") spec.create = true;
      return spec;
    });
}

/** metadataLabelsFieldSpecs: the object's labels and its pod templates' labels. */
export const templateLabelSpecs = specs(`
metadata/labels||||c
spec/template/metadata/labels|ReplicationController||v1|c
spec/template/metadata/labels|Deployment|||c
spec/template/metadata/labels|ReplicaSet|||c
spec/template/metadata/labels|DaemonSet|||c
spec/template/metadata/labels|StatefulSet|apps||c
spec/volumeClaimTemplates[]/metadata/labels|StatefulSet|apps||c
spec/template/metadata/labels|Job|batch||c
spec/jobTemplate/metadata/labels|CronJob|batch||c
spec/jobTemplate/spec/template/metadata/labels|CronJob|batch||c
`);

const affinity = "spec/template/spec/affinity";

/** commonLabelFieldSpecs: selectors too (commonLabels, and labels with includeSelectors). */
export const commonLabelSpecs = [
  ...specs(`
spec/selector|Service||v1|c
spec/selector|ReplicationController||v1|c
spec/selector/matchLabels|Deployment|||c
${affinity}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|Deployment|apps
${affinity}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|Deployment|apps
${affinity}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|Deployment|apps
${affinity}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|Deployment|apps
spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels|Deployment|apps
spec/selector/matchLabels|ReplicaSet|||c
spec/selector/matchLabels|DaemonSet|||c
spec/selector/matchLabels|StatefulSet|apps||c
spec/volumeClaimTemplates[]/metadata/labels|StatefulSet|apps||c
${affinity}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|StatefulSet|apps
${affinity}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|StatefulSet|apps
${affinity}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels|StatefulSet|apps
${affinity}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels|StatefulSet|apps
spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels|StatefulSet|apps
spec/selector/matchLabels|Job|batch
spec/jobTemplate/spec/selector/matchLabels|CronJob|batch
spec/selector/matchLabels|PodDisruptionBudget|policy
spec/podSelector/matchLabels|NetworkPolicy|networking.k8s.io
spec/ingress/from/podSelector/matchLabels|NetworkPolicy|networking.k8s.io
spec/egress/to/podSelector/matchLabels|NetworkPolicy|networking.k8s.io
`),
  ...templateLabelSpecs,
];

/** commonAnnotationFieldSpecs. */
export const commonAnnotationSpecs = specs(`
metadata/annotations||||c
spec/template/metadata/annotations|ReplicationController||v1|c
spec/template/metadata/annotations|Deployment|||c
spec/template/metadata/annotations|ReplicaSet|||c
spec/template/metadata/annotations|DaemonSet|||c
spec/template/metadata/annotations|StatefulSet|||c
spec/template/metadata/annotations|Job|batch||c
spec/jobTemplate/metadata/annotations|CronJob|batch||c
spec/jobTemplate/spec/template/metadata/annotations|CronJob|batch||c
`);

/** namespaceFieldSpecs, besides metadata/namespace (handled with the cluster-scoped kinds). */
export const namespaceSpecs = specs(`
spec/service/namespace|APIService|apiregistration.k8s.io||c
spec/conversion/webhook/clientConfig/service/namespace|CustomResourceDefinition|apiextensions.k8s.io
`);

/** imagesFieldSpecs: image volumes (containers are found anywhere, as kustomize's legacy filter does). */
export const imageVolumeSpecs = specs(`
spec/volumes[]/image/reference
spec/template/spec/volumes[]/image/reference
`);

/** replicasFieldSpecs. */
export const replicaSpecs = specs(`
spec/replicas|Deployment|||c
spec/replicas|ReplicationController|||c
spec/replicas|ReplicaSet|||c
spec/replicas|StatefulSet|||c
`);

/** Kinds kustomize never puts in a namespace (resid.NotNamespaceableKinds). */
export const clusterScopedKinds = new Set([
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "Cluster",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CustomResourceDefinition",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "StorageClass",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "VolumeAttachment",
]);

/** One nameReference entry: the kind referred to, and the fields of other kinds that name it. */
export interface NameReference extends Gvk {
  fieldSpecs: FieldSpec[];
}

/** Pod-template paths under each workload kind, shared by several references. */
const workloadPrefixes: [string, string][] = [
  ["spec", "Pod"],
  ["template/spec", "PodTemplate"],
  ["spec/template/spec", "Deployment"],
  ["spec/template/spec", "ReplicaSet"],
  ["spec/template/spec", "DaemonSet"],
  ["spec/template/spec", "StatefulSet"],
  ["spec/template/spec", "Job"],
  ["spec/jobTemplate/spec/template/spec", "CronJob"],
];

function podSpecReferences(fields: string[]): FieldSpec[] {
  return workloadPrefixes.flatMap(([prefix, kind]) =>
    fields.map((field) => ({ path: `${prefix}/${field}`, kind, ...(kind === "Pod" ? { version: "v1" } : {}) })),
  );
}

const serviceAccountWorkloads = ["StatefulSet", "Deployment", "ReplicationController", "Job", "DaemonSet"];

/** nameReferenceFieldSpecs. */
export const nameReferences: NameReference[] = [
  ...["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"].map((kind) => ({
    kind,
    fieldSpecs: [{ path: "spec/scaleTargetRef/name", kind: "HorizontalPodAutoscaler" }],
  })),
  {
    kind: "ConfigMap",
    version: "v1",
    fieldSpecs: [
      ...podSpecReferences([
        "volumes/configMap/name",
        "containers/env/valueFrom/configMapKeyRef/name",
        "initContainers/env/valueFrom/configMapKeyRef/name",
        "containers/envFrom/configMapRef/name",
        "initContainers/envFrom/configMapRef/name",
        "volumes/projected/sources/configMap/name",
      ]),
      ...specs(`
spec/configSource/configMap|Node
rules/resourceNames|Role
rules/resourceNames|ClusterRole
metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap|Ingress
`),
    ],
  },
  {
    kind: "Secret",
    version: "v1",
    fieldSpecs: [
      ...podSpecReferences([
        "volumes/secret/secretName",
        "containers/env/valueFrom/secretKeyRef/name",
        "initContainers/env/valueFrom/secretKeyRef/name",
        "containers/envFrom/secretRef/name",
        "initContainers/envFrom/secretRef/name",
        "imagePullSecrets/name",
        "volumes/projected/sources/secret/name",
      ]),
      ...specs(`
spec/tls/secretName|Ingress
metadata/annotations/ingress.kubernetes.io\\/auth-secret|Ingress
metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret|Ingress
metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret|Ingress
imagePullSecrets/name|ServiceAccount
parameters/secretName|StorageClass
parameters/adminSecretName|StorageClass
parameters/userSecretName|StorageClass
parameters/secretRef|StorageClass
rules/resourceNames|Role
rules/resourceNames|ClusterRole
spec/template/spec/containers/env/valueFrom/secretKeyRef/name|Service|serving.knative.dev|v1
spec/azureFile/secretName|PersistentVolume
`),
    ],
  },
  {
    kind: "Service",
    version: "v1",
    fieldSpecs: specs(`
spec/serviceName|StatefulSet|apps
spec/rules/http/paths/backend/serviceName|Ingress
spec/backend/serviceName|Ingress
spec/rules/http/paths/backend/service/name|Ingress
spec/defaultBackend/service/name|Ingress
spec/service/name|APIService|apiregistration.k8s.io
webhooks/clientConfig/service|ValidatingWebhookConfiguration|admissionregistration.k8s.io
webhooks/clientConfig/service|MutatingWebhookConfiguration|admissionregistration.k8s.io
spec/rules/backendRefs/name|HTTPRoute
`),
  },
  {
    kind: "Role",
    group: "rbac.authorization.k8s.io",
    fieldSpecs: specs(`roleRef/name|RoleBinding|rbac.authorization.k8s.io`),
  },
  {
    kind: "ClusterRole",
    group: "rbac.authorization.k8s.io",
    fieldSpecs: specs(`
roleRef/name|RoleBinding|rbac.authorization.k8s.io
roleRef/name|ClusterRoleBinding|rbac.authorization.k8s.io
`),
  },
  {
    kind: "ServiceAccount",
    version: "v1",
    fieldSpecs: [
      ...specs(`
subjects|RoleBinding|rbac.authorization.k8s.io
subjects|ClusterRoleBinding|rbac.authorization.k8s.io
spec/serviceAccountName|Pod
spec/jobTemplate/spec/template/spec/serviceAccountName|CronJob
`),
      ...serviceAccountWorkloads.map((kind) => ({ path: "spec/template/spec/serviceAccountName", kind })),
    ],
  },
  {
    kind: "PersistentVolumeClaim",
    version: "v1",
    fieldSpecs: [
      ...specs(`
spec/volumes/persistentVolumeClaim/claimName|Pod
spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName|CronJob
`),
      ...serviceAccountWorkloads.map((kind) => ({
        path: "spec/template/spec/volumes/persistentVolumeClaim/claimName",
        kind,
      })),
    ],
  },
  {
    kind: "PersistentVolume",
    version: "v1",
    fieldSpecs: specs(`
spec/volumeName|PersistentVolumeClaim
rules/resourceNames|ClusterRole
`),
  },
  {
    kind: "StorageClass",
    version: "v1",
    group: "storage.k8s.io",
    fieldSpecs: specs(`
spec/storageClassName|PersistentVolume
spec/storageClassName|PersistentVolumeClaim
spec/volumeClaimTemplates/spec/storageClassName|StatefulSet
`),
  },
  {
    kind: "PriorityClass",
    version: "v1",
    group: "scheduling.k8s.io",
    fieldSpecs: [
      ...specs(`
spec/priorityClassName|Pod
spec/jobTemplate/spec/template/spec/priorityClassName|CronJob
`),
      ...serviceAccountWorkloads.map((kind) => ({ path: "spec/template/spec/priorityClassName", kind })),
    ],
  },
  {
    kind: "IngressClass",
    version: "v1",
    group: "networking.k8s.io/v1",
    fieldSpecs: specs(`spec/ingressClassName|Ingress`),
  },
];

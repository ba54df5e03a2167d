import type { KubeObject } from "../api/types";
import { isApiError } from "../apiserver/ApiError";
import type { ApiServer } from "../apiserver/ApiServer";
import type { UserInfo } from "../apiserver/ResourceRequest";
import { kubeadmCa } from "../kubelet/kubeadmFiles";

/** The control-plane node's address: where the `kubernetes` Service's endpoints point. */
export const CONTROL_PLANE_IP = "192.168.0.2";
export const API_SERVER_PORT = 6443;
export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;

const BOOTSTRAP_USER: UserInfo = { username: "system:apiserver", groups: ["system:masters"] };

type Gvr = { group: string; version: string; resource: string };

/**
 * What a freshly `kubeadm init`-ed cluster's API holds before any controller runs: the four
 * system namespaces, the `kubernetes` Service with its Endpoints and EndpointSlice, the cluster
 * CA in `kube-root-ca.crt`, default ServiceAccounts, the system PriorityClasses, the default
 * StorageClass (kind's local-path `standard`) and the bootstrap RBAC roles. Written through the
 * request pipeline, so every object gets the same defaults and metadata as a client's would.
 * Idempotent: objects that already exist (a restored snapshot) are left as they are.
 * `caCertificate` defaults to the process's kubeadm CA, which a new control plane's
 * /etc/kubernetes/pki/ca.crt holds (the root-CA publisher keeps it to the node's file after).
 */
export function bootstrapCluster(
  apiServer: ApiServer,
  options: { caCertificate?: string; controlPlaneIp?: string } = {},
): void {
  const ip = options.controlPlaneIp ?? CONTROL_PLANE_IP;
  const caCertificate = options.caCertificate ?? kubeadmCa(apiServer.clock.now()).certificatePem;
  const create = (gvr: Gvr, object: KubeObject) => {
    if (!apiServer.resources.find(gvr)) return;
    if (apiServer.getObject(gvr.group, gvr.resource, object.metadata.namespace, object.metadata.name ?? "")) return;
    try {
      apiServer.execute({
        verb: "create",
        gvr,
        namespace: object.metadata.namespace,
        body: object,
        options: { fieldManager: "kube-apiserver" },
        user: BOOTSTRAP_USER,
      });
    } catch (error) {
      if (!isApiError(error, "AlreadyExists")) throw error;
    }
  };
  const core = (resource: string): Gvr => ({ group: "", version: "v1", resource });
  for (const name of SYSTEM_NAMESPACES) {
    create(core("namespaces"), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
    });
  }
  for (const namespace of SYSTEM_NAMESPACES) {
    create(core("serviceaccounts"), {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace },
    });
    create(core("configmaps"), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "kube-root-ca.crt",
        namespace,
        annotations: {
          "kubernetes.io/description":
            "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
        },
      },
      data: { "ca.crt": caCertificate },
    });
  }
  for (const { gvr, object } of kubernetesServiceObjects(ip)) create(gvr, object);
  const priorityClasses = { group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses" };
  create(priorityClasses, {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-cluster-critical" },
    value: 2000000000,
    preemptionPolicy: "PreemptLowerPriority",
    description:
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  });
  create(priorityClasses, {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: "system-node-critical" },
    value: 2000001000,
    preemptionPolicy: "PreemptLowerPriority",
    description: "Used for system critical pods that must not be moved from their current node.",
  });
  create(
    { group: "storage.k8s.io", version: "v1", resource: "storageclasses" },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "rancher.io/local-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
    },
  );
  bootstrapRbac(create);
}

const RBAC = "rbac.authorization.k8s.io";

function bootstrapRbac(create: (gvr: Gvr, object: KubeObject) => void): void {
  const clusterRoles = { group: RBAC, version: "v1", resource: "clusterroles" };
  const bindings = { group: RBAC, version: "v1", resource: "clusterrolebindings" };
  const metadata = (name: string, extraLabels: Record<string, string> = {}) => ({
    name,
    labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...extraLabels },
    annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
  });
  const role = (name: string, rules: unknown[], labels?: Record<string, string>) =>
    create(clusterRoles, { apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: metadata(name, labels), rules });
  const readVerbs = ["get", "list", "watch"];
  const writeVerbs = ["create", "delete", "deletecollection", "patch", "update"];
  const workloads = [
    {
      apiGroups: [""],
      resources: [
        "pods",
        "pods/attach",
        "pods/exec",
        "pods/portforward",
        "pods/proxy",
        "configmaps",
        "secrets",
        "services",
        "endpoints",
        "persistentvolumeclaims",
        "serviceaccounts",
        "replicationcontrollers",
      ],
    },
    {
      apiGroups: ["apps"],
      resources: [
        "deployments",
        "deployments/scale",
        "replicasets",
        "replicasets/scale",
        "statefulsets",
        "statefulsets/scale",
        "daemonsets",
      ],
    },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"] },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"] },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
  ];
  role("cluster-admin", [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ]);
  role("admin", [
    ...workloads.map((rule) => ({ ...rule, verbs: [...readVerbs, ...writeVerbs] })),
    { apiGroups: [RBAC], resources: ["roles", "rolebindings"], verbs: [...readVerbs, ...writeVerbs] },
    { apiGroups: [""], resources: ["events", "limitranges", "resourcequotas", "namespaces"], verbs: readVerbs },
  ]);
  role("edit", [
    ...workloads.map((rule) => ({ ...rule, verbs: [...readVerbs, ...writeVerbs] })),
    { apiGroups: [""], resources: ["events", "limitranges", "resourcequotas", "namespaces"], verbs: readVerbs },
  ]);
  role("view", [
    ...workloads.map((rule) => ({
      apiGroups: rule.apiGroups,
      resources: rule.resources.filter(
        (resource) => resource !== "secrets" && !/\/(attach|exec|portforward|proxy)$/.test(resource),
      ),
      verbs: readVerbs,
    })),
    { apiGroups: [""], resources: ["events", "limitranges", "resourcequotas", "namespaces"], verbs: readVerbs },
  ]);
  role("system:discovery", [
    {
      nonResourceURLs: [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
      ],
      verbs: ["get"],
    },
  ]);
  role("system:public-info-viewer", [
    { nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"], verbs: ["get"] },
  ]);
  role("system:basic-user", [
    { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
    {
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
      verbs: ["create"],
    },
  ]);
  const binding = (name: string, roleName: string, subjects: unknown[]) =>
    create(bindings, {
      apiVersion: `${RBAC}/v1`,
      kind: "ClusterRoleBinding",
      metadata: metadata(name),
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName },
      subjects,
    });
  binding("cluster-admin", "cluster-admin", [{ apiGroup: RBAC, kind: "Group", name: "system:masters" }]);
  binding("system:discovery", "system:discovery", [{ apiGroup: RBAC, kind: "Group", name: "system:authenticated" }]);
  binding("system:basic-user", "system:basic-user", [{ apiGroup: RBAC, kind: "Group", name: "system:authenticated" }]);
  binding("system:public-info-viewer", "system:public-info-viewer", [
    { apiGroup: RBAC, kind: "Group", name: "system:authenticated" },
    { apiGroup: RBAC, kind: "Group", name: "system:unauthenticated" },
  ]);
  binding("kubeadm:cluster-admins", "cluster-admin", [
    { apiGroup: RBAC, kind: "Group", name: "kubeadm:cluster-admins" },
  ]);
}

/**
 * The `kubernetes` Service in `default` and its Endpoints and EndpointSlice at the API server
 * (`ip`:6443): what the bootstrap writes and the API server's kubernetes-service controller
 * (kubernetesService.ts) keeps in place.
 */
export function kubernetesServiceObjects(ip: string): Array<{ gvr: Gvr; object: KubeObject }> {
  const core = (resource: string): Gvr => ({ group: "", version: "v1", resource });
  return [
    {
      gvr: core("services"),
      object: {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: { component: "apiserver", provider: "kubernetes" },
        },
        spec: {
          type: "ClusterIP",
          clusterIP: "10.96.0.1",
          clusterIPs: ["10.96.0.1"],
          ipFamilies: ["IPv4"],
          ipFamilyPolicy: "SingleStack",
          internalTrafficPolicy: "Cluster",
          sessionAffinity: "None",
          ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: API_SERVER_PORT }],
        },
      } as KubeObject,
    },
    {
      gvr: core("endpoints"),
      object: {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
        },
        subsets: [{ addresses: [{ ip }], ports: [{ name: "https", port: API_SERVER_PORT, protocol: "TCP" }] }],
      } as KubeObject,
    },
    {
      gvr: { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" },
      object: {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: "https", port: API_SERVER_PORT, protocol: "TCP" }],
      } as KubeObject,
    },
  ];
}

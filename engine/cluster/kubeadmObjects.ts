import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { KubeObject } from "../api/types";
import { isApiError } from "../apiserver/ApiError";
import type { ApiServer } from "../apiserver/ApiServer";
import type { UserInfo } from "../apiserver/ResourceRequest";
import {
  bootstrapTokenSecret,
  CLUSTER_INFO,
  CLUSTER_INFO_NAMESPACE,
  DEFAULT_TOKEN_GROUP,
  KUBECONFIG_KEY,
  randomTokenPart,
} from "../controllers/bootstrap/tokens";
import { kubernetesVersion } from "../images";
import { frontProxyCa, kubeadmCa, kubeletConfigurationYaml } from "../kubelet/kubeadmFiles";
import { API_SERVER_PORT, CONTROL_PLANE_IP } from "./bootstrap";

type Gvr = { group: string; version: string; resource: string };

const RBAC = "rbac.authorization.k8s.io";
const core = (resource: string): Gvr => ({ group: "", version: "v1", resource });
const rbac = (resource: string): Gvr => ({ group: RBAC, version: "v1", resource });

/** kubeadm init's client: admin.conf's user, whose requests the API records under the manager "kubeadm". */
const KUBEADM_USER: UserInfo = { username: "kubernetes-admin", groups: ["kubeadm:cluster-admins", "system:masters"] };
const APISERVER_USER: UserInfo = { username: "system:apiserver", groups: ["system:masters"] };

/** The token kubeadm init makes when InitConfiguration names none: 24 h, for signing and authentication. */
const INIT_TOKEN_TTL_MS = 24 * 3600_000;

export interface KubeadmObjectsOptions {
  controlPlaneNode?: string;
  controlPlaneIp?: string;
  /** The cluster CA (ca.crt); the process's kubeadm CA by default, as bootstrapCluster's. */
  caCertificate?: string;
}

/**
 * What `kubeadm init` v1.32 and the kube-apiserver it starts add to a new cluster's API besides the
 * bootstrap in bootstrap.ts:
 * - upload-config: kube-system/kubeadm-config (the ClusterConfiguration, v1beta4) and
 *   kube-system/kubelet-config (the KubeletConfiguration every node's /var/lib/kubelet/config.yaml
 *   holds, signed with kubeadm's component-config hash), with the Roles and RoleBindings that let
 *   nodes and bootstrap tokens read them;
 * - bootstrap-token: the init token's Secret (24 h; the tokencleaner deletes it when it expires),
 *   the ClusterRoleBindings that let its holders join (kubelet-bootstrap, node-autoapprove-*,
 *   get-nodes), and kube-public/cluster-info (the CA and the API endpoint as a kubeconfig,
 *   readable by system:anonymous; the bootstrapsigner adds its jws-kubeconfig-<token-id> keys);
 * - kube-apiserver: kube-system/extension-apiserver-authentication (its client CA and
 *   --requestheader-* flags, the clusterauthenticationtrust controller's keys) and
 *   kube-apiserver-legacy-service-account-token-tracking (the day tracking began).
 * Objects that exist already (a restored snapshot) are left as they are.
 */
export function bootstrapKubeadmObjects(apiServer: ApiServer, options: KubeadmObjectsOptions = {}): void {
  const now = apiServer.clock.now();
  const node = options.controlPlaneNode ?? "controlplane";
  const ip = options.controlPlaneIp ?? CONTROL_PLANE_IP;
  const ca = options.caCertificate ?? kubeadmCa(now).certificatePem;
  const kubeadm = creator(apiServer, KUBEADM_USER, "kubeadm");
  const apiserver = creator(apiServer, APISERVER_USER, "kube-apiserver");

  // [upload-config]
  kubeadm(
    core("configmaps"),
    configMap("kube-system", "kubeadm-config", { ClusterConfiguration: clusterConfiguration() }),
  );
  readerRole(kubeadm, "kube-system", "kubeadm:nodes-kubeadm-config", "kubeadm-config", [
    group(DEFAULT_TOKEN_GROUP),
    group("system:nodes"),
  ]);
  const kubelet = configMap("kube-system", "kubelet-config", { kubelet: kubeletConfigurationYaml() });
  kubelet.metadata.annotations = { "kubeadm.kubernetes.io/component-config.hash": configMapChecksum(kubelet.data) };
  kubeadm(core("configmaps"), kubelet);
  readerRole(kubeadm, "kube-system", "kubeadm:kubelet-config", "kubelet-config", [
    group("system:nodes"),
    group(DEFAULT_TOKEN_GROUP),
  ]);

  // [bootstrap-token]
  if (!hasInitToken(apiServer)) {
    kubeadm(
      core("secrets"),
      bootstrapTokenSecret({
        id: randomTokenPart(6),
        secret: randomTokenPart(16),
        expires: now + INIT_TOKEN_TTL_MS,
        usages: ["signing", "authentication"],
        groups: [DEFAULT_TOKEN_GROUP],
      }),
    );
  }
  kubeadm(rbac("clusterroles"), {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRole",
    metadata: { name: "kubeadm:get-nodes" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
  } as KubeObject);
  clusterBinding(kubeadm, "kubeadm:get-nodes", "kubeadm:get-nodes", group(DEFAULT_TOKEN_GROUP));
  clusterBinding(kubeadm, "kubeadm:kubelet-bootstrap", "system:node-bootstrapper", group(DEFAULT_TOKEN_GROUP));
  clusterBinding(
    kubeadm,
    "kubeadm:node-autoapprove-bootstrap",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    group(DEFAULT_TOKEN_GROUP),
  );
  clusterBinding(
    kubeadm,
    "kubeadm:node-autoapprove-certificate-rotation",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    group("system:nodes"),
  );
  kubeadm(
    core("configmaps"),
    configMap(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO, { [KUBECONFIG_KEY]: clusterInfo(ca, ip) }),
  );
  readerRole(kubeadm, CLUSTER_INFO_NAMESPACE, "kubeadm:bootstrap-signer-clusterinfo", CLUSTER_INFO, [
    { kind: "User", name: "system:anonymous" },
  ]);

  // kube-apiserver's own ConfigMaps.
  apiserver(
    core("configmaps"),
    configMap("kube-system", "extension-apiserver-authentication", {
      "client-ca-file": ca,
      "requestheader-allowed-names": '["front-proxy-client"]',
      "requestheader-client-ca-file": frontProxyCa(now, node, ip),
      "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
      "requestheader-group-headers": '["X-Remote-Group"]',
      "requestheader-uid-headers": "[]",
      "requestheader-username-headers": '["X-Remote-User"]',
    }),
  );
  apiserver(
    core("configmaps"),
    configMap("kube-system", "kube-apiserver-legacy-service-account-token-tracking", {
      since: new Date(now).toISOString().slice(0, 10),
    }),
  );
}

type Create = (gvr: Gvr, object: KubeObject) => void;

/** Creates through the request pipeline as `user` with `fieldManager`, unless the object exists. */
function creator(apiServer: ApiServer, user: UserInfo, fieldManager: string): Create {
  return (gvr, object) => {
    if (apiServer.getObject(gvr.group, gvr.resource, object.metadata.namespace, object.metadata.name ?? "")) return;
    try {
      apiServer.execute({
        verb: "create",
        gvr,
        namespace: object.metadata.namespace,
        body: object,
        options: { fieldManager },
        user,
      });
    } catch (error) {
      if (!isApiError(error, "AlreadyExists")) throw error;
    }
  };
}

/** A restored store keeps the token it had (or its learner's deletion of it): kubeadm init ran once. */
function hasInitToken(apiServer: ApiServer): boolean {
  return apiServer.getObject("", "configmaps", CLUSTER_INFO_NAMESPACE, CLUSTER_INFO) !== undefined;
}

function configMap(namespace: string, name: string, data: Record<string, string>) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace } as { name: string; namespace: string; annotations?: Record<string, string> },
    data,
  };
}

type Subject = { kind: string; name: string; apiGroup?: string; namespace?: string };
const group = (name: string): Subject => ({ apiGroup: RBAC, kind: "Group", name });

/** A Role that may get one ConfigMap, and its RoleBinding of the same name to `subjects`. */
function readerRole(create: Create, namespace: string, name: string, configMapName: string, subjects: Subject[]) {
  create(rbac("roles"), {
    apiVersion: `${RBAC}/v1`,
    kind: "Role",
    metadata: { name, namespace },
    rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [configMapName], verbs: ["get"] }],
  } as KubeObject);
  create(rbac("rolebindings"), {
    apiVersion: `${RBAC}/v1`,
    kind: "RoleBinding",
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC, kind: "Role", name },
    subjects: subjects.map((subject) => (subject.kind === "User" ? { apiGroup: RBAC, ...subject } : subject)),
  } as KubeObject);
}

function clusterBinding(create: Create, name: string, clusterRole: string, subject: Subject) {
  create(rbac("clusterrolebindings"), {
    apiVersion: `${RBAC}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: clusterRole },
    subjects: [subject],
  } as KubeObject);
}

/**
 * The ClusterConfiguration kubeadm uploads (MarshalKubeadmConfigObject: v1beta4, keys sorted, the
 * component configs left out): kubeadm's defaults with the choices this cluster was made with —
 * ECDSA-P256 keys (kubeadmPki.ts) and the pod subnet the controller manager allocates from.
 */
function clusterConfiguration(): string {
  return `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: ECDSA-P256
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${kubernetesVersion}
networking:
  dnsDomain: cluster.local
  podSubnet: 10.244.0.0/16
  serviceSubnet: 10.96.0.0/12
proxy: {}
scheduler: {}
`;
}

/** CreateBootstrapConfigMapIfNotExists: admin.conf's cluster alone, under the name "", as clientcmd.Write writes it. */
function clusterInfo(caCertificate: string, ip: string): string {
  return stringify(
    {
      apiVersion: "v1",
      clusters: [
        {
          cluster: {
            "certificate-authority-data": Buffer.from(caCertificate).toString("base64"),
            server: `https://${ip}:${API_SERVER_PORT}`,
          },
          name: "",
        },
      ],
      contexts: null,
      "current-context": "",
      kind: "Config",
      preferences: {},
      users: null,
    },
    { indentSeq: false, lineWidth: 0 },
  );
}

/** componentconfigs.ChecksumForConfigMap: sha256 over the values in key order. */
function configMapChecksum(data: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(data).sort()) hash.update(data[key] ?? "");
  return `sha256:${hash.digest("hex")}`;
}

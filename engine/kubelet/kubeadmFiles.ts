import { X509Certificate } from "node:crypto";
import { stringify } from "yaml";
import { kubernetesVersion } from "../images";
import { controlPlanePkiFiles, createKubeadmPki, type KubeadmPki } from "./kubeadmPki";
import type { NodeFileSystem } from "./NodeFileSystem";

const manifests = "/etc/kubernetes/manifests";

type HostPathVolume = { name: string; path: string; type: string; mountPath?: string; readOnly?: boolean };

const caVolumes: HostPathVolume[] = [
  { name: "ca-certs", path: "/etc/ssl/certs", type: "DirectoryOrCreate", readOnly: true },
  { name: "etc-ca-certificates", path: "/etc/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
  { name: "k8s-certs", path: "/etc/kubernetes/pki", type: "DirectoryOrCreate", readOnly: true },
  {
    name: "usr-local-share-ca-certificates",
    path: "/usr/local/share/ca-certificates",
    type: "DirectoryOrCreate",
    readOnly: true,
  },
  { name: "usr-share-ca-certificates", path: "/usr/share/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
];

function httpProbe(host: string, path: string, port: number, scheme: string, extra: Record<string, number>) {
  return { ...extra, httpGet: { host, path, port, scheme } };
}

function staticPod(
  component: string,
  annotations: Record<string, string> | undefined,
  container: Record<string, unknown>,
  volumes: HostPathVolume[],
): Record<string, unknown> {
  const sorted = [...volumes].sort((a, b) => a.name.localeCompare(b.name));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(annotations ? { annotations } : {}),
      labels: { component, tier: "control-plane" },
      name: component,
      namespace: "kube-system",
    },
    spec: {
      containers: [
        {
          ...container,
          volumeMounts: [...volumes]
            .sort((a, b) => (a.mountPath ?? a.path).localeCompare(b.mountPath ?? b.path))
            .map((v) => ({
              mountPath: v.mountPath ?? v.path,
              name: v.name,
              ...(v.readOnly ? { readOnly: true } : {}),
            })),
        },
      ],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      volumes: sorted.map((v) => ({ hostPath: { path: v.path, type: v.type }, name: v.name })),
    },
    status: {},
  };
}

/** The four manifests `kubeadm init` writes to /etc/kubernetes/manifests on the control plane. */
export function controlPlaneManifests(ip: string, nodeName: string): Record<string, string> {
  const etcd = staticPod(
    "etcd",
    { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://${ip}:2379` },
    {
      command: [
        "etcd",
        `--advertise-client-urls=https://${ip}:2379`,
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--client-cert-auth=true",
        "--data-dir=/var/lib/etcd",
        "--experimental-initial-corrupt-check=true",
        "--experimental-watch-progress-notify-interval=5s",
        `--initial-advertise-peer-urls=https://${ip}:2380`,
        `--initial-cluster=${nodeName}=https://${ip}:2380`,
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
        "--listen-metrics-urls=http://127.0.0.1:2381",
        `--listen-peer-urls=https://${ip}:2380`,
        `--name=${nodeName}`,
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-client-cert-auth=true",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--snapshot-count=10000",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
      ],
      image: "registry.k8s.io/etcd:3.5.16-0",
      imagePullPolicy: "IfNotPresent",
      livenessProbe: httpProbe("127.0.0.1", "/livez", 2381, "HTTP", {
        failureThreshold: 8,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
      name: "etcd",
      readinessProbe: httpProbe("127.0.0.1", "/readyz", 2381, "HTTP", {
        failureThreshold: 3,
        periodSeconds: 1,
        timeoutSeconds: 15,
      }),
      resources: { requests: { cpu: "100m", memory: "100Mi" } },
      startupProbe: httpProbe("127.0.0.1", "/readyz", 2381, "HTTP", {
        failureThreshold: 24,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
    },
    [
      { name: "etcd-certs", path: "/etc/kubernetes/pki/etcd", type: "DirectoryOrCreate" },
      { name: "etcd-data", path: "/var/lib/etcd", type: "DirectoryOrCreate" },
    ],
  );
  const apiserver = staticPod(
    "kube-apiserver",
    { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${ip}:6443` },
    {
      command: [
        "kube-apiserver",
        `--advertise-address=${ip}`,
        "--allow-privileged=true",
        "--authorization-mode=Node,RBAC",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction",
        "--enable-bootstrap-token-auth=true",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--etcd-servers=https://127.0.0.1:2379",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
        "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-username-headers=X-Remote-User",
        "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
      ],
      image: `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
      imagePullPolicy: "IfNotPresent",
      livenessProbe: httpProbe(ip, "/livez", 6443, "HTTPS", {
        failureThreshold: 8,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
      name: "kube-apiserver",
      readinessProbe: httpProbe(ip, "/readyz", 6443, "HTTPS", {
        failureThreshold: 3,
        periodSeconds: 1,
        timeoutSeconds: 15,
      }),
      resources: { requests: { cpu: "250m" } },
      startupProbe: httpProbe(ip, "/livez", 6443, "HTTPS", {
        failureThreshold: 24,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
    },
    caVolumes,
  );
  const controllerManager = staticPod(
    "kube-controller-manager",
    undefined,
    {
      command: [
        "kube-controller-manager",
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
      ],
      image: `registry.k8s.io/kube-controller-manager:${kubernetesVersion}`,
      imagePullPolicy: "IfNotPresent",
      livenessProbe: httpProbe("127.0.0.1", "/healthz", 10257, "HTTPS", {
        failureThreshold: 8,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
      name: "kube-controller-manager",
      resources: { requests: { cpu: "200m" } },
      startupProbe: httpProbe("127.0.0.1", "/healthz", 10257, "HTTPS", {
        failureThreshold: 24,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
    },
    [
      ...caVolumes,
      {
        name: "flexvolume-dir",
        path: "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
        type: "DirectoryOrCreate",
      },
      { name: "kubeconfig", path: "/etc/kubernetes/controller-manager.conf", type: "FileOrCreate", readOnly: true },
    ],
  );
  const scheduler = staticPod(
    "kube-scheduler",
    undefined,
    {
      command: [
        "kube-scheduler",
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
      ],
      image: `registry.k8s.io/kube-scheduler:${kubernetesVersion}`,
      imagePullPolicy: "IfNotPresent",
      livenessProbe: httpProbe("127.0.0.1", "/livez", 10259, "HTTPS", {
        failureThreshold: 8,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
      name: "kube-scheduler",
      readinessProbe: httpProbe("127.0.0.1", "/readyz", 10259, "HTTPS", {
        failureThreshold: 3,
        periodSeconds: 1,
        timeoutSeconds: 15,
      }),
      resources: { requests: { cpu: "100m" } },
      startupProbe: httpProbe("127.0.0.1", "/livez", 10259, "HTTPS", {
        failureThreshold: 24,
        initialDelaySeconds: 10,
        periodSeconds: 10,
        timeoutSeconds: 15,
      }),
    },
    [{ name: "kubeconfig", path: "/etc/kubernetes/scheduler.conf", type: "FileOrCreate", readOnly: true }],
  );
  const files: Record<string, string> = {};
  for (const [name, pod] of Object.entries({
    etcd,
    "kube-apiserver": apiserver,
    "kube-controller-manager": controllerManager,
    "kube-scheduler": scheduler,
  })) {
    files[`${manifests}/${name}.yaml`] = stringify(pod, { lineWidth: 0 });
  }
  return files;
}

/**
 * sa.key and sa.pub until kube-apiserver makes its service-account key (createCluster writes the
 * real pair there): a placeholder in PEM armour.
 */
function placeholderPem(kind: string, name: string): string {
  const body = Buffer.from(`kubelab ${name} ${kind}`.padEnd(96, "."))
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trim();
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
}

/** Whether a node's apiserver.crt is an earlier Kubelab's placeholder (base64 of "kubelab "). */
const isPlaceholder = (content: string | undefined) => content?.includes("\na3ViZWxhYi") ?? false;

/**
 * A kubeconfig as kubeadm writes it: the cluster CA and a client certificate for `user` in `groups`
 * (the API server takes the user from its CN and the groups from its O), both embedded.
 */
function kubeconfig(pki: KubeadmPki, user: string, groups: readonly string[], server: string): string {
  const client = pki.clientCertificate(user, groups);
  return stringify({
    apiVersion: "v1",
    clusters: [
      {
        cluster: { "certificate-authority-data": Buffer.from(pki.ca.certificatePem).toString("base64"), server },
        name: "kubernetes",
      },
    ],
    contexts: [{ context: { cluster: "kubernetes", user }, name: `${user}@kubernetes` }],
    "current-context": `${user}@kubernetes`,
    kind: "Config",
    preferences: {},
    users: [
      {
        name: user,
        user: {
          "client-certificate-data": Buffer.from(client.certificatePem).toString("base64"),
          "client-key-data": Buffer.from(client.privateKeyPem).toString("base64"),
        },
      },
    ],
  });
}

let processPki: KubeadmPki | undefined;

/** The process's cluster CA (see kubeadmPki.ts), made on first use. */
function kubeadmPki(nowMs: number): KubeadmPki {
  processPki ??= createKubeadmPki(nowMs);
  return processPki;
}

/** The process's cluster CA certificate and key (PEM), as kubeadm writes them to ca.crt and ca.key. */
export function kubeadmCa(nowMs: number): { certificatePem: string; privateKeyPem: string } {
  return kubeadmPki(nowMs).ca;
}

/**
 * The cluster CA: the control plane's /etc/kubernetes/pki/ca.crt and ca.key as they are now (a
 * node written by an earlier process keeps its CA; a learner may have replaced or removed them),
 * or the process's CA, which kubeadm's files are written with, while the node is not set up yet
 * (no kubelet.conf) or when its files live only inside its kubelet (`files` undefined).
 */
export async function controlPlaneCa(
  files: NodeFileSystem | undefined,
  nowMs: number,
): Promise<{ certificatePem?: string; privateKeyPem?: string }> {
  if (!files || (await files.readFile("/etc/kubernetes/kubelet.conf")) === undefined) return kubeadmCa(nowMs);
  const [certificatePem, privateKeyPem] = await Promise.all([
    files.readFile("/etc/kubernetes/pki/ca.crt"),
    files.readFile("/etc/kubernetes/pki/ca.key"),
  ]);
  return { certificatePem, privateKeyPem };
}

/**
 * Writes what kubeadm leaves on a node, once (a node that already has its kubelet.conf is left as
 * it is, so a learner's edits and deletions survive restarts): on the control plane the static pod
 * manifests, the PKI and the component kubeconfigs; on every node kubelet.conf and the kubelet's
 * config.
 */
export async function writeKubeadmFiles(
  fs: NodeFileSystem,
  nodeName: string,
  role: "control-plane" | "worker",
  ip: string,
  controlPlaneIp: string,
  nowMs: number,
): Promise<void> {
  const files = kubeadmFileContents(nodeName, role, ip, controlPlaneIp, kubeadmPki(nowMs));
  if ((await fs.readFile("/etc/kubernetes/kubelet.conf")) !== undefined) {
    // A node that was set up before (a restored cluster): files it still has unchanged take the
    // process-wide copy of their content, so a thousand clusters hold one copy of kubeadm's files.
    for (const [path, content] of Object.entries(files)) fs.share?.(path, content);
    if (role === "control-plane") await replacePlaceholderPki(fs, nodeName, ip);
    return;
  }
  for (const [path, content] of Object.entries(files)) await fs.writeFile(path, content);
  // kubelet.conf last: its presence marks the node as set up.
  await fs.writeFile("/etc/kubernetes/kubelet.conf", files["/etc/kubernetes/kubelet.conf"]);
}

/**
 * A control plane written by a Kubelab whose PKI files besides ca.crt and ca.key were placeholders:
 * those are issued now by the CAs the node has (its own ca.crt and ca.key; new front-proxy and etcd
 * CAs where it has none), so the node's files agree with each other as kubeadm's do.
 */
async function replacePlaceholderPki(fs: NodeFileSystem, nodeName: string, ip: string): Promise<void> {
  const pki = "/etc/kubernetes/pki";
  if (!isPlaceholder(await fs.readFile(`${pki}/apiserver.crt`))) return;
  const [certificatePem, privateKeyPem] = await Promise.all([
    fs.readFile(`${pki}/ca.crt`),
    fs.readFile(`${pki}/ca.key`),
  ]);
  if (certificatePem === undefined || privateKeyPem === undefined) return;
  const fresh = createKubeadmPki(Date.parse(new X509Certificate(certificatePem).validFrom));
  const otherCas = fresh.controlPlaneFiles(nodeName, ip);
  const caOf = (baseName: string) => ({
    certificatePem: otherCas[`${baseName}.crt`] ?? "",
    privateKeyPem: otherCas[`${baseName}.key`] ?? "",
  });
  const files = controlPlanePkiFiles(
    { ca: { certificatePem, privateKeyPem }, "front-proxy-ca": caOf("front-proxy-ca"), "etcd-ca": caOf("etcd/ca") },
    nodeName,
    ip,
  );
  for (const [name, content] of Object.entries(files))
    if (name !== "ca.crt" && name !== "ca.key") await fs.writeFile(`${pki}/${name}`, content);
}

let kubeletConfiguration: string | undefined;

/**
 * The KubeletConfiguration kubeadm writes to every node's /var/lib/kubelet/config.yaml and uploads
 * as the kubelet-config ConfigMap's `kubelet` key (one marshalled text for both, as kubeadm's).
 */
export function kubeletConfigurationYaml(): string {
  kubeletConfiguration ??= stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
    },
    authorization: { mode: "Webhook" },
    cgroupDriver: "systemd",
    clusterDNS: ["10.96.0.10"],
    clusterDomain: "cluster.local",
    containerRuntimeEndpoint: "unix:///var/run/containerd/containerd.sock",
    healthzBindAddress: "127.0.0.1",
    healthzPort: 10248,
    nodeStatusReportFrequency: "5m0s",
    nodeStatusUpdateFrequency: "10s",
    rotateCertificates: true,
    staticPodPath: manifests,
  });
  return kubeletConfiguration;
}

/** The process's front-proxy CA certificate (PEM): the control plane's /etc/kubernetes/pki/front-proxy-ca.crt. */
export function frontProxyCa(nowMs: number, nodeName: string, ip: string): string {
  return kubeadmPki(nowMs).controlPlaneFiles(nodeName, ip)["front-proxy-ca.crt"] ?? "";
}

/** What kubeadm leaves on a node, by node; the same strings for every cluster of the process. */
const contentsByNode = new Map<string, Readonly<Record<string, string>>>();

function kubeadmFileContents(
  nodeName: string,
  role: "control-plane" | "worker",
  ip: string,
  controlPlaneIp: string,
  pki: KubeadmPki,
): Readonly<Record<string, string>> {
  const key = `${nodeName} ${role} ${ip} ${controlPlaneIp}`;
  let files = contentsByNode.get(key);
  if (!files) {
    files = Object.freeze(buildKubeadmFiles(nodeName, role, ip, controlPlaneIp, pki));
    if (contentsByNode.size >= 64) contentsByNode.clear();
    contentsByNode.set(key, files);
  }
  return files;
}

function buildKubeadmFiles(
  nodeName: string,
  role: "control-plane" | "worker",
  ip: string,
  controlPlaneIp: string,
  pki: KubeadmPki,
): Record<string, string> {
  const server = `https://${controlPlaneIp}:6443`;
  const files: Record<string, string> = {
    "/var/lib/kubelet/config.yaml": kubeletConfigurationYaml(),
    "/etc/kubernetes/kubelet.conf": kubeconfig(pki, `system:node:${nodeName}`, ["system:nodes"], server),
    "/etc/kubernetes/pki/ca.crt": pki.ca.certificatePem,
    "/etc/hostname": `${nodeName}\n`,
    "/etc/hosts": `127.0.0.1\tlocalhost\n${ip}\t${nodeName}\n`,
  };
  if (role === "control-plane") {
    Object.assign(files, controlPlaneManifests(ip, nodeName));
    for (const [name, content] of Object.entries(pki.controlPlaneFiles(nodeName, ip)))
      files[`/etc/kubernetes/pki/${name}`] = content;
    files["/etc/kubernetes/pki/sa.key"] = placeholderPem("RSA PRIVATE KEY", "sa.key");
    files["/etc/kubernetes/pki/sa.pub"] = placeholderPem("PUBLIC KEY", "sa.pub");
    // kubeadm 1.29+: admin.conf's user is bound to cluster-admin through the kubeadm:cluster-admins
    // group (a ClusterRoleBinding); super-admin.conf keeps system:masters, which RBAC cannot revoke.
    files["/etc/kubernetes/admin.conf"] = kubeconfig(pki, "kubernetes-admin", ["kubeadm:cluster-admins"], server);
    files["/etc/kubernetes/super-admin.conf"] = kubeconfig(pki, "kubernetes-super-admin", ["system:masters"], server);
    files["/etc/kubernetes/controller-manager.conf"] = kubeconfig(pki, "system:kube-controller-manager", [], server);
    files["/etc/kubernetes/scheduler.conf"] = kubeconfig(pki, "system:kube-scheduler", [], server);
  }
  return files;
}

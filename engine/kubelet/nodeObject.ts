import type { Node, NodeCondition } from "../api/core";
import { familiarName, kubernetesVersion, operatingSystemRelease, type ResolvedImage } from "../images";

/**
 * The nodes' operating system (kubeadm nodes on Ubuntu 24.04 LTS, as is typical): the node shell's
 * `/etc/os-release`, and `status.nodeInfo.osImage`, which the kubelet reads from its PRETTY_NAME.
 */
export const nodeOsRelease = operatingSystemRelease("ubuntu") ?? "";
export const nodeOsImage = /^PRETTY_NAME="([^"]*)"$/m.exec(nodeOsRelease)?.[1] ?? "Linux";

/** What distinguishes one node of the kubeadm topology from another. */
export interface NodeIdentity {
  name: string;
  /** 0 for the control plane, 1 for node01 … */
  index: number;
  role: "control-plane" | "worker";
}

export const nodeCapacity = {
  cpu: "2",
  "ephemeral-storage": "61202244Ki",
  "hugepages-1Gi": "0",
  "hugepages-2Mi": "0",
  memory: "8131928Ki",
  pods: "110",
};

export const nodeAllocatable = {
  cpu: "2",
  "ephemeral-storage": "56403987978",
  "hugepages-1Gi": "0",
  "hugepages-2Mi": "0",
  memory: "8029528Ki",
  pods: "110",
};

/**
 * 192.168.0.2 for the control plane, .3 for node01 …, on through 192.168.0.0/16 past the 253rd
 * node (192.168.1.0 follows 192.168.0.255), so a cluster of thousands of nodes has valid addresses.
 */
export function nodeIp(index: number): string {
  const host = index + 2;
  return `192.168.${(host >> 8) & 255}.${host & 255}`;
}

/**
 * The /24 the node's pods take their IPs from, as the node IPAM controller hands them out:
 * 10.244.N.0/24 for the Nth node (kubeadm's and kind's 10.244.0.0/16) up to the 256th, and past
 * it on through 10.245.0.0 … 10.255.255.0, then 10.128.0.0 … 10.243.255.0 (10.128.0.0/9, clear of
 * the Services' 10.96.0.0/12): 32,768 nodes in all. The 10.244.N form of octets above 255 was no
 * address at all (a 5,000-node cluster's CoreDNS on node 1180 got 10.244.1180.2 and never
 * became Ready).
 */
export function podCidr(index: number): string {
  return `${podSubnetPrefix(index)}0/24`;
}

/** The first three octets of the node's pod /24, with the final dot (`10.244.1.`). */
export function podSubnetPrefix(index: number): string {
  const subnet = ((244 - 128) * 256 + index) % (128 * 256);
  return `10.${128 + (subnet >> 8)}.${subnet & 255}.`;
}

/** The Node's conditions while the kubelet is healthy, with the kubelet's reasons and messages. */
export function healthyConditions(time: string): NodeCondition[] {
  return [
    {
      type: "MemoryPressure",
      status: "False",
      lastHeartbeatTime: time,
      lastTransitionTime: time,
      reason: "KubeletHasSufficientMemory",
      message: "kubelet has sufficient memory available",
    },
    {
      type: "DiskPressure",
      status: "False",
      lastHeartbeatTime: time,
      lastTransitionTime: time,
      reason: "KubeletHasNoDiskPressure",
      message: "kubelet has no disk pressure",
    },
    {
      type: "PIDPressure",
      status: "False",
      lastHeartbeatTime: time,
      lastTransitionTime: time,
      reason: "KubeletHasSufficientPID",
      message: "kubelet has sufficient PID available",
    },
    {
      type: "Ready",
      status: "True",
      lastHeartbeatTime: time,
      lastTransitionTime: time,
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    },
  ];
}

/** A stable hex identifier derived from a string (machine-id, boot-id). */
function hexId(seed: string, length: number): string {
  let out = "";
  let hash = 2166136261;
  while (out.length < length) {
    for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 16777619);
    hash = Math.imul(hash ^ out.length, 16777619);
    out += (hash >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

function uuid(seed: string): string {
  const hex = hexId(seed, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The images the node lists in `status.images` (most recent first, as `crictl images` names them). */
export function nodeImages(images: ResolvedImage[]): Array<{ names: string[]; sizeBytes: number }> {
  return images
    .map((image) => ({
      names: [image.repoDigest, `${image.definition.repository}:${image.tag}`],
      sizeBytes: image.sizeBytes,
    }))
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, 50);
}

/** The Node object the kubelet registers, shaped as a kubeadm node's. */
export function nodeObject(identity: NodeIdentity, time: string, images: ResolvedImage[]): Node {
  const controlPlane = identity.role === "control-plane";
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": identity.name,
    "kubernetes.io/os": "linux",
  };
  if (controlPlane) {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: identity.name,
      labels,
      annotations: {
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: podCidr(identity.index),
      podCIDRs: [podCidr(identity.index)],
      providerID: `kind://docker/kubelab/${identity.name}`,
      ...(controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}),
    },
    status: {
      capacity: { ...nodeCapacity },
      allocatable: { ...nodeAllocatable },
      conditions: healthyConditions(time),
      addresses: [
        { type: "InternalIP", address: nodeIp(identity.index) },
        { type: "Hostname", address: identity.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hexId(`machine:${identity.name}`, 32),
        systemUUID: uuid(`system:${identity.name}`),
        bootID: uuid(`boot:${identity.name}`),
        kernelVersion: "6.8.0-1019-aws",
        osImage: nodeOsImage,
        containerRuntimeVersion: "containerd://1.7.24",
        kubeletVersion: kubernetesVersion,
        kubeProxyVersion: kubernetesVersion,
        operatingSystem: "linux",
        architecture: "amd64",
      },
      images: nodeImages(images),
    },
  };
}

export { familiarName };

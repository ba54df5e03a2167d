import { isApiError } from "../apiserver/ApiError";
import type { KubeletConnection } from "../apiserver/KubeletConnection";
import type { Component, ComponentContext } from "../cluster/Component";
import { type ImageCatalog, kubernetesVersion } from "../images";
import type { Network } from "../proxy/Network";
import type { ControlPlaneComponent, ControlPlaneLink, EtcdDataDirs, InClusterApi, KubernetesApiApp } from "../runtime";
import { kubeadmAddons } from "./addons";
import type { VolumeStore } from "./containerConfig";
import { Kubelet, type KubeletOptions } from "./Kubelet";
import { writeKubeadmFiles } from "./kubeadmFiles";
import type { NodeFileSystem } from "./NodeFileSystem";
import { nodeIp } from "./nodeObject";
import type { NodeNetwork } from "./service/kubeletStartup";
import { NodeServices } from "./service/NodeServices";
import type { WatchedObjects } from "./WatchedObjects";

export { kubeadmAddons } from "./addons";
export { InMemoryVolumeStore, type VolumeStore } from "./containerConfig";
export { Kubelet, type KubeletOptions, leaseDurationSeconds, leaseRenewIntervalMs } from "./Kubelet";
export { controlPlaneCa, controlPlaneManifests, kubeadmCa, writeKubeadmFiles } from "./kubeadmFiles";
export { InMemoryNodeFileSystem, type NodeFileSystem } from "./NodeFileSystem";
export { nodeIp, nodeOsImage, nodeOsRelease, podCidr } from "./nodeObject";
export { manifestDirectory } from "./StaticPods";
export type { JournalEntry } from "./service/Journal";
export { NodeServices, type UnitName, type UnitStatus } from "./service/NodeServices";
export { WatchedObjects } from "./WatchedObjects";

/** What createCluster passes to start one node. */
export interface StartNodeOptions {
  nodeName: string;
  /** 0 for the control plane, 1 for node01 … (IPs and pod CIDRs derive from it). */
  index: number;
  role: "control-plane" | "worker";
  fileSystem: NodeFileSystem;
  network: Network;
  catalog?: ImageCatalog;
  volumes?: VolumeStore;
  /** The cluster's watched ConfigMaps, Secrets and Services, shared by its kubelets. */
  objects?: WatchedObjects;
  random?: () => number;
  /** The cluster's API server as kube-apiserver's secure port answers it (RuntimeOptions.kubernetesApi). */
  kubernetesApi?: KubernetesApiApp;
  /** The API server as programs in pods reach it with their ServiceAccount token. */
  inClusterApi?: InClusterApi;
  /** The cluster's store as the etcd static pod serves it (the control plane's kubelet only). */
  etcdDataDirs?: EtcdDataDirs;
  /** Makes a kubelet's server reachable from the API server (its KubeletRegistry); returns a disposer. */
  register?: (connection: KubeletConnection) => () => void;
  /** Where the control plane's static pods report that they serve (the control plane's kubelet only). */
  controlPlane?: ControlPlaneLink & { staticPodsRead(running: ReadonlySet<ControlPlaneComponent>): void };
}

/** Images a kubeadm node has before anything is scheduled (kind's node image preloads them). */
export function preloadedImages(role: "control-plane" | "worker"): string[] {
  const common = [
    "registry.k8s.io/pause:3.10",
    `registry.k8s.io/kube-proxy:${kubernetesVersion}`,
    "registry.k8s.io/coredns/coredns:v1.11.3",
  ];
  if (role === "worker") return common;
  return [
    ...common,
    "registry.k8s.io/etcd:3.5.16-0",
    `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
    `registry.k8s.io/kube-controller-manager:${kubernetesVersion}`,
    `registry.k8s.io/kube-scheduler:${kubernetesVersion}`,
  ];
}

/**
 * Starts one node: writes what kubeadm leaves on its file system (first boot only), then its
 * kubelet, which registers the Node and runs its pods. The returned `kubelet.connection` is what
 * the API server's KubeletRegistry needs.
 */
export async function startNode(
  context: ComponentContext,
  options: StartNodeOptions,
): Promise<{ component: Component; services: NodeServices }> {
  await writeKubeadmFiles(
    options.fileSystem,
    options.nodeName,
    options.role,
    nodeIp(options.index),
    nodeIp(0),
    context.clock.now(),
  );
  const kubeletOptions: KubeletOptions = {
    name: options.nodeName,
    index: options.index,
    role: options.role,
    fileSystem: options.fileSystem,
    network: options.network,
    catalog: options.catalog,
    volumes: options.volumes,
    objects: options.objects,
    preloadedImages: preloadedImages(options.role),
    random: options.random,
    kubernetesApi: options.kubernetesApi,
    inClusterApi: options.inClusterApi,
    etcdDataDirs: options.etcdDataDirs,
    controlPlane: options.controlPlane,
  };
  // The kubelet runs as kubeadm's node runs it: a systemd service beside containerd.
  const services = new NodeServices(context, {
    nodeName: options.nodeName,
    fileSystem: options.fileSystem,
    network: nodeNetwork(options.nodeName, options.index),
    createKubelet: (start) => new Kubelet(context, { ...kubeletOptions, ...start }),
    register: options.register,
  });
  await services.boot();
  return { component: services, services };
}

/** The names a kubeadm node resolves (/etc/hosts and the lab's DNS) and kube-apiserver's address. */
function nodeNetwork(nodeName: string, index: number): NodeNetwork {
  const hosts: Record<string, string> = { localhost: "127.0.0.1", controlplane: nodeIp(0), [nodeName]: nodeIp(index) };
  for (let worker = 1; worker <= 9; worker++) hosts[`node0${worker}`] = nodeIp(worker);
  return { nodeName, hosts, apiServerIp: nodeIp(0), apiServerPort: 6443 };
}

/**
 * Creates kubeadm's add-ons (kube-proxy DaemonSet, CoreDNS Deployment and the kube-dns Service)
 * unless they exist; `context.client` must be allowed to (the cluster admin).
 */
export async function installKubeadmAddons(context: ComponentContext): Promise<void> {
  for (const { group, resource, object } of kubeadmAddons(nodeIp(0))) {
    const version = group === "" ? "v1" : "v1";
    const gvr = { group, version, resource };
    try {
      // A restored cluster has them: a read is cheaper than a refused create.
      const found = await context.client
        .get(gvr, object.metadata.namespace, object.metadata.name ?? "")
        .catch((error: unknown) => (isApiError(error, "NotFound") ? undefined : Promise.reject(error)));
      if (!found) await context.client.create(gvr, object);
    } catch (error) {
      if (!isApiError(error, "AlreadyExists")) context.log(`add-on ${resource}/${object.metadata.name}: ${error}`);
    }
  }
}

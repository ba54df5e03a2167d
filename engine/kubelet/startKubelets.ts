import { createClient } from "../client/createClient";
import type { Component } from "../cluster/Component";
import type { ClusterHandle } from "../cluster/createCluster";
import { EtcdDataDirs } from "../cluster/etcdDataDirs";
import { createNetwork } from "../proxy/createNetwork";
import { InMemoryVolumeStore } from "./containerConfig";
import { installKubeadmAddons, startNode } from "./index";
import type { Kubelet } from "./Kubelet";
import { InMemoryNodeFileSystem } from "./NodeFileSystem";
import type { NodeServices } from "./service/NodeServices";
import { WatchedObjects } from "./WatchedObjects";

/**
 * The cluster's nodes: a kubelet per node (controlplane first), each registered with the API
 * server's KubeletRegistry, then kubeadm's add-ons (kube-proxy, CoreDNS). Uses the cluster
 * network when a starter created one before, otherwise creates it.
 */
export async function startKubelets(cluster: ClusterHandle): Promise<Component[]> {
  const components: Component[] = [];
  if (!cluster.network) {
    const clusterNetwork = createNetwork(cluster.context("kube-proxy", "system:kube-proxy", ["system:node-proxier"]));
    cluster.network = clusterNetwork.network;
    components.push(clusterNetwork.component);
  }
  const network = cluster.network;
  const volumes = new InMemoryVolumeStore();
  // One set of ConfigMap, Secret and Service watches for every kubelet of the cluster.
  const objects = new WatchedObjects(
    cluster.context("kubelet", `system:node:${cluster.controlPlaneNode}`, ["system:nodes"]),
  );
  // Programs in pods (ingress-nginx) reach the API with their mounted token, authenticated and
  // authorized as the token's ServiceAccount, as a request with that bearer token would be.
  const inClusterApi = {
    clientFor(bearerToken: string, fieldManager: string) {
      const user = cluster.apiServer.authenticateToken(bearerToken);
      return user ? createClient(cluster.apiServer, user, fieldManager) : undefined;
    },
  };
  for (const [index, nodeName] of cluster.nodeNames.entries()) {
    const context = cluster.context(`kubelet@${nodeName}`, `system:node:${nodeName}`, ["system:nodes"]);
    const fileSystem = cluster.nodeFileSystem?.(nodeName) ?? new InMemoryNodeFileSystem();
    const { component, services } = await startNode(context, {
      nodeName,
      index,
      role: nodeName === cluster.controlPlaneNode ? "control-plane" : "worker",
      fileSystem,
      network,
      volumes,
      objects,
      kubernetesApi: cluster.kubernetesApi,
      inClusterApi,
      // Only the control plane's etcd is the cluster's: an etcd image elsewhere serves nothing.
      ...(nodeName === cluster.controlPlaneNode
        ? { etcdDataDirs: new EtcdDataDirs(cluster.apiServer.store, fileSystem, context.log) }
        : {}),
      // Only the control plane's static pods are the cluster's control plane.
      controlPlane: nodeName === cluster.controlPlaneNode ? cluster.controlPlane : undefined,
      register: (connection) => cluster.apiServer.kubelets.register(nodeName, connection),
    });
    // The node's services (systemctl in a node shell), and its kubelet while one runs.
    const running: Component & { services: NodeServices; readonly kubelet?: Kubelet } = {
      services,
      get kubelet() {
        return services.kubelet;
      },
      stop: () => component.stop(),
    };
    components.push(running);
  }
  await installKubeadmAddons(cluster.context("kubeadm", "kubernetes-admin", ["system:masters"]));
  return components;
}

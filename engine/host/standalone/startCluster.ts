import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { controlPlaneCa } from "../../kubelet/kubeadmFiles";
import { InMemoryNodeFileSystem, type NodeFileSystem } from "../../kubelet/NodeFileSystem";
import { diskNodeFileSystems } from "../DiskNodeFileSystem";
import type { RunningCluster } from "./runClusterUp";
import { STANDALONE_QUOTAS, type StandaloneQuotas, standaloneStore } from "./standaloneQuotas";

/** The standalone cluster with what node shells need beside its API (the CLI serves node access). */
export interface StandaloneCluster extends RunningCluster {
  cluster: Cluster;
  /** The node's own file system, the same instance its kubelet uses; undefined for an unknown node. */
  nodeFileSystem(nodeName: string): NodeFileSystem | undefined;
}

/** Boots the cluster `kubelab cluster up` serves: engine/cluster's createCluster with every component. */
export function startCluster(options: {
  clock: Clock;
  speed: Speed;
  nodes?: number;
  dataDir?: string;
  /** The store's limits (default {@link STANDALONE_QUOTAS}); `false`: none. */
  quotas?: StandaloneQuotas | false;
  log?: (line: string) => void;
}): StandaloneCluster {
  // Node file systems live on disk under DIR/nodes/<node>/ when a data folder is given, else in
  // memory; one instance per node, shared by its kubelet and node shells.
  const onDisk = options.dataDir ? diskNodeFileSystems(options.dataDir) : undefined;
  const nodeFiles = new Map<string, NodeFileSystem>();
  const nodeFileSystem = (nodeName: string): NodeFileSystem => {
    let files = nodeFiles.get(nodeName);
    if (!files) {
      files = onDisk ? onDisk(nodeName) : new InMemoryNodeFileSystem();
      nodeFiles.set(nodeName, files);
    }
    return files;
  };
  const quotas = options.quotas === false ? undefined : (options.quotas ?? STANDALONE_QUOTAS);
  const cluster = createCluster({
    store: standaloneStore(quotas),
    clock: options.clock,
    speed: options.speed,
    nodes: options.nodes,
    dataDir: options.dataDir,
    nodeFileSystem,
    log: options.log ? (component, line) => options.log?.(`${component}: ${line}`) : undefined,
  });
  return {
    apiServer: cluster.apiServer,
    ready: cluster.ready,
    controlPlane: cluster.controlPlane,
    stop: () => cluster.stop(),
    clientCa: () => nodeFileSystem(cluster.controlPlaneNode).readFile("/etc/kubernetes/pki/ca.crt"),
    certificateAuthority: () => controlPlaneCa(nodeFileSystem(cluster.controlPlaneNode), options.clock.now()),
    cluster,
    nodeFileSystem: (nodeName) => (cluster.nodeNames.includes(nodeName) ? nodeFileSystem(nodeName) : undefined),
  };
}

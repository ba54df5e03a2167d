import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import { createCluster } from "../../cluster/createCluster";
import { diskNodeFileSystems } from "../DiskNodeFileSystem";
import type { RunningCluster } from "./runClusterUp";

/** Boots the cluster `kubelab cluster up` serves: engine/cluster's createCluster with every component. */
export function startCluster(options: {
  clock: Clock;
  speed: Speed;
  nodes?: number;
  dataDir?: string;
  caCertificate?: string;
  log?: (line: string) => void;
}): RunningCluster {
  const cluster = createCluster({
    clock: options.clock,
    speed: options.speed,
    nodes: options.nodes,
    dataDir: options.dataDir,
    // Node file systems live on disk under DIR/nodes/<node>/ when a data folder is given.
    nodeFileSystem: options.dataDir ? diskNodeFileSystems(options.dataDir) : undefined,
    caCertificate: options.caCertificate,
    log: options.log ? (component, line) => options.log?.(`${component}: ${line}`) : undefined,
  });
  return { apiServer: cluster.apiServer, ready: cluster.ready, stop: () => cluster.stop() };
}

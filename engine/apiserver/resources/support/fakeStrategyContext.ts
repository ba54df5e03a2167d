/**
 * A StrategyContext for tests: a virtual clock, an in-memory object map for `get`, and simple
 * ClusterIP/NodePort allocators that refuse double allocation.
 */
import type { KubeObject } from "../../../api/types";
import { VirtualClock } from "../../../clock/VirtualClock";
import type { StrategyContext } from "../../ResourceDefinition";

export interface FakeStrategyContext extends StrategyContext {
  clock: VirtualClock;
  objects: Map<string, KubeObject>;
  clusterIPs: Set<string>;
  nodePorts: Set<number>;
  put(group: string, resource: string, object: KubeObject): void;
}

export function fakeStrategyContext(): FakeStrategyContext {
  const objects = new Map<string, KubeObject>();
  const clusterIPs = new Set<string>();
  const nodePorts = new Set<number>();
  let nextIp = 10;
  let nextPort = 30000;
  const key = (group: string, resource: string, namespace: string | undefined, name: string) =>
    `${group}/${resource}/${namespace ?? ""}/${name}`;
  return {
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    objects,
    clusterIPs,
    nodePorts,
    put(group, resource, object) {
      objects.set(key(group, resource, object.metadata.namespace, object.metadata.name ?? ""), object);
    },
    get: (group, resource, namespace, name) => objects.get(key(group, resource, namespace, name)),
    allocateClusterIP(requested) {
      const ip = requested ?? `10.96.0.${nextIp++}`;
      if (clusterIPs.has(ip)) throw new Error(`provided IP is already allocated: ${ip}`);
      clusterIPs.add(ip);
      return ip;
    },
    releaseClusterIP: (ip) => void clusterIPs.delete(ip),
    allocateNodePort(requested) {
      const port = requested ?? nextPort++;
      if (nodePorts.has(port)) throw new Error(`provided port is already allocated: ${port}`);
      nodePorts.add(port);
      return port;
    },
    releaseNodePort: (port) => void nodePorts.delete(port),
  };
}

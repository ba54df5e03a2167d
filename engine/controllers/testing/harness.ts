import type { Pod } from "../../api/core";
import { Pods } from "../../api/resources";
import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import { toRfc3339 } from "../../clock/Clock";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import {
  type ControllerManager,
  type PodMetricsSource,
  type SigningAuthoritySource,
  startControllerManager,
} from "../index";

/**
 * A real in-process API server (createCluster without components) with this controller manager
 * running on a VirtualClock, and a fake kubelet that tests drive by hand.
 */
export interface Harness {
  cluster: Cluster;
  clock: VirtualClock;
  client: Client;
  manager: ControllerManager;
  logs: string[];
  /** Lets every queue drain (advancing the clock by `ms`, default 0). */
  settle(ms?: number): Promise<void>;
  list<T extends KubeObject>(gvr: GroupVersionResource, namespace?: string, labelSelector?: string): Promise<T[]>;
  /** The fake kubelet: binds pending pods round-robin to `nodes` and makes them Running and Ready. */
  runPods(options?: {
    namespace?: string;
    nodes?: string[];
    ready?: boolean;
    filter?: (pod: Pod) => boolean;
  }): Promise<Pod[]>;
  /** The fake kubelet finishing graceful deletion: removes pods that have a deletionTimestamp. */
  finishTerminating(namespace?: string): Promise<number>;
  stop(): void;
}

export async function createHarness(
  options: {
    controllers?: string[];
    start?: number;
    metrics?: PodMetricsSource;
    signingAuthority?: SigningAuthoritySource;
  } = {},
): Promise<Harness> {
  const clock = new VirtualClock(options.start ?? Date.UTC(2026, 0, 1));
  // mulberry32: a seeded generator good enough that generated names do not collide.
  let seed = 42;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const cluster = createCluster({ clock, components: [], random });
  await cluster.ready;
  const client = cluster.client();
  const logs: string[] = [];
  const manager = startControllerManager(
    { clock, speed: "fast", client, log: (line) => logs.push(line) },
    { controllers: options.controllers, metrics: options.metrics, signingAuthority: options.signingAuthority },
  );
  let podIp = 1;
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    for (let i = 0; i < 200 && !manager.idle; i++) await clock.advance(0);
  };
  const harness: Harness = {
    cluster,
    clock,
    client,
    manager,
    logs,
    settle,
    async list<T extends KubeObject>(gvr: GroupVersionResource, namespace?: string, labelSelector?: string) {
      return (await client.list<T>(gvr, namespace, labelSelector ? { labelSelector } : {})).items;
    },
    async runPods({ namespace, nodes = ["node01", "node02"], ready = true, filter } = {}) {
      const pods = (await client.list<Pod>(Pods, namespace)).items.filter(
        (pod) =>
          !pod.metadata.deletionTimestamp &&
          pod.status?.phase !== "Succeeded" &&
          pod.status?.phase !== "Failed" &&
          (!filter || filter(pod)),
      );
      const changed: Pod[] = [];
      let index = 0;
      for (let pod of pods) {
        const readyNow = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
        if (pod.spec?.nodeName && pod.status?.phase === "Running" && readyNow === ready) continue;
        if (!pod.spec?.nodeName) {
          const node = nodes[index++ % nodes.length];
          await client.createSubresource(Pods, pod.metadata.namespace, pod.metadata.name ?? "", "binding", {
            apiVersion: "v1",
            kind: "Binding",
            metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
            target: { apiVersion: "v1", kind: "Node", name: node },
          });
          pod = await client.get<Pod>(Pods, pod.metadata.namespace, pod.metadata.name ?? "");
        }
        const now = toRfc3339(clock.now());
        const status = ready ? "True" : "False";
        pod.status = {
          ...(pod.status ?? {}),
          phase: "Running",
          podIP: pod.status?.podIP ?? `10.244.1.${podIp++}`,
          startTime: pod.status?.startTime ?? now,
          conditions: [
            { type: "PodScheduled", status: "True", lastTransitionTime: now },
            { type: "Initialized", status: "True", lastTransitionTime: now },
            { type: "ContainersReady", status, lastTransitionTime: now },
            { type: "Ready", status, lastTransitionTime: now },
          ],
        };
        changed.push(await client.update<Pod>(Pods, pod, { subresource: "status" }));
      }
      return changed;
    },
    async finishTerminating(namespace) {
      let count = 0;
      for (const pod of (await client.list<Pod>(Pods, namespace)).items) {
        if (!pod.metadata.deletionTimestamp) continue;
        await client
          .delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0 })
          .catch(() => undefined);
        count++;
      }
      return count;
    },
    stop() {
      manager.stop();
      cluster.stop();
    },
  };
  await settle();
  return harness;
}

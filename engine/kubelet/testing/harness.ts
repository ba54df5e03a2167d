import type { Event, Pod } from "../../api/core";
import { Events, Pods } from "../../api/resources";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { InMemoryNodeFileSystem } from "../NodeFileSystem";

/** A cluster with only the kubelets (and the network) running, on a virtual clock. */
export async function kubeletCluster(options: { speed?: "fast" | "realistic" } = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 5, 0, 0));
  const logs: string[] = [];
  const fileSystems = new Map<string, InMemoryNodeFileSystem>();
  const cluster: Cluster = createCluster({
    nodeFileSystem: (node) => {
      const fs = new InMemoryNodeFileSystem();
      fileSystems.set(node, fs);
      return fs;
    },
    clock,
    speed: options.speed ?? "fast",
    components: ["kubelet"],
    random: seeded(7),
    log: (component, line) => logs.push(`${component}: ${line}`),
  });
  await clock.advance(0);
  await cluster.ready;
  const client = cluster.client();
  const helpers = {
    clock,
    cluster,
    client,
    logs,
    fileSystems,
    async run(pod: Partial<Pod> & { spec: Pod["spec"] }, node = "node01"): Promise<Pod> {
      const body = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "app", namespace: "default", ...(pod.metadata ?? {}) },
        spec: { nodeName: node, ...pod.spec },
      } as Pod;
      const created = await client.create<Pod>(Pods, body);
      await clock.advance(0);
      return created;
    },
    pod: (name = "app", namespace = "default") => client.get<Pod>(Pods, namespace, name),
    async events(name = "app"): Promise<string[]> {
      const list = await client.list<Event>(Events, "default");
      return list.items
        .filter((event) => event.involvedObject?.name === name)
        .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))
        .map((event) => `${event.type} ${event.reason}: ${event.message}`);
    },
    /** `kubectl get pod`'s STATUS column, as the printer computes it. */
    async status(name = "app"): Promise<string> {
      const pod = await helpers.pod(name);
      return printStatus(pod);
    },
    stop() {
      cluster.stop();
    },
  };
  return helpers;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** A compact port of printPod's STATUS logic for assertions. */
export function printStatus(pod: Pod): string {
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || "";
  const inits = pod.spec?.initContainers ?? [];
  let initializing = false;
  (status.initContainerStatuses ?? []).forEach((container, index) => {
    const isSidecar = inits[index]?.restartPolicy === "Always";
    if (container.state?.terminated?.exitCode === 0) return;
    if (isSidecar && container.started) return;
    initializing = true;
    if (container.state?.terminated) {
      reason = container.state.terminated.reason
        ? `Init:${container.state.terminated.reason}`
        : `Init:ExitCode:${container.state.terminated.exitCode}`;
    } else if (container.state?.waiting?.reason && container.state.waiting.reason !== "PodInitializing") {
      reason = `Init:${container.state.waiting.reason}`;
    } else {
      reason = `Init:${index}/${inits.length}`;
    }
  });
  if (initializing && reason.startsWith("Init:")) {
    // keep the first incomplete init container's status
    const firstIncomplete = (status.initContainerStatuses ?? []).findIndex(
      (c, i) => !(c.state?.terminated?.exitCode === 0 || (inits[i]?.restartPolicy === "Always" && c.started)),
    );
    const container = status.initContainerStatuses?.[firstIncomplete];
    if (container?.state?.terminated)
      reason = `Init:${container.state.terminated.reason ?? `ExitCode:${container.state.terminated.exitCode}`}`;
    else if (container?.state?.waiting?.reason && container.state.waiting.reason !== "PodInitializing")
      reason = `Init:${container.state.waiting.reason}`;
    else reason = `Init:${firstIncomplete}/${inits.length}`;
  }
  if (!initializing) {
    let hasRunning = false;
    for (const container of [...(status.containerStatuses ?? [])].reverse()) {
      if (container.state?.waiting?.reason) reason = container.state.waiting.reason;
      else if (container.state?.terminated?.reason) reason = container.state.terminated.reason;
      else if (container.state?.terminated) reason = `ExitCode:${container.state.terminated.exitCode}`;
      else if (container.ready && container.state?.running) hasRunning = true;
    }
    if (reason === "Completed" && hasRunning) reason = "Running";
  }
  if (pod.metadata.deletionTimestamp) reason = "Terminating";
  return reason;
}

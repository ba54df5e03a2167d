/**
 * Scheduler throughput: a 5,000-node cluster scheduling 50,000 pods (issue 4's benchmark; the
 * real kube-scheduler's scheduler_perf floor at 5,000 nodes is 680–810 pods/s, our target is
 * ≥ 5,000 pods/s on one core). Run: `npx tsx bench/scheduler.ts [--nodes 5000] [--pods 50000]
 * [--api real | --cycles]`.
 *
 * The pods go through the whole scheduler: informer events, the queue, every default plugin,
 * the cache's assume, the `pods/binding` call and the Scheduled event, against the in-memory
 * FakeClient (the API server's own cost is measured by its benchmarks). Pod creation is part of the
 * measured time, as in scheduler_perf.
 */
import { Nodes, Pods } from "../engine/api/resources";
import type { Client } from "../engine/client/Client";
import { RealClock } from "../engine/clock/RealClock";
import { createCluster } from "../engine/cluster/createCluster";
import { type SchedulerComponent, startScheduler } from "../engine/scheduler";
import { SchedulerCache } from "../engine/scheduler/cache/SchedulerCache";
import { Framework } from "../engine/scheduler/framework/Framework";
import { newPodInfo } from "../engine/scheduler/framework/PodInfo";
import type { Handle } from "../engine/scheduler/framework/types";
import { defaultPlugins } from "../engine/scheduler/plugins/registry";
import { makeNode, makePod } from "../engine/scheduler/testing/builders";
import { FakeClient } from "../engine/scheduler/testing/FakeClient";

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/**
 * The scheduling cycles alone (`--cycles`): every default plugin over the cache, assuming each
 * pod, with no informers, API calls or events — the part of the scheduler that scales with nodes.
 */
function cyclesOnly(nodeCount: number, podCount: number) {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodeCount; i++) {
    cache.addOrUpdateNode(
      makeNode(`node-${i}`, { cpu: "32", memory: "128Gi", labels: { "topology.kubernetes.io/zone": `zone-${i % 3}` } }),
    );
  }
  const handle = {
    nodes: () => cache.nodes(),
    node: (name: string) => cache.node(name),
    namespaceLabels: () => undefined,
    persistentVolumeClaim: () => undefined,
    persistentVolumes: () => [],
    storageClass: () => undefined,
    workloads: () => [],
    imageNodeCount: () => 0,
    nominatedPods: () => [],
    hasNominatedPods: () => false,
    nodesWithAffinityPods: () => cache.nodesWithAffinityPods.values(),
    nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods.values(),
    event: () => {},
  } as unknown as Handle;
  const framework = new Framework(defaultPlugins, handle);
  handle.runFilters = (state, pod, node) => framework.runFilters(state, pod, node);
  const pods = Array.from({ length: podCount }, (_, i) =>
    newPodInfo(makePod(`pod-${i}`, { cpu: "100m", memory: "128Mi" })),
  );
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const pod of pods) {
    const result = framework.schedulePod(framework.newCycleState(), pod);
    if (result.ok) cache.assumePod(pod, result.nodeName);
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify(
      {
        mode: "scheduling cycles only",
        nodes: nodeCount,
        pods: podCount,
        seconds: Number(elapsed.toFixed(2)),
        podsPerSecond: Math.round(podCount / elapsed),
        cpuSeconds: Number(cpuSeconds.toFixed(2)),
        podsPerCpuSecond: Math.round(podCount / cpuSeconds),
        heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      },
      null,
      2,
    ),
  );
}

async function main() {
  const nodeCount = arg("nodes", 5000);
  const podCount = arg("pods", 50000);
  if (process.argv.includes("--cycles")) {
    cyclesOnly(nodeCount, podCount);
    return;
  }
  // --api real: the real in-process API server (admission, validation, managed fields, watch
  // fan-out) instead of the FakeClient; measures the scheduler together with the API's cost.
  const realApi = process.argv.includes("--api") && process.argv[process.argv.indexOf("--api") + 1] === "real";
  const clock = new RealClock();
  const cluster = realApi ? createCluster({ clock, components: [] }) : undefined;
  const client: Client = cluster ? cluster.client() : new FakeClient({ copy: false, recordWrites: false });
  for (let i = 0; i < nodeCount; i++) {
    const zone = `zone-${i % 3}`;
    await client.create(
      Nodes,
      makeNode(`node-${i}`, {
        cpu: "32",
        memory: "128Gi",
        pods: "110",
        labels: { "topology.kubernetes.io/zone": zone },
      }),
    );
  }
  const keepAlive = setInterval(() => {}, 1000);
  const heapBefore = process.memoryUsage().heapUsed;
  const scheduler: SchedulerComponent = startScheduler({ clock, client, speed: "realistic", log: () => {} });
  await scheduler.synced;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  // Pods arrive while the scheduler runs, as from a controller: in batches, through the API.
  const batch = 1000;
  for (let i = 0; i < podCount; i += batch) {
    for (let j = i; j < Math.min(podCount, i + batch); j++) {
      await client.create(Pods, makePod(`pod-${j}`, { cpu: "100m", memory: "128Mi" }));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const created = performance.now();
  while (scheduler.scheduledCount < podCount) await new Promise((resolve) => setTimeout(resolve, 5));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const heapAfter = process.memoryUsage().heapUsed;
  scheduler.stop();
  clearInterval(keepAlive);
  console.log(
    JSON.stringify(
      {
        api: realApi ? "real" : "fake",
        nodes: nodeCount,
        pods: podCount,
        seconds: Number(elapsed.toFixed(2)),
        podsPerSecond: Math.round(podCount / elapsed),
        // The machine may be shared: pods per second of this process's CPU time is the one-core figure.
        cpuSeconds: Number(cpuSeconds.toFixed(2)),
        podsPerCpuSecond: Math.round(podCount / cpuSeconds),
        creationSeconds: Number(((created - start) / 1000).toFixed(2)),
        heapMB: Math.round(heapAfter / 2 ** 20),
        heapGrowthMB: Math.round((heapAfter - heapBefore) / 2 ** 20),
      },
      null,
      2,
    ),
  );
}

void main();

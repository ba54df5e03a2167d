/**
 * The etcd role and the cluster core (issue 3's benchmark): store put and range throughput (with a
 * plain Map doing the same work as the baseline), watch fan-out of one write to 1,000 in-process
 * API watchers, time from createCluster() to ready (target ≤ 20 ms) and heap per idle cluster with
 * its system objects (target ≤ 2 MB). Run: `node --expose-gc --import tsx bench/store.ts`.
 */
import { ConfigMaps } from "../engine/api/resources";
import type { KubeObject } from "../engine/api/types";
import { VirtualClock } from "../engine/clock/VirtualClock";
import { createCluster } from "../engine/cluster/createCluster";
import { KeyValueStore } from "../engine/store/KeyValueStore";

const gc = (globalThis as { gc?: () => void }).gc;

function time(label: string, operations: number, run: () => void): number {
  const start = performance.now();
  run();
  const elapsed = performance.now() - start;
  const perSecond = (operations / elapsed) * 1000;
  console.log(
    `${label.padEnd(44)} ${perSecond.toFixed(0).padStart(10)} ops/s  (${((elapsed / operations) * 1000).toFixed(2)} µs/op)`,
  );
  return perSecond;
}

async function main() {
  const value = JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "x", namespace: "default" },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  });
  const count = 100_000;
  const store = new KeyValueStore();
  time("store put (100k keys)", count, () => {
    for (let index = 0; index < count; index++) store.put(`/registry/pods/default/pod-${index}`, value);
  });
  const map = new Map<string, string>();
  time("baseline: Map.set of the same", count, () => {
    for (let index = 0; index < count; index++) map.set(`/registry/pods/default/pod-${index}`, value);
  });
  const small = new KeyValueStore();
  for (let index = 0; index < 100; index++) small.put(`/registry/pods/default/pod-${index}`, value);
  time("store range of a 100-key prefix", 10_000, () => {
    for (let index = 0; index < 10_000; index++) small.range("/registry/pods/default/", { prefix: true });
  });
  const smallMap = new Map([...map].slice(0, 100));
  time("baseline: filter+sort a 100-entry Map", 10_000, () => {
    for (let index = 0; index < 10_000; index++) {
      [...smallMap].filter(([key]) => key.startsWith("/registry/pods/default/")).sort(([a], [b]) => (a < b ? -1 : 1));
    }
  });
  // What admission does on every create: a new key, then a range of a small (here empty) prefix,
  // with 100k keys stored. Sorting every key after each insert made this O(n log n) per create.
  time("create + range an empty prefix (100k keys)", 2_000, () => {
    for (let index = 0; index < 2_000; index++) {
      store.put(`/registry/pods/other/pod-${index}`, value);
      store.range("/registry/limitranges/other/", { prefix: true });
    }
  });

  // Watch fan-out through the API server: one write, 1,000 watchers.
  const cluster = createCluster({ clock: new VirtualClock(), components: [] });
  const client = cluster.client();
  let delivered = 0;
  const stops = Array.from({ length: 1000 }, () =>
    client.watch(ConfigMaps, "default", { resourceVersion: String(cluster.store.revision) }, () => delivered++),
  );
  const writes = 200;
  const start = performance.now();
  for (let index = 0; index < writes; index++) {
    await client.create<KubeObject>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `cm-${index}`, namespace: "default" },
    });
  }
  const elapsed = performance.now() - start;
  console.log(
    `${"watch fan-out: write + 1,000 watchers".padEnd(44)} ${((elapsed / writes) * 1000).toFixed(0).padStart(10)} µs/write  (${delivered} events delivered)`,
  );
  for (const stop of stops) stop();
  cluster.stop();

  // Time to ready and heap per idle cluster (system objects only, no components).
  for (let index = 0; index < 5; index++) createCluster({ clock: new VirtualClock(), components: [] }).stop();
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const clusters = [];
  const bootStart = performance.now();
  const bootCpu = process.cpuUsage();
  for (let index = 0; index < 50; index++) clusters.push(createCluster({ clock: new VirtualClock(), components: [] }));
  await Promise.all(clusters.map((each) => each.ready));
  const bootMs = (performance.now() - bootStart) / clusters.length;
  const cpu = process.cpuUsage(bootCpu);
  const bootCpuMs = (cpu.user + cpu.system) / 1000 / clusters.length;
  gc?.();
  const heapPerCluster = (process.memoryUsage().heapUsed - heapBefore) / clusters.length;
  console.log(
    `${"createCluster() to ready (core, no components)".padEnd(44)} ${bootMs.toFixed(2).padStart(10)} ms wall, ${bootCpuMs.toFixed(2)} ms CPU (target ≤ 20 ms)`,
  );
  console.log(
    `${"heap per idle cluster".padEnd(44)} ${(heapPerCluster / 1024).toFixed(0).padStart(10)} KiB (target ≤ 2048 KiB${gc ? "" : "; run with --expose-gc for a precise figure"})`,
  );
  for (const each of clusters) each.stop();

  // The same with the default components (controllers, scheduler, nodes' kubelets, system pods):
  // what a learner's idle cluster holds. Boot here is mostly the components' own writes.
  for (let index = 0; index < 2; index++) {
    const warm = createCluster({ clock: new VirtualClock() });
    await warm.ready;
    warm.stop();
  }
  gc?.();
  const fullHeapBefore = process.memoryUsage().heapUsed;
  const fullCpu = process.cpuUsage();
  const full = Array.from({ length: 10 }, () => createCluster({ clock: new VirtualClock() }));
  await Promise.all(full.map((each) => each.ready));
  const fullCpuUsed = process.cpuUsage(fullCpu);
  gc?.();
  const fullHeap = (process.memoryUsage().heapUsed - fullHeapBefore) / full.length;
  console.log(
    `${"createCluster() to ready (default components)".padEnd(44)} ${((fullCpuUsed.user + fullCpuUsed.system) / 1000 / full.length).toFixed(1).padStart(10)} ms CPU`,
  );
  console.log(
    `${"heap per idle cluster (default components)".padEnd(44)} ${(fullHeap / 1024).toFixed(0).padStart(10)} KiB (target ≤ 2048 KiB)`,
  );
  for (const each of full) each.stop();
}

void main();

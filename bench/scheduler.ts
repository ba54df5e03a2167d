/**
 * Scheduler throughput: a 5,000-node cluster scheduling 50,000 pods (issue 4's benchmark; the
 * real kube-scheduler's scheduler_perf floor at 5,000 nodes is 680–810 pods/s, our target is
 * ≥ 5,000 pods/s on one core).
 *
 *   npx tsx bench/scheduler.ts [--nodes 5000] [--pods 50000]   # all four phases below, compared
 *   npx tsx bench/scheduler.ts --phase e2e-rows                 # one phase
 *   npx tsx bench/scheduler.ts --api real [--nodes 500 --pods 2000]
 *
 * Phases, each in a child process of its own (so one's heap and JIT state cannot colour another):
 * - `e2e-rows`: the whole scheduler as the cluster runs it — informer events, the queue, every
 *   default plugin (the row path where a cycle allows it), the cache's assume, the `pods/binding`
 *   call and the Scheduled event — against the in-memory FakeClient. Creating the 50,000 pods is
 *   inside the measured time, as in scheduler_perf; the FakeClient's share (storing the pods and
 *   bindings, fanning out watch events) is CPU outside engine/scheduler.
 * - `e2e-general`: the same with every Filter and Score called through the plugins (the baseline).
 * - `cycles-rows` / `cycles-general`: the scheduling cycles alone (every default plugin over the
 *   cache, assuming each pod; no informers, API calls or events).
 *
 * Pods per CPU-second (this process's user+system time) is the one-core figure; wall-clock pods/s
 * depends on what else the machine runs. The pods are plain (100m cpu, 128Mi), like
 * scheduler_perf's SchedulingBasic, the case its 5,000-node floor is published for.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { type Profiler, Session } from "node:inspector";
import { fileURLToPath } from "node:url";
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
import { defaultRowPath } from "../engine/scheduler/plugins/rowPath";
import { makeNode, makePod } from "../engine/scheduler/testing/builders";
import { FakeClient } from "../engine/scheduler/testing/FakeClient";

/** scheduler_perf's published SchedulingBasic floor at 5,000 nodes (pods/s), and our target. */
const upstreamFloor = { low: 680, high: 810 };
const target = 5000;

/**
 * `--profile <file>`: a CPU profile of the measured window only (not node creation or module
 * loading), written to the file, and its self time split by where the code lives.
 */
class WindowProfile {
  private readonly session?: Session;

  constructor(private readonly file = textArg("profile")) {
    if (!file) return;
    this.session = new Session();
    this.session.connect();
    this.session.post("Profiler.enable");
    this.session.post("Profiler.setSamplingInterval", { interval: 200 });
  }

  start() {
    this.session?.post("Profiler.start");
  }

  stop(): Record<string, number> | undefined {
    const session = this.session;
    if (!session || !this.file) return undefined;
    let shares: Record<string, number> | undefined;
    // The in-process inspector answers synchronously.
    session.post("Profiler.stop", (error, result) => {
      if (error) throw error;
      writeFileSync(this.file as string, JSON.stringify(result.profile));
      shares = splitByArea(result.profile);
    });
    session.disconnect();
    return shares;
  }
}

/** Self time per area, in percent of the window's busy samples (idle excluded). */
function splitByArea(profile: Profiler.Profile): Record<string, number> {
  const area = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    let name = "other (node internals, bench driver)";
    if (functionName === "(idle)") name = "idle";
    else if (functionName === "(garbage collector)") name = "garbage collector";
    else if (url.includes("/engine/scheduler/testing/")) name = "FakeClient (API server stand-in)";
    else if (url.includes("/engine/scheduler/")) name = "engine/scheduler";
    else if (url.includes("/engine/client/")) name = "engine/client (informers, event recorder)";
    else if (url.includes("/engine/")) name = "engine (other)";
    area.set(node.id, name);
  }
  const totals = new Map<string, number>();
  let busy = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const name = area.get(samples[i]) ?? "other (node internals, bench driver)";
    if (name === "idle") continue;
    const time = deltas[i] ?? 0;
    totals.set(name, (totals.get(name) ?? 0) + time);
    busy += time;
  }
  return Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([name, time]) => [name, Math.round((1000 * time) / busy) / 10]),
  );
}

interface Figures {
  phase: string;
  nodes: number;
  pods: number;
  seconds: number;
  podsPerSecond: number;
  cpuSeconds: number;
  podsPerCpuSecond: number;
  heapMB: number;
  heapGrowthMB?: number;
  creationSeconds?: number;
  /** With --profile: percent of busy CPU time per area. */
  cpuShares?: Record<string, number>;
}

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function textArg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Heap in use after a full collection when the process runs with --expose-gc (npm run bench does). */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The scheduling cycles alone: every default plugin over the cache, assuming each pod. */
function cyclesOnly(phase: string, nodeCount: number, podCount: number, rows: boolean): Figures {
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
    preferNoScheduleTaintedNodes: () => cache.preferNoScheduleTaintedNodes,
    nominatedPods: () => [],
    hasNominatedPods: () => false,
    nodesWithAffinityPods: () => cache.nodesWithAffinityPods.values(),
    nodesWithRequiredAntiAffinityPods: () => cache.nodesWithRequiredAntiAffinityPods.values(),
    event: () => {},
  } as unknown as Handle;
  const framework = new Framework(defaultPlugins, handle, Math.random, 0, rows ? defaultRowPath : undefined);
  handle.runFilters = (state, pod, node) => framework.runFilters(state, pod, node);
  const pods = Array.from({ length: podCount }, (_, i) =>
    newPodInfo(makePod(`pod-${i}`, { cpu: "100m", memory: "128Mi" })),
  );
  const heapBefore = heapUsed();
  const profile = new WindowProfile();
  profile.start();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const pod of pods) {
    const result = framework.schedulePod(framework.newCycleState(), pod);
    if (result.ok) cache.assumePod(pod, result.nodeName);
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const cpuShares = profile.stop();
  const heapAfter = heapUsed();
  return {
    phase,
    nodes: nodeCount,
    pods: podCount,
    seconds: Number(elapsed.toFixed(2)),
    podsPerSecond: Math.round(podCount / elapsed),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    podsPerCpuSecond: Math.round(podCount / cpuSeconds),
    heapMB: mb(heapAfter),
    heapGrowthMB: mb(heapAfter - heapBefore),
    cpuShares,
  };
}

/** The whole scheduler against the FakeClient (or, with `realApi`, an in-process API server). */
async function endToEnd(
  phase: string,
  nodeCount: number,
  podCount: number,
  rows: boolean,
  realApi: boolean,
): Promise<Figures> {
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
  const scheduler: SchedulerComponent = startScheduler({
    clock,
    client,
    speed: "realistic",
    log: () => {},
    // Naming the plugins (even the default ones) leaves the row path out: the general-path baseline.
    ...(rows ? {} : { plugins: defaultPlugins }),
  });
  await scheduler.synced;
  const heapBefore = heapUsed();
  const profile = new WindowProfile();
  profile.start();
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
  const cpuShares = profile.stop();
  const heapAfter = heapUsed();
  scheduler.stop();
  clearInterval(keepAlive);
  return {
    phase,
    nodes: nodeCount,
    pods: podCount,
    seconds: Number(elapsed.toFixed(2)),
    podsPerSecond: Math.round(podCount / elapsed),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    podsPerCpuSecond: Math.round(podCount / cpuSeconds),
    creationSeconds: Number(((created - start) / 1000).toFixed(2)),
    // The heap with the 50,000 pods scheduled: the scheduler's cache and informers plus the fake
    // API's own copies of the pods and events; growth is what the run added after the nodes.
    heapMB: mb(heapAfter),
    heapGrowthMB: mb(heapAfter - heapBefore),
    cpuShares,
  };
}

async function runPhase(phase: string, nodes: number, pods: number): Promise<Figures> {
  switch (phase) {
    case "cycles-general":
      return cyclesOnly(phase, nodes, pods, false);
    case "cycles-rows":
      return cyclesOnly(phase, nodes, pods, true);
    case "e2e-general":
      return endToEnd(phase, nodes, pods, false, false);
    case "e2e-rows":
      return endToEnd(phase, nodes, pods, true, false);
    case "e2e-real-api":
      return endToEnd(phase, nodes, pods, true, true);
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

/** Runs a phase in a child process (same node flags) and reads its figures from the last line. */
function child(phase: string, nodes: number, pods: number): Figures {
  const result = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      "--phase",
      phase,
      "--nodes",
      String(nodes),
      "--pods",
      String(pods),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  if (result.status !== 0) throw new Error(`phase ${phase} failed (exit ${result.status})`);
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Figures;
}

function summary(figures: Figures[]) {
  const byPhase = new Map(figures.map((f) => [f.phase, f]));
  const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log(
    "\nphase           pods/CPU-s  wall pods/s  CPU s  heap MB (growth)  vs floor 680–810 pods/s  vs target 5,000",
  );
  for (const f of figures) {
    console.log(
      [
        f.phase.padEnd(15),
        String(f.podsPerCpuSecond).padStart(10),
        String(f.podsPerSecond).padStart(12),
        f.cpuSeconds.toFixed(1).padStart(6),
        `${f.heapMB} (${f.heapGrowthMB ?? "-"})`.padStart(17),
        `${times(f.podsPerCpuSecond, upstreamFloor.high)}–${times(f.podsPerCpuSecond, upstreamFloor.low)}`.padStart(25),
        `${times(f.podsPerCpuSecond, target)} ${f.podsPerCpuSecond >= target ? "met" : "NOT met"}`.padStart(17),
      ].join(" "),
    );
  }
  for (const kind of ["e2e", "cycles"]) {
    const rows = byPhase.get(`${kind}-rows`);
    const general = byPhase.get(`${kind}-general`);
    if (rows && general) {
      console.log(
        `${kind}: row path vs general path (baseline, same run): ${times(rows.podsPerCpuSecond, general.podsPerCpuSecond)} pods per CPU-second`,
      );
    }
  }
}

async function main() {
  const nodes = arg("nodes", 5000);
  const pods = arg("pods", 50000);
  const phase = textArg("phase");
  if (phase) {
    console.log(JSON.stringify(await runPhase(phase, nodes, pods)));
    return;
  }
  if (textArg("api") === "real") {
    // The real in-process API server (admission, validation, managed fields, watch fan-out)
    // instead of the FakeClient: the scheduler together with the API's cost.
    const figures = [child("e2e-real-api", arg("nodes", 500), arg("pods", 2000))];
    console.log(JSON.stringify(figures[0], null, 2));
    summary(figures);
    return;
  }
  const figures: Figures[] = [];
  for (const name of ["e2e-general", "e2e-rows", "cycles-general", "cycles-rows"]) {
    const result = child(name, nodes, pods);
    console.log(JSON.stringify(result));
    figures.push(result);
  }
  summary(figures);
}

void main();

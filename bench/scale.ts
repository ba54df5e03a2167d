/**
 * Issue 5's scale benchmark: a 5,000-node, 150,000-pod cluster reaching steady state in one
 * process within 4 GB. Run: `node --expose-gc --import tsx bench/scale.ts` (npm run bench -- scale).
 *
 * The parent runs each size of the scaling curve in its own child process (with
 * `--max-old-space-size`, so a size that does not fit fails alone) and prints a table against
 * the targets. Sizes: SCALE_SIZES="nodes:pods,…" (default 100:3000,200:6000, a few minutes on a quiet
 * machine; the full size is SCALE_SIZES=5000:150000);
 * SCALE_MINUTES caps each size's wall time (default 20). One size by hand:
 *   node --expose-gc --max-old-space-size=4096 --import tsx bench/scale.ts --child 1000 30000
 * Add `--cpu-prof` / `--heap-prof` to that command to profile it.
 *
 * A child boots the cluster in speed "fast" on a fast-forward clock (virtual time that jumps to the
 * next timer whenever the process has nothing else to do, so no engine timer waits real time and
 * the CPU measured is the engine's work), then grows it as workloads arrive on a real cluster (and
 * as kube's scheduler_perf does, whose createPods step waits for its pods): Deployments of 1,000
 * replicas one at a time, each created once every pod of the ones before is Ready. SCALE_BURST=1
 * creates them all at once instead (the bench's behaviour until session 14); the per-pod figures
 * are the same either way, only the start-up peak differs. It waits for steady state: every node
 * Ready, every pod scheduled, Running and Ready, every Deployment available at its generation, and
 * then no write to the store for a minute of cluster time (or no timer armed at all). CPU is
 * process.cpuUsage() (user + system) of the child; peak heap is the largest heapUsed sampled every
 * 200 ms (garbage included: at 100 nodes the live heap at the burst's peak was within a few MiB of
 * the steady heap, the rest not yet collected), peak RSS the kernel's maxRSS; the steady heap is
 * heapUsed after a forced GC at steady state minus that before the cluster booted. Every 10
 * Deployments the child also prints the live heap per pod after a forced GC, so a run stopped
 * before steady state still measures its size. Cluster time does not pass while the engine is
 * busy, so pods created in one burst start in one burst.
 *
 * Per pod (all pods of the cluster: the workloads, kube-proxy on every node, CoreDNS, static pods,
 * so a node's own cost is spread over its pods, 30 per node at every size): steady heap, store
 * writes (by resource), watch deliveries and CPU. The full size would hold 150,000 + 5,006 pods
 * (kube-proxy per node, CoreDNS, static pods) in 4 GiB: at most 27 KiB per pod in all, and the
 * peak of the start-up burst must fit too, so the target for the steady heap is 25 KiB per pod.
 * SCALE_HEAP_SNAPSHOT=<file> writes a heap snapshot of the child at steady state (after the GC);
 * SCALE_PEAK_SNAPSHOT=<file> with SCALE_PEAK_MIB=<n> one the first time the heap grows n MiB.
 *
 * Measured (session 14, 2-core machine shared with other work; engine/kubelet/README.md has the
 * history): 100 nodes / 3,106 pods steady at 20.4 KiB of heap per pod (was 29.6), 12–15 ms of CPU
 * per pod. The full size (session 15, commit a03b6e4; `SCALE_MINUTES=150 node --expose-gc
 * --max-old-space-size=4096 --import tsx bench/scale.ts --child 5000 150000`): steady after
 * 2,142 s of wall time and 2,115 s of CPU, peak heap 3,156 MiB, peak RSS 3,410 MiB, steady heap
 * 2,287 MiB (15.1 KiB per pod over 155,006 pods); 5,000 nodes Ready after 23.5 s. It needs the
 * longer SCALE_MINUTES: the default 20 stops it at about 45,000 pods.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import type { Node, Pod } from "../engine/api/core";
import { Deployments, Nodes, Pods } from "../engine/api/resources";
import type { WatchEvent } from "../engine/api/types";
import type { Clock } from "../engine/clock/Clock";
import { createCluster } from "../engine/cluster/createCluster";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const HEAP_LIMIT_MB = 4096;
const PER_DEPLOYMENT = 1000;
/** The full size: 150,000 workload pods, a kube-proxy per node, 2 CoreDNS and 4 static pods. */
const FULL_NODES = 5000;
const FULL_PODS = 150_000 + FULL_NODES + 2 + 4;
/** Steady heap per pod the full size must stay under (4 GiB over its pods, with room for the peak). */
const TARGET_HEAP_PER_POD_KIB = 25;

interface Timer {
  id: number;
  due: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * Virtual time that jumps to the next timer whenever the event loop is otherwise idle: the engine
 * arms timers only on its Clock and otherwise works in promise chains, which all settle before a
 * setImmediate callback runs. Timers live in a binary heap (due, then id), so 150,000 pods' timers
 * cost O(log n) each.
 */
class FastForwardClock implements Clock {
  private current = Date.UTC(2026, 0, 1);
  private readonly heap: Timer[] = [];
  private nextId = 1;
  private scheduled = false;
  private live = 0;
  fired = 0;

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer: Timer = { id: this.nextId++, due: this.current + Math.max(0, delayMs), callback, cancelled: false };
    this.push(timer);
    this.live++;
    this.schedule();
    return () => {
      if (timer.cancelled) return;
      timer.cancelled = true;
      this.live--;
    };
  }

  /** For diagnosis: timers in the heap and how far ahead the earliest is. */
  describe(): string {
    return `${this.heap.length} in heap, next in ${this.heap.length ? this.heap[0].due - this.current : "-"} ms, fired ${this.fired}`;
  }

  /** Timers armed and not cancelled. */
  get pending(): number {
    return this.live;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.fireNext());
  }

  /** Fires every timer due at the earliest due time, then yields to the promises they started. */
  private fireNext(): void {
    this.scheduled = false;
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    if (this.heap.length === 0) return;
    const due = this.heap[0].due;
    this.current = Math.max(this.current, due);
    while (this.heap.length > 0 && this.heap[0].due <= due) {
      const timer = this.pop();
      if (timer.cancelled) continue;
      timer.cancelled = true;
      this.live--;
      this.fired++;
      try {
        timer.callback();
      } catch (error) {
        console.error("timer callback threw:", error);
      }
    }
    if (this.heap.length > 0) this.schedule();
  }

  private less(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Timer;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && this.less(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && this.less(heap[right], heap[smallest])) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
        index = smallest;
      }
    }
    return top;
  }
}

interface Result {
  nodes: number;
  pods: number;
  steady: boolean;
  reason: string;
  nodesUpSeconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  virtualSeconds: number;
  peakHeapMiB: number;
  peakRssMiB: number;
  steadyHeapMiB: number;
  heapPerPodKiB: number;
  totalPods: number;
  writes: number;
  /** Store writes from the start of the cluster, by resource (`pods`, `events` …). */
  writesByResource: Record<string, number>;
  watchDeliveries: number;
  eventObjects: number;
  /** Bytes of keys and values the store holds (current state and retained history). */
  storeMiB: number;
  timersFired: number;
  timersArmed: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const usage = process.cpuUsage(since);
  return (usage.user + usage.system) / 1e6;
};

/** One size, in this process: boots the cluster, applies the workloads, waits for steady state. */
async function runSize(nodes: number, podCount: number): Promise<Result> {
  const minutes = Number(process.env.SCALE_MINUTES ?? 20);
  gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  // SCALE_PEAK_SNAPSHOT=<file> SCALE_PEAK_MIB=<n>: one heap snapshot the first time heapUsed passes n MiB
  // (what the start-up burst holds).
  const peakSnapshot = process.env.SCALE_PEAK_SNAPSHOT;
  const peakSnapshotBytes = Number(process.env.SCALE_PEAK_MIB ?? 0) * MiB;
  let peakSnapshotTaken = false;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    peakHeap = Math.max(peakHeap, used);
    if (peakSnapshot && !peakSnapshotTaken && peakSnapshotBytes > 0 && used - baseHeap >= peakSnapshotBytes) {
      peakSnapshotTaken = true;
      console.log(
        `  peak heap snapshot at ${((used - baseHeap) / MiB).toFixed(0)} MiB: ${writeHeapSnapshot(peakSnapshot)}`,
      );
    }
  };
  const sampler = setInterval(sample, 200);
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const clock = new FastForwardClock();
  const virtualStart = clock.now();
  const cluster = createCluster({ clock, speed: "fast", nodes: nodes - 1 });
  const client = cluster.client();
  // Every write to the store, counted by resource (the segment after /registry/, the group for
  // grouped resources): what the writes per pod are made of.
  const writesByResource: Record<string, number> = {};
  const stopWrites = cluster.store.watch("/registry/", { prefix: true, startRevision: 1 }, (events) => {
    for (const event of events) {
      const key = event.kv.key;
      const start = "/registry/".length;
      const end = key.indexOf("/", start);
      const resource = end < 0 ? key.slice(start) : key.slice(start, end);
      writesByResource[resource] = (writesByResource[resource] ?? 0) + 1;
    }
  });

  // The bench's own view, kept by two watches: counts only, so its heap is small next to the cluster's.
  const podState = new Map<string, number>(); // bit 1 scheduled, 2 running, 4 ready
  const counts = { scheduled: 0, running: 0, ready: 0, workload: 0, workloadReady: 0 };
  const stateOf = (pod: Pod) =>
    (pod.spec?.nodeName ? 1 : 0) |
    (pod.status?.phase === "Running" ? 2 : 0) |
    (pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? 4 : 0);
  const account = (state: number, sign: number, workload: boolean) => {
    if (state & 1) counts.scheduled += sign;
    if (state & 2) counts.running += sign;
    if (state & 4) counts.ready += sign;
    if (state & 4 && workload) counts.workloadReady += sign;
  };
  const stopPods = client.watch<Pod>(Pods, undefined, {}, (event: WatchEvent<Pod>) => {
    if (event.type === "BOOKMARK" || event.type === "ERROR") return;
    const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    const before = podState.get(key);
    const workload = event.object.metadata.labels?.["bench.kubelab.dev/scale"] === "true";
    if (before !== undefined) account(before, -1, workload);
    else if (workload) counts.workload++;
    if (event.type === "DELETED") {
      podState.delete(key);
      if (workload) counts.workload--;
      return;
    }
    const after = stateOf(event.object);
    podState.set(key, after);
    account(after, 1, workload);
  });
  let lastLog = 0;
  const logProgress = () => {
    const elapsed = performance.now() - wallStart;
    if (elapsed - lastLog < 10_000) return;
    lastLog = elapsed;
    console.log(
      `  ${(elapsed / 1000).toFixed(0)} s: ${podState.size} pods, ${counts.scheduled} scheduled, ${counts.running} running, ${counts.ready} ready; cpu ${cpuSeconds(cpuStart).toFixed(0)} s; heap ${(process.memoryUsage().heapUsed / MiB).toFixed(0)} MiB (peak ${((peakHeap - baseHeap) / MiB).toFixed(0)}), rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB; ${((clock.now() - virtualStart) / 1000).toFixed(0)} s of cluster time (${clock.describe()})`,
    );
  };
  const readyNodes = new Set<string>();
  const stopNodes = client.watch<Node>(Nodes, undefined, {}, (event: WatchEvent<Node>) => {
    const name = event.object.metadata.name ?? "";
    const ready = event.object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (event.type !== "DELETED" && ready) readyNodes.add(name);
    else readyNodes.delete(name);
  });

  await cluster.ready;
  while (readyNodes.size < nodes) {
    await sleep(100);
    sample();
  }
  const nodesUpSeconds = (performance.now() - wallStart) / 1000;
  console.log(
    `  ${nodes} nodes Ready after ${nodesUpSeconds.toFixed(1)} s (cpu ${cpuSeconds(cpuStart).toFixed(1)} s), heap ${((process.memoryUsage().heapUsed - baseHeap) / MiB).toFixed(0)} MiB`,
  );

  // Growth: one Deployment at a time, the next once every pod of the ones before is Ready (as
  // scheduler_perf's createPods waits for its pods, and as workloads arrive on a real cluster);
  // SCALE_BURST=1 creates them all at once, as the bench did before.
  const burst = process.env.SCALE_BURST === "1";
  const deployments = Math.ceil(podCount / PER_DEPLOYMENT);
  let created = 0;
  for (let index = 0; index < deployments; index++) {
    const replicas = Math.min(PER_DEPLOYMENT, podCount - index * PER_DEPLOYMENT);
    while (!burst && counts.workloadReady < created && performance.now() - wallStart < minutes * 60_000) {
      await sleep(50);
      sample();
      logProgress();
    }
    // Every 10 Deployments (once their pods are Ready): the live heap after a full GC, so a run
    // stopped before steady state still says what each pod costs at this size.
    if (!burst && index > 0 && index % 10 === 0 && gc) {
      gc();
      const live = process.memoryUsage().heapUsed - baseHeap;
      console.log(
        `  after ${index} Deployments: ${podState.size} pods, live heap ${(live / MiB).toFixed(0)} MiB (${(live / podState.size / 1024).toFixed(1)} KiB per pod), rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB, cpu ${cpuSeconds(cpuStart).toFixed(0)} s`,
      );
    }
    created += replicas;
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `scale-${index}`, namespace: "default" },
      spec: {
        replicas,
        selector: { matchLabels: { app: `scale-${index}` } },
        template: {
          metadata: { labels: { app: `scale-${index}`, "bench.kubelab.dev/scale": "true" } },
          spec: {
            containers: [
              {
                name: "c",
                image: "registry.k8s.io/pause:3.10",
                resources: { requests: { cpu: "1m", memory: "1Mi" } },
              },
            ],
          },
        },
      },
    });
  }

  const deploymentsAvailable = async () => {
    const list = await client.list(Deployments, "default");
    return list.items.every((deployment) => {
      const spec = deployment.spec as { replicas?: number };
      const status = deployment.status as { availableReplicas?: number; observedGeneration?: number } | undefined;
      return (
        status?.observedGeneration === deployment.metadata.generation &&
        (status?.availableReplicas ?? 0) === (spec.replicas ?? 1)
      );
    });
  };
  let reason = "timed out";
  let steady = false;
  let quietSince: { revision: number; virtual: number } | undefined;
  for (;;) {
    await sleep(200);
    sample();
    logProgress();
    const elapsed = performance.now() - wallStart;
    // Every pod of the cluster (the workloads, kube-proxy on every node, CoreDNS, static pods).
    const total = podState.size;
    const allUp =
      readyNodes.size === nodes &&
      counts.workload === podCount &&
      counts.scheduled === total &&
      counts.running === total &&
      counts.ready === total;
    if (allUp && (await deploymentsAvailable())) {
      const revision = cluster.store.revision;
      if (!quietSince || quietSince.revision !== revision) quietSince = { revision, virtual: clock.now() };
      else if (clock.pending === 0 || clock.now() - quietSince.virtual >= 60_000) {
        steady = true;
        reason = clock.pending === 0 ? "no timer armed" : "no write for 60 s of cluster time";
        break;
      }
    } else {
      quietSince = undefined;
    }
    if (elapsed > minutes * 60_000) break;
  }
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = cpuSeconds(cpuStart);
  const virtualSeconds = (clock.now() - virtualStart) / 1000;
  const writes = cluster.store.revision;
  const watchDeliveries = cluster.store.deliveredEvents;
  const eventObjects = cluster.store.range("/registry/events/", { prefix: true, countOnly: true }).count;
  const totalPods = podState.size;
  clearInterval(sampler);
  gc?.();
  const steadyHeap = process.memoryUsage().heapUsed - baseHeap;
  if (process.env.SCALE_HEAP_SNAPSHOT) {
    console.log(`  heap snapshot: ${writeHeapSnapshot(process.env.SCALE_HEAP_SNAPSHOT)}`);
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const result: Result = {
    nodes,
    pods: podCount,
    steady,
    reason,
    nodesUpSeconds,
    wallSeconds,
    cpuSeconds: cpu,
    virtualSeconds,
    peakHeapMiB: peakHeap / MiB,
    peakRssMiB: peakRss / MiB,
    steadyHeapMiB: steadyHeap / MiB,
    heapPerPodKiB: steadyHeap / Math.max(1, totalPods) / 1024,
    totalPods,
    writes,
    writesByResource,
    watchDeliveries,
    eventObjects,
    storeMiB: cluster.store.sizeBytes / MiB,
    timersFired: clock.fired,
    timersArmed: clock.pending,
  };
  stopPods();
  stopNodes();
  stopWrites();
  cluster.stop();
  return result;
}

function printTable(results: Result[]): void {
  const rows = [
    [
      "nodes",
      "pods",
      "steady",
      "wall s",
      "cpu s",
      "cpu/pod",
      "nodes up s",
      "peak heap",
      "peak rss",
      "steady heap",
      "heap/pod",
      "writes/pod",
      "deliveries/pod",
      "events",
      "store",
    ],
    ...results.map((r) => [
      String(r.nodes),
      String(r.totalPods),
      r.steady ? "yes" : `NO (${r.reason})`,
      r.wallSeconds.toFixed(1),
      r.cpuSeconds.toFixed(1),
      `${((r.cpuSeconds / r.totalPods) * 1000).toFixed(1)} ms`,
      r.nodesUpSeconds.toFixed(1),
      `${r.peakHeapMiB.toFixed(0)} MiB`,
      `${r.peakRssMiB.toFixed(0)} MiB`,
      `${r.steadyHeapMiB.toFixed(0)} MiB`,
      `${r.heapPerPodKiB.toFixed(1)} KiB`,
      (r.writes / r.totalPods).toFixed(2),
      (r.watchDeliveries / r.totalPods).toFixed(1),
      String(r.eventObjects),
      `${r.storeMiB.toFixed(0)} MiB`,
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) console.log(`  ${row.map((cell, column) => cell.padStart(widths[column])).join("  ")}`);
  console.log("\n  Store writes per pod, by resource:");
  for (const r of results) {
    const parts = Object.entries(r.writesByResource)
      .sort(([, a], [, b]) => b - a)
      .map(([resource, count]) => `${resource} ${(count / r.totalPods).toFixed(2)}`);
    console.log(`  ${r.nodes} nodes: ${parts.join(", ")}`);
  }
}

/** The largest steady size, per pod, against the full size and its 4 GiB. */
function printTarget(results: Result[]): void {
  const full = results.find((r) => r.nodes >= FULL_NODES && r.pods >= 150_000);
  const steady = results.filter((r) => r.steady);
  const largest = full ?? steady.at(-1);
  if (!largest) return;
  const perPod = {
    heapKiB: largest.heapPerPodKiB,
    cpuMs: (largest.cpuSeconds / largest.totalPods) * 1000,
    writes: largest.writes / largest.totalPods,
  };
  // Between the two largest sizes, what one more pod costs (the part of the heap that does not
  // grow with the cluster, module code and bounded caches, drops out), and the full size from it.
  const previous = full ? undefined : steady.at(-2);
  const marginal = previous
    ? {
        heapKiB: ((largest.steadyHeapMiB - previous.steadyHeapMiB) * 1024) / (largest.totalPods - previous.totalPods),
        cpuMs: ((largest.cpuSeconds - previous.cpuSeconds) * 1000) / (largest.totalPods - previous.totalPods),
      }
    : undefined;
  const heapGiB = marginal
    ? (largest.steadyHeapMiB * MiB + marginal.heapKiB * 1024 * (FULL_PODS - largest.totalPods)) / GiB
    : (perPod.heapKiB * FULL_PODS) / 2 ** 20;
  console.log(
    `\nAgainst the target (5,000 nodes, 150,000 pods steady in one process within 4 GiB; ${FULL_PODS} pods in all):`,
  );
  console.log(
    `  steady heap per pod: ${perPod.heapKiB.toFixed(1)} KiB (target ≤ ${TARGET_HEAP_PER_POD_KIB} KiB: ${perPod.heapKiB <= TARGET_HEAP_PER_POD_KIB ? "met" : "NOT met"}) → ${((perPod.heapKiB * FULL_PODS) / 2 ** 20).toFixed(2)} GiB at the full size`,
  );
  if (marginal) {
    console.log(
      `  each pod more (${previous?.totalPods} → ${largest.totalPods} pods): ${marginal.heapKiB.toFixed(1)} KiB of heap, ${marginal.cpuMs.toFixed(1)} ms of CPU; the full size from it: ${heapGiB.toFixed(2)} GiB of steady heap`,
    );
  }
  console.log(
    `  store writes per pod: ${perPod.writes.toFixed(2)} → ${((perPod.writes * FULL_PODS) / 1e6).toFixed(2)} million writes`,
  );
  console.log(
    `  CPU per pod: ${perPod.cpuMs.toFixed(1)} ms → ${((perPod.cpuMs * FULL_PODS) / 60_000).toFixed(0)} min of CPU to reach steady state`,
  );
  if (full) {
    const within = full.steady && full.peakRssMiB * MiB <= 4 * GiB;
    console.log(
      `  measured at the full size: ${full.steady ? "steady" : "not steady"}, peak RSS ${(full.peakRssMiB / 1024).toFixed(2)} GiB (≤ 4 GiB: ${within ? "met" : "NOT met"})`,
    );
  } else {
    console.log(
      `  (from ${largest.nodes} nodes / ${largest.totalPods} pods; both grow about linearly: run SCALE_SIZES=5000:150000 to measure the full size)`,
    );
  }
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf("--child");
  if (childIndex >= 0) {
    const nodes = Number(process.argv[childIndex + 1]);
    const pods = Number(process.argv[childIndex + 2]);
    const result = await runSize(nodes, pods);
    console.log(`RESULT ${JSON.stringify(result)}`);
    process.exit(0);
  }
  const sizes = (process.env.SCALE_SIZES ?? "100:3000,200:6000")
    .split(",")
    .map((size) => size.split(":").map(Number) as [number, number]);
  const results: Result[] = [];
  for (const [nodes, pods] of sizes) {
    console.log(`\n${nodes} nodes, ${pods} pods (Deployments of ${PER_DEPLOYMENT}):`);
    const child = spawnSync(
      process.execPath,
      [
        "--expose-gc",
        `--max-old-space-size=${HEAP_LIMIT_MB}`,
        "--import",
        "tsx",
        fileURLToPath(import.meta.url),
        "--child",
        String(nodes),
        String(pods),
      ],
      { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 64 * MiB },
    );
    const lines = (child.stdout ?? "").split("\n");
    for (const line of lines) if (line && !line.startsWith("RESULT ")) console.log(line);
    const resultLine = lines.find((line) => line.startsWith("RESULT "));
    if (!resultLine) {
      console.log(`  failed (exit ${child.status}${child.signal ? `, ${child.signal}` : ""}): larger sizes skipped`);
      break;
    }
    const result = JSON.parse(resultLine.slice("RESULT ".length)) as Result;
    results.push(result);
    console.log(
      `  ${result.steady ? `steady (${result.reason})` : "NOT steady"} after ${result.wallSeconds.toFixed(1)} s wall, ${result.cpuSeconds.toFixed(1)} s CPU, ${result.virtualSeconds.toFixed(0)} s of cluster time; ${result.totalPods} pods; ${result.timersFired} timers fired, ${result.timersArmed} armed at the end`,
    );
    if (!result.steady) break;
  }
  console.log("\nScaling curve (target: 5,000 nodes and 150,000 pods steady within 4 GB):");
  printTable(results);
  printTarget(results);
}

await main();

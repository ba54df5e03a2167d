// Kubelet measurements for the report (run: node --expose-gc --import tsx bench/kubelet.ts):
//   1. apply→Ready latency in fast speed, in process and through the HTTP API on loopback;
//   2. heap per running pod;
//   3. CPU an idle cluster of 3 nodes and 20 pods uses per minute of real time, next to an empty
//      Node process measured over the same window (IDLE_WINDOW_SECONDS, default 20; three windows);
//   4. restore without restarts: CPU from waking a hibernated lesson-sized hosted cluster until every
//      component runs again with its pods taken back (target well under 100 ms), checking that no
//      container was created again (same containerIDs, restart counts, no new events);
//   5. with KUBELAB_BENCH_LARGE=1 (several minutes): a 5,000-node, 150,000-pod cluster reaching
//      steady state in one process (LARGE_NODES / LARGE_PODS scale it down).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../engine/api/core";
import { ConfigMaps, Deployments, Events, Pods } from "../engine/api/resources";
import { RealClock } from "../engine/clock/RealClock";
import { createCluster } from "../engine/cluster/createCluster";
import { ClusterHost } from "../engine/host/hosting/ClusterHost";
import { runClusterUp } from "../engine/host/standalone/runClusterUp";
import { startCluster } from "../engine/host/standalone/startCluster";

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keepAlive = setInterval(() => {}, 1000);

function podBody(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function latencyAndHeap(): Promise<void> {
  const cluster = createCluster({ speed: "fast" });
  await cluster.ready;
  const client = cluster.client();
  await sleep(500);

  const timeToReady = (name: string): Promise<{ scheduled: number; ready: number }> => {
    const start = performance.now();
    return new Promise((resolve) => {
      let scheduled = 0;
      const stop = client.watch<Pod>(Pods, "default", { fieldSelector: `metadata.name=${name}` }, (event) => {
        if (!scheduled && event.object.spec?.nodeName) scheduled = performance.now() - start;
        if (event.object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) {
          stop();
          resolve({ scheduled, ready: performance.now() - start });
        }
      });
      void client.create(Pods, podBody(name));
    });
  };
  const inProcess: number[] = [];
  for (let i = 0; i < 10; i++) {
    const { scheduled, ready } = await timeToReady(`ready-${i}`);
    inProcess.push(ready);
    if (i === 0) console.log(`  first pod: scheduled after ${scheduled.toFixed(1)} ms`);
  }
  console.log(
    `apply→Ready, in process (ms): ${inProcess.map((n) => n.toFixed(1)).join(" ")}; median ${median(inProcess).toFixed(1)}`,
  );

  gc?.();
  const before = process.memoryUsage().heapUsed;
  const count = 200;
  for (let i = 0; i < count; i++) await client.create(Pods, podBody(`heap-${i}`));
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const pods = await client.list<Pod>(Pods, "default");
    if (pods.items.filter((p) => p.status?.phase === "Running").length >= count + 10) break;
  }
  const pods = await client.list<Pod>(Pods, "default");
  const running = pods.items.filter((p) => p.status?.phase === "Running").length;
  gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `running pods: ${running}; heap per pod: ${((after - before) / count / 1024).toFixed(1)} KiB (includes API objects, events, watch caches)`,
  );
  cluster.stop();
}

/** kubectl apply → Ready through the real HTTP API on loopback (what a learner's kubectl sees). */
async function httpLatency(): Promise<void> {
  const up = await runClusterUp({
    port: 0,
    kubeconfigPath: join(tmpdir(), `kubelab-bench-${process.pid}.kubeconfig`),
    speed: "fast",
    startCluster,
  });
  await up.cluster.ready;
  await sleep(500);
  const base = `https://127.0.0.1:${up.server.port}`;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  const headers = { Authorization: `Bearer ${up.token}`, "Content-Type": "application/json" };
  const results: number[] = [];
  for (let i = 0; i < 10; i++) {
    const name = `http-${i}`;
    const start = performance.now();
    const watch = await fetch(
      `${base}/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3D${name}`,
      { headers },
    );
    const reader = watch.body?.getReader();
    await fetch(`${base}/api/v1/namespaces/default/pods`, {
      method: "POST",
      headers,
      body: JSON.stringify(podBody(name)),
    });
    let buffer = "";
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      buffer += decoder.decode(chunk.value);
      if (/"type":"Ready","status":"True"/.test(buffer)) break;
    }
    results.push(performance.now() - start);
    await reader?.cancel();
  }
  console.log(
    `apply→Ready over HTTPS on loopback (ms): ${results.map((n) => n.toFixed(1)).join(" ")}; median ${median(results).toFixed(1)}`,
  );
  await up.stop();
}

/**
 * Restore without restarts: a hosted cluster as a lesson leaves it (3 nodes, a 3-replica nginx
 * Deployment with a readiness probe, 10 ConfigMaps) is hibernated and woken again, five times.
 * CPU (process.cpuUsage, all threads) from the wake-up until every component has started, and
 * until one second later (the kubelets' adoptions, the controllers' first syncs, the host's save).
 */
async function restoreCpu(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "kubelab-bench-restore-"));
  const host = new ClusterHost({ dataDir, speed: "fast", idleMs: 24 * 3600_000 });
  const { id } = await host.create();
  const live = await host.acquire(id);
  await live.cluster.ready;
  let client = live.cluster.client();
  await client.create(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [{ name: "web", image: "nginx:1.27", readinessProbe: { httpGet: { path: "/", port: 80 } } }],
        },
      },
    },
  });
  for (let index = 0; index < 10; index++)
    await client.create(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `config-${index}`, namespace: "default" },
      data: { a: "1" },
    });
  for (;;) {
    await sleep(200);
    const pods = (await client.list<Pod>(Pods, "default")).items;
    if (
      pods.length === 3 &&
      pods.every((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    )
      break;
  }
  await sleep(3000);
  const containers = async () =>
    (await client.list<Pod>(Pods)).items
      .flatMap((pod) =>
        (pod.status?.containerStatuses ?? []).map(
          (status) => `${pod.metadata.name} ${status.containerID} ${status.restartCount} ${status.ready}`,
        ),
      )
      .sort()
      .join("\n");
  const toReady: number[] = [];
  const withSecond: number[] = [];
  let changed = 0;
  let newEvents = 0;
  let pods = 0;
  for (let round = 0; round < 5; round++) {
    const before = await containers();
    const events = (await client.list(Events)).items.length;
    await host.hibernate(id);
    await sleep(500);
    const start = process.cpuUsage();
    const woken = await host.acquire(id);
    await woken.cluster.ready;
    const ready = process.cpuUsage(start);
    await sleep(1000);
    const second = process.cpuUsage(start);
    toReady.push((ready.user + ready.system) / 1000);
    withSecond.push((second.user + second.system) / 1000);
    client = woken.cluster.client();
    const after = await containers();
    pods = after.split("\n").length;
    if (after !== before) changed++;
    newEvents += (await client.list(Events)).items.length - events;
  }
  console.log(
    `restore of a hibernated lesson-sized cluster (${pods} running containers), CPU from wake-up: every component started ${toReady.map((n) => n.toFixed(0)).join(" ")} ms, median ${median(toReady).toFixed(1)} ms; one second later ${withSecond.map((n) => n.toFixed(0)).join(" ")} ms, median ${median(withSecond).toFixed(1)} ms  (target: well under 100 ms)`,
  );
  console.log(
    `  containers taken back, not created again: ${changed === 0 ? "yes" : `no (${changed} of 5 restores changed containerIDs, restart counts or readiness)`}; new events over 5 restores: ${newEvents}`,
  );
  await host.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** CPU ticks (1/100 s) per thread of this process, by thread name, from /proc (Linux only). */
function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync("/proc/self/task")) return out;
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const key = tid === String(process.pid) ? "main thread" : name;
      out.set(key, (out.get(key) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended.
    }
  }
  return out;
}

/** The wall clock, counting the engine timers that fire. */
class CountingClock extends RealClock {
  fired = 0;
  override setTimer(delayMs: number, callback: () => void): () => void {
    return super.setTimer(delayMs, () => {
      this.fired++;
      callback();
    });
  }
}

async function idleCpu(): Promise<void> {
  const windowMs = Number(process.env.IDLE_WINDOW_SECONDS ?? 20) * 1000;
  const clock = new CountingClock();
  const cluster = createCluster({ speed: "fast", clock });
  await cluster.ready;
  const client = cluster.client();
  await client.create(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "idle", namespace: "default" },
    spec: {
      replicas: 20,
      selector: { matchLabels: { app: "idle" } },
      template: { metadata: { labels: { app: "idle" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
    },
  });
  for (;;) {
    await sleep(200);
    const pods = (await client.list<Pod>(Pods, "default")).items;
    if (pods.length === 20 && pods.every((p) => p.status?.phase === "Running")) break;
  }
  // Let start-up work finish (CoreDNS's first liveness probe comes 60 s after it starts).
  await sleep(Number(process.env.IDLE_SETTLE_SECONDS ?? 65) * 1000);
  const perMinute = (micros: number) => ((micros / 1000) * 60_000) / windowMs;
  // Nothing of the bench's own may wake up during the windows (the sleep below keeps the process alive).
  clearInterval(keepAlive);
  for (let window = 1; window <= 3; window++) {
    gc?.();
    const child = spawn(process.execPath, [
      "-e",
      `const s=process.cpuUsage();setTimeout(()=>{const u=process.cpuUsage(s);console.log(u.user+u.system)},${windowMs})`,
    ]);
    let childOutput = "";
    child.stdout.on("data", (data) => {
      childOutput += data;
    });
    const ticks = threadTicks();
    const fired = clock.fired;
    const start = process.cpuUsage();
    await sleep(windowMs);
    const used = process.cpuUsage(start);
    const byThread = [...threadTicks()]
      .map(([name, value]) => [name, value - (ticks.get(name) ?? 0)] as const)
      .filter(([, value]) => value > 0)
      .map(([name, value]) => `${name} ${perMinute(value * 10_000).toFixed(0)}`)
      .join(", ");
    await new Promise((resolve) => child.on("exit", resolve));
    console.log(
      `idle 3 nodes / 20 pods, window ${window}: ${perMinute(used.user + used.system).toFixed(1)} ms CPU per minute, ${clock.fired - fired} engine timers fired (by thread, 10 ms ticks: ${byThread || "none"}); empty Node process, same window: ${perMinute(Number(childOutput)).toFixed(1)} ms per minute`,
    );
  }
  cluster.stop();
}

/** 5,000 nodes and 150,000 pods (pods bound by the scheduler, run by the kubelets) in one process. */
async function large(): Promise<void> {
  const nodes = Number(process.env.LARGE_NODES ?? 5000);
  const podCount = Number(process.env.LARGE_PODS ?? 150_000);
  const started = performance.now();
  const cluster = createCluster({ speed: "fast", nodes: nodes - 1 });
  await cluster.ready;
  const client = cluster.client();
  console.log(
    `large: ${nodes} nodes up after ${((performance.now() - started) / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
  const perDeployment = 1000;
  for (let index = 0; index < podCount / perDeployment; index++) {
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `large-${index}`, namespace: "default" },
      spec: {
        replicas: perDeployment,
        selector: { matchLabels: { app: `large-${index}` } },
        template: {
          metadata: { labels: { app: `large-${index}` } },
          spec: {
            containers: [
              { name: "c", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "1m", memory: "1Mi" } } },
            ],
          },
        },
      },
    });
  }
  let lastRunning = -1;
  let stalled = 0;
  for (;;) {
    await sleep(5000);
    const pods = await client.list<Pod>(Pods, "default");
    const running = pods.items.filter((pod) => pod.status?.phase === "Running").length;
    const memory = process.memoryUsage();
    console.log(
      `  ${((performance.now() - started) / 1000).toFixed(0)} s: ${pods.items.length} pods, ${running} running; heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB`,
    );
    stalled = running === lastRunning ? stalled + 1 : 0;
    // Steady: every pod runs, or nothing changed for a minute (or LARGE_MINUTES ran out).
    if (running >= podCount || stalled >= 12) break;
    if (performance.now() - started > Number(process.env.LARGE_MINUTES ?? 60) * 60_000) break;
    lastRunning = running;
  }
  gc?.();
  const memory = process.memoryUsage();
  console.log(
    `large: steady after ${((performance.now() - started) / 1000).toFixed(0)} s; heap ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB`,
  );
  cluster.stop();
}

if (process.env.KUBELAB_BENCH_LARGE) {
  await large();
} else if (process.env.KUBELAB_BENCH_PART === "idle") {
  await idleCpu();
} else if (process.env.KUBELAB_BENCH_PART === "restore") {
  await restoreCpu();
} else {
  await latencyAndHeap();
  await httpLatency();
  await restoreCpu();
  // The idle cluster runs in a fresh process, so the clusters above leave no heap to collect.
  const idle = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, KUBELAB_BENCH_PART: "idle" },
    stdio: "inherit",
  });
  await new Promise((resolve) => idle.on("exit", resolve));
  console.log(
    "(the 5,000-node / 150,000-pod run takes several minutes: KUBELAB_BENCH_LARGE=1 node --expose-gc --max-old-space-size=4096 --import tsx bench/kubelet.ts)",
  );
}
clearInterval(keepAlive);
process.exit(0);

/**
 * Hosting (issue 7's benchmark): clusters created per second and heap per idle cluster with 1,000
 * clusters in one process (target ≤ 2 MB each), snapshot and restore times of a lesson-sized cluster
 * (restore target ≤ 100 ms), p99 API latency for 200 simulated learners running a scripted lesson
 * session at once over HTTP (target ≤ 100 ms), and the p99 of a small request in cluster A while
 * cluster B is flooded. Run: `node --expose-gc --import tsx bench/hosting.ts [--clusters N] [--learners N]`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { RealClock } from "../engine/clock/RealClock";
import { ClusterHost } from "../engine/host/hosting/ClusterHost";
import { serveHost } from "../engine/host/hosting/testServer";

const gc = (globalThis as { gc?: () => void }).gc;
const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const CLUSTERS = argument("clusters", 1000);
const LEARNERS = argument("learners", 200);
/** `--api-only`: clusters without scheduler, controllers and kubelets (the hosting layer's own cost). */
const API_ONLY = process.argv.includes("--api-only");
/** `--plain-timers`: every cluster on Node's own timers (the baseline for the clusters' timers taken in turns). */
const PLAIN_TIMERS = process.argv.includes("--plain-timers");

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/** One request; a kept-alive socket the server closed meanwhile is retried once on a new one. */
async function call(
  base: string,
  token: string,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; ms: number; text: string }> {
  try {
    return await callOnce(base, token, method, urlPath, body, contentType);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") throw error;
    return callOnce(base, token, method, urlPath, body, contentType);
  }
}

function callOnce(
  base: string,
  token: string,
  method: string,
  urlPath: string,
  body?: unknown,
  contentType = "application/json",
): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${urlPath}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(payload ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, text }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
  },
});

async function manyClusters(dataDir: string): Promise<void> {
  const host = new ClusterHost({ dataDir, speed: "fast", idleMs: 24 * 3600_000 });
  const before = heapMb();
  const created = performance.now();
  const ids: string[] = [];
  const booted: Promise<void>[] = [];
  for (let index = 0; index < CLUSTERS; index++) {
    const { id } = await host.create();
    const live = await host.acquire(id);
    booted.push(live.cluster.ready);
    ids.push(id);
    if ((index + 1) % 100 === 0) {
      const seconds = (performance.now() - created) / 1000;
      console.log(`  ${index + 1} clusters running after ${seconds.toFixed(1)} s, heap ${heapMb().toFixed(0)} MB`);
    }
  }
  await Promise.all(booted);
  const seconds = (performance.now() - created) / 1000;
  console.log(
    `clusters created and booted (every component ready): ${(CLUSTERS / seconds).toFixed(1)} per second (${CLUSTERS} in ${seconds.toFixed(1)} s)`,
  );
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const running = heapMb();
  console.log(
    `heap per running idle cluster (every component): ${((running - before) / CLUSTERS).toFixed(2)} MB  (target ≤ 2 MB)`,
  );
  const hibernateStart = performance.now();
  for (const id of ids) await host.hibernate(id);
  console.log(`hibernated ${CLUSTERS} clusters in ${((performance.now() - hibernateStart) / 1000).toFixed(1)} s`);
  const asleep = heapMb();
  console.log(`heap per hibernated cluster: ${(((asleep - before) * 1024) / CLUSTERS).toFixed(1)} kB`);
  await host.close();
}

async function snapshotAndRestore(dataDir: string): Promise<void> {
  for (const components of [undefined, [] as string[]])
    await snapshotAndRestoreWith(path.join(dataDir, String(!components)), components);
}

async function snapshotAndRestoreWith(dataDir: string, components: string[] | undefined): Promise<void> {
  console.log(components ? "API server only (no scheduler, controllers, kubelets):" : "every component:");
  const host = new ClusterHost({ dataDir, speed: "fast", idleMs: 24 * 3600_000, components });
  const served = await serveHost(host);
  const { id, token } = await host.create();
  await (await host.acquire(id)).cluster.ready;
  const base = `${served.url}/clusters/${id}`;
  await call(base, token, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 3));
  for (let index = 0; index < 10; index++)
    await call(base, token, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `config-${index}` } });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const saves: number[] = [];
  const restores: number[] = [];
  const seconds: number[] = [];
  const booted: number[] = [];
  for (let round = 0; round < 10; round++) {
    // Let the previous restore's components settle, then change something and save it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await call(base, token, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `round-${round}` } });
    let started = performance.now();
    await host.persist(id);
    saves.push(performance.now() - started);
    await host.hibernate(id);
    // Restore on demand, timed by a client in another process (as a learner's kubectl is, so the
    // server's work after answering does not delay reading the answer): the first request after
    // hibernation, then the learner's next request sent at once (it meets the components booting).
    started = performance.now();
    const curl = await promisify(execFile)("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{time_total}\n",
      "-H",
      `Authorization: Bearer ${token}`,
      `${base}/api/v1/namespaces/default/configmaps/config-0`,
      "--next",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{time_total}\n",
      "-H",
      `Authorization: Bearer ${token}`,
      `${base}/api/v1/namespaces/default/pods`,
    ]);
    const answers = curl.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" "));
    if (answers[0]?.[0] !== "200") throw new Error(`restore failed: ${curl.stdout} ${curl.stderr}`);
    restores.push(Number(answers[0][1]) * 1000);
    seconds.push(Number(answers[1]?.[1]) * 1000);
    // … and every component running again (kubelets have taken their pods back).
    await host.engineOf(id)?.ready;
    booted.push(performance.now() - started);
  }
  const engine = host.engineOf(id);
  console.log(
    `lesson-sized cluster: ${engine?.store.keyCount} keys, snapshot ${((engine?.store.snapshot().byteLength ?? 0) / 1024) | 0} kB`,
  );
  console.log(
    `snapshot (save to disk, fsync): median ${percentile(saves, 50).toFixed(1)} ms, max ${Math.max(...saves).toFixed(1)} ms`,
  );
  console.log(
    `restore on demand (hibernated → first answer over HTTP): median ${percentile(restores, 50).toFixed(1)} ms, max ${Math.max(...restores).toFixed(1)} ms  (target ≤ 100 ms)`,
  );
  console.log(
    `  the next request right after: median ${percentile(seconds, 50).toFixed(1)} ms, max ${Math.max(...seconds).toFixed(1)} ms; every component started: median ${percentile(booted, 50).toFixed(1)} ms`,
  );
  await served.close();
  await host.close();
}

async function learners(dataDir: string): Promise<void> {
  const host = new ClusterHost({
    dataDir,
    speed: "fast",
    idleMs: 24 * 3600_000,
    components: API_ONLY ? [] : undefined,
    clock: PLAIN_TIMERS ? new RealClock() : undefined,
  });
  const served = await serveHost(host);
  const sessions: Array<{ base: string; token: string }> = [];
  const booted: Promise<void>[] = [];
  for (let index = 0; index < LEARNERS; index++) {
    const { id, token } = await host.create();
    booted.push((await host.acquire(id)).cluster.ready);
    sessions.push({ base: `${served.url}/clusters/${id}`, token });
  }
  await Promise.all(booted);
  await new Promise((resolve) => setTimeout(resolve, 5000));
  console.log(`${LEARNERS} learner clusters running; starting the scripted session`);
  const latencies: number[] = [];
  const byStep = new Map<string, number[]>();
  const failures: string[] = [];
  const step = async (
    session: { base: string; token: string },
    method: string,
    urlPath: string,
    body?: unknown,
    type?: string,
  ) => {
    const result = await call(session.base, session.token, method, urlPath, body, type);
    latencies.push(result.ms);
    const label = `${method} ${urlPath.replace(/\?.*/, "")}`;
    byStep.set(label, [...(byStep.get(label) ?? []), result.ms]);
    if (result.status >= 400 && result.status !== 404) failures.push(`${method} ${urlPath}: ${result.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
  };
  const started = performance.now();
  await Promise.all(
    sessions.map(async (session, index) => {
      await new Promise((resolve) => setTimeout(resolve, (index / LEARNERS) * 1000));
      await step(session, "GET", "/api/v1/nodes");
      await step(session, "GET", "/api/v1/namespaces/default/pods");
      await step(session, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 2));
      await step(session, "GET", "/apis/apps/v1/namespaces/default/deployments/web");
      await step(session, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");
      await step(
        session,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web/scale",
        { spec: { replicas: 3 } },
        "application/merge-patch+json",
      );
      await step(session, "POST", "/api/v1/namespaces/default/services", {
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      });
      await step(session, "GET", "/api/v1/namespaces/default/endpoints/web");
      await step(session, "GET", "/api/v1/namespaces/default/events");
      await step(session, "DELETE", "/apis/apps/v1/namespaces/default/deployments/web");
      await step(session, "GET", "/api/v1/namespaces/default/pods");
    }),
  );
  console.log(
    `${API_ONLY ? "[API server only] " : ""}${PLAIN_TIMERS ? "[Node's timers] " : "[timers in turns] "}${LEARNERS} learners × 11 requests in ${((performance.now() - started) / 1000).toFixed(1)} s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms  (target p99 ≤ 100 ms); ${failures.length} failures${failures.length ? ` (${failures.slice(0, 3).join("; ")})` : ""}`,
  );
  for (const [label, values] of byStep)
    console.log(`  ${label}: p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms`);
  await served.close();
  await host.close();
}

async function fairness(dataDir: string): Promise<void> {
  const configurations = [
    { limited: true, plain: false },
    { limited: false, plain: false },
    { limited: false, plain: true },
  ];
  for (const { limited, plain } of configurations) {
    const host = new ClusterHost({
      dataDir: path.join(dataDir, `${limited}-${plain}`),
      speed: "fast",
      idleMs: 24 * 3600_000,
      quotas: limited ? {} : { requestsPerSecond: 1e9, requestBurst: 1e9, objects: 1e9, storeBytes: 1e12 },
      clock: plain ? new RealClock() : undefined,
    });
    const served = await serveHost(host);
    const a = await host.create();
    const b = await host.create();
    await (await host.acquire(a.id)).cluster.ready;
    await (await host.acquire(b.id)).cluster.ready;
    // Let both clusters finish booting (system pods, CoreDNS) before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const quiet: number[] = [];
    for (let index = 0; index < 100; index++)
      quiet.push((await call(`${served.url}/clusters/${a.id}`, a.token, "GET", "/api/v1/namespaces/default")).ms);
    let flooding = true;
    let floodRequests = 0;
    const flood = Array.from({ length: 32 }, async (_, worker) => {
      for (let index = 0; flooding; index++) {
        await call(`${served.url}/clusters/${b.id}`, b.token, "POST", "/api/v1/namespaces/default/configmaps", {
          metadata: { name: `flood-${worker}-${index}` },
          data: { payload: "x".repeat(2000) },
        });
        floodRequests++;
      }
    });
    const latencies: number[] = [];
    const started = performance.now();
    while (performance.now() - started < 5000) {
      latencies.push((await call(`${served.url}/clusters/${a.id}`, a.token, "GET", "/api/v1/namespaces/default")).ms);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    flooding = false;
    await Promise.all(flood);
    console.log(
      `fairness (${limited ? "default quotas" : "no quotas"}, ${plain ? "Node's timers" : "timers in turns"}): cluster B flooded with ${floodRequests} creates (${latencies.length} samples) by 32 clients in 5 s; small GET in cluster A (quiet p99 ${percentile(quiet, 99).toFixed(1)} ms): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    await served.close();
    await host.close();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "kubelab-bench-hosting-"));
  try {
    const phases = process.argv.filter((arg) => ["many", "snapshot", "learners", "fairness"].includes(arg));
    const want = (phase: string) => phases.length === 0 || phases.includes(phase);
    if (want("snapshot")) await snapshotAndRestore(path.join(dataDir, "snapshot"));
    if (want("fairness")) await fairness(path.join(dataDir, "fairness"));
    if (want("learners")) await learners(path.join(dataDir, "learners"));
    if (want("many")) await manyClusters(path.join(dataDir, "many"));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
  }
}

await main();
process.exit(0);

/**
 * Hosting (issue 7's benchmark), each figure printed against its target:
 *
 * - `snapshot`: snapshot (save) and restore times of a lesson-sized cluster (restore target ≤ 100 ms),
 *   and the CPU a restore costs until every component runs again;
 * - `fairness`: a small request in cluster A while cluster B is flooded;
 * - `learners`: 200 simulated learners, each with a cluster of their own, running a scripted lesson
 *   session at once over HTTP with the requests kubectl sends (discovery, create a Deployment, get
 *   pods as a Table, watch the rollout, scale, delete): p50/p95/p99 of the small requests (target
 *   p99 ≤ 100 ms) and per step. The learners' clients run in a child process, so the server
 *   process's CPU is the host's alone;
 * - `many`: clusters created per second and heap per idle cluster (target ≤ 2 MB) with 1,000 clusters
 *   in one process.
 *
 * Every phase prints the CPU time it used (process.cpuUsage), which a shared machine does not inflate
 * the way it does wall time. Run: `node --expose-gc --import tsx bench/hosting.ts [snapshot]
 * [fairness] [learners] [many] [--clusters N] [--learners N] [--api-only] [--plain-timers] [--profile FILE]`.
 * `learners` also prints each step by the server's CPU time while its requests were open (sampled
 * every millisecond by a worker thread): on a machine shared with other work, wall times grow
 * with the load and this does not (it counts the server's helper threads too, garbage collection
 * and file writes, so on two cores it can exceed wall time). It also prints where the server's
 * part of each step's wall time goes (accept: in the listen queue; read; answer), the server's
 * garbage collection by kind and the event loop's long stretches.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { Session } from "node:inspector";
import { tmpdir } from "node:os";
import path from "node:path";
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
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
/** `--profile FILE`: a CPU profile of the server process during the learners' session (0.2 ms sampling). */
const PROFILE = process.argv.includes("--profile") ? process.argv[process.argv.indexOf("--profile") + 1] : undefined;

/**
 * Samples this process's CPU time every millisecond from a worker thread (whose event loop the
 * server's work does not hold up); the returned function stops it and answers, for a span of wall
 * time, the CPU time the process used during it. On a machine shared with other work a request's
 * wall time grows with the machine's load; the server's CPU time during it is what the request
 * waited behind in the server itself (its latency when the server has a core to itself).
 */
function cpuTimeline(): () => Promise<(from: number, to: number) => number> {
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const samples = [];
     const sample = () => { const used = process.cpuUsage(); samples.push(performance.timeOrigin + performance.now(), (used.user + used.system) / 1000); };
     const timer = setInterval(sample, 1);
     parentPort.once("message", () => { clearInterval(timer); sample(); parentPort.postMessage(samples); });`,
    { eval: true },
  );
  return async () => {
    const samples = await new Promise<number[]>((resolve) => {
      worker.once("message", resolve);
      worker.postMessage("stop");
    });
    await worker.terminate();
    /** CPU milliseconds used up to wall time `at`, interpolated between samples. */
    const cpuAt = (at: number): number => {
      let low = 0;
      let high = samples.length / 2 - 1;
      if (high < 0) return 0;
      if (at <= samples[0]) return samples[1];
      if (at >= samples[high * 2]) return samples[high * 2 + 1];
      while (high - low > 1) {
        const middle = (low + high) >> 1;
        if (samples[middle * 2] <= at) low = middle;
        else high = middle;
      }
      const [t0, c0, t1, c1] = [samples[low * 2], samples[low * 2 + 1], samples[high * 2], samples[high * 2 + 1]];
      return c0 + ((c1 - c0) * (at - t0)) / Math.max(t1 - t0, 1e-9);
    };
    return (from, to) => cpuAt(to) - cpuAt(from);
  };
}

/**
 * Where the server's share of each request's wall time goes, from the bench's headers
 * (`X-Bench-Start`: when the client sent it, `X-Bench-Step`): `accept` from the client's start to
 * the server's `connection` event (a new connection waiting in the listen queue), `read` from there
 * (or the start, on a kept-alive connection) to the parsed request, `answer` from there to the
 * response's headers written (a watch) or its end.
 */
function serverSideTimeline(server: import("node:http").Server): () => Record<string, Record<string, number[]>> {
  const acceptedAt = new WeakMap<object, number>();
  const now = () => performance.timeOrigin + performance.now();
  const byStep: Record<string, Record<string, number[]>> = {};
  const note = (step: string, part: string, ms: number) => {
    byStep[step] ??= {};
    byStep[step][part] ??= [];
    byStep[step][part].push(ms);
  };
  const onConnection = (socket: object) => acceptedAt.set(socket, now());
  const onRequest = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
    const step = request.headers["x-bench-step"];
    const start = Number(request.headers["x-bench-start"]);
    if (typeof step !== "string" || !start) return;
    const parsed = now();
    const accepted = acceptedAt.get(request.socket);
    acceptedAt.delete(request.socket);
    if (accepted !== undefined) note(step, "accept", accepted - start);
    note(step, "read", parsed - Math.max(accepted ?? start, start));
    const done = () => note(step, "answer", now() - parsed);
    if (step.endsWith("watch established")) {
      const writeHead = response.writeHead;
      response.writeHead = function (this: typeof response, ...args: Parameters<typeof writeHead>) {
        done();
        return writeHead.apply(this, args);
      } as typeof writeHead;
    } else response.once("finish", done);
  };
  server.prependListener("connection", onConnection);
  server.prependListener("request", onRequest);
  return () => {
    server.off("connection", onConnection);
    server.off("request", onRequest);
    return byStep;
  };
}

/**
 * The event loop's stretches without a timers phase, from a 1 ms timer chain: a request that
 * arrives during a stretch waits for the rest of it. Answers every stretch over 2 ms as
 * [start, end] in ms of `performance.now()`.
 */
function loopStretches(): () => Array<[number, number]> {
  const stretches: Array<[number, number]> = [];
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    if (now - last > 2) stretches.push([last, now]);
    last = now;
    timer = setTimeout(tick, 1);
  };
  timer = setTimeout(tick, 1);
  return () => {
    clearTimeout(timer);
    return stretches;
  };
}

/** Starts the in-process CPU profiler; the returned function stops it and writes the profile to a file. */
function startProfile(): (file: string) => void {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 200 });
  session.post("Profiler.start");
  return (file) => {
    // The in-process inspector answers synchronously.
    session.post("Profiler.stop", (error, result) => {
      if (error) throw error;
      writeFileSync(file, JSON.stringify(result.profile));
    });
    session.disconnect();
  };
}

/**
 * Counts the garbage collections of this process (perf_hooks `gc` entries) by kind; the returned
 * function stops counting and answers count and total pause (ms) per kind.
 */
function gcTimeline(): () => Record<string, { count: number; ms: number; over10: number }> {
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
    [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-compact",
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental marking",
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
  };
  const totals: Record<string, { count: number; ms: number; over10: number }> = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? "other";
      totals[kind] ??= { count: 0, ms: 0, over10: 0 };
      totals[kind].count++;
      totals[kind].ms += entry.duration;
      if (entry.duration > 10) totals[kind].over10++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return () => {
    observer.disconnect();
    return totals;
  };
}

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU milliseconds (user + system) of this process since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** `value unit (target …: met/NOT met)`. */
function against(value: number, target: number, unit = "ms"): string {
  return `(target ≤ ${target} ${unit}: ${value <= target ? "met" : "NOT met"})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the clusters' stores have stopped changing and no timer callback has waited for
 * its turn for `quietMs` (every component booted and settled), or after `timeoutMs`; returns how
 * long that took.
 */
async function settled(host: ClusterHost, ids: string[], quietMs = 1000, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  const total = () => ids.reduce((sum, id) => sum + (host.engineOf(id)?.store.revision ?? 0), 0);
  let last = total();
  let quietSince = performance.now();
  while (performance.now() - started < timeoutMs) {
    await sleep(100);
    const now = total();
    if (now !== last || host.waitingTurns > 0) {
      last = now;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= quietMs) break;
  }
  return performance.now() - started - quietMs;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

interface Answer {
  status: number;
  ms: number;
  /** When the request started (performance.timeOrigin + performance.now(): comparable across processes). */
  at: number;
  text: string;
}

/** One request; a kept-alive socket the server closed meanwhile is retried once on a new one. */
async function call(
  base: string,
  token: string,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
  via = agent,
): Promise<Answer> {
  try {
    return await callOnce(base, token, method, urlPath, body, headers, via);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") throw error;
    return callOnce(base, token, method, urlPath, body, headers, via);
  }
}

function callOnce(
  base: string,
  token: string,
  method: string,
  urlPath: string,
  body: unknown,
  headers: Record<string, string>,
  via: Agent,
): Promise<Answer> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${urlPath}`,
      {
        method,
        agent: via,
        headers: {
          Authorization: `Bearer ${token}`,
          "User-Agent": "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
          "X-Bench-Start": String(performance.timeOrigin + started),
          Accept: "application/json",
          ...(payload ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            ms: performance.now() - started,
            at: performance.timeOrigin + started,
            text,
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

/**
 * A watch as `kubectl rollout status` opens it: answers the time to the response headers (the
 * watch is established) and, once `done` accepts an event's object, the time to that event.
 */
function watchUntil(
  base: string,
  token: string,
  urlPath: string,
  done: (object: Record<string, unknown>) => boolean,
  step: string,
  timeoutMs = 240_000,
): Promise<{ status: number; at: number; headersMs: number; doneMs: number; failure?: string }> {
  const started = performance.now();
  const at = performance.timeOrigin + started;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${urlPath}`,
      {
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          "X-Bench-Start": String(at),
          "X-Bench-Step": step,
        },
      },
      (response) => {
        const headersMs = performance.now() - started;
        if (response.statusCode !== 200) {
          response.resume();
          resolve({ status: response.statusCode ?? 0, at, headersMs, doneMs: Number.NaN });
          return;
        }
        let buffered = "";
        let settled = false;
        const fail = (failure: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          outgoing.destroy();
          resolve({ status: 200, at, headersMs, doneMs: Number.NaN, failure });
        };
        const timer = setTimeout(() => fail(`no matching event in ${timeoutMs} ms`), timeoutMs);
        response.on("end", () => fail("the watch ended before a matching event"));
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffered += chunk;
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            newline = buffered.indexOf("\n");
            if (!line.trim()) continue;
            const event = JSON.parse(line) as { object: Record<string, unknown> };
            if (!settled && done(event.object)) {
              settled = true;
              clearTimeout(timer);
              resolve({ status: 200, at, headersMs, doneMs: performance.now() - started });
              outgoing.destroy();
              return;
            }
          }
        });
        response.on("error", () => undefined);
      },
    );
    outgoing.on("error", (error) => {
      if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
    });
    outgoing.end();
  });
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] },
    },
  },
});

// ---------------------------------------------------------------------------------------------
// learners: the scripted session, run by a child process (`client` mode)

const DISCOVERY_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const TABLE_ACCEPT =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

interface SessionResult {
  /** Step name → latencies (ms) of its small requests. */
  small: Record<string, number[]>;
  /** Step name → [start, end] of its small requests, in ms since the epoch (performance.timeOrigin based). */
  spans: Record<string, Array<[number, number]>>;
  /** Step name → how long the step took (a rollout watched to its end). */
  phases: Record<string, number[]>;
  failures: string[];
  cpuMs: number;
  seconds: number;
}

/** A Deployment's rollout is complete (as `kubectl rollout status` decides it). */
function rolledOut(replicas: number) {
  return (object: Record<string, unknown>) => {
    const metadata = object.metadata as { generation?: number };
    const status = object.status as
      | { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number; replicas?: number }
      | undefined;
    return (
      (status?.observedGeneration ?? 0) >= (metadata.generation ?? 1) &&
      status?.updatedReplicas === replicas &&
      status.availableReplicas === replicas &&
      status.replicas === replicas
    );
  };
}

async function runSessions(sessions: Array<{ base: string; token: string }>): Promise<SessionResult> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result: SessionResult = { small: {}, spans: {}, phases: {}, failures: [], cpuMs: 0, seconds: 0 };
  const note = (into: Record<string, number[]>, label: string, ms: number) => {
    into[label] ??= [];
    into[label].push(ms);
  };
  const span = (label: string, at: number, ms: number) => {
    result.spans[label] ??= [];
    result.spans[label].push([at, at + ms]);
  };
  const think = () => sleep(300 + Math.random() * 700);
  const deployments = "/apis/apps/v1/namespaces/default/deployments";
  const pods = "/api/v1/namespaces/default/pods?limit=500";
  await Promise.all(
    sessions.map(async ({ base, token }, index) => {
      const step = async (label: string, method: string, urlPath: string, body?: unknown, headers = {}) => {
        const answer = await call(base, token, method, urlPath, body, { ...headers, "X-Bench-Step": label });
        note(result.small, label, answer.ms);
        span(label, answer.at, answer.ms);
        if (answer.status >= 400) result.failures.push(`${label}: ${answer.status} ${answer.text.slice(0, 120)}`);
        return answer;
      };
      const rollout = async (label: string, replicas: number) => {
        const list = await step(`${label}: list`, "GET", `${deployments}?fieldSelector=metadata.name%3Dweb&limit=500`);
        const resourceVersion = (JSON.parse(list.text) as { metadata?: { resourceVersion?: string } }).metadata
          ?.resourceVersion;
        const listed = (JSON.parse(list.text) as { items?: Array<Record<string, unknown>> }).items?.[0];
        if (listed && rolledOut(replicas)(listed)) {
          note(result.phases, label, list.ms);
          return;
        }
        const watched = await watchUntil(
          base,
          token,
          `${deployments}?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${resourceVersion}&timeoutSeconds=300&watch=true`,
          rolledOut(replicas),
          `${label}: watch established`,
        );
        note(result.small, `${label}: watch established`, watched.headersMs);
        span(`${label}: watch established`, watched.at, watched.headersMs);
        if (watched.status !== 200) result.failures.push(`${label}: watch ${watched.status}`);
        else if (watched.failure) result.failures.push(`${label}: ${watched.failure}`);
        else note(result.phases, label, list.ms + watched.doneMs);
      };
      // Learners arrive over the first 2 s.
      await sleep((index / sessions.length) * 2000);
      // kubectl's first command: aggregated discovery (then cached in ~/.kube/cache).
      await step("discovery /api", "GET", "/api", undefined, { Accept: DISCOVERY_ACCEPT });
      await step("discovery /apis", "GET", "/apis", undefined, { Accept: DISCOVERY_ACCEPT });
      await think();
      // kubectl create deployment web --image=nginx:1.27 --replicas=2
      await step(
        "create deployment",
        "POST",
        `${deployments}?fieldManager=kubectl-create&fieldValidation=Strict`,
        deployment("web", 2),
      );
      await think();
      // kubectl get pods
      await step("get pods (Table)", "GET", pods, undefined, { Accept: TABLE_ACCEPT });
      // kubectl rollout status deployment/web
      await rollout("rollout to 2 replicas", 2);
      await think();
      // kubectl scale deployment web --replicas=3
      await step(
        "scale",
        "PATCH",
        `${deployments}/web/scale?fieldManager=kubectl-scale`,
        { spec: { replicas: 3 } },
        { "Content-Type": "application/merge-patch+json" },
      );
      await think();
      await rollout("rollout to 3 replicas", 3);
      await step("get pods (Table)", "GET", pods, undefined, { Accept: TABLE_ACCEPT });
      await think();
      // kubectl delete deployment web
      await step("delete deployment", "DELETE", `${deployments}/web`, { propagationPolicy: "Background" });
      await think();
      await step("get pods (Table)", "GET", pods, undefined, { Accept: TABLE_ACCEPT });
    }),
  );
  result.cpuMs = cpuMs(cpu);
  result.seconds = (performance.now() - started) / 1000;
  return result;
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
  let cpu = process.cpuUsage();
  let started = performance.now();
  await host.prepareTemplate();
  console.log(
    `template for new clusters: ${((performance.now() - started) / 1000).toFixed(1)} s, ${cpuMs(cpu).toFixed(0)} ms CPU (once per host)`,
  );
  const sessions: Array<{ base: string; token: string }> = [];
  const ids: string[] = [];
  cpu = process.cpuUsage();
  started = performance.now();
  for (let index = 0; index < LEARNERS; index++) {
    const { id, token } = await host.create();
    await host.acquire(id);
    ids.push(id);
    sessions.push({ base: `${served.url}/clusters/${id}`, token });
  }
  const createdCpu = cpuMs(cpu);
  const createdSeconds = (performance.now() - started) / 1000;
  await Promise.all(ids.map((id) => host.engineOf(id)?.ready));
  await settled(host, ids);
  const runningSeconds = (performance.now() - started - 1000) / 1000;
  const bootCpu = cpuMs(cpu);
  console.log(
    `${LEARNERS} learner clusters: serving their API after ${createdSeconds.toFixed(1)} s (${(createdCpu / LEARNERS).toFixed(1)} ms CPU each), every component running and settled after ${runningSeconds.toFixed(1)} s (${(bootCpu / LEARNERS).toFixed(1)} ms CPU each)`,
  );
  // The learners' clients run in a child process: their CPU is not the server's.
  cpu = process.cpuUsage();
  const utilization = performance.eventLoopUtilization();
  const turnsBefore = host.turnsForConnections;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const profile = PROFILE ? startProfile() : undefined;
  const timeline = cpuTimeline();
  const collections = gcTimeline();
  const serverSide = serverSideTimeline(served.server);
  const stretchesOf = loopStretches();
  const sessionStart = performance.now();
  const result = (await runChild("client", sessions)) as SessionResult;
  const sessionMs = performance.now() - sessionStart;
  const stretches = stretchesOf();
  const parts = serverSide();
  const cpuDuring = await timeline();
  const gcTotals = collections();
  const serverCpu = cpuMs(cpu);
  const loop = performance.eventLoopUtilization(utilization);
  delay.disable();
  if (profile && PROFILE) profile(PROFILE);
  const all = Object.values(result.small).flat();
  const p99 = percentile(all, 99);
  const label = `${API_ONLY ? "[API server only] " : ""}${PLAIN_TIMERS ? "[Node's timers] " : ""}`;
  console.log(
    `${label}${LEARNERS} learners, scripted session (${all.length} small requests, ${result.failures.length} failures) in ${result.seconds.toFixed(1)} s: p50 ${percentile(all, 50).toFixed(1)} ms, p95 ${percentile(all, 95).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...all).toFixed(1)} ms ${against(p99, 100)}`,
  );
  console.log(
    `  server process: ${(serverCpu / 1000).toFixed(1)} s CPU over the session, ${(serverCpu / LEARNERS).toFixed(0)} ms per learner (${((serverCpu / 1000 / result.seconds) * 100).toFixed(0)}% of one core; event loop ${(loop.utilization * 100).toFixed(0)}% busy); the clients' process: ${(result.cpuMs / 1000).toFixed(1)} s CPU`,
  );
  console.log(
    `  server event loop delay (a timer's lateness, 5 ms resolution): p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms; turns left to new connections: ${host.turnsForConnections - turnsBefore}`,
  );
  const gcMs = Object.values(gcTotals).reduce((sum, { ms }) => sum + ms, 0);
  console.log(
    `  server garbage collection: ${(gcMs / 1000).toFixed(2)} s of pauses on the main thread (${((gcMs / serverCpu) * 100).toFixed(0)}% of the server's CPU): ${Object.entries(
      gcTotals,
    )
      .map(([kind, { count, ms, over10 }]) => `${kind} ${count}× ${(ms / 1000).toFixed(2)} s (${over10} over 10 ms)`)
      .join(", ")}`,
  );
  {
    // A request arriving at a random moment waits for the rest of the stretch it arrives in.
    const lengths = stretches.map(([from, to]) => to - from).sort((a, b) => b - a);
    const over = (ms: number) => lengths.filter((length) => length > ms).reduce((sum, length) => sum + length, 0);
    console.log(
      `  server event loop stretches without a timers phase: ${lengths.length} over 2 ms, longest ${lengths
        .slice(0, 5)
        .map((ms) => ms.toFixed(0))
        .join(
          ", ",
        )} ms; share of the session's wall time in stretches over 20 / 50 / 100 ms: ${[20, 50, 100].map((ms) => `${((over(ms) / sessionMs) * 100).toFixed(1)}%`).join(" / ")}`,
    );
    if (PROFILE) {
      // For reading the profile: profile timestamps are µs of the same monotonic clock as hrtime.
      const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
      writeFileSync(
        `${PROFILE}.stretches.json`,
        JSON.stringify(
          stretches.filter(([from, to]) => to - from > 20).map(([from, to]) => [from + offset, to + offset]),
        ),
      );
    }
  }
  const cpuOf = (spans: Array<[number, number]>) => spans.map(([from, to]) => cpuDuring(from, to));
  const allCpu = cpuOf(Object.values(result.spans).flat());
  const cpuP99 = percentile(allCpu, 99);
  console.log(
    `  the same requests by the server's CPU time while each was open (its latency with a core of its own; the machine's load does not inflate it): p50 ${percentile(allCpu, 50).toFixed(1)} ms, p95 ${percentile(allCpu, 95).toFixed(1)} ms, p99 ${cpuP99.toFixed(1)} ms ${against(cpuP99, 100)}`,
  );
  const row = (values: number[]) =>
    [50, 95, 99].map((p) => `p${p} ${percentile(values, p).toFixed(1).padStart(7)}`).join("  ");
  console.log(`  ${"step".padEnd(38)} ${"wall time (ms)".padEnd(40)} server CPU while open (ms)`);
  for (const [step, values] of Object.entries(result.small))
    console.log(`  ${step.padEnd(38)} ${row(values).padEnd(40)} ${row(cpuOf(result.spans[step] ?? []))}`);
  console.log(
    `  ${"step: server side, wall (ms)".padEnd(38)} ${"accept (new connections)".padEnd(26)} ${"read".padEnd(26)} answer`,
  );
  const short = (values: number[] | undefined) =>
    values?.length ? [50, 99].map((p) => `p${p} ${percentile(values, p).toFixed(1).padStart(7)}`).join(" ") : "";
  for (const [step, { accept, read, answer }] of Object.entries(parts))
    console.log(`  ${step.padEnd(38)} ${short(accept).padEnd(26)} ${short(read).padEnd(26)} ${short(answer)}`);
  for (const [step, values] of Object.entries(result.phases))
    console.log(
      `  ${`${step} (whole step)`.padEnd(38)} p50 ${percentile(values, 50).toFixed(0).padStart(7)} ms  p95 ${percentile(values, 95).toFixed(0).padStart(7)} ms  p99 ${percentile(values, 99).toFixed(0).padStart(7)} ms`,
    );
  if (result.failures.length) console.log(`  failures: ${result.failures.slice(0, 5).join("; ")}`);
  await served.close();
  await host.close();
}

// ---------------------------------------------------------------------------------------------

async function manyClusters(dataDir: string): Promise<void> {
  const host = new ClusterHost({ dataDir, speed: "fast", idleMs: 24 * 3600_000 });
  await host.prepareTemplate();
  const before = heapMb();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const ids: string[] = [];
  for (let index = 0; index < CLUSTERS; index++) {
    const { id } = await host.create();
    await host.acquire(id);
    ids.push(id);
    if ((index + 1) % 250 === 0)
      console.log(
        `  ${index + 1} clusters serving after ${((performance.now() - started) / 1000).toFixed(1)} s, heap ${heapMb().toFixed(0)} MB`,
      );
  }
  const servingSeconds = (performance.now() - started) / 1000;
  const servingCpu = cpuMs(cpu);
  console.log(
    `clusters created (serving their API): ${(CLUSTERS / servingSeconds).toFixed(0)} per second, ${(servingCpu / CLUSTERS).toFixed(1)} ms CPU each (${CLUSTERS} in ${servingSeconds.toFixed(1)} s)`,
  );
  await Promise.all(ids.map((id) => host.engineOf(id)?.ready));
  await settled(host, ids);
  const bootSeconds = (performance.now() - started) / 1000 - 1;
  const bootCpu = cpuMs(cpu);
  console.log(
    `clusters created and fully running (every component started and settled): ${(CLUSTERS / bootSeconds).toFixed(1)} per second, ${(bootCpu / CLUSTERS).toFixed(1)} ms CPU each (${bootSeconds.toFixed(1)} s)`,
  );
  const idleCpu = process.cpuUsage();
  await sleep(3000);
  // Taken before the forced garbage collections of heapMb, which take seconds of CPU on this heap.
  const idle = cpuMs(idleCpu);
  const running = heapMb();
  const perCluster = (running - before) / CLUSTERS;
  console.log(
    `heap per running idle cluster (every component): ${perCluster.toFixed(2)} MB ${against(perCluster, 2, "MB")}; CPU of ${CLUSTERS} idle clusters over 3 s: ${idle.toFixed(0)} ms`,
  );
  const hibernateStart = performance.now();
  for (const id of ids) await host.hibernate(id);
  console.log(`hibernated ${CLUSTERS} clusters in ${((performance.now() - hibernateStart) / 1000).toFixed(1)} s`);
  const asleep = heapMb();
  console.log(`heap per hibernated cluster: ${(((asleep - before) * 1024) / CLUSTERS).toFixed(1)} kB`);
  await host.close();
}

// ---------------------------------------------------------------------------------------------

async function snapshotAndRestore(dataDir: string): Promise<void> {
  for (const components of [undefined, [] as string[]])
    await snapshotAndRestoreWith(path.join(dataDir, String(!components)), components);
}

async function snapshotAndRestoreWith(dataDir: string, components: string[] | undefined): Promise<void> {
  console.log(components ? "API server only (no scheduler, controllers, kubelets):" : "every component:");
  const host = new ClusterHost({ dataDir, speed: "fast", idleMs: 24 * 3600_000, components });
  const served = await serveHost(host);
  await host.prepareTemplate();
  const { id, token } = await host.create();
  await (await host.acquire(id)).cluster.ready;
  const base = `${served.url}/clusters/${id}`;
  await call(base, token, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 3));
  for (let index = 0; index < 10; index++)
    await call(base, token, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `config-${index}` } });
  await settled(host, [id]);
  const saves: number[] = [];
  const restores: number[] = [];
  const restoreCpu: number[] = [];
  const seconds: number[] = [];
  const running: number[] = [];
  const runningCpu: number[] = [];
  for (let round = 0; round < 10; round++) {
    await call(base, token, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: `round-${round}` } });
    let started = performance.now();
    await host.persist(id);
    saves.push(performance.now() - started);
    await host.hibernate(id);
    // Restore on demand, timed by a client in another process (as a learner's kubectl is, so the
    // server's work after answering does not delay reading the answer): the first request after
    // hibernation, then the learner's next request sent at once (it meets the components booting).
    const cpu = process.cpuUsage();
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
    restoreCpu.push(cpuMs(cpu));
    const answers = curl.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" "));
    if (answers[0]?.[0] !== "200") throw new Error(`restore failed: ${curl.stdout} ${curl.stderr}`);
    restores.push(Number(answers[0][1]) * 1000);
    seconds.push(Number(answers[1]?.[1]) * 1000);
    // … and every component running again (kubelets have their pods back), the store quiet.
    await host.engineOf(id)?.ready;
    await settled(host, [id], 500);
    running.push(performance.now() - started - 500);
    runningCpu.push(cpuMs(cpu));
  }
  const engine = host.engineOf(id);
  console.log(
    `  lesson-sized cluster: ${engine?.store.keyCount} keys, snapshot ${((engine?.store.snapshot().byteLength ?? 0) / 1024) | 0} kB`,
  );
  console.log(
    `  snapshot (save to disk, fsync): median ${percentile(saves, 50).toFixed(1)} ms, max ${Math.max(...saves).toFixed(1)} ms`,
  );
  const restore = percentile(restores, 50);
  console.log(
    `  restore on demand (hibernated → first answer over HTTP): median ${restore.toFixed(1)} ms, max ${Math.max(...restores).toFixed(1)} ms ${against(restore, 100)}; server CPU to that answer and the next: median ${percentile(restoreCpu, 50).toFixed(1)} ms`,
  );
  console.log(
    `  the next request right after: median ${percentile(seconds, 50).toFixed(1)} ms, max ${Math.max(...seconds).toFixed(1)} ms`,
  );
  console.log(
    `  restore to fully running (every component started, store quiet): median ${percentile(running, 50).toFixed(0)} ms, server CPU median ${percentile(runningCpu, 50).toFixed(0)} ms ${against(percentile(runningCpu, 50), 100, "ms of CPU")}`,
  );
  await served.close();
  await host.close();
}

// ---------------------------------------------------------------------------------------------

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
    await host.prepareTemplate();
    const a = await host.create();
    const b = await host.create();
    await (await host.acquire(a.id)).cluster.ready;
    await (await host.acquire(b.id)).cluster.ready;
    await settled(host, [a.id, b.id]);
    // The clients run in a child process, so the flood's clients cannot starve the sampling one
    // inside the server's own event loop.
    const result = (await runChild("flood", {
      a: { base: `${served.url}/clusters/${a.id}`, token: a.token },
      b: { base: `${served.url}/clusters/${b.id}`, token: b.token },
    })) as FloodResult;
    console.log(
      `fairness (${limited ? "default quotas" : "no quotas"}, ${plain ? "Node's timers" : "timers in turns"}): cluster B flooded by 32 clients for 5 s (${result.created} creates, ${result.refused} refused with 429); small GET in cluster A (quiet p99 ${percentile(result.quiet, 99).toFixed(1)} ms): ${result.latencies.length} samples, p50 ${percentile(result.latencies, 50).toFixed(1)} ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms ${against(percentile(result.latencies, 99), 100)}`,
    );
    await served.close();
    await host.close();
  }
}

interface FloodResult {
  quiet: number[];
  latencies: number[];
  created: number;
  refused: number;
}

type Learner = { base: string; token: string };

/** Cluster B flooded by 32 clients for 5 s while one client samples a small GET in cluster A. */
async function flood({ a, b }: { a: Learner; b: Learner }): Promise<FloodResult> {
  const result: FloodResult = { quiet: [], latencies: [], created: 0, refused: 0 };
  // The sampling learner keeps a connection of its own, as a separate kubectl would.
  const own = new Agent({ keepAlive: true, maxSockets: 1 });
  const sample = async () => (await call(a.base, a.token, "GET", "/api/v1/namespaces/default", undefined, {}, own)).ms;
  for (let index = 0; index < 100; index++) result.quiet.push(await sample());
  let flooding = true;
  const workers = Array.from({ length: 32 }, async (_, worker) => {
    for (let index = 0; flooding; index++) {
      const answer = await call(b.base, b.token, "POST", "/api/v1/namespaces/default/configmaps", {
        metadata: { name: `flood-${worker}-${index}` },
        data: { payload: "x".repeat(2000) },
      });
      if (answer.status === 201) result.created++;
      else if (answer.status === 429) result.refused++;
    }
  });
  const started = performance.now();
  while (performance.now() - started < 5000) {
    result.latencies.push(await sample());
    await sleep(10);
  }
  flooding = false;
  await Promise.all(workers);
  own.destroy();
  return result;
}

/** Runs this file in `mode` in a child process with `input` on its stdin; answers its JSON output. */
async function runChild(mode: string, input: unknown): Promise<unknown> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), mode], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin.end(JSON.stringify(input));
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`the ${mode} client process failed (exit ${code})`);
  return JSON.parse(output);
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === "client" || mode === "flood") {
    let input = "";
    process.stdin.setEncoding("utf8");
    for await (const chunk of process.stdin) input += chunk;
    const result = mode === "client" ? await runSessions(JSON.parse(input)) : await flood(JSON.parse(input));
    process.stdout.write(JSON.stringify(result));
    agent.destroy();
    return;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "kubelab-bench-hosting-"));
  // The engine's timers never keep a process alive on their own: this does, until the end.
  const keepAlive = setInterval(() => {}, 60_000);
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const phases = process.argv.filter((arg) => ["many", "snapshot", "learners", "fairness"].includes(arg));
    const want = (phase: string) => phases.length === 0 || phases.includes(phase);
    for (const phase of ["snapshot", "fairness", "learners", "many"]) {
      if (!want(phase)) continue;
      const phaseCpu = process.cpuUsage();
      const phaseStarted = performance.now();
      console.log(`--- ${phase}`);
      if (phase === "snapshot") await snapshotAndRestore(path.join(dataDir, "snapshot"));
      if (phase === "fairness") await fairness(path.join(dataDir, "fairness"));
      if (phase === "learners") await learners(path.join(dataDir, "learners"));
      if (phase === "many") await manyClusters(path.join(dataDir, "many"));
      console.log(
        `--- ${phase}: ${((performance.now() - phaseStarted) / 1000).toFixed(1)} s, ${(cpuMs(phaseCpu) / 1000).toFixed(1)} s CPU`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
    clearInterval(keepAlive);
  }
  console.log(
    `hosting bench: ${((performance.now() - started) / 1000).toFixed(1)} s, ${(cpuMs(cpu) / 1000).toFixed(1)} s CPU in this process`,
  );
}

await main();
process.exit(0);

/**
 * The API server's HTTP surface (issue 3's benchmark): GET and LIST (100 pods) latency through
 * HTTP, each against a bare node:http server answering the same bytes (target: within 2×), and
 * watch fan-out to 1,000 HTTP watchers, against a bare server writing the same event line to
 * 1,000 open responses. Run: `npx tsx bench/apiserver.ts [--requests 2000] [--watchers 1000]`.
 *
 * Both servers are plain HTTP on 127.0.0.1 with a keep-alive client, so the difference is the
 * handler's own cost (routing, authentication, the registry read, encoding), not TLS.
 *
 * First, the write path (issue 5: a pod costs ~10 API writes, and 150,000 pods' writes are most of
 * the scale benchmark's CPU): a small cluster (`--write-nodes 5 --write-pods 200`) is run on a
 * virtual clock while every request its components send is recorded (with the random numbers the
 * API server drew for it); then the recording is replayed against fresh API servers over the same
 * starting store, with watches like the components' open, and the CPU per request is measured
 * (process.cpuUsage, so a loaded machine inflates it less than wall time), by kind of request,
 * next to a baseline measured in the same run: a JSON parse and stringify of each request's body.
 * Only the write path: `--only writes`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Deployments, Pods } from "../engine/api/resources";
import type { KubeObject, WatchEvent } from "../engine/api/types";
import { createApiServer } from "../engine/apiserver/ApiServer";
import { httpApiServerOf } from "../engine/apiserver/http/adapter";
import { createHttpHandler } from "../engine/apiserver/http/createHttpHandler";
import type { ResourceRequest } from "../engine/apiserver/ResourceRequest";
import { schemaComponents } from "../engine/apiserver/resources/schema/schemas";
import { RealClock } from "../engine/clock/RealClock";
import { VirtualClock } from "../engine/clock/VirtualClock";
import { builtinResourceDefinitions } from "../engine/cluster/builtinResources";
import { createCluster } from "../engine/cluster/createCluster";
import { bearerTokenAuthenticator, serveRequest } from "../engine/host/standalone/serveHttp";
import { KeyValueStore } from "../engine/store/KeyValueStore";

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const TOKEN = "bench-token";

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function request(agent: http.Agent, port: number, path: string, headers: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${TOKEN}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on("error", reject);
  });
}

async function latency(label: string, count: number, run: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, count); i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const p50 = samples[Math.floor(samples.length * 0.5)];
  const p99 = samples[Math.floor(samples.length * 0.99)];
  return { label, mean, p50, p99 };
}

function format(result: { label: string; mean: number; p50: number; p99: number }) {
  return `${result.label.padEnd(34)} mean ${result.mean.toFixed(3)} ms  p50 ${result.p50.toFixed(3)} ms  p99 ${result.p99.toFixed(3)} ms`;
}

interface Recorded {
  at: number;
  request: ResourceRequest;
  random: number[];
}

/** A deterministic random source, so two recordings of the same size are the same. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/**
 * Runs a cluster of `nodes` nodes to `pods` Ready pods of one Deployment, then rolls it to another
 * image and scales it to half, recording every request the API server executes after boot.
 */
async function recordCluster(nodes: number, pods: number): Promise<{ snapshot: Uint8Array; records: Recorded[] }> {
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, speed: "fast", nodes: nodes - 1, random: seeded(5) });
  const client = cluster.client();
  await cluster.ready;
  await clock.advance(30_000);
  const snapshot = cluster.store.snapshot();
  // The recording hooks the API server's entry point and its random source (uids, generated names).
  const core = cluster.apiServer as unknown as {
    execute: (request: ResourceRequest) => unknown;
    random: () => number;
  };
  const records: Recorded[] = [];
  const active: Recorded[] = [];
  const random = core.random;
  core.random = () => {
    const value = random();
    active[active.length - 1]?.random.push(value);
    return value;
  };
  const execute = core.execute.bind(core);
  core.execute = (request) => {
    const record = { at: clock.now(), request: JSON.parse(JSON.stringify(request)), random: [] };
    records.push(record);
    active.push(record);
    try {
      return execute(request);
    } finally {
      active.pop();
    }
  };
  const ready = new Map<string, string>();
  const stop = client.watch(Pods, "default", {}, (event: WatchEvent) => {
    const pod = event.object as KubeObject & { spec: { containers: Array<{ image: string }> } };
    const name = pod.metadata.name ?? "";
    const isReady = (
      pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined
    )?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True");
    if (event.type === "DELETED") ready.delete(name);
    else ready.set(name, isReady ? pod.spec.containers[0].image : "");
  });
  const count = (image: string) => [...ready.values()].filter((value) => value === image).length;
  const until = async (done: () => boolean) => {
    for (let step = 0; step < 2000 && !done(); step++) await clock.advance(500);
  };
  const template = (image: string) => ({
    metadata: { labels: { app: "bench" } },
    spec: { containers: [{ name: "c", image, resources: { requests: { cpu: "1m", memory: "1Mi" } } }] },
  });
  await client.create(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "bench", namespace: "default" },
    spec: {
      replicas: pods,
      selector: { matchLabels: { app: "bench" } },
      template: template("registry.k8s.io/pause:3.10"),
    },
  } as KubeObject);
  await until(() => count("registry.k8s.io/pause:3.10") === pods);
  await client.patch(Deployments, "default", "bench", "strategic", {
    spec: { template: { spec: { containers: [{ name: "c", image: "registry.k8s.io/pause:3.9" }] } } },
  });
  await until(() => count("registry.k8s.io/pause:3.9") === pods && ready.size === pods);
  await client.patch(Deployments, "default", "bench", "merge", { spec: { replicas: Math.floor(pods / 2) } });
  await until(() => ready.size === Math.floor(pods / 2));
  await clock.advance(60_000);
  stop();
  cluster.stop();
  return { snapshot, records };
}

/** Replays a recording against a fresh API server; returns the CPU (µs) of each request. */
function replay(snapshot: Uint8Array, records: Recorded[]): { perRequest: number[]; total: number; events: number } {
  let now = records[0]?.at ?? 0;
  let drawn: number[] = [];
  const fallback = seeded(9);
  const clock = { now: () => now, setTimer: () => () => {} };
  const store = new KeyValueStore();
  store.restore(snapshot);
  const apiServer = createApiServer({
    clock,
    store,
    resources: builtinResourceDefinitions,
    random: () => drawn.shift() ?? fallback(),
    log: () => {},
  });
  // Watches like the components': informers of pods, nodes, events, workloads; one pod watch per node.
  let events = 0;
  const user = { username: "system:kube-controller-manager", groups: ["system:authenticated"] };
  const watch = (group: string, resource: string, version: string, fieldSelector?: string) =>
    apiServer.watch({ verb: "watch", gvr: { group, version, resource }, options: { fieldSelector }, user }, () => {
      events++;
    });
  const nodes = new Set(records.filter((record) => record.request.gvr.resource === "nodes").map((r) => r.request.name));
  for (const [group, resource, version] of [
    ["", "pods", "v1"],
    ["", "pods", "v1"],
    ["", "nodes", "v1"],
    ["", "events", "v1"],
    ["apps", "replicasets", "v1"],
    ["apps", "deployments", "v1"],
    ["discovery.k8s.io", "endpointslices", "v1"],
  ])
    watch(group, resource, version);
  for (const node of nodes) if (node) watch("", "pods", "v1", `spec.nodeName=${node}`);
  const requests = records.map((record) => structuredClone(record.request));
  const perRequest = new Array<number>(records.length);
  const start = process.cpuUsage();
  for (let index = 0; index < records.length; index++) {
    now = records[index].at;
    drawn = records[index].random.slice();
    const before = process.cpuUsage();
    try {
      apiServer.execute(requests[index]);
    } catch {
      // Conflicts and NotFounds are part of a cluster's traffic.
    }
    const used = process.cpuUsage(before);
    perRequest[index] = used.user + used.system;
  }
  const used = process.cpuUsage(start);
  return { perRequest, total: used.user + used.system, events };
}

function kindOf(request: ResourceRequest): string {
  const resource = request.subresource ? `${request.gvr.resource}/${request.subresource}` : request.gvr.resource;
  return `${request.verb} ${resource}${request.patchType ? ` (${request.patchType})` : ""}`;
}

async function writePath(): Promise<void> {
  const nodes = arg("write-nodes", 5);
  const pods = arg("write-pods", 200);
  const rounds = arg("write-rounds", 5);
  const recordStart = process.cpuUsage();
  const { snapshot, records } = await recordCluster(nodes, pods);
  const recordCpu = process.cpuUsage(recordStart);
  console.log(
    `Write path: ${records.length} requests recorded from ${nodes} nodes, ${pods} pods (rolled, then scaled to half) in ${((recordCpu.user + recordCpu.system) / 1e6).toFixed(1)} s of CPU`,
  );
  replay(snapshot, records);
  const runs = Array.from({ length: rounds }, () => replay(snapshot, records));
  const totals = runs.map((run) => run.total).sort((a, b) => a - b);
  // The baseline, in the same process: a JSON parse and stringify of every request's body.
  const bodies = records.map((record) => record.request.body).filter((body) => body !== undefined);
  const baselines: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (const body of bodies) JSON.parse(typeof body === "string" ? body : JSON.stringify(body));
    const used = process.cpuUsage(start);
    baselines.push(used.user + used.system);
  }
  baselines.sort((a, b) => a - b);
  const perRequest = (micros: number) => (micros / records.length).toFixed(0);
  console.log(
    `  per request: min ${perRequest(totals[0])} µs, median ${perRequest(totals[rounds >> 1])} µs of CPU over ${rounds} replays (${runs[0].events} watch events each)`,
  );
  console.log(
    `  baseline (JSON parse + stringify of the bodies): ${perRequest(baselines[0])} µs per request; the write path costs ${(totals[0] / baselines[0]).toFixed(1)}× it`,
  );
  // By kind: the median over the replays of each kind's mean.
  const byKind = new Map<string, number[][]>();
  for (const [index, record] of records.entries()) {
    const kind = kindOf(record.request);
    let samples = byKind.get(kind);
    if (!samples) {
      samples = runs.map(() => []);
      byKind.set(kind, samples);
    }
    for (const [round, run] of runs.entries()) samples[round].push(run.perRequest[index]);
  }
  const rows = [...byKind].map(([kind, samples]) => {
    const means = samples.map((values) => values.reduce((sum, value) => sum + value, 0) / values.length);
    means.sort((a, b) => a - b);
    return { kind, count: samples[0].length, mean: means[means.length >> 1] };
  });
  rows.sort((a, b) => b.count * b.mean - a.count * a.mean);
  for (const row of rows) {
    console.log(`    ${row.kind.padEnd(34)} ${String(row.count).padStart(5)} × ${row.mean.toFixed(0).padStart(5)} µs`);
  }
}

async function main() {
  await writePath();
  if (process.argv.includes("--only") && process.argv[process.argv.indexOf("--only") + 1] === "writes") return;
  const requests = arg("requests", 2000);
  const watcherCount = arg("watchers", 1000);
  const clock = new RealClock();
  const cluster = createCluster({ clock, components: [] });
  const user = { username: "kubernetes-admin", groups: ["system:masters"] };
  for (let i = 0; i < 100; i++) {
    const result = await cluster.apiServer.handle({
      verb: "create",
      gvr: { group: "", version: "v1", resource: "pods" },
      namespace: "default",
      body: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `pod-${i}`, labels: { app: "bench" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
      options: {},
      user,
    });
    if (result.status >= 400) throw new Error(JSON.stringify(result.body));
  }

  const handler = createHttpHandler(httpApiServerOf(cluster.apiServer, schemaComponents), { clock });
  const authenticate = bearerTokenAuthenticator(TOKEN);
  const server = http.createServer((req, res) => void serveRequest(handler, authenticate, req, res));
  const port = await listen(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: watcherCount + 10 });

  const getPath = "/api/v1/namespaces/default/pods/pod-0";
  const listPath = "/api/v1/namespaces/default/pods";
  const getBytes = await request(agent, port, getPath);
  const listBytes = await request(agent, port, listPath);
  const tableAccept = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };
  const tableBytes = await request(agent, port, listPath, tableAccept);

  // The baseline: the same bytes from a bare server, routed by path only.
  const bare = http.createServer((req, res) => {
    const body = req.url === getPath ? getBytes : req.headers.accept?.includes("Table") ? tableBytes : listBytes;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(body);
  });
  const barePort = await listen(bare);

  const results = [
    await latency("GET pod (bare node:http)", requests, () => request(agent, barePort, getPath)),
    await latency("GET pod (kubelab)", requests, () => request(agent, port, getPath)),
    await latency("LIST 100 pods (bare node:http)", requests, () => request(agent, barePort, listPath)),
    await latency("LIST 100 pods (kubelab)", requests, () => request(agent, port, listPath)),
    await latency("LIST 100 pods as Table (bare)", requests, () => request(agent, barePort, listPath, tableAccept)),
    await latency("LIST 100 pods as Table (kubelab)", requests, () => request(agent, port, listPath, tableAccept)),
  ];
  console.log(`API server over HTTP (${requests} sequential requests each, keep-alive)`);
  for (const result of results) console.log(`  ${format(result)}`);
  // Means carry the machine's hiccups (a busy shared host adds 10-100 ms outliers to either
  // side); the medians compare the typical request.
  for (let i = 0; i < results.length; i += 2) {
    const mean = (results[i + 1].mean / results[i].mean).toFixed(2);
    const p50 = (results[i + 1].p50 / results[i].p50).toFixed(2);
    console.log(`  ratio ${results[i + 1].label.replace(" (kubelab)", "")}: mean ${mean}×, p50 ${p50}× (target ≤ 2×)`);
  }

  // Watch fan-out: 1,000 HTTP watchers of configmaps; time from the write until every watcher has the event.
  const pending = new Map<number, () => void>();
  let received = 0;
  const watchers: http.ClientRequest[] = [];
  await Promise.all(
    Array.from(
      { length: watcherCount },
      (_, index) =>
        new Promise<void>((resolve) => {
          const req = http.get(
            {
              host: "127.0.0.1",
              port,
              agent,
              path: "/api/v1/namespaces/default/configmaps?watch=true",
              headers: { authorization: `Bearer ${TOKEN}` },
            },
            (res) => {
              resolve();
              res.on("data", () => {
                received++;
                pending.get(index)?.();
              });
            },
          );
          watchers.push(req);
        }),
    ),
  );
  const fanOut: number[] = [];
  for (let round = 0; round < 5; round++) {
    received = 0;
    const start = performance.now();
    const all = new Promise<void>((resolve) => {
      for (let index = 0; index < watcherCount; index++) {
        pending.set(index, () => {
          if (received >= watcherCount) resolve();
        });
      }
    });
    await cluster.apiServer.handle({
      verb: "create",
      gvr: { group: "", version: "v1", resource: "configmaps" },
      namespace: "default",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `fan-${round}` }, data: { round: String(round) } },
      options: {},
      user,
    });
    await all;
    fanOut.push(performance.now() - start);
  }
  for (const req of watchers) req.destroy();

  // Baseline fan-out: a bare server writing one event line to as many open responses.
  const open: http.ServerResponse[] = [];
  const bareWatch = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
    open.push(res);
  });
  const bareWatchPort = await listen(bareWatch);
  const bareAgent = new http.Agent({ keepAlive: true, maxSockets: watcherCount + 10 });
  let bareReceived = 0;
  let bareDone: (() => void) | undefined;
  const bareWatchers: http.ClientRequest[] = [];
  await Promise.all(
    Array.from(
      { length: watcherCount },
      () =>
        new Promise<void>((resolve) => {
          bareWatchers.push(
            http.get({ host: "127.0.0.1", port: bareWatchPort, agent: bareAgent, path: "/" }, (res) => {
              resolve();
              res.on("data", () => {
                bareReceived++;
                if (bareReceived >= watcherCount) bareDone?.();
              });
            }),
          );
        }),
    ),
  );
  const line = `${JSON.stringify({ type: "ADDED", object: JSON.parse(getBytes.toString()) })}\n`;
  const bareFanOut: number[] = [];
  for (let round = 0; round < 5; round++) {
    bareReceived = 0;
    const start = performance.now();
    const all = new Promise<void>((resolve) => {
      bareDone = resolve;
    });
    for (const res of open) res.write(line);
    await all;
    bareFanOut.push(performance.now() - start);
  }
  for (const req of bareWatchers) req.destroy();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`Watch fan-out to ${watcherCount} HTTP watchers (median of 5 events)`);
  console.log(`  bare node:http writing the same line: ${median(bareFanOut).toFixed(1)} ms`);
  console.log(`  kubelab (write → every watcher has the event): ${median(fanOut).toFixed(1)} ms`);

  handler.close();
  cluster.stop();
  agent.destroy();
  bareAgent.destroy();
  await Promise.all(
    [server, bare, bareWatch].map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * The API server's HTTP surface (issue 3's benchmark): GET and LIST (100 pods) latency through
 * HTTP, each against a bare node:http server answering the same bytes (target: within 2×), and
 * watch fan-out to 1,000 HTTP watchers, against a bare server writing the same event line to
 * 1,000 open responses. Run: `npx tsx bench/apiserver.ts [--requests 2000] [--watchers 1000]`.
 *
 * Both servers are plain HTTP on 127.0.0.1 with a keep-alive client, so the difference is the
 * handler's own cost (routing, authentication, the registry read, encoding), not TLS.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { httpApiServerOf } from "../engine/apiserver/http/adapter";
import { createHttpHandler } from "../engine/apiserver/http/createHttpHandler";
import { schemaComponents } from "../engine/apiserver/resources/schema/schemas";
import { RealClock } from "../engine/clock/RealClock";
import { createCluster } from "../engine/cluster/createCluster";
import { bearerTokenAuthenticator, serveRequest } from "../engine/host/standalone/serveHttp";

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

async function main() {
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

import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket, { WebSocketServer } from "ws";
import { TerminalService } from "../../terminal/server/TerminalService";
import { startCluster } from "./differential/harness";

/**
 * Terminal benchmarks: `npx tsx test/terminal/bench.ts`. Starts a cluster and the terminal
 * service on loopback, then measures keystroke echo round trips, `kubectl get pods` from Enter to
 * the next prompt, time from connecting to a usable prompt, and the shell process's memory (RSS
 * from /proc/<pid>/status, after the runs).
 */
const root = path.resolve(import.meta.dirname, "..", "..");
const cluster = await startCluster();
const data = mkdtempSync(path.join(tmpdir(), "kubelab-bench-"));
const service = new TerminalService({ root, dataDirectory: data, kubeconfigFor: async () => cluster.kubeconfig });
await service.prepare();
// A learner opens a page some time after the server started: let the warm shell finish loading.
await new Promise((resolve) => setTimeout(resolve, 8000));
const sockets = new WebSocketServer({ noServer: true });
const server = createServer();
server.on("upgrade", (request, socket, head) =>
  sockets.handleUpgrade(request, socket, head, (ws) => void service.handle(ws, request, "bench")),
);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;

let output = "";
const waiters: (() => void)[] = [];
const connectStart = performance.now();
const socket = new WebSocket(`ws://127.0.0.1:${port}/terminal/benchsession?cols=120&rows=40`);
socket.on("message", (raw) => {
  const message = JSON.parse(String(raw));
  if (message.type === "output") output += message.data;
  for (const waiter of waiters.splice(0)) waiter();
});
const waitFor = async (predicate: () => boolean) => {
  while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
};
const send = (data: string) => socket.send(JSON.stringify({ type: "input", data }));
await waitFor(() => output.includes("controlplane:~$ "));
const promptMs = performance.now() - connectStart;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

const echo: number[] = [];
for (let index = 0; index < 300; index++) {
  const mark = output.length;
  const started = performance.now();
  send("x");
  await waitFor(() => output.length > mark && output.slice(mark).includes("x"));
  echo.push(performance.now() - started);
}
send("\x15");
await new Promise((resolve) => setTimeout(resolve, 200));

await (async () => {
  const mark = output.length;
  send("kubectl run bench --image=nginx >/dev/null; kubectl get pods >/dev/null\r");
  await waitFor(() => /controlplane:~\$ [^\n]*$/.test(output.slice(mark)) && output.slice(mark).includes("\n"));
})();

const getPods: number[] = [];
for (let index = 0; index < 40; index++) {
  const mark = output.length;
  const started = performance.now();
  send("kubectl get pods\r");
  await waitFor(() => {
    const slice = output.slice(mark);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    return slice.includes("NAME") && /controlplane:~\$ (\r\x1b\[\d+C)?$/.test(slice);
  });
  getPods.push(performance.now() - started);
}

const sessions = (service as unknown as { sessions: Map<string, { pid: number }> }).sessions;
const pid = [...sessions.values()][0]?.pid;
const rssKb = pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) : 0;

console.log(`connect to usable prompt: ${promptMs.toFixed(0)} ms (WebSocket open to prompt, warm shell ready)`);
console.log(
  `keystroke echo round trip (WebSocket + pty + shell): p50 ${percentile(echo, 50).toFixed(2)} ms, p99 ${percentile(echo, 99).toFixed(2)} ms (n=${echo.length})`,
);
console.log(
  `kubectl get pods, Enter to prompt: p50 ${percentile(getPods, 50).toFixed(1)} ms, p95 ${percentile(getPods, 95).toFixed(1)} ms (n=${getPods.length})`,
);
console.log(`shell process memory: ${(rssKb / 1024).toFixed(1)} MB RSS (/proc/${pid}/status VmRSS after the runs)`);
socket.close();
service.close();
server.close();
await cluster.stop();
process.exit(0);

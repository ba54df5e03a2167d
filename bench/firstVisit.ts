/**
 * A new learner's first visit to a lesson page, against the production server, without a browser:
 *
 *   npx tsx bench/firstVisit.ts [visits=8] [lesson=pods] [--no-build] [--log]
 *
 * Each visit is what a browser without the learner cookie does: GET /lessons/<id> (the server
 * creates the learner and sends Set-Cookie), and as soon as the page's inline script arrives in the
 * body (terminal/client/earlyConnect.ts), open the terminal WebSocket /terminal/<24 hex>?cols=80&rows=24
 * with that cookie (which creates the learner's cluster and starts its shell) and wait for the
 * prompt. Printed per visit and as p50/p95 over the visits: the response head (status line and
 * headers written), the first body chunk, the inline script's chunk, socket open → first output,
 * and request → usable prompt (the target: ≤ 500 ms; xterm's own load in a browser is
 * not in it, see bench/terminal.ts `page`). Server CPU per visit is the server process's
 * utime + stime from /proc over the visit (the shell is a child process of its own, not counted).
 * A returning learner's new tab (cookie sent, new terminal session) is measured the same way for
 * comparison. The server logs (KUBELAB_TRACE_PAGES, server/createServer.ts) how long giving the request
 * a learner took and when it wrote the head, since the request arrived: `srv learner`, `srv head`.
 * One visit before the measured ones warms Next's and Prisma's first-use costs up.
 * `KUBELAB_PROBE_CPU_PROF=<folder>` runs the server with --cpu-prof into that folder. `--no-build`
 * measures the build in .next as it is, even when sources changed since (no `next build`); `--log`
 * prints the server's output at the end.
 */
import http from "node:http";
import { loadavg } from "node:os";
import WebSocket from "ws";
import { buildIfStale, startProductionServer } from "../test/support/productionServer";

const args = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const visits = Number(args[0] ?? 8);
const lessonId = args[1] ?? "pods";
const TARGET_MS = 500;
/** What the page's inline script contains (earlyConnect.ts): the browser opens the socket when it has parsed it. */
const INLINE_SCRIPT_MARK = "__kubelabEarlyTerminal";
const PROMPT = "controlplane:~$ ";

interface Visit {
  /** In the server (KUBELAB_TRACE_PAGES): giving the request a learner, and the head written, since it arrived. */
  serverLearner: number;
  serverHead: number;
  head: number;
  firstChunk: number;
  inlineScript: number;
  bodyEnd: number;
  socketToOutput: number;
  socketToPrompt: number;
  prompt: number;
  cpuMs: number;
}

if (!process.argv.includes("--no-build")) await buildIfStale();
const profileDir = process.env.KUBELAB_PROBE_CPU_PROF;
const server = await startProductionServer({
  name: "kubelab-bench-first-visit",
  env: { KUBELAB_TRACE_PAGES: "1" },
  // New clusters are restored from a template the server builds at start (ClusterHost.prepareTemplate):
  // measure once it is there, as on a server that has been up for more than a few seconds.
  readyWhen: /the template for new clusters is ready|could not build the template/,
  nodeFlags: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
});
const url = new URL(server.url);

function sessionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function visit(cookie?: string): Promise<{ timing: Visit; cookie: string }> {
  const cpuBefore = server.cpuMs();
  const outputBefore = server.output().length;
  const started = performance.now();
  const since = () => performance.now() - started;
  let socketOpened = 0;
  let resolveCookie: (value: string) => void = () => {};
  const cookieReady = new Promise<string>((resolve) => {
    resolveCookie = resolve;
  });
  const page = new Promise<{ head: number; firstChunk: number; inlineScript: number; bodyEnd: number }>(
    (resolve, reject) => {
      const request = http.get(
        { host: url.hostname, port: url.port, path: `/lessons/${lessonId}`, headers: cookie ? { cookie } : {} },
        (response) => {
          const head = since();
          if (response.statusCode !== 200) reject(new Error(`GET /lessons/${lessonId}: ${response.statusCode}`));
          const setCookie = response.headers["set-cookie"]?.[0]?.split(";")[0];
          const learnerCookie = cookie ?? setCookie;
          if (!learnerCookie) reject(new Error("no learner cookie was set"));
          let firstChunk = 0;
          let inlineScript = 0;
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            firstChunk ||= since();
            body += chunk;
            if (!inlineScript && body.includes(INLINE_SCRIPT_MARK)) {
              inlineScript = since();
              resolveCookie(learnerCookie ?? "");
            }
          });
          response.on("end", () => resolve({ head, firstChunk, inlineScript, bodyEnd: since() }));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
    },
  );
  const terminal = cookieReady.then(
    (learnerCookie) =>
      new Promise<{ output: number; prompt: number }>((resolve, reject) => {
        socketOpened = since();
        const socket = new WebSocket(`ws://${url.host}/terminal/${sessionId()}?cols=80&rows=24`, {
          headers: { cookie: learnerCookie },
        });
        let output = "";
        let firstOutput = 0;
        socket.on("message", (raw) => {
          const message = JSON.parse(String(raw)) as { type: string; data?: string; message?: string };
          if (message.type === "error") reject(new Error(message.message));
          if (message.type !== "output") return;
          firstOutput ||= since();
          output += message.data ?? "";
          if (output.includes(PROMPT)) {
            resolve({ output: firstOutput, prompt: since() });
            socket.close();
          }
        });
        socket.on("error", reject);
      }),
  );
  const [pageTiming, terminalTiming] = await Promise.all([page, terminal]);
  // Let the visit's remaining work (the rest of the render, the cluster's first reconciliations) finish.
  await new Promise((resolve) => setTimeout(resolve, 700));
  const traced = new RegExp(`page GET /lessons/${lessonId}: learner ([\\d.]+) ms.*?, head ([\\d.]+) ms`).exec(
    server.output().slice(outputBefore),
  );
  return {
    cookie: cookie ?? (await cookieReady),
    timing: {
      serverLearner: Number(traced?.[1] ?? Number.NaN),
      serverHead: Number(traced?.[2] ?? Number.NaN),
      ...pageTiming,
      socketToOutput: terminalTiming.output - socketOpened,
      socketToPrompt: terminalTiming.prompt - socketOpened,
      prompt: terminalTiming.prompt,
      cpuMs: server.cpuMs() - cpuBefore,
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const columns: [keyof Visit, string][] = [
  ["serverLearner", "srv learner"],
  ["serverHead", "srv head"],
  ["head", "head"],
  ["firstChunk", "1st chunk"],
  ["inlineScript", "script"],
  ["bodyEnd", "body end"],
  ["socketToOutput", "sock→out"],
  ["socketToPrompt", "sock→prompt"],
  ["prompt", "→prompt"],
  ["cpuMs", "server CPU"],
];
const row = (label: string, values: number[]) =>
  `${label.padEnd(14)}${values.map((value) => value.toFixed(0).padStart(12)).join("")}`;

function summarize(title: string, timings: Visit[]): void {
  console.log(`\n${title} (${timings.length} visits, ms)`);
  console.log(`${"".padEnd(14)}${columns.map(([, name]) => name.padStart(12)).join("")}`);
  timings.forEach((timing, index) => {
    console.log(
      row(
        `#${index + 1}`,
        columns.map(([key]) => timing[key]),
      ),
    );
  });
  for (const p of [50, 95])
    console.log(
      row(
        `p${p}`,
        columns.map(([key]) =>
          percentile(
            timings.map((timing) => timing[key]),
            p,
          ),
        ),
      ),
    );
  const p50 = percentile(
    timings.map((timing) => timing.prompt),
    50,
  );
  const p95 = percentile(
    timings.map((timing) => timing.prompt),
    95,
  );
  console.log(
    `request → usable prompt: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (target ≤ ${TARGET_MS} ms: ${
      p95 <= TARGET_MS ? "met" : p50 <= TARGET_MS ? "met at p50, not p95" : "NOT met"
    })`,
  );
}

try {
  const warm = await visit();
  const newLearners: Visit[] = [];
  const returning: Visit[] = [];
  for (let index = 0; index < visits; index++) {
    newLearners.push((await visit()).timing);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (let index = 0; index < Math.min(visits, 5); index++) {
    returning.push((await visit(warm.cookie)).timing);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  console.log(`lesson /lessons/${lessonId}, load average ${loadavg()[0]?.toFixed(1)} at the end`);
  summarize("new learner, first visit (no cookie)", newLearners);
  summarize("returning learner, new tab (cookie, new terminal session)", returning);
  if (process.argv.includes("--log")) console.log(`\nthe server's output:\n${server.output()}`);
} finally {
  await server.stop();
}

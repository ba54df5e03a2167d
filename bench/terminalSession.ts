/**
 * A new terminal session on the production server, without a browser: the part of "lesson page
 * opened → usable prompt" (issue 6, target ≤ 500 ms) that the server spends between the terminal's
 * WebSocket and the learner's prompt.
 *
 *   npx tsx bench/terminalSession.ts            # 12 new-tab sessions
 *   BENCH_SESSIONS=20 npx tsx bench/terminalSession.ts
 *   npx tsx bench/terminalSession.ts --build    # run `next build` first when the build is stale
 *
 * Starts the server as `npm start` runs it (test/support/productionServer.ts), makes a learner by
 * GETting a lesson page (keeping its cookie), opens that learner's first terminal (their cluster is
 * created: timed apart), then opens one new terminal session every 1.5 s, as a new tab's inline
 * script does (terminal/client/earlyConnect.ts: `/terminal/<24 hex>?cols=..&rows=..` with the
 * cookie). For each it times the socket's creation → open (the upgrade, with its cookie check),
 * open → first `output` message (the server finding the cluster, granting node access and handing
 * the warm shell its configuration; the shell printing its prompt) and reads the CPU time of the
 * server process and of its shell processes over open → first output and over the whole session
 * interval (the next warm shell's start is in the latter). The terminal path is the server's own
 * code (run from source by tsx), so a stale Next build does not change what is measured here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import WebSocket from "ws";
import { productionBuildIsCurrent } from "../server/prepare";
import { buildIfStale, ROOT, startProductionServer } from "../test/support/productionServer";

const sessions = Number(process.env.BENCH_SESSIONS ?? 12);
const targetMs = 500;

if (process.argv.includes("--build")) await buildIfStale();
else if (!productionBuildIsCurrent(ROOT))
  console.log("note: the Next build is older than the sources (pages only; the terminal path runs from source)");

/** CPU time (utime + stime) of a process, ms; 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The server's child processes (its shells, spawned through node-pty), pid → CPU ms. */
function shellsOf(serverPid: number): Map<number, number> {
  const shells = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.split(") ")[1]?.split(" ") ?? [];
      if (Number(fields[1]) !== serverPid) continue;
      shells.set(Number(name), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // Gone meanwhile.
    }
  }
  return shells;
}

/** CPU the shells that ran before `before` was taken spent since (the session's shell is one of them). */
function shellCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of before) total += Math.max(0, cpuOf(pid) - cpu);
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  upgradeMs: number;
  openToOutputMs: number;
  createToOutputMs: number;
  serverCpuMs: number;
  shellCpuMs: number;
  /** Server CPU over the session's whole interval (the next warm shell's start included). */
  intervalServerCpuMs: number;
}

const server = await startProductionServer({ name: "kubelab-bench-session" });
const serverPid = server.child.pid as number;
try {
  // Let the server finish starting (template cluster, the warm shell's modules) as a learner finds it.
  await sleep(8000);
  // The server's CPU with nothing asked of it (the clusters' own work), for the interval figure below.
  const idleBefore = server.cpuMs();
  await sleep(3000);
  const idlePerInterval = (server.cpuMs() - idleBefore) / 2;
  const page = await fetch(`${server.url}/lessons/cluster-architecture`);
  await page.text();
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (!cookie) throw new Error("the lesson page set no learner cookie");
  const wsUrl = server.url.replace(/^http/, "ws");

  const openSession = async (): Promise<Session> => {
    const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) =>
      byte.toString(16).padStart(2, "0"),
    ).join("");
    const shellsBefore = shellsOf(serverPid);
    const cpuBefore = server.cpuMs();
    const created = performance.now();
    const socket = new WebSocket(`${wsUrl}/terminal/${id}?cols=80&rows=24`, { headers: { cookie } });
    let opened = 0;
    let cpuAtOpen = 0;
    const result = await new Promise<Omit<Session, "intervalServerCpuMs">>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no output within 30 s")), 30_000);
      socket.on("open", () => {
        opened = performance.now();
        cpuAtOpen = server.cpuMs();
      });
      socket.on("message", (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; message?: string };
        if (message.type === "error") reject(new Error(message.message));
        if (message.type !== "output") return;
        const now = performance.now();
        clearTimeout(timer);
        resolve({
          upgradeMs: opened - created,
          openToOutputMs: now - opened,
          createToOutputMs: now - created,
          serverCpuMs: server.cpuMs() - cpuAtOpen,
          shellCpuMs: shellCpuSince(shellsBefore),
        });
      });
      socket.on("error", reject);
    });
    // The tab stays open a moment (its shell fetches discovery after 300 ms at the prompt), then closes.
    await sleep(1000);
    socket.close();
    await sleep(500);
    return { ...result, intervalServerCpuMs: server.cpuMs() - cpuBefore };
  };

  const first = await openSession();
  const tabs: Session[] = [];
  for (let index = 0; index < sessions; index++) tabs.push(await openSession());

  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  };
  const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
  const figures = (name: keyof Session) => {
    const values = tabs.map((tab) => tab[name]);
    return `p50 ${percentile(values, 50).toFixed(0)} / p95 ${percentile(values, 95).toFixed(0)} ms`;
  };
  const verdict = (ms: number) => (ms <= targetMs ? "within" : "over");
  const p50 = percentile(
    tabs.map((tab) => tab.openToOutputMs),
    50,
  );
  console.log(
    `new terminal session on the production server, no browser (load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(" ")}; n=${tabs.length}, 1.5 s apart; the page's whole budget is ${targetMs} ms):`,
  );
  console.log(
    `  first terminal of a new learner (cluster created): open → first output ${first.openToOutputMs.toFixed(0)} ms, server CPU ${first.serverCpuMs.toFixed(0)} ms`,
  );
  console.log(
    `  new tab, socket open → first output: ${figures("openToOutputMs")} (p50 ${verdict(p50)} the ${targetMs} ms)`,
  );
  console.log(`  new tab, socket created → open (upgrade, cookie check): ${figures("upgradeMs")}`);
  console.log(`  new tab, socket created → first output: ${figures("createToOutputMs")}`);
  console.log(
    `  CPU per new tab, open → first output: server ${mean(tabs.map((tab) => tab.serverCpuMs)).toFixed(1)} ms, shells ${mean(
      tabs.map((tab) => tab.shellCpuMs),
    ).toFixed(1)} ms (mean; /proc ticks of 10 ms)`,
  );
  console.log(
    `  server CPU per new-tab interval (1.5 s: the session, the next warm shell's start, the close): ${mean(
      tabs.map((tab) => tab.intervalServerCpuMs),
    ).toFixed(1)} ms (idle: ${idlePerInterval.toFixed(1)} ms per 1.5 s)`,
  );
} finally {
  await server.stop();
}
process.exit(0);

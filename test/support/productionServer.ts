import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureProductionBuild } from "../../server/prepare";

/** The project root. */
export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** How to start the production server (test/support/serveProduction.mjs). */
export interface ProductionServerOptions {
  /** Prefix of the temporary work folder (data, database, lessons). */
  name?: string;
  /** More environment for the server (KUBELAB_TLS_PORT, KUBELAB_INSTRUCTOR_TOKEN, …). */
  env?: Record<string, string>;
  /** Lesson files (file name → content) added to a copy of lessons/ that the server then reads. */
  extraLessons?: Record<string, string>;
  /** Also wait until the server's output matches this (a second listener's line, say). */
  readyWhen?: RegExp;
  /** Flags for node before the script (`--cpu-prof`, say, which NODE_OPTIONS does not take). */
  nodeFlags?: string[];
  /** How long to wait for the server to say where it serves (default 240 s). */
  timeoutMs?: number;
}

/** A production server in a child process, with its own work folder, database and cluster data. */
export interface ProductionServer {
  url: string;
  /** The work folder: KUBELAB_DATA_DIR, the database, the lessons copy; removed by stop(). */
  work: string;
  databaseFile: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** The server process's CPU time so far (utime + stime from /proc), in ms. */
  cpuMs(): number;
  /** Sends a signal, waits for the process to exit and removes the work folder. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the server exactly as `npm start` runs it, minus the build check (see
 * serveProduction.ts), on a free port of 127.0.0.1 with a fresh work folder as KUBELAB_DATA_DIR
 * (clusters, homes, the SQLite database) and the fast cluster speed, and waits until it says where
 * it serves. The production build must be there: vitest's global setup makes it, a bench calls
 * buildIfStale() first. A `next build` started meanwhile by someone else in the same checkout
 * empties .next for a minute: the server is then started again once the build is back.
 */
export async function startProductionServer(options: ProductionServerOptions = {}): Promise<ProductionServer> {
  for (let attempt = 1; ; attempt++) {
    await untilBuilt(options.timeoutMs ?? 240_000);
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/Could not find a production build/.test((error as Error).message)) throw error;
    }
  }
}

/** Waits until .next has a build (BUILD_ID), polling every second. */
async function untilBuilt(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    if (Date.now() > deadline) throw new Error("no production build in .next");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function startOnce(options: ProductionServerOptions): Promise<ProductionServer> {
  const work = mkdtempSync(path.join(tmpdir(), `${options.name ?? "kubelab-server"}-`));
  const databaseFile = path.join(work, "kubelab.db");
  const env: Record<string, string> = {
    PORT: "0",
    KUBELAB_HOST: "127.0.0.1",
    NODE_ENV: "production",
    DATABASE_URL: `file:${databaseFile}`,
    KUBELAB_DATA_DIR: work,
    KUBELAB_SPEED: "fast",
    ...options.env,
  };
  if (options.extraLessons) {
    const lessons = path.join(work, "lessons");
    cpSync(path.join(ROOT, "lessons"), lessons, { recursive: true });
    for (const [name, content] of Object.entries(options.extraLessons))
      writeFileSync(path.join(lessons, name), content);
    env.KUBELAB_LESSONS_DIR = lessons;
  }
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), path.join(ROOT, "test", "support", "serveProduction.mjs")],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const result = await exited;
    rmSync(work, { recursive: true, force: true });
    return result;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start in time:\n${output}`)),
      options.timeoutMs ?? 240_000,
    );
    const check = () => {
      const served = /Kubelab is serving at (http:\/\/\S+)/.exec(output)?.[1];
      if (served && (!options.readyWhen || options.readyWhen.test(output))) {
        clearTimeout(timer);
        resolve(served);
      }
    };
    const collect = (chunk: Buffer) => {
      output += chunk;
      check();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before serving:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop("SIGKILL");
    throw error;
  });
  return {
    url,
    work,
    databaseFile,
    child,
    output: () => output,
    cpuMs() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    stop,
  };
}

/**
 * Runs `next build` unless .next is current (server/prepare.ts), waiting out someone else's build
 * that holds Next's build lock. For benches, which have no vitest global setup.
 */
export async function buildIfStale(say: (message: string) => void = console.log): Promise<void> {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      ensureProductionBuild(ROOT, say);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      say(`${(error as Error).message}; trying again in 20 s (another build may hold the lock)`);
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    }
  }
}

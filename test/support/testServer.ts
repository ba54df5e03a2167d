import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The project root. */
export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** A production server running in a child process with its own database and lessons. */
export interface TestServer {
  url: string;
  /** The SQLite file this server uses. */
  databaseFile: string;
  /** The lessons folder this server reads (a copy of lessons/ plus any extra files). */
  lessonsFolder: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts test/support/serve.mjs on a free port (PORT=0) with a fresh database, a copy of the
 * course plus `extraLessons` (name → content), and waits until it says where it serves.
 */
export async function startTestServer(extraLessons: Record<string, string> = {}): Promise<TestServer> {
  const work = mkdtempSync(path.join(tmpdir(), "kubelab-server-"));
  const lessonsFolder = path.join(work, "lessons");
  cpSync(path.join(ROOT, "lessons"), lessonsFolder, { recursive: true });
  for (const [name, content] of Object.entries(extraLessons)) writeFileSync(path.join(lessonsFolder, name), content);
  const databaseFile = path.join(work, "kubelab.db");

  const child = spawn(process.execPath, [path.join(ROOT, "test", "support", "serve.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      KUBELAB_HOST: "127.0.0.1",
      NODE_ENV: "production",
      DATABASE_URL: `file:${databaseFile}`,
      KUBELAB_LESSONS_DIR: lessonsFolder,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 120_000);
    const check = () => {
      const match = /Kubelab is serving at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before serving:\n${output}`));
    });
  });

  return {
    url,
    databaseFile,
    lessonsFolder,
    child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      rmSync(work, { recursive: true, force: true });
      return result;
    },
  };
}

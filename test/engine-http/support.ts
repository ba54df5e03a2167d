import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn as spawnPty } from "node-pty";
import { type ClusterUp, runClusterUp } from "../../engine/host/standalone/runClusterUp";
import { startCluster } from "../../engine/host/standalone/startCluster";

/** The real kubectl the tests drive; they skip with a notice when it is absent. */
export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";
export const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`NOTICE: ${KUBECTL} not found; the kubectl integration tests are skipped.`);

export interface TestCluster {
  up: ClusterUp;
  kubeconfig: string;
  folder: string;
  stop(): Promise<void>;
}

/** Starts `kubelab cluster up`'s server in this process on a free port, with a kubeconfig in a temp folder. */
export async function startTestCluster(): Promise<TestCluster> {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-http-"));
  const kubeconfig = path.join(folder, "kubeconfig");
  const up = await runClusterUp({
    port: 0,
    kubeconfigPath: kubeconfig,
    speed: "fast",
    dataDir: path.join(folder, "data"),
    startCluster,
  });
  await up.ready;
  return {
    up,
    kubeconfig,
    folder,
    async stop() {
      await up.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as a user sees them. */
  output: string;
}

/** Runs kubectl asynchronously (the server runs in this process and must keep serving). */
export function kubectl(cluster: TestCluster, args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      args,
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder }, timeout: 45_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, output: stdout + stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** Starts `kubectl … -w` and collects its output until `stop`. */
export function kubectlWatch(
  cluster: TestCluster,
  args: string[],
): { output: () => string; stop: () => Promise<void> } {
  let output = "";
  const child = spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder } });
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Kubelab's kubectl as a process (`kubelab kubectl`), to run beside the real one. */
export const KUBELAB_KUBECTL = [
  process.execPath,
  path.resolve(import.meta.dirname, "../../bin/kubelab.mjs"),
  "kubectl",
];

/**
 * Runs a kubectl (the real one, or {@link KUBELAB_KUBECTL}) in a pseudo-terminal against the
 * cluster, types each key group once the session is attached ("try pressing enter.") and the
 * screen has settled, and returns the screen's bytes and the exit code.
 */
export function kubectlInTerminal(
  cluster: TestCluster,
  command: string[],
  keys: string[],
): Promise<{ screen: string; code: number }> {
  return new Promise((resolve) => {
    const pty = spawnPty(command[0] as string, command.slice(1), {
      cols: 100,
      rows: 30,
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder } as Record<string, string>,
    });
    let screen = "";
    pty.onData((data) => {
      screen += data;
    });
    pty.onExit(({ exitCode }) => resolve({ screen, code: exitCode }));
    void (async () => {
      await eventually(() => screen.includes("try pressing enter."), 40_000);
      for (const key of keys) {
        // Each answer is awaited by the screen settling.
        let seen = -1;
        await eventually(async () => {
          const settled = seen === screen.length;
          seen = screen.length;
          await new Promise((r) => setTimeout(r, 700));
          return settled;
        }, 20_000);
        pty.write(key);
      }
    })();
  });
}

/** The CA a kubeconfig's cluster entry trusts (certificate-authority-data), as PEM. */
export function kubeconfigCa(kubeconfig: string): string {
  const data = /certificate-authority-data: (\S+)/.exec(readFileSync(kubeconfig, "utf8"))?.[1] ?? "";
  return Buffer.from(data, "base64").toString();
}

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SharedClients } from "../../../terminal/kubectl/Command";
import type { KubectlIO } from "../../../terminal/kubectl/KubectlIO";
import { runKubectl } from "../../../terminal/kubectl/kubectl";
import { createNodeIO } from "../../../terminal/kubectl/nodeIO";

/** The real kubectl the differential tests compare against. */
export const realKubectl = "/usr/bin/kubectl";

/** Output of one kubectl run. */
export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** A standalone cluster started with `kubelab cluster up` for the tests. */
export interface TestCluster {
  kubeconfig: string;
  directory: string;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(import.meta.dirname, "..", "..", "..");

/** Starts `kubelab cluster up --speed fast` on a free port and waits for its kubeconfig. */
export async function startCluster(timeoutMs = 120_000): Promise<TestCluster> {
  const directory = mkdtempSync(path.join(tmpdir(), "kubelab-diff-"));
  const kubeconfig = path.join(directory, "kubeconfig");
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(projectRoot, "bin", "kubelab.mjs"),
      "cluster",
      "up",
      "--port",
      "0",
      "--kubeconfig",
      kubeconfig,
      "--speed",
      "fast",
    ],
    {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  child.stderr?.on("data", (chunk) => (output += String(chunk)));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (/running at https?:\/\//.test(output) && existsSync(kubeconfig)) break;
    if (child.exitCode !== null) throw new Error(`cluster exited: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!existsSync(kubeconfig)) {
    child.kill("SIGTERM");
    throw new Error(`cluster did not start in time: ${output}`);
  }
  readFileSync(kubeconfig, "utf8");
  return {
    kubeconfig,
    directory,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

/** Extra settings for one run: environment variables, and for ours a signal that stops it. */
export interface RunOptions {
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Sees each piece of standard output as it is written (port-forward's "Forwarding from" lines). */
  onStdout?: (text: string) => void;
}

/** Runs the real kubectl. */
export function runReal(
  args: string[],
  kubeconfig: string,
  stdin?: string,
  cwd?: string,
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      realKubectl,
      args,
      {
        env: { ...process.env, KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig), ...options.env },
        cwd,
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const status = error
          ? typeof (error as { code?: unknown }).code === "number"
            ? (error as { code: number }).code
            : 1
          : 0;
        resolve({ stdout, stderr, status });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}

const shared: SharedClients = {};

/** Runs Kubelab's kubectl in-process with captured output. */
export async function runOurs(
  args: string[],
  kubeconfig: string,
  stdin?: string,
  cwd?: string,
  options: RunOptions = {},
): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  // A case that never ends (a watch, a follow) fails after a minute, as runReal does.
  const timeout = AbortSignal.timeout(60_000);
  const base = createNodeIO({ cwd, signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout });
  const io: KubectlIO = {
    ...base,
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(text);
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => stdin ?? "",
    env: { ...process.env, KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig), ...options.env },
    isTerminal: false,
  };
  const status = await runKubectl(args, io, { shared });
  return { stdout, stderr, status };
}

/**
 * Runs the real kubectl until `until` resolves, then interrupts it as Ctrl-C does (SIGINT);
 * `onStdout` sees its output as it comes.
 */
export function runRealUntil(
  args: string[],
  kubeconfig: string,
  cwd: string,
  options: RunOptions & { until: Promise<unknown> },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(realKubectl, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: path.dirname(kubeconfig), ...options.env },
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += String(chunk);
      options.onStdout?.(String(chunk));
    });
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    void options.until.finally(() => child.kill("SIGINT"));
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status: code ?? 130 });
    });
  });
}

/** Masks what legitimately differs between two runs: klog prefixes, random temp names, UIDs, times. */
export function normalize(text: string): string {
  return (
    text
      .replace(/^[EWIF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.]+:\d+\] /gm, "")
      .replace(/"command failed" err="(.*)"$/gm, (_, message: string) => `error: ${message.replace(/\\"/g, '"')}`)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uid>")
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
      .replace(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}/g, "<time>")
      .replace(/\/tmp\/(LIVE|MERGED)-\d+/g, "/tmp/$1-<n>")
      .replace(/\/tmp\/kubectl-edit-\d+\.yaml/g, "/tmp/kubectl-edit-<n>.yaml")
      // port-forward's local port, chosen by the system for `:80`.
      .replace(/(Forwarding from (?:127\.0\.0\.1|\[::1\])):\d+/g, "$1:<port>")
      .replace(/Handling connection for \d+/g, "Handling connection for <port>")
      .replace(/\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+ [+-]\d{4}/g, "\t<time>")
      .replace(/^Client Version: v1\.32\.\d+(-\w+)?$/m, "Client Version: v1.32.x")
      // The client's build identity in `version -o json|yaml`: the installed kubectl is a vendor
      // build of 1.32 (v1.32.4-dispatcher, minor "32+"), Kubelab's reports upstream v1.32.4's.
      .replace(/("clientVersion": \{[^}]*\})/s, (block: string) =>
        block.replace(/"(minor|gitVersion|gitCommit|buildDate|goVersion)": "[^"]*"/g, '"$1": "<build>"'),
      )
      .replace(/^clientVersion:\n(?: {2}.*\n)+/m, (block: string) =>
        block.replace(/^ {2}(minor|gitVersion|gitCommit|buildDate|goVersion): .*$/gm, "  $1: <build>"),
      )
      .replace(/kube-api-access-[a-z0-9]{5}/g, "kube-api-access-<id>")
      .replace(/resourceVersion: "\d+"/g, 'resourceVersion: "<rv>"')
      .replace(/"resourceVersion": "\d+"/g, '"resourceVersion": "<rv>"')
  );
}

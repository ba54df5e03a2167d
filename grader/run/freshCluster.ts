import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ClusterUp, runClusterUp } from "../../engine/host/standalone/runClusterUp";
import { type StandaloneCluster, startCluster } from "../../engine/host/standalone/startCluster";
import { applyObject } from "../../terminal/kubectl/apply";
import { parseManifests } from "../../terminal/kubectl/manifests";
import { ClusterNodeBackend } from "../../terminal/node/ClusterNodeBackend";
import { runCheck } from "../checks/index";
import { type CheckOf, durationMs, type StartingState } from "../format/schema";
import { GradingCluster } from "./GradingCluster";
import { LearnerShell } from "./learnerShell";

/** A cluster started in this process for grading a submission or checking a lesson. */
export interface FreshCluster {
  grading: GradingCluster;
  kubeconfigPath: string;
  /** The learner's home folder (what /root is in the terminal). */
  home: string;
  shell: LearnerShell;
  stop(): Promise<void>;
}

/**
 * Starts a fresh cluster in this process (what `kubelab cluster up --speed fast` serves, on a free
 * port), with node file systems and a learner home on disk in a temporary folder.
 */
export async function startFreshCluster(options: { speed?: "fast" | "realistic" } = {}): Promise<FreshCluster> {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-grade-"));
  const kubeconfigPath = path.join(folder, "kubeconfig");
  const dataDir = path.join(folder, "data");
  const home = path.join(folder, "home");
  await mkdir(home, { recursive: true });
  let up: ClusterUp;
  // What `kubelab cluster up` boots (engine/host/standalone/startCluster), kept for the solution
  // shell's node access (ssh, crictl, etcdctl, node files), as the hosted terminal has.
  let engine: StandaloneCluster | undefined;
  try {
    up = await runClusterUp({
      port: 0,
      kubeconfigPath,
      speed: options.speed ?? "fast",
      dataDir,
      startCluster: (start) => {
        engine = startCluster(start);
        return engine;
      },
    });
    await up.cluster.ready;
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  const grading = new GradingCluster(readFileSync(kubeconfigPath, "utf8"), {
    readNodeFile: (node, file) => readFile(path.join(dataDir, "nodes", node, file), "utf8").catch(() => undefined),
    readHomeFile: (file) =>
      readFile(path.resolve(home, file.replace(/^(~|\/root)\//, "")), "utf8").catch(() => undefined),
  });
  return {
    grading,
    kubeconfigPath,
    home,
    shell: new LearnerShell(
      home,
      kubeconfigPath,
      new ClusterNodeBackend(async () => {
        if (!engine) throw new Error("the cluster has not started");
        const started = engine;
        return { cluster: started.cluster, fileSystem: (node) => started.nodeFileSystem(node) };
      }),
    ),
    async stop() {
      await up.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Applies manifests (multi-document YAML) as `kubectl apply -f` does, through the terminal's apply. */
export async function applyManifests(grading: GradingCluster, yaml: string, source = "manifests"): Promise<string[]> {
  const applied: string[] = [];
  for (const manifest of parseManifests(yaml, source)) {
    const apply = () =>
      applyObject(grading.rest, grading.discovery, manifest.object as Parameters<typeof applyObject>[2], {
        namespace: grading.namespace,
      });
    const result = await apply().catch(async (error: unknown) => {
      // A Pod in a namespace created a moment earlier in the same manifests: the ServiceAccount
      // admission plugin refuses it until the serviceaccount controller has made the namespace's
      // ServiceAccount. `kubectl apply` would fail the same way; a starting state waits and applies again.
      const missing = missingServiceAccount(error);
      if (!missing || !(await serviceAccountAppears(grading, missing.namespace, missing.name))) throw error;
      return apply();
    });
    applied.push(`${result.info.kind.toLowerCase()}/${result.name} ${result.operation}`);
  }
  return applied;
}

/** How long a starting state waits for a new namespace's ServiceAccount. */
const serviceAccountWaitMs = 30_000;

/** The ServiceAccount a Forbidden answer of the ServiceAccount admission plugin names, if it is one. */
function missingServiceAccount(error: unknown): { namespace: string; name: string } | undefined {
  const match = /error looking up service account ([^/\s]+)\/([^:\s]+): serviceaccount "[^"]+" not found/.exec(
    error instanceof Error ? error.message : String(error),
  );
  return match ? { namespace: match[1] as string, name: match[2] as string } : undefined;
}

/** Waits (bounded) until a ServiceAccount exists; whether it does. */
async function serviceAccountAppears(grading: GradingCluster, namespace: string, name: string): Promise<boolean> {
  const info = await grading.resolve("ServiceAccount");
  const deadline = Date.now() + serviceAccountWaitMs;
  while (Date.now() < deadline) {
    if (await grading.read(info, namespace, name)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Puts a cluster into a lesson's starting state: manifests, files (node or home), commands, then
 * waits (bounded, watch-driven) for the listed conditions. The hosting engineer's reset hook can
 * call this with the learner's cluster.
 */
export async function applyStartingState(
  target: {
    grading: GradingCluster;
    shell?: LearnerShell;
    writeNodeFile?: (node: string, file: string, content: string) => Promise<void>;
    writeHomeFile?: (file: string, content: string) => Promise<void>;
  },
  state: StartingState,
): Promise<void> {
  if (state.manifests) await applyManifests(target.grading, state.manifests, "startingState.manifests");
  for (const file of state.files) {
    const write = file.node ? target.writeNodeFile?.bind(undefined, file.node) : target.writeHomeFile;
    if (!write) throw new Error(`cannot place ${file.path}: no ${file.node ? "node" : "home"} file access`);
    await write(file.path, file.content);
  }
  if (state.commands.length > 0) {
    if (!target.shell) throw new Error("starting-state commands need a shell");
    const result = await target.shell.run(state.commands.join("\n"));
    if (result.exitCode !== 0) {
      const last = result.steps.at(-1);
      throw new Error(`starting-state command failed: ${last?.command}: ${last?.output.trim()}`);
    }
  }
  for (const [index, wait] of state.waitFor.entries()) {
    const check = { ...wait, type: "condition" as const, wait: wait.wait ?? "60s" } as CheckOf<"condition">;
    const result = await runCheck(
      check,
      index,
      { cluster: target.grading, lessonFolder: "." },
      { defaultWaitMs: durationMs(check.wait, 60_000) },
    );
    if (result.status !== "pass") throw new Error(`starting state did not converge: ${result.message}`);
  }
}

/** File writers for a fresh cluster's nodes and home. */
export function freshClusterWriters(cluster: FreshCluster) {
  const dataDir = path.join(path.dirname(cluster.kubeconfigPath), "data");
  const write = async (file: string, content: string) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  };
  return {
    grading: cluster.grading,
    shell: cluster.shell,
    writeNodeFile: (node: string, file: string, content: string) =>
      write(path.join(dataDir, "nodes", node, file), content),
    writeHomeFile: (file: string, content: string) =>
      write(path.resolve(cluster.home, file.replace(/^(~|\/root)\//, "")), content),
  };
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ClusterHost } from "../../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../../engine/host/hosting/testServer";
import type { KubectlIO } from "../KubectlIO";
import { runKubectl } from "../kubectl";

/** What one kubectl run printed and returned. */
export interface KubectlRun {
  status: number;
  out: string;
  err: string;
}

/** A hosted cluster without controllers (objects are only what a test creates) and a kubectl for it. */
export interface HostedKubectl {
  kubectl(...args: string[]): Promise<KubectlRun>;
  /** Runs kubectl with a signal that stands for the learner's Ctrl-C. */
  kubectlWithSignal(signal: AbortSignal, ...args: string[]): Promise<KubectlRun>;
  /** Runs `kubectl create -f -` (or apply) with the manifest on standard input; throws when it fails. */
  create(manifest: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a hosted cluster for command tests (use in beforeAll; it takes a few seconds). */
export async function startHostedKubectl(): Promise<HostedKubectl> {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-kubectl-test-"));
  const host = new ClusterHost({ dataDir: path.join(folder, "data"), components: [] });
  const served = await serveHost(host);
  const { id, token } = await host.create();
  const kubeconfig = path.join(folder, "kubeconfig");
  writeFileSync(kubeconfig, host.kubeconfig(id, token, `${served.url}${host.pathOf(id)}`));
  const run = async (args: string[], stdin = "", signal?: AbortSignal): Promise<KubectlRun> => {
    let out = "";
    let err = "";
    const io: KubectlIO = {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      readStdin: async () => stdin,
      readFile: async (file) => readFileSync(file, "utf8"),
      writeFile: async () => undefined,
      readDirectory: async () => undefined,
      env: { KUBECONFIG: kubeconfig, HOME: folder },
      signal,
    };
    const status = await runKubectl(args, io);
    return { status, out, err };
  };
  return {
    kubectl: (...args) => run(args),
    kubectlWithSignal: (signal, ...args) => run(args, "", signal),
    async create(manifest) {
      const result = await run(["create", "-f", "-"], manifest);
      if (result.status !== 0) throw new Error(`kubectl create failed: ${result.err}`);
    },
    async close() {
      await served.close();
      await host.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

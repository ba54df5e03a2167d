import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NodeBackend } from "../node/NodeBackend";
import { Shell } from "./Shell";

const refuse = async (): Promise<never> => {
  throw new Error("the warm-up shell has no nodes");
};

/** The throwaway shell's nodes: a shell starts without asking its nodes anything, so nothing calls these. */
const noNodes: NodeBackend = {
  nodes: refuse,
  readDir: refuse,
  readFile: refuse,
  writeFile: refuse,
  remove: refuse,
  run: refuse,
};

/**
 * Builds and starts a throwaway shell, as a learner's shell is built and started (node access,
 * the home folder on disk), on a scratch home removed afterwards: V8 then has compiled what runs
 * between a pre-started shell's configuration line and its prompt (just-bash's file systems and
 * interpreter set-up, the commands, the line editor, the home folder's files), which cold took
 * 30–40 ms of CPU. Started twice: a first start (the kubeconfig written) and a returning one
 * (the files already there). Its kubeconfig is empty, so it never fetches discovery.
 */
export async function warmShellStart(options: { nodes?: NodeBackend; scratchParent?: string } = {}): Promise<void> {
  const home = mkdtempSync(path.join(options.scratchParent ?? tmpdir(), "kubelab-warm-home-"));
  const nodes = options.nodes ?? noNodes;
  try {
    for (let start = 0; start < 2; start++) {
      const shell = new Shell({
        homeDirectory: home,
        kubeconfig: "",
        nodes,
        write: () => undefined,
        columns: 80,
        rows: 24,
      });
      await shell.start();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

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

/** One step of warming up: a few to tens of ms of CPU. */
export type WarmStage = () => Promise<void> | void;

/**
 * Warm-up stages run one at a time, input let in between them. A pre-started shell runs them
 * until its learner arrives (terminal/shell/main.ts); it then does not wait for the stage in
 * progress, which goes on in the background, interleaved with the learner's shell starting (what
 * is left of a stage is mostly loading code, waiting on the disk); the rest run after the prompt.
 */
export class WarmStages {
  private readonly left: WarmStage[];
  private running: Promise<void> | undefined;

  constructor(stages: WarmStage[]) {
    this.left = [...stages];
  }

  /** Stages not started yet. */
  get pending(): number {
    return this.left.length;
  }

  /** Leaves out a stage not started yet. */
  drop(stage: WarmStage): void {
    const index = this.left.indexOf(stage);
    if (index >= 0) this.left.splice(index, 1);
  }

  /** Runs the stages (after the one in progress) until none is left or `until` settles. */
  async run(until?: Promise<unknown>): Promise<void> {
    let stop = false;
    const stopped = until?.then(
      () => (stop = true),
      () => (stop = true),
    );
    while (!stop && (this.running || this.left.length > 0)) {
      if (!this.running) {
        const stage = this.left.shift() as WarmStage;
        // Warming is an optimisation: a failed stage only leaves its code cold.
        this.running = Promise.resolve()
          .then(stage)
          .catch(() => undefined);
      }
      const running = this.running;
      const finished = await (stopped
        ? Promise.race([running.then(() => true), stopped.then(() => false)])
        : running.then(() => true));
      if (!finished) return;
      if (this.running === running) this.running = undefined;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

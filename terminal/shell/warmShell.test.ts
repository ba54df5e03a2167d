import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NodeBackend } from "../node/NodeBackend";
import { Shell } from "./Shell";
import { WarmStages, warmShellStart } from "./warmShell";

describe("warmShellStart", () => {
  it("starts a throwaway shell without asking any node and leaves nothing behind", async () => {
    const calls: string[] = [];
    const record = (name: string) => async (): Promise<never> => {
      calls.push(name);
      throw new Error("no nodes here");
    };
    const nodes: NodeBackend = {
      nodes: record("nodes"),
      readDir: record("readDir"),
      readFile: record("readFile"),
      writeFile: record("writeFile"),
      remove: record("remove"),
      run: record("run"),
    };
    const scratchParent = mkdtempSync(path.join(tmpdir(), "kubelab-warm-test-"));
    await warmShellStart({ nodes, scratchParent });
    expect(calls).toEqual([]);
    expect(readdirSync(scratchParent)).toEqual([]);
  });

  it("leaves a learner's shell started afterwards as it would be: kubeconfig, history and aliases", async () => {
    await warmShellStart({ scratchParent: mkdtempSync(path.join(tmpdir(), "kubelab-warm-test-")) });
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-warm-learner-"));
    writeFileSync(path.join(home, ".bash_history"), "echo one\necho two\n");
    writeFileSync(path.join(home, ".kubelab_aliases"), "alias kg='kubectl get'\n");
    let screen = "";
    const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n";
    const shell = new Shell({
      homeDirectory: home,
      kubeconfig,
      write: (text) => {
        screen += text;
      },
      columns: 80,
      rows: 24,
    });
    await shell.start();
    expect(screen).toContain("controlplane:~$ ");
    expect(readFileSync(path.join(home, ".kube", "config"), "utf8")).toBe(kubeconfig);
    shell.input("alias\r");
    await expect.poll(() => screen).toContain("alias kg='kubectl get'");
    shell.input("\x1b[A\x1b[A");
    await expect.poll(() => screen).toContain("echo two");
  });
});

describe("WarmStages", () => {
  it("runs its stages in order, a failed one not stopping the rest", async () => {
    const ran: string[] = [];
    const stages = new WarmStages([
      () => {
        ran.push("a");
      },
      async () => {
        ran.push("b");
        throw new Error("cold");
      },
      async () => {
        ran.push("c");
      },
    ]);
    await stages.run();
    expect(ran).toEqual(["a", "b", "c"]);
    expect(stages.pending).toBe(0);
  });

  it("stops when the learner arrives without waiting for the stage in progress, and finishes later", async () => {
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const slow = async () => {
      ran.push("slow started");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      ran.push("slow done");
    };
    const never = () => {
      ran.push("dropped");
    };
    const stages = new WarmStages([slow, never, () => void ran.push("last")]);
    let arrive: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const waiting = stages.run(arrived);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(["slow started"]);
    arrive();
    await waiting;
    expect(ran).toEqual(["slow started"]);
    stages.drop(never);
    const rest = stages.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(["slow started"]);
    release();
    await rest;
    expect(ran).toEqual(["slow started", "slow done", "last"]);
  });
});

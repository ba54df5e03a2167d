import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { type CliCommand, UsageError } from "../Command";

/**
 * `kubelab shell`: the learner's shell (the one the lesson page's terminal runs) in this terminal,
 * against $KUBECONFIG. With the kubeconfig `kubelab cluster up` writes, it has node access too.
 */
export const command: CliCommand = {
  name: "shell",
  summary: "Open the learner's shell (kubectl, ssh to nodes, crictl, etcdctl) in this terminal",
  description: `Runs Kubelab's learner shell here: bash syntax, coreutils, Kubelab's kubectl, and the
 node tools. kubectl talks to the cluster of --kubeconfig (default $KUBECONFIG, else ./kubeconfig).

 When that kubeconfig was written by "kubelab cluster up", the shell also reaches the cluster's
 nodes: it starts as the control plane's shell (/etc/kubernetes/manifests, pki, etcdctl), and
 "ssh node01" enters a worker. Other kubeconfigs give kubectl only.

 /root is the folder --home (default $KUBELAB_HOME, else ~/.kubelab/home), kept across runs.`,
  usage: "[flags]",
  examples: ["kubelab cluster up --kubeconfig ./kubeconfig &", "KUBECONFIG=./kubeconfig kubelab shell"],
  flags: [
    { name: "kubeconfig", type: "string", valueName: "FILE", description: "The cluster's kubeconfig" },
    { name: "home", type: "string", valueName: "DIR", description: "The folder the shell's /root is" },
  ],
  async run({ flags, io, commandPath }) {
    const envKubeconfig =
      io.env.KUBECONFIG && !io.env.KUBECONFIG.includes(path.delimiter) ? io.env.KUBECONFIG : undefined;
    const kubeconfig = path.resolve(io.cwd, (flags.kubeconfig as string | undefined) ?? envKubeconfig ?? "kubeconfig");
    if (!existsSync(kubeconfig)) throw new UsageError(`kubeconfig ${kubeconfig} does not exist`, commandPath);
    const home = path.resolve(
      io.cwd,
      (flags.home as string | undefined) ?? io.env.KUBELAB_HOME ?? path.join(homedir(), ".kubelab", "home"),
    );
    mkdirSync(home, { recursive: true });
    const { prepareShellLaunch } = await import("../../terminal/server/shellBundle");
    const launch = await prepareShellLaunch(path.resolve(import.meta.dirname, "..", ".."));
    const child = spawn(launch.file, launch.args, {
      stdio: "inherit",
      env: { ...process.env, ...io.env, KUBECONFIG: kubeconfig, KUBELAB_HOME: home },
    });
    // Ctrl-C belongs to the shell (a raw-mode byte); a signal from outside stops it.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
      });
    } finally {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
    }
  },
};

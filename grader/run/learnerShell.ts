import { readFile } from "node:fs/promises";
import type { NodeBackend } from "../../terminal/node/NodeBackend";
import { isIncomplete, Shell } from "../../terminal/shell/Shell";

/** One command of a script and how it went. */
export interface ScriptStep {
  command: string;
  exitCode: number;
  output: string;
}

/** A command that runs longer than this is stopped with Ctrl-C, as a learner would (`kubectl get -w`). */
const commandLimitMs = 120_000;

/**
 * Runs scripts (lesson solutions, starting-state commands, submitted `.sh` files) in the learner's
 * own shell (terminal/shell), non-interactively: the same bash syntax, coreutils, aliases and
 * kubectl as the terminal in the lesson page, with `home` as /root. Commands run one at a time as
 * if typed at the prompt, so each gets its own output and exit status.
 */
export class LearnerShell {
  private shell: Promise<{ shell: Shell; output: { text: string } }> | undefined;

  constructor(
    private readonly home: string,
    private readonly kubeconfigPath: string,
    /** The cluster's nodes (ssh, crictl, etcdctl, node files), as the lesson page's terminal has them. */
    private readonly nodes?: NodeBackend,
  ) {}

  private started() {
    this.shell ??= (async () => {
      const output = { text: "" };
      const shell = new Shell({
        homeDirectory: this.home,
        kubeconfig: await readFile(this.kubeconfigPath, "utf8"),
        write: (text) => {
          output.text += text;
        },
        columns: 200,
        rows: 50,
        nodes: this.nodes,
      });
      await shell.start();
      return { shell, output };
    })();
    return this.shell;
  }

  /**
   * Runs a script command by command; stops at the first failing command (with
   * `tolerateReadOnlyFailures`, a failed look such as `kubectl logs` of a starting container does
   * not stop it: a learner would look again).
   */
  async run(
    script: string,
    options: { tolerateReadOnlyFailures?: boolean } = {},
  ): Promise<{ exitCode: number; steps: ScriptStep[] }> {
    const { shell, output } = await this.started();
    const steps: ScriptStep[] = [];
    for (const command of scriptCommands(script)) {
      output.text = "";
      const limit = setTimeout(() => shell.input("\x03"), commandLimitMs);
      const exitCode = await shell.execute(command).finally(() => clearTimeout(limit));
      const step = { command, exitCode, output: output.text.replace(/\r\n/g, "\n") };
      steps.push(step);
      if (exitCode !== 0 && !(options.tolerateReadOnlyFailures && isReadOnly(command))) {
        return { exitCode, steps };
      }
    }
    return { exitCode: 0, steps };
  }
}

/**
 * A script's complete commands, as the terminal's prompt would collect them: lines are joined
 * while bash would ask for more (a trailing backslash, an open quote, a here-document before its
 * terminator, an open `if`/`for`); blank lines and comment lines are dropped.
 */
export function scriptCommands(script: string): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const line of script.split(/\r?\n/)) {
    pending = pending ? `${pending}\n${line}` : line;
    if (isIncomplete(pending)) continue;
    const trimmed = pending.trim();
    if (trimmed !== "" && !/^#[^\n]*$/.test(trimmed)) commands.push(pending);
    pending = "";
  }
  if (pending.trim() !== "") commands.push(pending);
  return commands;
}

const readOnlyVerbs = new Set([
  "get",
  "describe",
  "logs",
  "exec",
  "top",
  "explain",
  "events",
  "api-resources",
  "version",
  "cluster-info",
  "wait",
  "rollout",
  "auth",
  "diff",
]);

/** kubectl commands that only look (a failure there changes nothing in the cluster). */
function isReadOnly(line: string): boolean {
  const words = line.trim().split(/\s+/);
  if (words[0] !== "kubectl" && words[0] !== "k") return false;
  const verb = words.slice(1).find((word) => !word.startsWith("-"));
  if (verb === "rollout") return /\brollout\s+(status|history)\b/.test(line);
  return verb !== undefined && readOnlyVerbs.has(verb);
}

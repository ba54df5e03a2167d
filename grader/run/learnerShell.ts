import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SharedClients } from "../../terminal/kubectl/Command";
import type { KubectlIO } from "../../terminal/kubectl/KubectlIO";
import { runKubectl } from "../../terminal/kubectl/kubectl";

/** One command of a script and how it went. */
export interface ScriptStep {
  command: string;
  exitCode: number;
  output: string;
}

/** Splits a line into words as a shell would for simple commands: quotes and backslashes, no expansion. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && /["\\$`]/.test(line[index + 1] ?? "")) current += line[++index];
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\") {
      current += line[++index] ?? "";
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if (char === "#" && !inWord) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (inWord) words.push(current);
  return words;
}

/**
 * Runs shell commands as a learner would type them, non-interactively, with Kubelab's kubectl
 * (terminal/kubectl) against a kubeconfig. It understands what lesson solutions use: `kubectl …`
 * (and the `k` alias), heredocs (`kubectl apply -f - <<EOF`, `cat > file <<EOF`), `echo … > file`,
 * `sleep` (ignored: checks wait for convergence), comments and blank lines. Files live in `home`.
 * Anything else is reported as an unsupported command, never silently skipped.
 */
export class LearnerShell {
  private readonly shared: SharedClients = {};

  constructor(
    private readonly home: string,
    private readonly kubeconfigPath: string,
  ) {}

  /** Runs a script; stops at the first failing command. */
  async run(
    script: string,
    options: { tolerateReadOnlyFailures?: boolean } = {},
  ): Promise<{ exitCode: number; steps: ScriptStep[] }> {
    const lines = script.split(/\r?\n/);
    const steps: ScriptStep[] = [];
    for (let index = 0; index < lines.length; index++) {
      let line = (lines[index] ?? "").trim();
      while (line.endsWith("\\") && index + 1 < lines.length)
        line = `${line.slice(0, -1)} ${(lines[++index] ?? "").trim()}`;
      if (line === "" || line.startsWith("#")) continue;
      let stdin: string | undefined;
      const heredoc = /<<-?\s*(['"]?)([A-Za-z_]+)\1/.exec(line);
      if (heredoc) {
        const body: string[] = [];
        while (index + 1 < lines.length && (lines[index + 1] ?? "").trim() !== heredoc[2])
          body.push(lines[++index] ?? "");
        index++;
        stdin = body.length ? `${body.join("\n")}\n` : "";
        line = line.replace(heredoc[0], "").trim();
      }
      const step = await this.runLine(line, stdin);
      steps.push(step);
      // A learner who looks too early (logs of a starting container) looks again later: a failed
      // read-only command does not stop the script; a failed change does.
      if (step.exitCode !== 0 && !(options.tolerateReadOnlyFailures && isReadOnly(line))) {
        return { exitCode: step.exitCode, steps };
      }
    }
    return { exitCode: 0, steps };
  }

  private async runLine(line: string, stdin: string | undefined): Promise<ScriptStep> {
    let output = "";
    let words: string[];
    try {
      words = shellWords(line);
    } catch (error) {
      return { command: line, exitCode: 2, output: `syntax error: ${(error as Error).message}` };
    }
    let redirect: string | undefined;
    const redirectAt = words.findIndex((word) => word === ">" || word.startsWith(">"));
    if (redirectAt >= 0) {
      const word = words[redirectAt] as string;
      redirect = word === ">" ? words[redirectAt + 1] : word.slice(1);
      words = words.slice(0, redirectAt);
    }
    const [name, ...args] = words;
    const io = this.io((text) => {
      output += text;
    }, stdin);
    let exitCode = 0;
    let produced = "";
    const capture = (text: string) => {
      produced += text;
    };
    if (name === "kubectl" || name === "k") {
      const runIo = redirect ? { ...io, stdout: capture } : io;
      exitCode = await runKubectl(args, runIo, { shared: this.shared });
    } else if (name === "cat" && args.length === 0 && stdin !== undefined) {
      produced = stdin;
    } else if (name === "echo") {
      produced = `${args.join(" ")}\n`;
    } else if (name === "sleep") {
      // Checks wait for convergence themselves.
    } else if (name === "mkdir") {
      for (const folder of args.filter((arg) => !arg.startsWith("-")))
        await mkdir(this.resolve(folder), { recursive: true });
    } else {
      return {
        command: line,
        exitCode: 127,
        output: `${name}: not supported in solutions (use kubectl, cat/echo > file)`,
      };
    }
    if (redirect) await io.writeFile(redirect, produced);
    else output += produced;
    return { command: line, exitCode, output };
  }

  private resolve(file: string): string {
    if (file.startsWith("~/")) return path.join(this.home, file.slice(2));
    if (file.startsWith("/root/")) return path.join(this.home, file.slice(6));
    return path.resolve(this.home, file);
  }

  private io(write: (text: string) => void, stdin: string | undefined): KubectlIO {
    return {
      stdout: write,
      stderr: write,
      readStdin: async () => stdin ?? "",
      readFile: (file) => readFile(this.resolve(file), "utf8"),
      writeFile: async (file, content) => {
        await mkdir(path.dirname(this.resolve(file)), { recursive: true });
        await writeFile(this.resolve(file), content);
      },
      readDirectory: async (file) => {
        try {
          if (!(await stat(this.resolve(file))).isDirectory()) return undefined;
          return await readdir(this.resolve(file));
        } catch {
          return undefined;
        }
      },
      env: { HOME: "/root", KUBECONFIG: this.kubeconfigPath },
    };
  }
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

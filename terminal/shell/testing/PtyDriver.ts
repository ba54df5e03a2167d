import { readFileSync } from "node:fs";
import path from "node:path";
import { type IPty, spawn } from "node-pty";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

/**
 * The prompt drawn last, wherever it starts. Needed after a full-screen editor: leaving the
 * alternate screen redraws the prompt without a new line.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
export const promptAtEnd = /controlplane:[^$\n]*\$ (\r\x1b\[\d+C)?$/;

/** The prompt drawn last, after a new line (the Enter that ran a command): what `run` waits for by default. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
const promptOnNewLine = /\r\n.*controlplane:[^$\n]*\$ (\r\x1b\[\d+C)?$/s;

/** How to start the learner shell in a pty. */
export interface PtyDriverOptions {
  /** KUBELAB_HOME: the learner's folder. */
  home: string;
  /** KUBECONFIG; by default a file that does not exist in `home` (no cluster). */
  kubeconfig?: string;
  columns?: number;
  rows?: number;
  /** Node options before `--import tsx`, such as the terminal server's V8 limits. */
  nodeFlags?: readonly string[];
  /** What `run` waits for; by default the prompt after a new line. */
  prompt?: RegExp;
}

/**
 * The learner shell (terminal/shell/main.ts) in a real pty, for tests: everything it prints
 * accumulates in `output`, and the helpers type and wait for what should appear.
 */
export class PtyDriver {
  output = "";
  readonly home: string;
  readonly pty: IPty;
  private readonly prompt: RegExp;
  constructor({
    home,
    kubeconfig,
    columns = 100,
    rows = 30,
    nodeFlags = [],
    prompt = promptOnNewLine,
  }: PtyDriverOptions) {
    this.home = home;
    this.prompt = prompt;
    this.pty = spawn(
      process.execPath,
      [...nodeFlags, "--import", "tsx", path.join(root, "terminal", "shell", "main.ts")],
      {
        cwd: root,
        cols: columns,
        rows,
        env: {
          PATH: process.env.PATH ?? "",
          KUBELAB_HOME: home,
          KUBECONFIG: kubeconfig ?? path.join(home, "missing-kubeconfig"),
          TERM: "xterm-256color",
        },
      },
    );
    this.pty.onData((data) => {
      this.output += data;
    });
  }
  /** Waits until the output (after `from`) matches, returning that slice. */
  async waitFor(pattern: RegExp | string, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const slice = this.output.slice(from);
      if (typeof pattern === "string" ? slice.includes(pattern) : pattern.test(slice)) return slice;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(slice.slice(-500))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  /** Types text and waits for the next prompt; returns what was printed in between. */
  async run(text: string): Promise<string> {
    const mark = this.output.length;
    this.pty.write(text);
    return this.waitFor(this.prompt, mark);
  }
  /** Types keys (into a full-screen editor, say) and waits until `expected` is drawn. */
  async keys(text: string, expected: RegExp | string): Promise<string> {
    const mark = this.output.length;
    this.pty.write(text);
    return this.waitFor(expected, mark);
  }
  /** The content of the file `name` in the learner's folder. */
  file(name: string): string {
    return readFileSync(path.join(this.home, name), "utf8");
  }
}

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Shell } from "./Shell";

/**
 * Background jobs in a shell in this process, typed at the prompt: the outputs are bash 5.2's for
 * the same keys (checked in a pty), the pids masked.
 */
async function startShell() {
  let output = "";
  const shell = new Shell({
    homeDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-jobs-test-")),
    kubeconfig: "",
    write: (text) => (output += text),
    columns: 80,
    rows: 24,
  });
  await shell.start();
  /** Types keys and waits until the next prompt has been drawn; what came before it, pids as PID. */
  const type = async (keys: string) => {
    output = "";
    shell.input(keys);
    const deadline = Date.now() + 10_000;
    while (!/\ncontrolplane:~\$ $/.test(withoutEscapes(output))) {
      if (Date.now() > deadline) throw new Error(`no prompt after ${JSON.stringify(keys)}: ${JSON.stringify(output)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return clean(output);
  };
  return { shell, type, printed: () => clean(output) };
}

function withoutEscapes(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
}

/** The lines printed, without the line editor's redraws and the prompt, pids masked. */
function clean(text: string): string {
  return withoutEscapes(text)
    .replace(/controlplane:~\$ [^\n]*\n?/g, "")
    .replace(/^\[(\d+)\] \d+$/gm, "[$1] PID")
    .replace(/^\n/, "");
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("background jobs", () => {
  it("starts `cmd &` at once, sets $!, and reports Done before a later prompt", async () => {
    const { type } = await startShell();
    expect(await type("sleep 0.2 &\r")).toBe("[1] PID\n");
    const pid = (await type("echo $!\r")).trim();
    expect(pid).toMatch(/^\d{4,5}$/);
    await sleepMs(300);
    expect(await type("\r")).toBe("[1]+  Done                    sleep 0.2\n");
    expect(await type("\r")).toBe("");
  });

  it("lists jobs, kills them by job spec and pid, and reports each end with bash's words", async () => {
    const { type } = await startShell();
    await type("sleep 30 & sleep 31 & sleep 32 &\r");
    const long = await type("jobs -l\r");
    expect(long).toMatch(
      /^\[1\] {2,}\d+ Running {17}sleep 30 &\n\[2\]- +\d+ Running {17}sleep 31 &\n\[3\]\+ +\d+ Running {17}sleep 32 &\n$/,
    );
    const pid = /\[3\]\+ +(\d+)/.exec(long)?.[1];
    expect(await type(`kill -9 %1; kill -INT %2; kill ${pid}\r`)).toBe(
      [
        "[1]   Killed                  sleep 30\n",
        "[2]-  Interrupt               sleep 31\n",
        "[3]+  Terminated              sleep 32\n",
      ].join(""),
    );
    expect(await type("jobs; kill %1; kill 99999; kill\r")).toBe(
      [
        "bash: kill: %1: no such job\n",
        "bash: kill: (99999) - No such process\n",
        "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n",
      ].join(""),
    );
  });

  it("waits for a job and takes its status; a job's end is reported by wait", async () => {
    const { type } = await startShell();
    await type("(sleep 0.2; exit 3) &\r");
    expect(await type("wait %1; echo $?\r")).toBe("[1]+  Exit 3                  (sleep 0.2; exit 3)\n3\n");
    expect(await type("wait %1\r")).toBe("bash: wait: %1: no such job\n");
    expect(await type("echo $?\r")).toBe("127\n");
  });

  it("brings a job to the foreground, where Ctrl-C stops it without a notice", async () => {
    const { shell, type, printed } = await startShell();
    await type("sleep 30 &\r");
    shell.input("fg\r");
    await sleepMs(200);
    // fg names the job it brings back.
    expect(printed()).toMatch(/\nsleep 30\n$/);
    expect(await type("\x03")).toBe("^C\n");
    expect(await type("echo $?; jobs\r")).toBe("130\n");
    expect(await type("fg; bg\r")).toBe("bash: fg: current: no such job\nbash: bg: current: no such job\n");
  });

  it("keeps jobs running through Ctrl-C at the prompt and in a foreground command", async () => {
    const { shell, type } = await startShell();
    await type("sleep 30 &\r");
    await type("\x03");
    shell.input("sleep 5\r");
    await sleepMs(100);
    await type("\x03");
    expect(await type("jobs\r")).toBe("[1]+  Running                 sleep 30 &\n");
    expect(await type("bg; disown; jobs\r")).toBe("bash: bg: job 1 already in background\n");
  });

  it("runs a job as a subshell: its cd and variables stay its own", async () => {
    const { type } = await startShell();
    // Jobs that end before the prompt is drawn are reported before it, as in bash.
    expect(await type("cd /tmp & X=1 & echo next\r")).toBe(
      "[1] PID\n[2] PID\nnext\n[1]-  Done                    cd /tmp\n[2]+  Done                    X=1\n",
    );
    expect(await type('pwd; echo "x=$X"\r')).toBe("/root\nx=\n");
  });

  it("caps the number of jobs running at once", async () => {
    const { type } = await startShell();
    await type(`${Array.from({ length: 16 }, (_, index) => `sleep ${30 + index} &`).join(" ")}\r`);
    expect(await type("sleep 99 &\r")).toBe(
      "bash: fork: Resource temporarily unavailable (at most 16 jobs run at once: `jobs` lists them, `kill %N` stops one)\n",
    );
  });
});

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PtyDriver } from "./testing/PtyDriver";

/**
 * The learner shell through a real pty, as the terminal server runs it: line editing, history,
 * completion, Ctrl-C, resize, persistence of history and files.
 */
const home = mkdtempSync(path.join(tmpdir(), "kubelab-shell-home-"));

// The V8 limits the terminal server gives each shell (terminal/server/shellBundle.ts).
const v8Limits = ["--max-old-space-size=96", "--max-semi-space-size=1"];

describe("learner shell in a pty", () => {
  let shell: PtyDriver;
  beforeAll(async () => {
    shell = new PtyDriver({ home, nodeFlags: v8Limits });
    await shell.waitFor("controlplane:~$ ", 0, 60_000);
  }, 90_000);
  afterAll(() => shell.pty.kill());

  it("runs bash syntax and prints with the kubeadm-style prompt", async () => {
    const out = await shell.run("for i in 1 2; do echo n$i; done | wc -l\r");
    expect(out).toContain("2\r\n");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    expect(out).toMatch(/controlplane:~\$ (\r\x1b\[\d+C)?$/);
  });

  it("edits the line: cursor movement, insertion and deletion", async () => {
    // Type "echo wrld", go left 3, insert "o", Ctrl-E, backspace twice, type "ld!".
    const out = await shell.run("echo wrld\x1b[D\x1b[D\x1b[Do\x05\x7f\x7fld!\r");
    expect(out).toContain("world!\r\n");
  });

  it("recalls history with the up arrow", async () => {
    await shell.run("echo first-command\r");
    const out = await shell.run("\x1b[A\r");
    expect(out.match(/first-command/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it("completes commands and file names with Tab", async () => {
    await shell.run("mkdir -p /root/manifests && touch /root/manifests/deployment.yaml\r");
    const out = await shell.run("ls /root/manif\tdep\t\r");
    expect(out).toContain("ls /root/manifests/deployment.yaml");
    expect(out).toContain("\r\n/root/manifests/deployment.yaml");
    const command = await shell.run("kubect\t version --client\r");
    expect(command).toContain("Client Version: v1.32.4");
  });

  it("stops a running command with Ctrl-C and keeps the shell", async () => {
    const mark = shell.output.length;
    shell.pty.write("sleep 30\r");
    await shell.waitFor("sleep 30", mark);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const out = await shell.run("\x03");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(out).toContain("^C");
    expect(await shell.run("echo $?\r")).toContain("130");
  });

  it("keeps output without a final newline before the next prompt, as bash does", async () => {
    const out = await shell.run("printf abc\r");
    // The prompt is drawn from column 3 (after "abc"), not over it.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    expect(out).toMatch(/\r\nabc\r\x1b\[3C\x1b\[Jcontrolplane:~\$ (\r\x1b\[\d+C)?$/);
  });

  it.each([
    ["sleep 0.3", 25],
    ["kubectl get pods", 2],
    ["sleep 0.1; kubectl get pods", 4],
    // Typing straight on after Enter: the first keys arrive while the line is still being saved
    // to the history, before the command starts.
    ["sleep 0.2", 1, false],
  ])("delivers keys typed while `%s` runs to the next prompt in order", async (command, gapMs, waitForEcho = true) => {
    const mark = shell.output.length;
    shell.pty.write(`${command}\r`);
    if (waitForEcho) await shell.waitFor(`${command}\r`, mark);
    // One key at a time, across the moment the prompt returns.
    for (const ch of "echo typed-ahead-in-order") {
      shell.pty.write(ch);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    const out = await shell.run("\r");
    expect(out).toContain("\r\ntyped-ahead-in-order\r\n");
  });

  it.each([
    ["grep -o b <<< abc", "\r\nb\r\n"],
    ["cat <<< hello", "\r\nhello\r\n"],
    ['echo "a <<EOF b"', "\r\na <<EOF b\r\n"],
    ["x=3; echo $((1<<x))", "\r\n8\r\n"],
  ])("runs `%s` at once, without a here-document prompt", async (line, printed) => {
    const out = await shell.run(`${line}\r`);
    expect(out).toContain(printed);
    expect(out).not.toContain("\r\n> ");
  });

  it("reads a here-document's body up to its terminator", async () => {
    const out = await shell.run("cat <<'END' | wc -l\rone <<EOF\rtwo\rEND\r");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    expect(out).toMatch(/> one <<EOF.*> two.*> END\r\x1b\[5C\r\r\n2\r\n/s);
  });

  it("keeps a function and an alias defined on one line for the next", async () => {
    await shell.run("greet() { echo hi $1; }; alias kg='echo kg:'; echo defined\r");
    const out = await shell.run("greet bob; kg nodes; type k\r");
    expect(out).toContain("\r\nhi bob\r\nkg: nodes\r\nk is aliased to `kubectl'\r\n");
  });

  it("stops a line that would outgrow the shell's memory with a message, and stays alive", async () => {
    const out = await shell.run("x=$(printf '%*s' 50000000 ''); echo rc=$?\r");
    expect(out).toContain("limit exceeded");
    expect(out).not.toContain("heap out of memory");
    expect(await shell.run("echo alive\r")).toContain("\r\nalive\r\n");
  });

  it("expands !!, !$ and !prefix, showing the line before running it", async () => {
    await shell.run("echo history-one two\r");
    expect(await shell.run("echo !$\r")).toContain("\r\necho two\r\ntwo\r\n");
    expect(await shell.run("!!\r")).toContain("\r\necho two\r\ntwo\r\n");
    expect(await shell.run("!echo h\r")).toContain("\r\necho two h\r\ntwo h\r\n");
    expect(await shell.run("!nosuch\r")).toContain("bash: !nosuch: event not found\r\n");
  });

  it("answers unknown commands with status 127", async () => {
    const out = await shell.run("nosuchthing; echo status=$?\r");
    expect(out).toContain("nosuchthing: command not found");
    expect(out).toContain("status=127");
  });

  it("sees a resized terminal", async () => {
    shell.pty.resize(120, 40);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const out = await shell.run("echo $COLUMNS x $LINES\r");
    expect(out).toContain("120 x 40");
  });

  it("runs `sleep 1 &` in the background and reports it Done before a later prompt", async () => {
    const started = await shell.run("sleep 1 &\r");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    expect(started).toMatch(/\r\n\[1\] \d+\r\n\r\x1b\[Jcontrolplane:~\$ /);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await shell.run("\r")).toContain("\r\n[1]+  Done                    sleep 1\r\n");
  });

  it("stops a job with kill %1, reported as Terminated at the next prompt", async () => {
    await shell.run("sleep 30 &\r");
    const killed = await shell.run("kill %1\r");
    const later = killed.includes("Terminated") ? killed : await shell.run("\r");
    expect(later).toContain("[1]+  Terminated              sleep 30\r\n");
    expect(await shell.run("jobs; echo n=$?\r")).toContain("\r\nn=0\r\n");
  });

  it("brings a job to the foreground with fg, where Ctrl-C stops it", async () => {
    await shell.run("sleep 30 &\r");
    const mark = shell.output.length;
    shell.pty.write("fg\r");
    await shell.waitFor("\r\nsleep 30\r\n", mark);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await shell.run("\x03")).toContain("^C");
    const status = await shell.run("echo $?; jobs\r");
    expect(status).toContain("\r\n130\r\n");
    expect(status).not.toContain("sleep 30");
  });

  it("keeps k=kubectl and persists history to the home folder", async () => {
    const out = await shell.run("alias k\r");
    expect(out).toContain("alias k='kubectl'");
    const history = readFileSync(path.join(home, ".bash_history"), "utf8");
    expect(history).toContain("echo first-command");
  });
});

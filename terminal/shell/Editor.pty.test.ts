import { type ChildProcess, spawn as spawnProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PtyDriver, promptAtEnd } from "./testing/PtyDriver";

/**
 * vi and nano in the learner shell through a real pty: what the keys do to a file, and which
 * editor `kubectl edit` opens (against a standalone cluster started for the test).
 */
const root = path.resolve(import.meta.dirname, "..", "..");

const manifest =
  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - image: nginx\n    name: web\n";

describe("the shell's editors in a pty", () => {
  let shell: PtyDriver;
  beforeAll(async () => {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-editor-home-"));
    shell = new PtyDriver({ home, prompt: promptAtEnd });
    await shell.waitFor("controlplane:~$ ", 0, 60_000);
  }, 90_000);
  afterAll(() => shell.pty.kill());

  it("vi: /pattern moves to the match and never runs the letters as commands", async () => {
    await shell.run(`printf '${manifest.replace(/\n/g, "\\n")}' > pod.yaml\r`);
    await shell.keys("vi pod.yaml\r", '"pod.yaml" 8L');
    await shell.keys("/image\r", "/image");
    const wrapped = await shell.keys("/kind\r", "search hit BOTTOM, continuing at TOP");
    expect(wrapped).toContain("2,1");
    await shell.keys("/nginx\r", "7,");
    await shell.keys("cwredis\x1b", "7,");
    await shell.run(":wq\r");
    expect(shell.file("pod.yaml")).toBe(manifest.replace("nginx", "redis"));
  });

  it("vi: counts, :%s and :set paste", async () => {
    await shell.run("printf 'a: 1\\nb: 1\\nc: 1\\nd: 1\\n' > counts.yaml\r");
    await shell.keys("vi counts.yaml\r", '"counts.yaml" 4L');
    await shell.keys("2dd", "1,1");
    await shell.keys(":set paste\r", ":set paste");
    await shell.keys(":%s/1/2/g\r", ":%s/1/2/g");
    await shell.keys(":frobnicate\r", "E492: Not an editor command: frobnicate");
    await shell.run(":wq\r");
    expect(shell.file("counts.yaml")).toBe("c: 2\nd: 2\n");
  });

  it("nano: ^O asks for the file name and its Enter stays out of the text", async () => {
    await shell.run("printf 'image: nginx\\n' > n3.txt\r");
    await shell.keys("nano n3.txt\r", "[ Read 1 line ]");
    await shell.keys("\x1b[C\x1b[C\x1b[C\x0f", "File Name to Write: n3.txt");
    await shell.keys("\r", "[ Wrote 1 line ]");
    const out = await shell.run("\x18");
    expect(out).not.toContain("Save modified buffer?");
    expect(shell.file("n3.txt")).toBe("image: nginx\n");
  });

  it("nano: ^X on a modified buffer asks, Y asks for the name, Enter saves and exits", async () => {
    await shell.run("printf 'replicas: 1\\n' > n4.txt\r");
    await shell.keys("nano n4.txt\r", "[ Read 1 line ]");
    await shell.keys("\x171\r", "Kubelab nano");
    await shell.keys("\x1b[3~3\x18", "Save modified buffer?");
    await shell.keys("y", "File Name to Write: n4.txt");
    await shell.run("\r");
    expect(shell.file("n4.txt")).toBe("replicas: 3\n");
    const after = await shell.run("echo still-here\r");
    expect(after).toContain("\r\nstill-here\r\n");
  });
});

describe("kubectl edit's editor in a pty", () => {
  let shell: PtyDriver;
  let cluster: ChildProcess;
  beforeAll(async () => {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-editor-cluster-"));
    const kubeconfig = path.join(home, "kubeconfig");
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    cluster = spawnProcess(
      process.execPath,
      [
        path.join(root, "bin", "kubelab.mjs"),
        "cluster",
        "up",
        "--port",
        port,
        "--kubeconfig",
        kubeconfig,
        "--speed",
        "fast",
        "--data-dir",
        path.join(home, "data"),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new Error(`cluster did not start: ${log}`)), 60_000);
      cluster.stdout?.on("data", (data) => {
        log += String(data);
        if (log.includes("Press Ctrl+C to stop")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    shell = new PtyDriver({ home: path.join(home, "shell-home"), kubeconfig, prompt: promptAtEnd });
    await shell.waitFor("controlplane:~$ ", 0, 60_000);
    await shell.run("kubectl create deployment web --image=nginx\r");
  }, 120_000);
  afterAll(() => {
    shell?.pty.kill();
    cluster?.kill("SIGINT");
  });

  it.each([
    ["KUBE_EDITOR=nano kubectl edit deploy web"],
    ["EDITOR=nano kubectl edit deploy web"],
    ["export KUBE_EDITOR=/usr/bin/nano; kubectl edit deploy web"],
  ])("`%s` opens nano", async (line) => {
    await shell.keys(`${line}\r`, "Kubelab nano");
    const out = await shell.run("\x18");
    expect(out).toContain("Edit cancelled, no changes made.");
    await shell.run("unset KUBE_EDITOR EDITOR\r");
  });

  it("opens vi without an editor set", async () => {
    await shell.keys("kubectl edit deploy web\r", "kubectl-edit-web.yaml");
    await shell.keys("/replicas\r", "/replicas");
    await shell.keys("$r3", "replicas: 3");
    const out = await shell.run(":wq\r");
    expect(out).toContain("deployment.apps/web edited");
  });

  it("answers an editor the node has not got as kubectl does", async () => {
    const out = await shell.run("KUBE_EDITOR=emacs kubectl edit deploy web\r");
    expect(out).toContain('error: unable to launch the editor "emacs"');
  });
});

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InMemoryFs } from "just-bash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubectlIO } from "../../terminal/kubectl/KubectlIO";
import { runKubectl } from "../../terminal/kubectl/kubectl";
import { virtualLocalFiles } from "../../terminal/kubectl/localFiles";
import { runOurs } from "../terminal/differential/harness";
import { hasKubectl, KUBECTL, kubectl, startTestCluster, type TestCluster } from "./support";

/**
 * `kubectl cp` both ways against the standalone cluster, with the real kubectl 1.32 (a Go
 * archive/tar stream into `tar -xmf -` in the container; `tar cf -` out of it, binary) and with
 * Kubelab's own kubectl, which must print and do the same.
 */
describe.skipIf(!hasKubectl)("kubectl cp", () => {
  let cluster: TestCluster;
  let local: string;
  const binary = randomBytes(70_000);
  const longName = `${"n".repeat(130)}.txt`;

  /** The real kubectl, run in the local folder. */
  const real = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        KUBECTL,
        args,
        { cwd: local, env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder }, timeout: 45_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });
  const ours = async (...args: string[]) => {
    const result = await runOurs(args, cluster.kubeconfig, undefined, local);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const execIn = async (pod: string, ...command: string[]) =>
    (await kubectl(cluster, ["exec", pod, "--", ...command])).stdout;
  /** tar's messages on kubectl's stdout; the real kubectl's copy of them races with the end of the copy. */
  const tarMessage = (who: string, stdout: string, message: string) =>
    who === "the real kubectl" ? message.startsWith(stdout) : stdout === message;
  const masked = (result: { code: number; stdout: string; stderr: string }) => ({
    ...result,
    stderr: result.stderr.replace(/failed to start exec "[0-9a-f]{64}"/, 'failed to start exec "ID"'),
  });

  beforeAll(async () => {
    cluster = await startTestCluster();
    local = path.join(cluster.folder, "local");
    mkdirSync(path.join(local, "tree", "sub"), { recursive: true });
    writeFileSync(path.join(local, "hello.txt"), "hello, pod\n");
    writeFileSync(path.join(local, "tree", "sub", "data.bin"), binary);
    writeFileSync(path.join(local, "tree", "café.txt"), "ça va\n");
    writeFileSync(path.join(local, "tree", longName), "long\n");
    const k = (...args: string[]) => kubectl(cluster, args);
    await k("run", "bb", "--image=busybox", "--", "sleep", "3600");
    await k("run", "web", "--image=nginx");
    await k("run", "echo", "--image=hashicorp/http-echo", "--", "-text=hi");
    const ready = await k("wait", "--for=condition=Ready", "pod/bb", "pod/web", "pod/echo", "--timeout=60s");
    expect(ready.code).toBe(0);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const [who, run] of [
    ["the real kubectl", (...args: string[]) => real(...args)],
    ["Kubelab's kubectl", (...args: string[]) => ours(...args)],
  ] as const) {
    it(`copies files and directories both ways, byte for byte (${who})`, async () => {
      const target = who === "the real kubectl" ? "real" : "ours";
      await execIn("bb", "mkdir", "-p", `/tmp/${target}`);
      expect(await run("cp", "hello.txt", `bb:/tmp/${target}/hello.txt`)).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(await execIn("bb", "cat", `/tmp/${target}/hello.txt`)).toBe("hello, pod\n");
      // Into an existing directory: the source keeps its name there (kubectl's test -d).
      expect((await run("cp", "tree", `default/bb:/tmp/${target}`)).code).toBe(0);
      expect((await execIn("bb", "ls", `/tmp/${target}/tree`)).split("\n")).toEqual(
        expect.arrayContaining(["café.txt", longName, "sub"]),
      );
      // And back: binary content, a long name (Go writes PAX) and a UTF-8 name survive.
      const back = `back-${target}`;
      const copied = await run("cp", `bb:/tmp/${target}/tree`, back);
      expect(copied).toMatchObject({ code: 0, stderr: "" });
      expect(tarMessage(who, copied.stdout, "tar: removing leading '/' from member names\n")).toBe(true);
      expect(readFileSync(path.join(local, back, "sub", "data.bin")).equals(binary)).toBe(true);
      expect(readFileSync(path.join(local, back, "café.txt"), "utf8")).toBe("ça va\n");
      expect(readFileSync(path.join(local, back, longName), "utf8")).toBe("long\n");
      // A Debian-based image has GNU tar; -c names the container.
      const page = `page-${target}.html`;
      const fromWeb = await run("cp", "web:/usr/share/nginx/html/index.html", page, "-c", "web");
      expect(tarMessage(who, fromWeb.stdout, "tar: Removing leading `/' from member names\n")).toBe(true);
      expect(readFileSync(path.join(local, page), "utf8")).toContain("<title>Welcome to nginx!</title>");
    });
  }

  it("fails with the same words and exit codes in both", async () => {
    const cases = [
      ["cp", "web:/nonexistent", "x"],
      ["cp", "hello.txt", "bb:/nonexistent/dir/a"],
      ["cp", "hello.txt", "bb:/etc/hostname/x"],
      ["cp", "hello.txt", "web:/nonexistent/a"],
      ["cp", "hello.txt", "echo:/tmp/a"],
      ["cp", "echo:/etc/hostname", "x"],
      ["cp", "nofile", "bb:/tmp"],
      ["cp", "missing:/x", "./y"],
      ["cp", "hello.txt", "bb:/tmp/a.txt", "-c", "nope"],
      ["cp", "bb:/etc/hostname", "tree"],
      ["cp", "bb:/x", "web:/y"],
      ["cp", "a", "b"],
      ["cp", ":x", "b"],
      ["cp", "a"],
    ];
    for (const args of cases) {
      const expected = masked(await real(...args));
      // client-go logs a stray "websocket: close sent" when a container lacks tar; not kubectl's words.
      expected.stderr = expected.stderr.replace(/^E\d{4} .*"Unhandled Error" err="websocket: close sent"\n/m, "");
      const got = masked(await ours(...args));
      expect({ args, code: got.code, stderr: got.stderr }).toEqual({
        args,
        code: expected.code,
        stderr: expected.stderr,
      });
      // From a pod, tar's messages reach the real kubectl's stdout in a goroutine of their own, which
      // may lose the race with the end of the copy: it prints them, or a part, or nothing.
      const racy = args[1]?.includes(":") === true;
      if (racy) expect({ args, prefix: got.stdout.startsWith(expected.stdout) }).toEqual({ args, prefix: true });
      else expect({ args, stdout: got.stdout }).toEqual({ args, stdout: expected.stdout });
    }
    // Ours prints them all, as the real one does when its goroutine wins.
    expect((await ours("cp", "web:/nonexistent", "x")).stdout).toBe(
      "tar: Removing leading `/' from member names\ntar: /nonexistent: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n",
    );
    const noTar = masked(await ours("cp", "hello.txt", "echo:/tmp/a"));
    expect(noTar.stderr).toMatch(
      /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "ID": OCI runtime exec failed: exec failed: unable to start container process: exec: "tar": executable file not found in \$PATH: unknown\n$/,
    );
  });

  it("copies from the learner shell's own files (Kubelab's kubectl over a virtual file system)", async () => {
    const fs = new InMemoryFs({
      "/root/.kube/config": readFileSync(cluster.kubeconfig, "utf8"),
      "/root/bin.dat": new Uint8Array(binary),
    });
    const resolve = (file: string) => fs.resolvePath("/root", file);
    let stdout = "";
    let stderr = "";
    const io: KubectlIO = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      readStdin: async () => "",
      readFile: (file) => fs.readFile(resolve(file)),
      writeFile: (file, content) => fs.writeFile(resolve(file), content),
      readDirectory: async () => undefined,
      files: virtualLocalFiles(fs, resolve),
      env: { KUBECONFIG: "/root/.kube/config", HOME: "/root" },
    };
    expect({ status: await runKubectl(["cp", "bin.dat", "bb:/tmp/from-shell.dat"], io), stderr }).toEqual({
      status: 0,
      stderr: "",
    });
    expect(await runKubectl(["cp", "bb:/tmp/from-shell.dat", "copy.dat"], io)).toBe(0);
    expect(Buffer.from(await fs.readFileBuffer("/root/copy.dat")).equals(binary)).toBe(true);
    expect(stdout).toBe("tar: removing leading '/' from member names\n");
    expect(stderr).toBe("");
  });
});

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const KUBECTL = "/usr/bin/kubectl";
const hasKubectl = existsSync(KUBECTL);
if (!hasKubectl) console.warn(`SKIP test/hosting/deploy.test.ts: ${KUBECTL} is not installed`);

let child: ChildProcess | undefined;
let dataDir = "";
let kubeconfig = "";

const kubectl = (...args: string[]) =>
  run(KUBECTL, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });

describe.skipIf(!hasKubectl)("deploy/ manifests with the real kubectl against a hosted cluster", () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kubelab-deploy-"));
    child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "serveForKubectl.ts"), dataDir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    kubeconfig = await new Promise<string>((resolve, reject) => {
      let output = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /READY \S+ (\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      child?.on("exit", (code) => reject(new Error(`host exited with ${code}`)));
    });
  }, 120_000);

  afterAll(() => {
    child?.kill("SIGKILL");
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("reaches the cluster at /clusters/<id>/ with the kubeconfig's token", async () => {
    const { stdout } = await kubectl("get", "nodes", "-o", "name");
    expect(stdout.trim().split("\n")).toEqual(["node/controlplane", "node/node01", "node/node02"]);
  });

  it("accepts the manifests with --dry-run=server, then a real apply", async () => {
    await kubectl("create", "namespace", "kubelab");
    const dry = await kubectl("apply", "-n", "kubelab", "--dry-run=server", "-f", "deploy/");
    expect(dry.stdout).toContain("statefulset.apps/kubelab created (server dry run)");
    expect(dry.stdout).toContain("ingress.networking.k8s.io/kubelab created (server dry run)");
    const real = await kubectl("apply", "-n", "kubelab", "-f", "deploy/");
    for (const name of [
      "service/kubelab-replicas",
      "statefulset.apps/kubelab",
      "service/kubelab",
      "ingress.networking.k8s.io/kubelab",
    ])
      expect(real.stdout).toContain(`${name} created`);
    const { stdout } = await kubectl("get", "statefulset,service,ingress", "-n", "kubelab", "-o", "name");
    expect(stdout).toContain("statefulset.apps/kubelab");
  });

  it("streams kubectl exec and logs through /clusters/<id>/ (WebSocket upgrade)", async () => {
    await kubectl("run", "shell", "--image=busybox", "--", "sh", "-c", "echo started; sleep 3600");
    await kubectl("wait", "--for=condition=Ready", "pod/shell", "--timeout=60s");
    const exec = await kubectl("exec", "shell", "--", "sh", "-c", "echo hello from $(hostname)");
    expect(exec.stdout.trim()).toBe("hello from shell");
    const failed = await kubectl("exec", "shell", "--", "sh", "-c", "exit 3").catch(
      (error: { stderr: string }) => error,
    );
    expect((failed as { stderr: string }).stderr).toContain("command terminated with exit code 3");
    const logs = await kubectl("logs", "shell");
    expect(logs.stdout).toContain("started");
  }, 90_000);

  it("refuses a token of nobody", async () => {
    const refused = await kubectl("get", "nodes", "--token", "not-a-token").catch((error: { stderr: string }) => error);
    expect((refused as { stderr: string }).stderr).toMatch(/You must be logged in to the server|Unauthorized/);
  });
});

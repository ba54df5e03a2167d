import { type ChildProcess, execFileSync, spawn as spawnProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type IPty, spawn } from "node-pty";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeAccessFromKubeconfig } from "../../terminal/node/nodeAccessKubeconfig";

/**
 * `kubelab cluster up` then `kubelab shell` by hand, each its own process as a user starts them:
 * the shell has the node access the app's terminal has (ssh, crictl, etcdctl, node files).
 */
const root = path.resolve(import.meta.dirname, "..", "..");
const kubelab = path.join(root, "bin", "kubelab.mjs");
const folder = mkdtempSync(path.join(tmpdir(), "kubelab-cli-shell-"));
const kubeconfig = path.join(folder, "kubeconfig");
const prompt = (host: string) => new RegExp(`\\r\\n.*\\x1b\\[J${host}:[^$\\n]*\\$ (\\r\\x1b\\[\\d+C)?$`, "s");

async function until(check: () => boolean, what: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("kubelab shell against kubelab cluster up", () => {
  let cluster: ChildProcess;
  let clusterOutput = "";
  let shell: IPty;
  let output = "";
  let host = "controlplane";

  const run = async (line: string, next = host): Promise<string> => {
    const mark = output.length;
    shell.write(line);
    await until(
      () => prompt(next).test(output.slice(mark)),
      () => `${next} prompt after ${JSON.stringify(line)}: ${JSON.stringify(output.slice(mark).slice(-600))}`,
      30_000,
    );
    host = next;
    return output.slice(mark);
  };

  beforeAll(async () => {
    cluster = spawnProcess(
      process.execPath,
      [kubelab, "cluster", "up", "--port", "0", "--kubeconfig", kubeconfig, "--speed", "fast", "--nodes", "1"],
      { cwd: folder, stdio: ["ignore", "pipe", "pipe"] },
    );
    cluster.stdout?.on("data", (chunk) => (clusterOutput += String(chunk)));
    cluster.stderr?.on("data", (chunk) => (clusterOutput += String(chunk)));
    await until(
      () => clusterOutput.includes("Press Ctrl+C to stop."),
      () => `the cluster: ${clusterOutput}`,
      90_000,
    );
    shell = spawn(process.execPath, [kubelab, "shell", "--home", path.join(folder, "home")], {
      cwd: folder,
      cols: 200,
      rows: 40,
      env: { PATH: process.env.PATH ?? "", TERM: "xterm-256color", KUBECONFIG: kubeconfig },
    });
    shell.onData((data) => {
      output += data;
    });
    await until(
      () => output.includes("controlplane:~$ "),
      () => `the shell: ${output}`,
      90_000,
    );
  }, 180_000);

  afterAll(async () => {
    shell?.kill();
    if (cluster && cluster.exitCode === null) {
      const exited = new Promise((resolve) => cluster.once("exit", resolve));
      cluster.kill("SIGTERM");
      await exited;
    }
  });

  it("records the node access in the kubeconfig, which the real kubectl still reads", () => {
    const access = nodeAccessFromKubeconfig(readFileSync(kubeconfig, "utf8"));
    expect(access?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(access?.token.length).toBeGreaterThan(20);
    if (existsSync("/usr/bin/kubectl")) {
      const nodes = execFileSync("/usr/bin/kubectl", ["get", "nodes", "-o", "name"], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
      }).toString();
      expect(nodes).toBe("node/controlplane\nnode/node01\n");
    }
  });

  it("is the control plane's shell: kubeadm files, crictl and etcdctl", async () => {
    expect(await run("ls /etc/kubernetes/manifests\r")).toContain("kube-apiserver.yaml");
    expect(await run("crictl pods --name kube-scheduler -q | wc -l\r")).toMatch(/\r\n1\r\n/);
    expect(await run("etcdctl get /registry/namespaces/default --keys-only\r")).toContain(
      "/registry/namespaces/default",
    );
    expect(await run("printenv | grep -c KUBELAB_NODE_TOKEN\r")).toMatch(/\r\n0\r\n/);
  });

  it("enters node01 with ssh, where a manifest becomes a static pod, and comes back", async () => {
    await run("ssh node01\r", "node01");
    expect(await run("hostname; ls /etc/kubernetes/manifests | wc -l\r")).toContain("node01\r\n0\r\n");
    await run(
      "cat > /etc/kubernetes/manifests/static-web.yaml <<EOF\rapiVersion: v1\rkind: Pod\rmetadata:\r  name: static-web\rspec:\r  containers:\r  - name: web\r    image: nginx\rEOF\r",
    );
    expect(await run("exit\r", "controlplane")).toContain("Connection to node01 closed.");
    let pods = await run("kubectl get pods -o name\r");
    for (let attempt = 0; !pods.includes("static-web-node01") && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      pods = await run("kubectl get pods -o name\r");
    }
    expect(pods).toContain("pod/static-web-node01");
  }, 60_000);
});

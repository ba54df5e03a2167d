import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type IPty, spawn } from "node-pty";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "../../engine/api/core";
import { Pods } from "../../engine/api/resources";
import type { Cluster } from "../../engine/cluster/createCluster";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import { ClusterNodeBackend } from "../node/ClusterNodeBackend";
import { NodeAccessServer } from "../node/NodeAccessServer";

/**
 * Node shells through a real pty, wired as server/mounts.ts wires hosted terminals: a ClusterHost
 * cluster served over HTTP for kubectl, and its nodes over the loopback node access
 * (NodeAccessServer → ClusterNodeBackend over `host.acquire`).
 */
const root = path.resolve(import.meta.dirname, "..", "..");
const home = mkdtempSync(path.join(tmpdir(), "kubelab-node-shell-home-"));
const prompt = (host: string) => new RegExp(`\\r\\n.*\\x1b\\[J${host}:[^$\\n]*\\$ (\\r\\x1b\\[\\d+C)?$`, "s");

class PtyDriver {
  output = "";
  host = "controlplane";
  readonly pty: IPty;
  constructor(env: Record<string, string>) {
    this.pty = spawn(process.execPath, ["--import", "tsx", path.join(root, "terminal", "shell", "main.ts")], {
      cwd: root,
      cols: 200,
      rows: 40,
      env: { PATH: process.env.PATH ?? "", KUBELAB_HOME: home, TERM: "xterm-256color", ...env },
    });
    this.pty.onData((data) => {
      this.output += data;
    });
  }
  async waitFor(pattern: RegExp | string, from = 0, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const slice = this.output.slice(from);
      if (typeof pattern === "string" ? slice.includes(pattern) : pattern.test(slice)) return slice;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(slice.slice(-800))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  /** Types a line and waits for the prompt of `host` (default: the current one). */
  async run(text: string, host = this.host): Promise<string> {
    const mark = this.output.length;
    this.pty.write(text);
    const slice = await this.waitFor(prompt(host), mark);
    this.host = host;
    return slice;
  }
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("node shells in a pty", () => {
  let cluster: Cluster;
  let host: ClusterHost;
  let http: Awaited<ReturnType<typeof serveHost>>;
  let server: NodeAccessServer;
  let shell: PtyDriver;

  beforeAll(async () => {
    host = new ClusterHost({
      dataDir: mkdtempSync(path.join(tmpdir(), "kubelab-node-shell-clusters-")),
      speed: "fast",
    });
    http = await serveHost(host);
    const { id, token } = await host.create();
    const live = await host.acquire(id);
    cluster = live.cluster;
    await cluster.ready;
    const kubeconfig = path.join(home, "kubeconfig");
    writeFileSync(kubeconfig, host.kubeconfig(id, token, `${http.url}${host.pathOf(id)}`));
    server = new NodeAccessServer();
    const grant = await server.grant(
      new ClusterNodeBackend(async () => {
        const running = await host.acquire(id);
        return { cluster: running.cluster, fileSystem: (node) => running.nodeFiles.get(node) };
      }),
    );
    shell = new PtyDriver({ KUBECONFIG: kubeconfig, KUBELAB_NODE_URL: grant.url, KUBELAB_NODE_TOKEN: grant.token });
    await shell.waitFor("controlplane:~$ ", 0, 60_000);
  }, 90_000);
  afterAll(async () => {
    shell?.pty.kill();
    server?.close();
    await http?.close();
    await host?.close();
  });

  it("shows the control plane's kubeadm files in the first shell", async () => {
    const out = await shell.run(
      "ls /etc/kubernetes/manifests; ls /etc/kubernetes/pki | grep apiserver.crt; grep -c server: /etc/kubernetes/admin.conf\r",
    );
    expect(out).toContain("etcd.yaml");
    expect(out).toContain("kube-apiserver.yaml");
    expect(out).toContain("apiserver.crt");
    expect(out).toMatch(/\r\n1\r\n/);
  });

  it("runs kubeadm and reads kubeadm's certificates with openssl on the control plane", async () => {
    const validity = await shell.run(
      "openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -text | grep -A2 Validity; openssl x509 -in /etc/kubernetes/pki/etcd/server.crt -noout -issuer\r",
    );
    expect(validity).toMatch(/Validity\r\n {12}Not Before: .* GMT\r\n {12}Not After : .* GMT\r\n/);
    expect(validity).toContain("issuer=CN = etcd-ca");
    const table = await shell.run("kubeadm certs check-expiration | grep -E '^(apiserver|etcd-ca) '\r");
    expect(table).toMatch(/apiserver {18}\w{3} \d\d, \d{4} \d\d:\d\d UTC {3}36[45]d {12}ca {22}no/);
    expect(table).toMatch(/etcd-ca {17}\w{3} \d\d, \d{4} \d\d:\d\d UTC {3}9y {14}no/);
    // The header, kubeadm init's token and the new one.
    const join = await shell.run("kubeadm token create --print-join-command; kubeadm token list | wc -l\r");
    expect(join).toMatch(
      /kubeadm join 192\.168\.0\.2:6443 --token [a-z0-9]{6}\.[a-z0-9]{16} --discovery-token-ca-cert-hash sha256:[0-9a-f]{64} \r\n3\r\n/,
    );
  });

  it("reads the store with etcdctl on the control plane", async () => {
    const out = await shell.run("etcdctl get /registry/namespaces --prefix --keys-only\r");
    expect(out).toContain("/registry/namespaces/default\r\n\r\n/registry/namespaces/kube-node-lease");
    const json = await shell.run(
      "etcdctl get /registry/namespaces/default -w json | jq -r '.kvs[0].key' | base64 -d\r",
    );
    expect(json).toContain("/registry/namespaces/default");
    const writes = await shell.run("etcdctl put /x y; echo status=$?\r");
    expect(writes).toContain("status=1");
    const backup = await shell.run(
      "ETCDCTL_API=3 etcdctl --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key snapshot save /opt/backup.db && etcdctl snapshot status /opt/backup.db -w table\r",
    );
    expect(backup).toContain("Snapshot saved at /opt/backup.db");
    expect(backup).toMatch(/\| [0-9a-f]{8} \| +\d+ \| +\d+ \| [\d.]+ [kM]B +\|/);
  });

  it("enters a worker with ssh, where a manifest becomes a static pod, and exits back", async () => {
    const entered = await shell.run("ssh no\t1\r", "node01");
    expect(entered).toContain("ssh node01");
    expect(entered).not.toContain("command not found");
    expect(await shell.run("pwd; cat /etc/hostname; hostname; whoami\r")).toContain(
      "/root\r\nnode01\r\nnode01\r\nroot",
    );
    await shell.run(
      "cat > /etc/kubernetes/manifests/static-web.yaml <<EOF\rapiVersion: v1\rkind: Pod\rmetadata:\r  name: static-web\rspec:\r  containers:\r  - name: web\r    image: nginx:1.27\rEOF\r",
    );
    const client = cluster.client();
    const mirror = await until(async () => {
      const pod = await client.get<Pod>(Pods, "default", "static-web-node01").catch(() => undefined);
      return pod?.status?.containerStatuses?.[0]?.state?.running ? pod : undefined;
    });
    expect(mirror.metadata?.annotations?.["kubernetes.io/config.mirror"]).toBeDefined();
    const ps = await shell.run("crictl p\ts --name web\r");
    expect(ps).toMatch(/CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME\s+ATTEMPT\s+POD ID\s+POD\s+NAMESPACE/);
    expect(ps).toMatch(/Running\s+web\s+0\s+[0-9a-f]{13}\s+static-web-node01\s+default/);
    const pods = await shell.run("sudo crictl pods | grep static-web\r");
    expect(pods).toMatch(/Ready\s+static-web-node01\s+default\s+0\s+\(default\)/);
    expect(await shell.run("sleep 1.5; crictl images | grep nginx\r")).toMatch(
      /docker\.io\/library\/nginx\s+1\.27\s+[0-9a-f]{13}\s+\d/,
    );
    const logs = await shell.run("crictl logs $(crictl ps -q --name web) | head -2\r");
    expect(logs).toMatch(/docker-entrypoint|nginx/);
    const inspect = await shell.run("crictl inspect $(crictl ps -q --name web) | jq -r .status.state\r");
    expect(inspect).toContain("CONTAINER_RUNNING");
    expect(await shell.run("ls /var/log/pods | grep static-web\r")).toContain("default_static-web-node01_");
    expect(await shell.run("etcdctl version\r")).toContain("etcdctl: command not found");
    const exited = await shell.run("exit\r", "controlplane");
    expect(exited).toContain("Connection to node01 closed.");
  });

  it("shows the kubelet's unit and journal, kube-proxy's rules and the node's addresses", async () => {
    const status = await shell.run("ssh node02 systemctl status kubelet | head -5\r");
    expect(status).toContain("● kubelet.service - kubelet: The Kubernetes Node Agent");
    expect(status).toContain("Active: active (running) since");
    expect(await shell.run("journalctl -u kubelet --no-pager | grep -c 'Event occurred'\r")).toMatch(
      /\r\n[1-9]\d*\r\n/,
    );
    const nat = await shell.run("iptables -t nat -L KUBE-SERVICES -n\r");
    expect(nat).toContain("Chain KUBE-SERVICES");
    expect(nat).toContain("default/kubernetes:https cluster IP");
    expect(await shell.run("iptables-save | grep -c '^\\*'\r")).toMatch(/\r\n2\r\n/);
    expect(await shell.run("ip addr show eth0\r")).toContain("inet 192.168.0.2/24");
  });

  it("reaches the cluster network from a node", async () => {
    const out = await shell.run("nslookup kube-dns.kube-system.svc.cluster.local 10.96.0.10\r");
    expect(out).toContain("Address: 10.96.0.10");
    const unknown = await shell.run("ssh nosuchnode; echo status=$?\r");
    expect(unknown).toContain("ssh: Could not resolve hostname nosuchnode: Name or service not known");
    expect(unknown).toContain("status=255");
  });

  it("forwards the stdin of `ssh <node> <command>` to the remote command", async () => {
    await shell.run("ssh node01 'cat > /root/from-heredoc.txt' <<EOF\rline one\rline two\rEOF\r");
    expect(await shell.run("echo piped | ssh node01 'cat > /root/from-pipe.txt'\r")).not.toContain("rror");
    const read = await shell.run("ssh node01 cat /root/from-heredoc.txt /root/from-pipe.txt\r");
    expect(read).toContain("\r\nline one\r\nline two\r\npiped\r\n");
  });

  it.each([
    ["kubectl get pods -A -w", "kube-proxy-"],
    ["journalctl -u kubelet -f", "kubelet"],
    ["sleep 30", "sleep 30"],
  ])("ends `%s` on Ctrl-C as bash does: ^C, a new line, the prompt, status 130", async (line, started) => {
    const mark = shell.output.length;
    shell.pty.write(`${line}\r`);
    await shell.waitFor(started, mark + line.length);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = await shell.run("\x03");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    expect(stopped).toMatch(/\^C\r\n(?:\r|\x1b\[\d*[A-Za-z])*controlplane:~\$ /);
    expect(await shell.run("echo $?\r")).toContain("\r\n130\r\n");
  });

  it("reaches a background port-forward with curl in the same shell, until kill %1 releases its port", async () => {
    await shell.run("kubectl run pf-web --image=nginx:1.27 --port=80\r");
    expect(await shell.run("kubectl wait --for=condition=ready pod/pf-web --timeout=60s\r")).toContain("condition met");
    const mark = shell.output.length;
    shell.pty.write("kubectl port-forward pod/pf-web 8080:80 &\r");
    const started = await shell.waitFor("Forwarding from [::1]:8080 -> 80", mark);
    expect(started).toMatch(/\r\n\[1\] \d+\r\n/);
    const page = await shell.run("curl -s localhost:8080 | grep -o '<title>.*</title>'\r");
    expect(page).toContain("Handling connection for 8080\r\n<title>Welcome to nginx!</title>\r\n");
    expect(await shell.run("jobs\r")).toContain(
      "[1]+  Running                 kubectl port-forward pod/pf-web 8080:80 &",
    );
    // The notice comes before the first prompt after the job ended: kill's own, or the next.
    const killed = await shell.run("kill %1\r");
    const after = await shell.run("curl -s localhost:8080; echo status=$?\r");
    expect(killed + after).toContain("[1]+  Terminated              kubectl port-forward pod/pf-web 8080:80\r\n");
    expect(after).toContain("status=7");
  });

  it("shows the whole table in `watch kubectl get pods -A`", async () => {
    const mark = shell.output.length;
    shell.pty.write("watch kubectl get pods -A\r");
    const screen = await shell.waitFor(/Every 2\.0s.*kube-scheduler-controlplane/s, mark);
    expect(screen).toMatch(/\r\nkube-system +etcd-controlplane +1\/1/);
    expect(screen.match(/\r\nkube-system +kube-proxy-/g)?.length).toBeGreaterThanOrEqual(2);
    // The main screen comes back with the cursor where watch started: the prompt, no new line.
    const closed = shell.output.length;
    shell.pty.write("\x03");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escape sequences
    await shell.waitFor(/\x1b\[\?1049l\r\x1b\[Jcontrolplane:~\$ /, closed);
    expect(await shell.run("echo $?\r")).toContain("\r\n0\r\n");
  });

  it("streams a watch through a pipeline and stops it when head has its lines or on Ctrl-C", async () => {
    const started = Date.now();
    const out = await shell.run("kubectl get pods -A -w | grep --line-buffered kube-proxy | head -2\r");
    expect(out.match(/kube-proxy-/g)?.length).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    const mark = shell.output.length;
    shell.pty.write("kubectl get pods -A -w | grep etcd\r");
    await shell.waitFor("etcd-controlplane", mark);
    const stopped = await shell.run("\x03");
    expect(stopped).toContain("^C");
    expect(await shell.run("echo $?\r")).toContain("130");
    await shell.run("ssh node01\r", "node01");
    const follow = await shell.run("crictl logs -f $(crictl ps -q --name kube-proxy) | head -1 | wc -l\r");
    expect(follow).toMatch(/\r\n1\r\n/);
    await shell.run("exit\r", "controlplane");
  });
});

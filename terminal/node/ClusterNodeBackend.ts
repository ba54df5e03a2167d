import type { Node } from "../../engine/api/core";
import { Nodes } from "../../engine/api/resources";
import type { Cluster } from "../../engine/cluster/createCluster";
import type { NodeFileSystem } from "../../engine/kubelet/NodeFileSystem";
import { nodeIp } from "../../engine/kubelet/nodeObject";
import { nodeDirectories, nodeSystemFiles } from "../../engine/kubelet/nodeOperatingSystem";
import type { NodeBackend, NodeDirEntry, NodeInfo, NodeRunOptions } from "./NodeBackend";
import { withShellFiles } from "./shellFiles";
import { type CriContainer, criState, streamContainerLog } from "./tools/criContainers";
import { crictl } from "./tools/crictl";
import { etcdctl, etcdutl } from "./tools/etcdctl";
import { kubeadm } from "./tools/kubeadm";
import { curl, ip, iptables, iptablesSave, nslookup, wget } from "./tools/network";
import { journalctl, systemctl } from "./tools/systemd";
import type { NodeTool, ToolContext } from "./tools/ToolContext";

/** The running cluster and its nodes' file systems, looked up per call (a hosted cluster may have restarted). */
export interface ClusterNodes {
  cluster: Cluster;
  fileSystem(node: string): NodeFileSystem | undefined;
}

const tools: Record<string, NodeTool> = {
  crictl,
  etcdctl,
  etcdutl,
  kubeadm,
  systemctl,
  journalctl,
  iptables,
  "iptables-save": iptablesSave,
  ip,
  curl,
  wget,
  nslookup,
};

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function podLogDirectory(container: CriContainer): string {
  const meta = container.pod.metadata;
  return `${meta?.namespace}_${meta?.name}_${meta?.uid}`;
}

/**
 * The nodes of one running cluster, as node shells see them: each node's own file system with the
 * operating system's files and the kubelet's pod logs (`/var/log/pods`, `/var/log/containers`)
 * laid over it, and the node tools. Runs in the server process, beside the cluster.
 */
export class ClusterNodeBackend implements NodeBackend {
  constructor(
    private readonly resolve: () => Promise<ClusterNodes>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async nodes(): Promise<NodeInfo[]> {
    const { cluster } = await this.resolve();
    const list = await cluster.client().list<Node>(Nodes);
    const byName = new Map(list.items.map((node) => [node.metadata?.name ?? "", node]));
    return cluster.nodeNames.map((name, index) => {
      const node = byName.get(name);
      const internal = node?.status?.addresses?.find((address) => address.type === "InternalIP")?.address;
      return {
        name,
        ip: internal ?? nodeIp(index),
        role: name === cluster.controlPlaneNode ? "control-plane" : "worker",
      };
    });
  }

  private async node(name: string): Promise<{ nodes: ClusterNodes; info: NodeInfo; fs: NodeFileSystem }> {
    const nodes = await this.resolve();
    const info = (await this.nodes()).find((node) => node.name === name);
    const fs = nodes.fileSystem(name);
    if (!info || !fs) throw new Error(`ssh: Could not resolve hostname ${name}: Name or service not known`);
    return { nodes, info, fs };
  }

  private context(
    nodes: ClusterNodes,
    info: NodeInfo,
    fs: NodeFileSystem,
    args: string[],
    options: NodeRunOptions,
  ): ToolContext {
    return {
      cluster: nodes.cluster,
      client: nodes.cluster.client(),
      node: info,
      fs,
      args,
      stdin: options.stdin ?? "",
      stdout: options.stdout,
      stderr: options.stderr,
      signal: options.signal,
      columns: options.columns ?? 80,
      cwd: options.cwd ?? "/root",
      now: this.now,
    };
  }

  /** The kubelet's log tree: `/var/log/pods/<ns>_<pod>_<uid>/<container>/<attempt>.log` and `/var/log/containers/…`. */
  private async logFiles(nodes: ClusterNodes, info: NodeInfo, fs: NodeFileSystem): Promise<Map<string, CriContainer>> {
    const context = this.context(nodes, info, fs, [], { stdout: () => {}, stderr: () => {} });
    const files = new Map<string, CriContainer>();
    for (const container of (await criState(context)).containers) {
      files.set(`/var/log/pods/${podLogDirectory(container)}/${container.name}/${container.attempt}.log`, container);
      const meta = container.pod.metadata;
      if (!container.previous)
        files.set(
          `/var/log/containers/${meta?.name}_${meta?.namespace}_${container.name}-${container.id}.log`,
          container,
        );
    }
    return files;
  }

  private async virtualFiles(
    nodes: ClusterNodes,
    info: NodeInfo,
    fs: NodeFileSystem,
    path: string,
  ): Promise<{ files: Record<string, string>; logs: Map<string, CriContainer> }> {
    const files = nodeSystemFiles(info.name);
    const logs =
      path === "/" || path === "/var" || path.startsWith("/var/log") ? await this.logFiles(nodes, info, fs) : new Map();
    return { files, logs };
  }

  async readDir(node: string, rawPath: string): Promise<NodeDirEntry[] | undefined> {
    const path = normalize(rawPath);
    const { nodes, info, fs } = await this.node(node);
    const entries = new Map<string, boolean>();
    for (const name of await fs.readDir(path)) {
      const child = path === "/" ? `/${name}` : `${path}/${name}`;
      entries.set(name, (await fs.readFile(child)) === undefined);
    }
    const { files, logs } = await this.virtualFiles(nodes, info, fs, path);
    const prefix = path === "/" ? "/" : `${path}/`;
    let known = path === "/";
    for (const file of [...Object.keys(files), ...logs.keys(), ...nodeDirectories]) {
      if (!file.startsWith(prefix)) continue;
      known = true;
      const rest = file.slice(prefix.length);
      if (rest === "") continue;
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!entries.has(name)) entries.set(name, slash >= 0);
    }
    if (entries.size === 0 && !known) return undefined;
    return [...entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, directory]) => ({ name, directory }));
  }

  async readFile(node: string, rawPath: string): Promise<string | undefined> {
    const path = normalize(rawPath);
    const { nodes, info, fs } = await this.node(node);
    const own = await fs.readFile(path);
    if (own !== undefined) return own;
    const { files, logs } = await this.virtualFiles(nodes, info, fs, path);
    if (files[path] !== undefined) return files[path];
    const container = logs.get(path);
    if (!container) return undefined;
    let text = "";
    const context = this.context(nodes, info, fs, [], { stdout: () => {}, stderr: () => {} });
    await streamContainerLog(context, container, { follow: false, timestamps: true }, (chunk) => (text += chunk));
    // The CRI log format the kubelet's runtime writes: `<RFC 3339 time> <stream> <F|P> <text>`.
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const space = line.indexOf(" ");
        return `${line.slice(0, space)} stdout F ${line.slice(space + 1)}\n`;
      })
      .join("");
  }

  async writeFile(node: string, path: string, content: string): Promise<void> {
    const { fs } = await this.node(node);
    await fs.writeFile(normalize(path), content);
  }

  async remove(node: string, path: string): Promise<void> {
    const { fs } = await this.node(node);
    await fs.remove(normalize(path));
  }

  async run(node: string, argv: string[], options: NodeRunOptions): Promise<number> {
    const [name, ...args] = argv;
    const tool = name ? tools[name] : undefined;
    if (!tool) {
      options.stderr(`${name}: command not found\n`);
      return 127;
    }
    const { nodes, info, fs } = await this.node(node);
    if ((name === "etcdctl" || name === "etcdutl") && info.role !== "control-plane") {
      options.stderr(`${name}: command not found\n`);
      return 127;
    }
    try {
      const files = options.shellFiles ? withShellFiles(fs, options.shellFiles) : fs;
      return await tool(this.context(nodes, info, files, args, options));
    } catch (error) {
      options.stderr(`${name}: ${(error as Error).message}\n`);
      return 1;
    }
  }
}

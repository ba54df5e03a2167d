/**
 * What a learner shell needs from the cluster's nodes beyond the Kubernetes API: the nodes' own
 * file systems (static pod manifests, PKI, kubeconfigs, hostPath data, pod logs) and the node-level
 * tools a kubeadm node has (crictl, systemctl, journalctl, iptables, ip, etcdctl, curl, wget,
 * nslookup). The terminal server implements it over the running cluster ({@link ClusterNodeBackend});
 * the shell process reaches it over a loopback connection ({@link RemoteNodeBackend}).
 */
export interface NodeBackend {
  /** The cluster's nodes, control plane first. */
  nodes(): Promise<NodeInfo[]>;
  /** A directory's entries, or undefined when `path` is not a directory. */
  readDir(node: string, path: string): Promise<NodeDirEntry[] | undefined>;
  /** A file's contents, or undefined when there is no such file. */
  readFile(node: string, path: string): Promise<string | undefined>;
  writeFile(node: string, path: string, content: string): Promise<void>;
  /** Removes a file or a directory with everything in it. */
  remove(node: string, path: string): Promise<void>;
  /**
   * Runs a node tool (`argv[0]` is its name) and streams what it writes. Resolves with the exit
   * status; `signal` stops a tool that follows (crictl logs -f, journalctl -f).
   */
  run(node: string, argv: string[], options: NodeRunOptions): Promise<number>;
}

export interface NodeInfo {
  name: string;
  ip: string;
  role: "control-plane" | "worker";
}

export interface NodeDirEntry {
  name: string;
  directory: boolean;
}

export interface NodeRunOptions {
  stdin?: string;
  stdout(text: string): void;
  stderr(text: string): void;
  signal?: AbortSignal;
  /** The shell's working directory on the node (relative file arguments). */
  cwd?: string;
  /** The shell's terminal width, for tools that fit their output to it. */
  columns?: number;
  /** The files the shell keeps itself rather than the node (its /root, /tmp, /dev), see {@link ShellFiles}. */
  shellFiles?: ShellFiles;
}

/**
 * The folders a shell keeps itself, over the node's file system (the learner's /root, the shell's
 * /tmp and /dev): a tool run from the shell reads files there from `contents` (those its arguments
 * name, sent along) and writes them through `write`, so `etcdctl snapshot save /tmp/snap.db` and
 * `wget -O f` leave the file where the shell's `ls` finds it (terminal/node/shellFiles.ts).
 */
export interface ShellFiles {
  /** Absolute folder paths (mount points). */
  roots: string[];
  /** Normalized absolute path → content. */
  contents: Record<string, string>;
  /** Writes a file in the shell; awaited before the run ends. */
  write?(path: string, content: string): Promise<void>;
}

/** Names of the tools {@link NodeBackend.run} knows. */
export const nodeToolNames = [
  "crictl",
  "systemctl",
  "journalctl",
  "iptables",
  "iptables-save",
  "ip",
  "etcdctl",
  "etcdutl",
  "kubeadm",
  "curl",
  "wget",
  "nslookup",
] as const;

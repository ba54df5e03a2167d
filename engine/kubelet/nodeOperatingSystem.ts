import type { NodeFileSystem } from "./NodeFileSystem";
import { nodeOsRelease } from "./nodeObject";

/**
 * The operating system's part of a node's file system: files and folders every node has that
 * kubeadm and the kubelet do not write. A node shell (`ssh node01`) and a hostPath volume
 * (`kubectl debug node/node01`'s /host) both see them over the node's own files.
 */

/** Folders every node has, even when empty (node-absolute, with a trailing slash). */
export const nodeDirectories = [
  "/root/",
  "/tmp/",
  "/etc/kubernetes/manifests/",
  "/var/lib/kubelet/",
  "/var/log/pods/",
  "/var/log/containers/",
  "/opt/",
  "/mnt/",
  "/home/",
];

/** Files every node has that kubeadm does not write. */
export function nodeSystemFiles(nodeName: string): Record<string, string> {
  return {
    "/etc/os-release": nodeOsRelease,
    "/etc/passwd":
      "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "/etc/resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n",
    "/etc/hostname": `${nodeName}\n`,
  };
}

function normalize(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  return `/${parts.join("/")}`;
}

/**
 * A node's file system with the operating system's files laid under it: its own files win (a file
 * written over /etc/hostname is what is read), the system files fill in, and listings include both.
 */
export class NodeOperatingSystemFs implements NodeFileSystem {
  private readonly system: Record<string, string>;

  constructor(
    private readonly node: NodeFileSystem,
    nodeName: string,
  ) {
    this.system = nodeSystemFiles(nodeName);
  }

  async readDir(path: string): Promise<string[]> {
    const directory = normalize(path);
    const prefix = directory === "/" ? "/" : `${directory}/`;
    const names = new Set(await this.node.readDir(directory));
    for (const file of [...Object.keys(this.system), ...nodeDirectories]) {
      if (!file.startsWith(prefix)) continue;
      const name = file.slice(prefix.length).split("/")[0];
      if (name) names.add(name);
    }
    return [...names].sort();
  }

  async readFile(path: string): Promise<string | undefined> {
    const file = normalize(path);
    return (await this.node.readFile(file)) ?? this.system[file];
  }

  writeFile(path: string, content: string): Promise<void> {
    return this.node.writeFile(path, content);
  }

  remove(path: string): Promise<void> {
    return this.node.remove(path);
  }

  watch(directory: string, onChange: (name: string) => void): () => void {
    return this.node.watch(directory, onChange);
  }
}

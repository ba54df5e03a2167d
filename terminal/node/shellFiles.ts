import type { IFileSystem, MountableFs } from "just-bash";
import type { NodeFileSystem } from "../../engine/kubelet/NodeFileSystem";
import type { ShellFiles } from "./NodeBackend";

/** What the shell sends along at most (the node access server takes bodies up to 8 MiB). */
const maxContentBytes = 6 * 1024 * 1024;

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** Whether `path` is `root` or inside it. */
function isUnder(path: string, root: string): boolean {
  return root === "/" || path === root || path.startsWith(`${root}/`);
}

/** Whether the shell, not the node, keeps `path` (its /root, /tmp, /dev …). */
export function isShellPath(files: Pick<ShellFiles, "roots">, path: string): boolean {
  const normalized = normalize(path);
  return files.roots.some((root) => isUnder(normalized, root));
}

/**
 * The shell's side of a node tool run: the folders it keeps itself (the mount points of its file
 * system over the node's), with the contents of the files there that the arguments name (`FILE`,
 * `--flag=FILE`, relative to `cwd`), so a tool reads what the shell sees (`etcdctl snapshot status
 * /tmp/snap.db`); the tool's writes there come back through `write` (`etcdctl snapshot save`,
 * `wget -O`).
 */
export async function collectShellFiles(fs: IFileSystem, cwd: string, args: readonly string[]): Promise<ShellFiles> {
  const mounts = "getMounts" in fs ? (fs as MountableFs).getMounts() : [];
  const roots = mounts.map((mount) => normalize(mount.mountPoint)).filter((root) => root !== "/");
  const write = async (path: string, content: string) => fs.writeFile(path, content);
  const files: ShellFiles = { roots, contents: {}, write };
  let size = 0;
  for (const arg of args) {
    const candidate = arg.startsWith("-") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (candidate === "" || (arg.startsWith("-") && !arg.includes("="))) continue;
    const path = normalize(candidate.startsWith("/") ? candidate : `${cwd}/${candidate}`);
    if (!isShellPath(files, path) || path in files.contents) continue;
    const content = await fs.readFile(path).catch(() => undefined);
    if (content === undefined || size + content.length > maxContentBytes) continue;
    size += content.length;
    files.contents[path] = content;
  }
  return files;
}

/**
 * The node's file system as a tool run from a shell sees it: the shell's own folders come from
 * `files` (what the shell sent along) and writes there go back to the shell; the rest is the node's.
 */
export function withShellFiles(node: NodeFileSystem, files: ShellFiles): NodeFileSystem {
  const contents = new Map(Object.entries(files.contents));
  return {
    readDir: (path) => node.readDir(path),
    async readFile(path) {
      const normalized = normalize(path);
      return isShellPath(files, normalized) ? contents.get(normalized) : node.readFile(path);
    },
    async writeFile(path, content) {
      const normalized = normalize(path);
      if (!isShellPath(files, normalized)) return node.writeFile(path, content);
      contents.set(normalized, content);
      await files.write?.(normalized, content);
    },
    remove: (path) => node.remove(path),
    watch: (directory, onChange) => node.watch(directory, onChange),
  };
}

import type { FsStat, IFileSystem } from "just-bash";
import type { NodeFileSystem } from "./NodeFileSystem";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function fsError(code: "ENOENT" | "EISDIR" | "ENOTDIR" | "EPERM", syscall: string, path: string): Error {
  const messages = {
    ENOENT: "no such file or directory",
    EISDIR: "illegal operation on a directory",
    ENOTDIR: "not a directory",
    EPERM: "operation not permitted",
  };
  const error = new Error(`${code}: ${messages[code]}, ${syscall} '${path}'`) as Error & { code: string };
  error.code = code;
  return error;
}

const text = (content: string | Uint8Array) => (typeof content === "string" ? content : decoder.decode(content));

/**
 * A directory of the node's file system seen from inside a container: a `hostPath` volume. Files
 * a container writes land on the node (and so on disk under `DIR/nodes/<node>/` when the host
 * persists nodes), and files the node has are visible in the container.
 */
export class NodeDirectoryFileSystem implements IFileSystem {
  private readonly directories = new Set<string>(["/"]);

  constructor(
    private readonly node: NodeFileSystem,
    private readonly root: string,
    /** Node-absolute folders that exist even when empty (the operating system's /opt, /mnt …). */
    knownDirectories: readonly string[] = [],
  ) {
    const base = normalize(root);
    for (const directory of knownDirectories) {
      const path = normalize(directory);
      if (base === "/") this.directories.add(path);
      else if (path.startsWith(`${base}/`)) this.directories.add(path.slice(base.length));
    }
  }

  /** The node directory this file system shows (a hostPath volume's path). */
  get directory(): string {
    return normalize(this.root);
  }

  private full(path: string): string {
    return normalize(`${this.root}/${path}`);
  }

  async readFile(path: string): Promise<string> {
    const content = await this.node.readFile(this.full(path));
    if (content === undefined) throw fsError((await this.isDirectory(path)) ? "EISDIR" : "ENOENT", "open", path);
    return content;
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    return encoder.encode(await this.readFile(path));
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    await this.node.writeFile(this.full(path), text(content));
  }

  async appendFile(path: string, content: string | Uint8Array): Promise<void> {
    const existing = (await this.node.readFile(this.full(path))) ?? "";
    await this.node.writeFile(this.full(path), existing + text(content));
  }

  private async isDirectory(path: string): Promise<boolean> {
    const normalized = normalize(path);
    if (this.directories.has(normalized)) return true;
    return (await this.node.readDir(this.full(path))).length > 0;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.node.readFile(this.full(path))) !== undefined || (await this.isDirectory(path));
  }

  async stat(path: string): Promise<FsStat> {
    const content = await this.node.readFile(this.full(path));
    const mtime = new Date(0);
    if (content !== undefined) {
      return {
        isFile: true,
        isDirectory: false,
        isSymbolicLink: false,
        mode: 0o644,
        size: encoder.encode(content).length,
        mtime,
      };
    }
    if (await this.isDirectory(path))
      return { isFile: false, isDirectory: true, isSymbolicLink: false, mode: 0o755, size: 4096, mtime };
    throw fsError("ENOENT", "stat", path);
  }

  async lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }

  async mkdir(path: string): Promise<void> {
    let current = normalize(path);
    while (current !== "/") {
      this.directories.add(current);
      current = current.slice(0, current.lastIndexOf("/")) || "/";
    }
  }

  async readdir(path: string): Promise<string[]> {
    const normalized = normalize(path);
    const names = new Set(await this.node.readDir(this.full(path)));
    const prefix = normalized === "/" ? "/" : `${normalized}/`;
    for (const directory of this.directories) {
      if (directory.startsWith(prefix) && directory !== normalized)
        names.add(directory.slice(prefix.length).split("/")[0]);
    }
    if (names.size === 0 && !(await this.isDirectory(path))) throw fsError("ENOENT", "scandir", path);
    return [...names].sort();
  }

  async rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    if (!(await this.exists(path))) {
      if (options?.force) return;
      throw fsError("ENOENT", "rm", path);
    }
    await this.node.remove(this.full(path));
    const normalized = normalize(path);
    for (const directory of [...this.directories])
      if (directory === normalized || directory.startsWith(`${normalized}/`)) this.directories.delete(directory);
  }

  async cp(source: string, destination: string): Promise<void> {
    await this.writeFile(destination, await this.readFile(source));
  }

  async mv(source: string, destination: string): Promise<void> {
    await this.cp(source, destination);
    await this.node.remove(this.full(source));
  }

  resolvePath(base: string, path: string): string {
    return path.startsWith("/") ? normalize(path) : normalize(`${base}/${path}`);
  }

  getAllPaths(): string[] {
    return [...this.directories];
  }

  async chmod(): Promise<void> {}

  async utimes(): Promise<void> {}

  async symlink(_target: string, linkPath: string): Promise<void> {
    throw fsError("EPERM", "symlink", linkPath);
  }

  async link(existingPath: string, newPath: string): Promise<void> {
    await this.cp(existingPath, newPath);
  }

  async readlink(path: string): Promise<string> {
    throw fsError("ENOENT", "readlink", path);
  }

  async realpath(path: string): Promise<string> {
    if (!(await this.exists(path))) throw fsError("ENOENT", "realpath", path);
    return normalize(path);
  }
}

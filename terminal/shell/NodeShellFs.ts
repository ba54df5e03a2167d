import type { FsStat, IFileSystem } from "just-bash";
import type { NodeBackend } from "../node/NodeBackend";

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

function fsError(code: "ENOENT" | "EISDIR" | "ENOTDIR" | "EPERM" | "ENOTEMPTY", syscall: string, path: string): Error {
  const messages = {
    ENOENT: "no such file or directory",
    EISDIR: "illegal operation on a directory",
    ENOTDIR: "not a directory",
    EPERM: "operation not permitted",
    ENOTEMPTY: "directory not empty",
  };
  const error = new Error(`${code}: ${messages[code]}, ${syscall} '${path}'`) as Error & { code: string };
  error.code = code;
  return error;
}

/**
 * The error for `ln -s` where the file system keeps no links (a node's files, the learner's folder
 * on disk). just-bash's ln prints an EPERM as "hard link not allowed for directory", and hides the
 * paths of other messages (as `<path>`), so this is GNU ln's message without the link's name:
 * `ln: failed to create symbolic link: Operation not supported`.
 */
export function symlinkNotSupported(): Error {
  const error = new Error("failed to create symbolic link: Operation not supported") as Error & { code: string };
  error.code = "ENOTSUP";
  return error;
}

const text = (content: string | Uint8Array) => (typeof content === "string" ? content : decoder.decode(content));
const epoch = new Date(0);

/** just-bash's directory entry (not exported by name). */
type DirentEntry = NonNullable<Awaited<ReturnType<NonNullable<IFileSystem["readdirWithFileTypes"]>>>>[number];

/**
 * A node's file system as its shell sees it (`ssh node01`, and the control plane's folders in the
 * first shell), over {@link NodeBackend}: what the kubelet reads (static pod manifests) is what the
 * learner writes. The node keeps files only; directories made with mkdir and left empty live in
 * this session.
 */
export class NodeShellFs implements IFileSystem {
  private readonly directories = new Set<string>(["/"]);

  constructor(
    private readonly backend: NodeBackend,
    private readonly node: string,
  ) {}

  private async isDirectory(path: string): Promise<boolean> {
    const normalized = normalize(path);
    if (this.directories.has(normalized)) return true;
    return (await this.backend.readDir(this.node, normalized)) !== undefined;
  }

  async readFile(path: string): Promise<string> {
    const content = await this.backend.readFile(this.node, normalize(path));
    if (content === undefined) throw fsError((await this.isDirectory(path)) ? "EISDIR" : "ENOENT", "open", path);
    return content;
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    return encoder.encode(await this.readFile(path));
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    if (await this.isDirectory(path)) throw fsError("EISDIR", "open", path);
    await this.backend.writeFile(this.node, normalize(path), text(content));
  }

  async appendFile(path: string, content: string | Uint8Array): Promise<void> {
    const existing = (await this.backend.readFile(this.node, normalize(path))) ?? "";
    await this.backend.writeFile(this.node, normalize(path), existing + text(content));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.backend.readFile(this.node, normalize(path))) !== undefined || (await this.isDirectory(path));
  }

  async stat(path: string): Promise<FsStat> {
    const content = await this.backend.readFile(this.node, normalize(path));
    if (content !== undefined)
      return {
        isFile: true,
        isDirectory: false,
        isSymbolicLink: false,
        mode: 0o644,
        size: encoder.encode(content).length,
        mtime: epoch,
      };
    if (await this.isDirectory(path))
      return { isFile: false, isDirectory: true, isSymbolicLink: false, mode: 0o755, size: 4096, mtime: epoch };
    throw fsError("ENOENT", "stat", path);
  }

  lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    const normalized = normalize(path);
    if ((await this.backend.readFile(this.node, normalized)) !== undefined) throw fsError("EPERM", "mkdir", path);
    const parent = normalized.slice(0, normalized.lastIndexOf("/")) || "/";
    if (!options?.recursive && !(await this.isDirectory(parent))) throw fsError("ENOENT", "mkdir", path);
    let current = normalized;
    while (current !== "/") {
      this.directories.add(current);
      current = current.slice(0, current.lastIndexOf("/")) || "/";
    }
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    const normalized = normalize(path);
    const remote = await this.backend.readDir(this.node, normalized);
    const entries = new Map<string, boolean>((remote ?? []).map((entry) => [entry.name, entry.directory]));
    const prefix = normalized === "/" ? "/" : `${normalized}/`;
    for (const directory of this.directories) {
      if (directory.startsWith(prefix) && directory !== normalized)
        entries.set(directory.slice(prefix.length).split("/")[0] as string, true);
    }
    if (remote === undefined && !this.directories.has(normalized)) {
      if ((await this.backend.readFile(this.node, normalized)) !== undefined) throw fsError("ENOTDIR", "scandir", path);
      throw fsError("ENOENT", "scandir", path);
    }
    return [...entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, directory]) => ({ name, isFile: !directory, isDirectory: directory, isSymbolicLink: false }));
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirWithFileTypes(path)).map((entry) => entry.name);
  }

  async rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void> {
    const normalized = normalize(path);
    const isFile = (await this.backend.readFile(this.node, normalized)) !== undefined;
    if (!isFile) {
      const isDirectory = await this.isDirectory(normalized);
      if (!isDirectory) {
        if (options?.force) return;
        throw fsError("ENOENT", "rm", path);
      }
      if (!options?.recursive) {
        const entries = await this.readdir(normalized);
        if (entries.length > 0) throw fsError("ENOTEMPTY", "rm", path);
      }
    }
    await this.backend.remove(this.node, normalized);
    for (const directory of [...this.directories])
      if (directory === normalized || directory.startsWith(`${normalized}/`)) this.directories.delete(directory);
  }

  async cp(source: string, destination: string, options?: { recursive?: boolean }): Promise<void> {
    if (await this.isDirectory(source)) {
      if (!options?.recursive) throw fsError("EISDIR", "cp", source);
      await this.mkdir(destination, { recursive: true });
      for (const name of await this.readdir(source))
        await this.cp(`${source}/${name}`, `${destination}/${name}`, options);
      return;
    }
    await this.writeFile(destination, await this.readFile(source));
  }

  async mv(source: string, destination: string): Promise<void> {
    await this.cp(source, destination, { recursive: true });
    await this.rm(source, { recursive: true, force: true });
  }

  resolvePath(base: string, path: string): string {
    return path.startsWith("/") ? normalize(path) : normalize(`${base}/${path}`);
  }

  getAllPaths(): string[] {
    return [...this.directories];
  }

  async chmod(): Promise<void> {}

  async utimes(): Promise<void> {}

  async symlink(): Promise<void> {
    throw symlinkNotSupported();
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

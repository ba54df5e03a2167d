/**
 * A node's own file system, as the kubelet and a node shell see it: `/etc/kubernetes/manifests`
 * (static pods), `/etc/kubernetes/pki`, `/var/lib/kubelet`, hostPath volumes. Paths are absolute
 * inside the node. The host (engine/host) backs it with `DIR/nodes/<node>/`; tests use
 * {@link InMemoryNodeFileSystem}.
 */
export interface NodeFileSystem {
  /** Names in a directory (not paths); empty when the directory does not exist. */
  readDir(path: string): Promise<string[]>;
  /** File contents, or undefined when there is no such file. */
  readFile(path: string): Promise<string | undefined>;
  /** Creates or replaces a file, creating parent directories. */
  writeFile(path: string, content: string): Promise<void>;
  /** Removes a file (or a directory with its contents); no error when absent. */
  remove(path: string): Promise<void>;
  /**
   * Calls `onChange` when something in `directory` (not recursively) is created, changed or
   * removed. Returns a disposer. Implementations must not poll while nothing changes.
   */
  watch(directory: string, onChange: (name: string) => void): () => void;
  /**
   * Optional: when `path` holds exactly `content`, keep this string instance instead (one shared
   * by many clusters); nothing changes as far as readers and watchers can tell.
   */
  share?(path: string, content: string): void;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

/** A node file system held in memory (tests, and hosts that do not persist nodes). */
export class InMemoryNodeFileSystem implements NodeFileSystem {
  private readonly files = new Map<string, string>();
  private readonly watchers = new Map<string, Set<(name: string) => void>>();

  constructor(initial: Record<string, string> = {}) {
    for (const [path, content] of Object.entries(initial)) this.files.set(normalize(path), content);
  }

  share(path: string, content: string): void {
    const file = normalize(path);
    if (this.files.get(file) === content) this.files.set(file, content);
  }

  async readDir(path: string): Promise<string[]> {
    const directory = normalize(path);
    const prefix = directory === "/" ? "/" : `${directory}/`;
    const names = new Set<string>();
    for (const file of this.files.keys()) {
      if (file.startsWith(prefix)) names.add(file.slice(prefix.length).split("/")[0]);
    }
    return [...names].sort();
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.files.get(normalize(path));
  }

  async writeFile(path: string, content: string): Promise<void> {
    const file = normalize(path);
    this.files.set(file, content);
    this.notify(file);
  }

  async remove(path: string): Promise<void> {
    const target = normalize(path);
    const removed = [...this.files.keys()].filter((file) => file === target || file.startsWith(`${target}/`));
    for (const file of removed) this.files.delete(file);
    if (removed.length > 0) this.notify(target);
  }

  watch(directory: string, onChange: (name: string) => void): () => void {
    const key = normalize(directory);
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(onChange);
    return () => set.delete(onChange);
  }

  /** Every file path, for node-shell listings and tests. */
  paths(): string[] {
    return [...this.files.keys()].sort();
  }

  private notify(file: string): void {
    const directory = parentOf(file);
    const name = file.slice(directory === "/" ? 1 : directory.length + 1);
    for (const watcher of this.watchers.get(directory) ?? []) watcher(name);
  }
}

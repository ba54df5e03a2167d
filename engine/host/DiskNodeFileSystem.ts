import { type FSWatcher, mkdirSync, watch as watchFolder } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { NodeFileSystem } from "../kubelet/NodeFileSystem";

/**
 * A node's file system on disk, under `root` (the host's `DIR/nodes/<node>/`): a learner who
 * edits `DIR/nodes/controlplane/etc/kubernetes/manifests/` from the host sees the kubelet react,
 * and everything survives a restart. Watches use the operating system's notifications, never polling.
 */
export class DiskNodeFileSystem implements NodeFileSystem {
  constructor(private readonly root: string) {}

  /** The host path of a node path; `..` cannot climb out of the root. */
  private resolve(nodePath: string): string {
    const normalized = path.posix.normalize(`/${nodePath}`);
    return path.join(this.root, normalized);
  }

  async readDir(nodePath: string): Promise<string[]> {
    try {
      return (await readdir(this.resolve(nodePath))).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async readFile(nodePath: string): Promise<string | undefined> {
    try {
      return await readFile(this.resolve(nodePath), "utf8");
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === "EISDIR") return undefined;
      throw error;
    }
  }

  async writeFile(nodePath: string, content: string): Promise<void> {
    const file = this.resolve(nodePath);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  async remove(nodePath: string): Promise<void> {
    await rm(this.resolve(nodePath), { recursive: true, force: true });
  }

  watch(directory: string, onChange: (name: string) => void): () => void {
    const folder = this.resolve(directory);
    mkdirSync(folder, { recursive: true });
    let watcher: FSWatcher | undefined;
    try {
      watcher = watchFolder(folder, { persistent: false }, (_event, name) => {
        if (name) onChange(name.toString());
      });
      watcher.on("error", () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    return () => watcher?.close();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** A factory for createCluster's `nodeFileSystem`: each node under `DIR/nodes/<node>/`. */
export function diskNodeFileSystems(dataDir: string): (nodeName: string) => NodeFileSystem {
  return (nodeName) => new DiskNodeFileSystem(path.join(dataDir, "nodes", nodeName));
}

import { InMemoryNodeFileSystem } from "../../kubelet/NodeFileSystem";

/**
 * A node's files kept in memory and saved inside the cluster's snapshot (one file per cluster, so
 * the store and the nodes' files are always saved together). Every change marks the cluster dirty.
 */
export class HostedNodeFileSystem extends InMemoryNodeFileSystem {
  constructor(
    initial: Record<string, string>,
    private readonly onChange: () => void,
  ) {
    super(initial);
  }

  override async writeFile(path: string, content: string): Promise<void> {
    await super.writeFile(path, content);
    this.onChange();
  }

  override async remove(path: string): Promise<void> {
    await super.remove(path);
    this.onChange();
  }

  /** Every file with its contents. */
  async allFiles(): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    for (const path of this.paths()) {
      const content = await this.readFile(path);
      if (content !== undefined) files[path] = content;
    }
    return files;
  }
}

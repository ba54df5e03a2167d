import { Agent, request as httpRequest } from "node:http";
import type { NodeBackend, NodeDirEntry, NodeInfo, NodeRunOptions } from "./NodeBackend";

/**
 * {@link NodeBackend} over the terminal server's loopback node access (NodeAccessServer), for the
 * shell process: KUBELAB_NODE_URL and KUBELAB_NODE_TOKEN in its environment.
 */
export class RemoteNodeBackend implements NodeBackend {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  private cachedNodes: Promise<NodeInfo[]> | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private post(
    method: string,
    body: unknown,
    onLine?: (line: Record<string, unknown>) => void,
    signal?: AbortSignal,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = httpRequest(
        `${this.url}/${method}`,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(payload),
          },
        },
        (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            reject(new Error(`node access refused (${response.statusCode})`));
            return;
          }
          response.setEncoding("utf8");
          let buffer = "";
          response.on("data", (chunk: string) => {
            buffer += chunk;
            if (!onLine) return;
            let newline = buffer.indexOf("\n");
            while (newline >= 0) {
              const line = buffer.slice(0, newline);
              buffer = buffer.slice(newline + 1);
              if (line) onLine(JSON.parse(line) as Record<string, unknown>);
              newline = buffer.indexOf("\n");
            }
          });
          response.on("end", () => {
            if (onLine) return resolve(undefined);
            try {
              const parsed = JSON.parse(buffer) as { value?: unknown; error?: string };
              if (parsed.error !== undefined) reject(new Error(parsed.error));
              else resolve(parsed.value);
            } catch (error) {
              reject(error);
            }
          });
          response.on("aborted", () => resolve(undefined));
          response.on("error", () => resolve(undefined));
        },
      );
      request.setNoDelay(true);
      request.on("error", (error) => (signal?.aborted ? resolve(undefined) : reject(error)));
      if (signal) {
        const abort = () => request.destroy();
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
      }
      request.end(payload);
    });
  }

  nodes(): Promise<NodeInfo[]> {
    this.cachedNodes ??= (this.post("nodes", {}) as Promise<NodeInfo[]>).catch((error) => {
      this.cachedNodes = undefined;
      throw error;
    });
    return this.cachedNodes;
  }

  async readDir(node: string, path: string): Promise<NodeDirEntry[] | undefined> {
    return ((await this.post("readDir", { node, path })) ?? undefined) as NodeDirEntry[] | undefined;
  }

  async readFile(node: string, path: string): Promise<string | undefined> {
    return ((await this.post("readFile", { node, path })) ?? undefined) as string | undefined;
  }

  async writeFile(node: string, path: string, content: string): Promise<void> {
    await this.post("writeFile", { node, path, content });
  }

  async remove(node: string, path: string): Promise<void> {
    await this.post("remove", { node, path });
  }

  async run(node: string, argv: string[], options: NodeRunOptions): Promise<number> {
    let status = 130;
    const writes: Promise<void>[] = [];
    const shellFiles = options.shellFiles
      ? { roots: options.shellFiles.roots, contents: options.shellFiles.contents }
      : undefined;
    await this.post(
      "run",
      { node, argv, stdin: options.stdin ?? "", columns: options.columns, cwd: options.cwd, shellFiles },
      (line) => {
        if (typeof line.o === "string") options.stdout(line.o);
        else if (typeof line.e === "string") options.stderr(line.e);
        else if (typeof line.w === "string" && typeof line.c === "string" && options.shellFiles?.write) {
          const path = line.w;
          writes.push(
            options.shellFiles
              .write(path, line.c)
              .catch((error: Error) => options.stderr(`${argv[0]}: ${path}: ${error.message}\n`)),
          );
        } else if (typeof line.x === "number") status = line.x;
      },
      options.signal,
    );
    await Promise.all(writes);
    return status;
  }

  close(): void {
    this.agent.destroy();
  }
}

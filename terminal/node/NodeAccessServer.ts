import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { NodeBackend, ShellFiles } from "./NodeBackend";

/** Where a shell finds its node access: a loopback URL and the session's bearer token. */
export interface NodeAccessGrant {
  url: string;
  token: string;
  /** Stops the token from working (the shell stopped). */
  revoke(): void;
}

const maxBodyBytes = 8 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error("request too large"));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * Serves {@link NodeBackend} calls to learner shell processes over loopback HTTP: the terminal
 * service registers each shell with the backend of its learner's cluster and passes the shell a
 * random token, so a shell reaches only its own learner's nodes. Calls are JSON POSTs to
 * `/<method>`; `run` streams newline-delimited JSON (`{"o":…}` stdout, `{"e":…}` stderr,
 * `{"x":status}` last) and a closed request aborts the tool (Ctrl-C).
 */
export class NodeAccessServer {
  private server: Server | undefined;
  private listening: Promise<string> | undefined;
  private readonly grants = new Map<string, NodeBackend>();

  /** Registers a shell's backend; the returned grant goes into the shell's environment. */
  async grant(backend: NodeBackend): Promise<NodeAccessGrant> {
    const url = await this.listen();
    const token = randomBytes(24).toString("base64url");
    this.grants.set(token, backend);
    return { url, token, revoke: () => this.grants.delete(token) };
  }

  private listen(): Promise<string> {
    this.listening ??= new Promise((resolve, reject) => {
      const server = createServer((request, response) => {
        void this.handle(request, response).catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
          response.end(String((error as Error).message ?? error));
        });
      });
      server.keepAliveTimeout = 60_000;
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.unref();
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
      this.server = server;
    });
    return this.listening;
  }

  private backendFor(request: IncomingMessage): NodeBackend | undefined {
    const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (!presented) return undefined;
    for (const [token, backend] of this.grants) {
      const a = Buffer.from(token);
      const b = Buffer.from(presented);
      if (a.length === b.length && timingSafeEqual(a, b)) return backend;
    }
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    request.socket.setNoDelay(true);
    const backend = this.backendFor(request);
    if (!backend || request.method !== "POST") {
      response.writeHead(backend ? 405 : 401).end();
      return;
    }
    const method = (request.url ?? "/").slice(1);
    const body = JSON.parse((await readBody(request)) || "{}") as Record<string, unknown>;
    const node = String(body.node ?? "");
    const path = String(body.path ?? "/");
    const reply = (value: unknown) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ value }));
    };
    try {
      switch (method) {
        case "nodes":
          return reply(await backend.nodes());
        case "readDir":
          return reply(await backend.readDir(node, path));
        case "readFile":
          return reply(await backend.readFile(node, path));
        case "writeFile":
          return reply(await backend.writeFile(node, path, String(body.content ?? "")));
        case "remove":
          return reply(await backend.remove(node, path));
        case "run":
          return await this.run(backend, node, body, request, response);
        default:
          response.writeHead(404).end();
      }
    } catch (error) {
      if (response.headersSent) return;
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ error: (error as Error).message }));
    }
  }

  private async run(
    backend: NodeBackend,
    node: string,
    body: Record<string, unknown>,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const abort = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) abort.abort();
    });
    response.writeHead(200, { "Content-Type": "application/x-ndjson" });
    response.flushHeaders();
    const argv = Array.isArray(body.argv) ? body.argv.map(String) : [];
    let status: number;
    try {
      status = await backend.run(node, argv, {
        stdin: typeof body.stdin === "string" ? body.stdin : "",
        columns: typeof body.columns === "number" ? body.columns : 80,
        cwd: typeof body.cwd === "string" ? body.cwd : "/root",
        shellFiles: shellFilesOf(body.shellFiles, (path, content) => {
          response.write(`${JSON.stringify({ w: path, c: content })}\n`);
        }),
        stdout: (text) => {
          if (text) response.write(`${JSON.stringify({ o: text })}\n`);
        },
        stderr: (text) => {
          if (text) response.write(`${JSON.stringify({ e: text })}\n`);
        },
        signal: abort.signal,
      });
    } catch (error) {
      response.write(`${JSON.stringify({ e: `${argv[0]}: ${(error as Error).message}\n` })}\n`);
      status = 1;
    }
    void request;
    response.end(`${JSON.stringify({ x: status })}\n`);
  }

  /** Stops serving. */
  close(): void {
    this.grants.clear();
    this.server?.close();
    this.server?.closeAllConnections();
  }
}

/** The shell's files from a run request (`{roots, contents}`), writes going back as `{"w": path, "c": content}` lines. */
function shellFilesOf(value: unknown, write: (path: string, content: string) => void): ShellFiles | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { roots, contents } = value as { roots?: unknown; contents?: unknown };
  if (!Array.isArray(roots) || typeof contents !== "object" || contents === null) return undefined;
  return {
    roots: roots.filter((root): root is string => typeof root === "string" && root.startsWith("/")),
    contents: Object.fromEntries(
      Object.entries(contents).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    ),
    write: async (path, content) => write(path, content),
  };
}

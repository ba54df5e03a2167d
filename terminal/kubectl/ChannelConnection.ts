import WebSocket from "ws";
import type { RestClient } from "./RestClient";
import { encodeQuery } from "./RestClient";

/** Streams of an exec/attach session, as the Kubernetes channel protocol numbers them. */
export const channels = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** How a remote command ended. */
export interface RemoteResult {
  exitCode: number;
  /** The Status message for a failure that is not a non-zero exit (e.g. container not found). */
  message?: string;
}

/** Options for one exec/attach connection. */
export interface ChannelOptions {
  path: string;
  query: Record<string, string | boolean | string[] | undefined>;
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
  signal?: AbortSignal;
}

/** An open exec/attach session: send stdin and resizes, await the end. */
export interface ChannelSession {
  sendStdin(data: string | Buffer): void;
  closeStdin(): void;
  resize(columns: number, rows: number): void;
  done: Promise<RemoteResult>;
}

function buildQuery(query: ChannelOptions["query"]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const entry of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(entry))}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : encodeQuery(undefined);
}

/**
 * Opens an exec/attach WebSocket with the v5 (then v4) channel protocol, as kubectl does, using
 * the client's Connection for TLS and credentials.
 */
export async function openChannel(client: RestClient, options: ChannelOptions): Promise<ChannelSession> {
  const url = client.server.replace(/^http/, "ws") + options.path + buildQuery(options.query);
  const socketOptions: Record<string, unknown> = {};
  await client.connection.apply(socketOptions as never);
  const socket = new WebSocket(url, ["v5.channel.k8s.io", "v4.channel.k8s.io"], socketOptions);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const error = new Error(body) as Error & { statusCode?: number; body?: string };
        error.statusCode = response.statusCode;
        error.body = body;
        reject(error);
      });
    });
  });
  let result: RemoteResult = { exitCode: 0 };
  const done = new Promise<RemoteResult>((resolve) => {
    socket.on("message", (data: Buffer) => {
      const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (buffer.length === 0) return;
      const channel = buffer[0];
      const payload = buffer.subarray(1);
      if (channel === channels.stdout) options.onStdout(payload);
      else if (channel === channels.stderr) options.onStderr(payload);
      else if (channel === channels.error && payload.length > 0) {
        try {
          const status = JSON.parse(payload.toString("utf8")) as {
            status?: string;
            reason?: string;
            message?: string;
            details?: { causes?: { reason?: string; message?: string }[] };
          };
          if (status.status === "Success") result = { exitCode: 0 };
          else if (status.reason === "NonZeroExitCode") {
            const cause = status.details?.causes?.find((entry) => entry.reason === "ExitCode");
            result = { exitCode: Number(cause?.message ?? 1) };
          } else result = { exitCode: 1, message: status.message ?? "error" };
        } catch {
          result = { exitCode: 1, message: payload.toString("utf8") };
        }
      }
    });
    socket.on("close", () => resolve(result));
    socket.on("error", () => resolve(result));
  });
  options.signal?.addEventListener("abort", () => socket.close(), { once: true });
  const send = (channel: number, data: Buffer) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  return {
    sendStdin: (data) => send(channels.stdin, Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8")),
    closeStdin: () => {
      if (socket.protocol === "v5.channel.k8s.io") send(channels.close, Buffer.from([channels.stdin]));
    },
    resize: (columns, rows) => send(channels.resize, Buffer.from(JSON.stringify({ Width: columns, Height: rows }))),
    done,
  };
}

import http from "node:http";
import https from "node:https";
import { ApiStatusError, KubectlError, type StatusBody } from "./errors";
import type { Connection } from "./kubeconfig";

/** Options for one API request. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** A raw HTTP answer from the API server. */
export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Encodes a query string the way client-go does (sorted keys, url.Values.Encode). */
export function encodeQuery(query: RequestOptions["query"]): string {
  if (!query) return "";
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return "";
  return `?${entries.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`).join("&")}`;
}

/**
 * A small REST client over a Connection (from a kubeconfig, or from client-node's KubeConfig),
 * on node:http for full control of Accept headers, content types and streaming (watch, logs),
 * which the generated client-node APIs don't expose.
 */
export class RestClient {
  /** Receives the text of Warning headers (kubectl prints them as `Warning: …`). */
  onWarning: ((text: string) => void) | undefined;

  constructor(readonly connection: Connection) {}

  private reportWarnings(headers: http.IncomingHttpHeaders): void {
    const header = headers.warning;
    if (!header || !this.onWarning) return;
    const values = Array.isArray(header) ? header : [header];
    for (const value of values) {
      for (const match of value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g))
        this.onWarning((match[1] as string).replace(/\\(.)/g, "$1"));
    }
  }

  /** The server URL of the current context. */
  get server(): string {
    return this.connection.server;
  }

  /**
   * Sends a request as client-go does: an answer of 429 or 5xx with an integer Retry-After is
   * waited out and the request sent again, up to 10 times (rest.Request's maxRetries and
   * checkWait); the last answer is returned as it came.
   */
  private async open(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.send(method, path, options);
      const seconds = retryAfterSeconds(response);
      if (seconds === undefined || attempt > MAX_RETRIES) return response;
      response.resume();
      if (!(await pause(seconds * 1000, options.signal))) return response;
    }
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(this.server + path + encodeQuery(options.query));
    const headers: Record<string, string> = {
      Accept: options.accept ?? "application/json",
      "User-Agent": "kubectl/v1.32.4 (linux/amd64) kubernetes/kubelab",
    };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const requestOptions: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers,
    };
    await this.connection.apply(requestOptions);
    if (url.protocol === "http:") delete requestOptions.agent;
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(requestOptions, (response) => {
        if (!refusedByHost(response)) return resolve(response);
        response.resume();
        reject(refusedError(url));
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ECONNREFUSED") {
          reject(refusedError(url));
        } else if (error.name === "AbortError") reject(error);
        else reject(new KubectlError(`Unable to connect to the server: ${error.message}`));
      });
      const signal = options.signal;
      if (signal) {
        if (signal.aborted) request.destroy(new AbortedError());
        // One command's signal serves all its requests; each takes its listener away when done.
        const abort = () => request.destroy(new AbortedError());
        signal.addEventListener("abort", abort, { once: true });
        request.on("close", () => signal.removeEventListener("abort", abort));
      }
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  /**
   * Sends a request as a client gave it (kubectl proxy): the path with its query as written, the
   * client's headers and body bytes, this client's credentials. The answer is the server's own,
   * to be streamed on; refused connections fail as `send` words them.
   */
  async forward(
    method: string,
    pathAndQuery: string,
    headers: Record<string, string>,
    body?: Uint8Array,
  ): Promise<http.IncomingMessage> {
    const url = new URL(this.server.replace(/\/$/, "") + pathAndQuery);
    const requestOptions: https.RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { ...headers, ...(body && body.length > 0 ? { "Content-Length": String(body.length) } : {}) },
    };
    await this.connection.apply(requestOptions);
    if (url.protocol === "http:") delete requestOptions.agent;
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(requestOptions, (response) => {
        if (!refusedByHost(response)) return resolve(response);
        response.resume();
        reject(new KubectlError(`dial tcp ${url.host}: connect: connection refused`));
      });
      request.on("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "ECONNREFUSED"
            ? new KubectlError(`dial tcp ${url.host}: connect: connection refused`)
            : new KubectlError(error.message),
        ),
      );
      if (body && body.length > 0) request.write(body);
      request.end();
    });
  }

  /** Performs a request and returns the whole body. */
  async raw(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const response = await this.open(method, path, options);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    this.reportWarnings(response.headers);
    return {
      statusCode: response.statusCode ?? 0,
      headers: response.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
  }

  /** Performs a request, throws ApiStatusError for a failure status, and parses the JSON answer. */
  async json<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.raw(method, path, options);
    if (response.statusCode >= 400) throw toStatusError(response);
    return (response.body === "" ? {} : JSON.parse(response.body)) as T;
  }

  /** GET shorthand. */
  get<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>("GET", path, options);
  }

  /**
   * Streams a response body (watch events, followed logs) chunk by chunk until the server ends
   * it or the signal aborts. Failure statuses throw before any chunk is delivered.
   */
  async stream(path: string, options: RequestOptions, onChunk: (text: string) => void | Promise<void>): Promise<void> {
    let response: http.IncomingMessage;
    try {
      response = await this.open("GET", path, options);
    } catch (error) {
      if (error instanceof AbortedError) return;
      throw error;
    }
    if ((response.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      throw toStatusError({
        statusCode: response.statusCode ?? 0,
        headers: response.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
    }
    response.setEncoding("utf8");
    try {
      for await (const chunk of response) await onChunk(chunk as string);
    } catch (error) {
      if (error instanceof AbortedError || options.signal?.aborted) return;
      throw error;
    }
  }

  /** Streams newline-delimited JSON (watch). */
  async watchLines(
    path: string,
    options: RequestOptions,
    onEvent: (event: unknown) => void | Promise<void>,
  ): Promise<void> {
    let buffer = "";
    await this.stream(path, options, async (text) => {
      buffer += text;
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line) await onEvent(JSON.parse(line));
        newline = buffer.indexOf("\n");
      }
    });
  }
}

/** rest.Request's default maxRetries. */
const MAX_RETRIES = 10;

/** The wait client-go's checkWait takes from an answer: 429 or any 5xx with Retry-After in whole seconds. */
function retryAfterSeconds(response: http.IncomingMessage): number | undefined {
  const status = response.statusCode ?? 0;
  if (status !== 429 && status < 500) return undefined;
  const header = response.headers["retry-after"];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Waits `ms`; false if the signal aborted first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      resolve(waited);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}

/** Thrown internally when a request's signal aborts. */
export class AbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortError";
  }
}

/** Decodes a failure response into an ApiStatusError (a Status body, or text as kubectl shows it). */
export function toStatusError(response: RawResponse): ApiStatusError {
  let status: StatusBody = {};
  try {
    const parsed = JSON.parse(response.body) as StatusBody;
    if (parsed && parsed.kind === "Status") status = parsed;
  } catch {
    // Not JSON: kubectl reports the body as an unknown error.
  }
  if (!status.kind) {
    status = {
      kind: "Status",
      code: response.statusCode,
      reason: reasonForCode(response.statusCode),
      message: unknownMessage(response.statusCode, response.body),
    };
  }
  return new ApiStatusError(response.statusCode, status, response.body);
}

function reasonForCode(code: number): string {
  switch (code) {
    case 404:
      return "NotFound";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 409:
      return "Conflict";
    case 400:
      return "BadRequest";
    case 405:
      return "MethodNotAllowed";
    case 422:
      return "Invalid";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return "Unknown";
  }
}

function unknownMessage(code: number, body: string): string {
  const trimmed = body.trim();
  if (code === 404) return "the server could not find the requested resource";
  if (trimmed) return trimmed;
  return `the server responded with the status code ${code} but did not return more information`;
}

/**
 * A hosted cluster whose kube-apiserver static pod is not running: the app's port cannot refuse
 * one cluster's connections, so its host answers with this header (engine/host/hosting
 * ClusterHost's REFUSED_HEADER), which stands for a refused connection.
 */
function refusedByHost(response: http.IncomingMessage): boolean {
  return response.statusCode === 503 && response.headers["x-kubelab-connection"] === "refused";
}

/** kubectl's words for a refused connection (its CheckErr on a connection-refused error). */
function refusedError(url: URL): KubectlError {
  return new KubectlError(
    `The connection to the server ${url.host} was refused - did you specify the right host or port?`,
  );
}

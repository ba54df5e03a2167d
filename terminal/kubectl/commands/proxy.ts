/**
 * `kubectl proxy`, as kubectl 1.32's pkg/cmd/proxy and pkg/proxy: an HTTP server on a local port
 * that forwards requests under --api-prefix to the API server with kubectl's own credentials,
 * behind the request filter (accepted hosts and paths, rejected paths and methods: exec and attach
 * by default), and serves --www files under --www-prefix. It listens through `KubectlIO.listen`:
 * real sockets in `npx kubelab kubectl`, the shell's own loopback in the learner's shell (where
 * `curl localhost:8001/api` reaches it and nothing outside does).
 */
import type { IncomingMessage } from "node:http";
import type { Command, CommandContext } from "../Command";
import { KubectlError, plainError } from "../errors";
import type { Flags } from "../flags";
import type { LocalConnection } from "../KubectlIO";

const defaultPort = 8001;

/** The request filter (proxy.FilterServer); absent with --disable-filter. */
interface RequestFilter {
  acceptPaths: RegExp[];
  rejectPaths: RegExp[];
  acceptHosts: RegExp[];
  rejectMethods: RegExp[];
}

interface ProxyOptions {
  apiPrefix: string;
  staticDir: string;
  staticPrefix: string;
  filter?: RequestFilter;
}

/** One parsed HTTP/1.1 request from a local client. */
interface LocalRequest {
  method: string;
  target: string;
  headers: Map<string, string>;
  body: Uint8Array;
}

/** What a handler answers; `stream` carries a body the API server is still sending. */
interface LocalResponse {
  status: number;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  stream?: IncomingMessage;
}

const encoder = new TextEncoder();

/** `kubectl proxy`. */
export const proxyCommand: Command = {
  name: "proxy",
  short: "Run a proxy to the Kubernetes API server",
  use: "proxy [--port=PORT] [--www=static-dir] [--www-prefix=prefix] [--api-prefix=prefix]",
  flags: [
    { name: "www", shorthand: "w", kind: "string", usage: "Also serve static files from the given directory." },
    {
      name: "www-prefix",
      shorthand: "P",
      kind: "string",
      default: "/static/",
      usage: "Prefix to serve static files under.",
    },
    { name: "api-prefix", kind: "string", default: "/", usage: "Prefix to serve the proxied API under." },
    {
      name: "accept-paths",
      kind: "string",
      default: "^.*",
      usage: "Regular expression for paths that the proxy should accept.",
    },
    {
      name: "reject-paths",
      kind: "string",
      default: "^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach",
      usage: "Regular expression for paths that the proxy should reject.",
    },
    {
      name: "accept-hosts",
      kind: "string",
      default: "^localhost$,^127\\.0\\.0\\.1$,^\\[::1\\]$",
      usage: "Regular expression for hosts that the proxy should accept.",
    },
    {
      name: "reject-methods",
      kind: "string",
      default: "^$",
      usage: "Regular expression for HTTP methods that the proxy should reject.",
    },
    { name: "port", shorthand: "p", kind: "int", default: defaultPort, usage: "The port on which to run the proxy." },
    { name: "address", kind: "string", default: "127.0.0.1", usage: "The IP address on which to serve on." },
    { name: "disable-filter", kind: "bool", usage: "If true, disable request filtering in the proxy." },
    { name: "unix-socket", shorthand: "u", kind: "string", usage: "Unix socket on which to run the proxy." },
    { name: "keepalive", kind: "duration", default: "0s", usage: "keepalive specifies the keep-alive period." },
    { name: "append-server-path", kind: "bool", usage: "If true, enables automatic path appending." },
  ],
  async run(context, flags) {
    const options = complete(context, flags);
    const port = flags.int("port");
    if (port !== defaultPort && flags.string("unix-socket"))
      throw plainError("cannot set --unix-socket and --port at the same time");
    if (flags.string("unix-socket")) throw plainError("listen unix: a Unix socket is not available in this terminal");
    const listen = context.io.listen?.bind(context.io);
    if (!listen) throw plainError("proxy needs a local network, which this terminal does not have");
    const address = flags.string("address");
    // Complete reads the kubeconfig before anything listens.
    await context.client();
    let listener: Awaited<ReturnType<typeof listen>>;
    try {
      listener = await listen(address, port, (connection) => serveConnection(context, options, connection));
    } catch (error) {
      throw plainError(listenError(error as Error, address, port));
    }
    context.io.stdout(`Starting to serve on ${address.includes(":") ? `[${address}]` : address}:${listener.port}\n`);
    // Serve until Ctrl-C, as kubectl serves until it is interrupted.
    await new Promise<void>((done) => {
      if (!context.io.signal || context.io.signal.aborted) return done();
      context.io.signal.addEventListener("abort", () => done(), { once: true });
    });
    listener.close();
    return 130;
  },
};

/** ProxyOptions.Complete: prefixes end in a slash; the filter's comma-separated expressions. */
function complete(context: CommandContext, flags: Flags): ProxyOptions {
  const withSlash = (prefix: string) => (prefix.endsWith("/") ? prefix : `${prefix}/`);
  const expressions = (flag: string) =>
    flags
      .string(flag)
      .split(",")
      .map((source) => {
        try {
          return new RegExp(source);
        } catch {
          // MakeRegexpArrayOrDie: klog's fatal line, exit 255.
          throw new KubectlError(
            `F${klogHeader(context)} proxy_server.go:83] Error compiling re: error parsing regexp: invalid syntax: \`${source}\``,
            255,
          );
        }
      });
  let filter: RequestFilter | undefined;
  if (flags.bool("disable-filter")) {
    if (!flags.string("unix-socket"))
      context.io.stderr(
        `W${klogHeader(context)} proxy.go:177] Request filter disabled, your proxy is vulnerable to XSRF attacks, please be cautious\n`,
      );
  } else {
    filter = {
      acceptPaths: expressions("accept-paths"),
      rejectPaths: expressions("reject-paths"),
      acceptHosts: expressions("accept-hosts"),
      rejectMethods: expressions("reject-methods"),
    };
  }
  return {
    apiPrefix: withSlash(flags.string("api-prefix")),
    staticDir: flags.string("www"),
    staticPrefix: withSlash(flags.string("www-prefix")),
    filter,
  };
}

/** klog's header after the severity letter: `MMDD hh:mm:ss.uuuuuu` and the process id. */
function klogHeader(context: CommandContext): string {
  const now = context.now();
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(now.getMonth() + 1)}${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds() * 1000).padStart(6, "0")}`;
  return `${time} ${String(context.io.pid ?? 1).padStart(7)}`;
}

/** Go's net.Listen error for an address in use or not available. */
function listenError(error: Error, address: string, port: number): string {
  const shown = `${address.includes(":") ? `[${address}]` : address}:${port}`;
  if (/in use/i.test(error.message)) return `listen tcp ${shown}: bind: address already in use`;
  if (/assign requested address|EADDRNOTAVAIL/i.test(error.message))
    return `listen tcp ${shown}: bind: cannot assign requested address`;
  return error.message;
}

/** Reads requests off one connection, one after the other (keep-alive), and answers each. */
function serveConnection(context: CommandContext, options: ProxyOptions, connection: LocalConnection): void {
  let buffered = new Uint8Array(0);
  let busy = false;
  let closed = false;
  connection.onClose(() => {
    closed = true;
  });
  const next = async () => {
    if (busy || closed) return;
    const parsed = parseRequest(buffered);
    if (!parsed) return;
    buffered = buffered.slice(parsed.length);
    busy = true;
    try {
      const response = await handle(context, options, parsed.request);
      await writeResponse(connection, parsed.request, response);
    } catch (error) {
      // proxy's error responder: a failed dial is a 502 with the error as text.
      await writeResponse(
        connection,
        parsed.request,
        textResponse(502, `Error trying to reach service: ${(error as Error).message}`),
      );
    } finally {
      busy = false;
    }
    if (parsed.request.headers.get("connection")?.toLowerCase() === "close") connection.end();
    else void next();
  };
  connection.onData((data) => {
    const joined = new Uint8Array(buffered.length + data.length);
    joined.set(buffered);
    joined.set(data, buffered.length);
    buffered = joined;
    void next();
  });
}

/** An HTTP/1.1 request head and its Content-Length body, or undefined until all of it arrived. */
function parseRequest(data: Uint8Array): { request: LocalRequest; length: number } | undefined {
  const text = new TextDecoder("latin1").decode(data);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [requestLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const [method = "GET", target = "/"] = requestLine.split(" ");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const length = Number(headers.get("content-length") ?? 0) || 0;
  const bodyStart = end + 4;
  if (data.length < bodyStart + length) return undefined;
  return {
    request: { method, target, headers, body: data.slice(bodyStart, bodyStart + length) },
    length: bodyStart + length,
  };
}

function textResponse(status: number, text: string): LocalResponse {
  return {
    status,
    headers: [
      ["Content-Type", "text/plain; charset=utf-8"],
      ["X-Content-Type-Options", "nosniff"],
    ],
    body: encoder.encode(`${text}\n`),
  };
}

/** Strips a prefix but keeps the path's leading slash (stripLeaveSlash). */
function stripLeaveSlash(prefix: string, path: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/** The server's mux: static files under --www-prefix, the API under --api-prefix, else 404. */
async function handle(context: CommandContext, options: ProxyOptions, request: LocalRequest): Promise<LocalResponse> {
  const url = new URL(request.target, "http://proxy");
  const path = url.pathname;
  if (options.staticDir && path.startsWith(options.staticPrefix)) {
    return serveStatic(context, options.staticDir, stripLeaveSlash(options.staticPrefix, path) ?? "/");
  }
  const prefix = options.apiPrefix;
  if (!path.startsWith(prefix) && `${path}/` !== prefix) return textResponse(404, "404 page not found");
  // A prefix under /api is passed on as it is; any other is taken off.
  const apiPath = prefix.startsWith("/api") ? path : (stripLeaveSlash(prefix, path) ?? "/");
  if (options.filter && !accepts(options.filter, request, apiPath)) return textResponse(403, "Forbidden");
  return forward(context, request, apiPath + url.search);
}

/** FilterServer.accept: the host (without its port), the path and the method. */
function accepts(filter: RequestFilter, request: LocalRequest, path: string): boolean {
  const hostHeader = request.headers.get("host") ?? "";
  // net.SplitHostPort: a Host without a port gives no host at all, which no default pattern accepts.
  const match = /^(\[[^\]]*\]|[^:]*):\d*$/.exec(hostHeader);
  const host = match ? (match[1] as string).replace(/^\[(.*)\]$/, "$1") : "";
  const any = (patterns: RegExp[], value: string) => patterns.some((pattern) => pattern.test(value));
  if (!any(filter.acceptHosts, host) && !any(filter.acceptHosts, `[${host}]`)) return false;
  if (any(filter.rejectMethods, request.method)) return false;
  return any(filter.acceptPaths, path) && !any(filter.rejectPaths, path);
}

/** The API server's answer to the request, sent with kubectl's credentials. */
async function forward(context: CommandContext, request: LocalRequest, pathAndQuery: string): Promise<LocalResponse> {
  const client = await context.client();
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    if (["host", "connection", "content-length", "authorization", "keep-alive", "transfer-encoding"].includes(name))
      continue;
    headers[name] = value;
  }
  const response = await client.forward(request.method, pathAndQuery, headers, request.body);
  const passed: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || ["connection", "keep-alive", "transfer-encoding"].includes(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) passed.push([headerName(name), one]);
  }
  return { status: response.statusCode ?? 502, headers: passed, stream: response };
}

/** Go's canonical header spelling (`content-type` → `Content-Type`). */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_all, dash: string, letter: string) => dash + letter.toUpperCase());
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** http.FileServer over --www: a file, a directory's index.html or listing, else 404. */
async function serveStatic(context: CommandContext, directory: string, path: string): Promise<LocalResponse> {
  const base = directory.replace(/\/$/, "");
  const file = `${base}${path}`;
  const entries = await context.io.readDirectory(file).catch(() => undefined);
  if (entries) {
    if (entries.includes("index.html"))
      return serveStatic(context, directory, `${path.replace(/\/?$/, "/")}index.html`);
    const links = [...entries]
      .sort()
      .map((name) => `<a href="${name}">${name}</a>\n`)
      .join("");
    return {
      status: 200,
      headers: [["Content-Type", "text/html; charset=utf-8"]],
      body: encoder.encode(
        `<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n${links}</pre>\n`,
      ),
    };
  }
  let text: string;
  try {
    text = await context.io.readFile(file);
  } catch {
    return textResponse(404, "404 page not found");
  }
  const extension = /\.[^./]+$/.exec(path)?.[0] ?? "";
  const type =
    contentTypes[extension] ?? (/^\s*</.test(text) ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
  return { status: 200, headers: [["Content-Type", type]], body: encoder.encode(text) };
}

const statusTexts: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Writes the answer as Go's server does: the status line, the headers, a Date, and the body with
 * its length, or chunk by chunk as the API server sends it (watches, followed logs).
 */
async function writeResponse(
  connection: LocalConnection,
  request: LocalRequest,
  response: LocalResponse,
): Promise<void> {
  // Go writes the handler's headers sorted by name, then the ones it adds (Date, the framing).
  const sorted = response.headers
    .filter(([name]) => name !== "Content-Length")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const head = [`HTTP/1.1 ${response.status} ${statusTexts[response.status] ?? ""}`];
  for (const [name, value] of sorted) head.push(`${name}: ${value}`);
  if (!sorted.some(([name]) => name === "Date")) head.push(`Date: ${new Date().toUTCString()}`);
  const headOnly = request.method === "HEAD";
  if (response.stream) {
    const length = response.stream.headers["content-length"];
    if (length !== undefined) head.push(`Content-Length: ${length}`);
    else head.push("Transfer-Encoding: chunked");
    connection.write(encoder.encode(`${head.join("\r\n")}\r\n\r\n`));
    for await (const chunk of response.stream) {
      if (headOnly) continue;
      const bytes = chunk as Uint8Array;
      if (length !== undefined) connection.write(bytes);
      else {
        connection.write(encoder.encode(`${bytes.length.toString(16)}\r\n`));
        connection.write(bytes);
        connection.write(encoder.encode("\r\n"));
      }
    }
    if (length === undefined && !headOnly) connection.write(encoder.encode("0\r\n\r\n"));
    return;
  }
  const body = response.body ?? new Uint8Array(0);
  head.push(`Content-Length: ${body.length}`);
  connection.write(encoder.encode(`${head.join("\r\n")}\r\n\r\n`));
  if (!headOnly) connection.write(body);
}

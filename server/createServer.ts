import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import next from "next";
import { WebSocketServer } from "ws";
import { disconnectPrisma } from "../lib/database/prisma";
import { learnerSetCookieHeader, withLearnerCookie } from "../lib/learner/learnerCookie";
import { ensureLearner, learnerFromCookieHeader } from "../lib/learner/learners";
import { keepServingWhenOutputCloses } from "./logStreams";
import { loopbackHostFor, type RouteRegistry, routes } from "./routes";
import { WARM_UP_HEADER, warmUpPages } from "./warmUp";

/** How the one-port server is started. */
export interface ServerOptions {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** The interface to listen on; all of them by default. */
  hostname?: string;
  /** Next's development mode (compiles on demand, hot reload) instead of the production build. */
  dev: boolean;
  /** The project root (where next.config.js and .next/ are). */
  dir: string;
  /** The registry of mounted routes; the process-wide one by default. */
  registry?: RouteRegistry;
  /** Where progress and errors are written; console by default. */
  log?: Logger;
  /** How long shutdown waits for open connections to finish before cutting them, in ms. */
  shutdownGraceMs?: number;
  /**
   * Logs, for each request Next serves to a learner, how long giving it a learner took and when the
   * response's head and end were written (ms since the request arrived): `KUBELAB_TRACE_PAGES=1`.
   */
  tracePages?: boolean;
  /**
   * Renders the home page and the first lesson once as soon as Next is ready, for nobody, so the
   * first learner after a start does not pay Next's first render of them (server/warmUp.ts).
   * Default: in production mode (in development it would compile them).
   */
  warmUp?: boolean;
}

/** Progress and error reporting. */
export interface Logger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

/** A listening server. */
export interface RunningServer {
  /** The port actually listened on. */
  port: number;
  /** A URL that reaches the server from this machine. */
  url: string;
  /**
   * Stops accepting connections, closes WebSockets (code 1001), runs the registry's shutdown hooks,
   * lets in-flight requests finish (up to the grace period), then closes Next and the database.
   */
  close(): Promise<void>;
}

const consoleLogger: Logger = {
  info: (message) => console.log(message),
  error: (message, error) => console.error(message, error ?? ""),
};

/**
 * Starts Kubelab's single HTTP server: mounted HTTP routes first, then Next for everything else;
 * WebSocket upgrades go to the mounted WebSocket handlers. Every request Next serves carries a
 * learner: a browser without the learner cookie gets a new Learner row and the cookie.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const registry = options.registry ?? routes();
  const log = options.log ?? consoleLogger;
  keepServingWhenOutputCloses();
  const graceMs = options.shutdownGraceMs ?? 5_000;
  const tracePages = options.tracePages ?? process.env.KUBELAB_TRACE_PAGES === "1";
  const warmUpToken = randomBytes(16).toString("hex");
  const sockets = new Set<Socket>();
  const webSockets = new WebSocketServer({ noServer: true });
  let shuttingDown = false;

  // Requests may arrive while Next prepares; they wait for it.
  let nextReady: (handlers: NextHandlers) => void = () => {};
  let nextFailed: (error: unknown) => void = () => {};
  const nextHandlers = new Promise<NextHandlers>((resolve, reject) => {
    nextReady = resolve;
    nextFailed = reject;
  });
  nextHandlers.catch(() => {});

  const server = createServer((request, response) => {
    if (shuttingDown) response.setHeader("Connection", "close");
    serveHttp(request, response).catch((error: unknown) => {
      log.error(`error serving ${request.method} ${request.url}:`, error);
      failResponse(response);
    });
  });

  async function serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = pathOf(request);
    const mounted = registry.matchHttp(pathname);
    if (mounted) {
      await mounted.handler(request, response, mounted.context);
      return;
    }
    const { handle } = await nextHandlers;
    if (needsLearner(pathname) && request.headers[WARM_UP_HEADER] !== warmUpToken) {
      const arrived = performance.now();
      const { learnerId, created } = await ensureLearner(request.headers.cookie);
      if (tracePages) tracePage(request, response, arrived, created, log);
      if (created) {
        response.appendHeader("Set-Cookie", learnerSetCookieHeader(learnerId, { secure: isHttps(request) }));
        // Next's cookies() reads the request: let the page see the learner it has just been given.
        request.headers.cookie = withLearnerCookie(request.headers.cookie, learnerId);
      }
    }
    await handle(request, response);
  }

  server.on("connection", (socket: Socket) => {
    registry.connectionAccepted(socket);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(request, socket, head).catch((error: unknown) => {
      log.error(`error upgrading ${request.url}:`, error);
      rejectUpgrade(socket, 500, "Internal Server Error");
    });
  });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const pathname = pathOf(request);
    const raw = registry.matchUpgrade(pathname);
    if (raw) {
      if (shuttingDown) return rejectUpgrade(socket, 503, "Service Unavailable");
      await raw.handler(request, socket, head, raw.context);
      return;
    }
    const handler = registry.matchWebSocket(pathname);
    if (!handler) {
      const { upgrade: nextUpgrade } = await nextHandlers;
      // In development Next's hot reloading runs over its own WebSocket.
      if (options.dev && pathname.startsWith("/_next/")) return nextUpgrade(request, socket, head);
      return rejectUpgrade(socket, 404, "Not Found");
    }
    if (shuttingDown) return rejectUpgrade(socket, 503, "Service Unavailable");
    const learnerId = await learnerFromCookieHeader(request.headers.cookie);
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      Promise.resolve(handler(webSocket, request, { path: pathname, learnerId })).catch((error: unknown) => {
        log.error(`WebSocket handler for ${pathname} failed:`, error);
        webSocket.close(1011, "internal error");
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  registry.listeningPort = port;
  registry.loopbackHost = loopbackHostFor(options.hostname);

  const nextApp = next({ dev: options.dev, dir: options.dir, hostname: options.hostname ?? "localhost", port });
  try {
    await nextApp.prepare();
  } catch (error) {
    nextFailed(error);
    await closeServer(server);
    throw error;
  }
  nextReady({ handle: nextApp.getRequestHandler(), upgrade: nextApp.getUpgradeHandler() });
  if (options.warmUp ?? !options.dev) {
    warmUpPages(registry.localOrigin(), warmUpToken).then(
      ({ paths, ms }) => log.info(`warmed up ${paths.join(" and ")} in ${ms.toFixed(0)} ms`),
      (error: unknown) => {
        if (!shuttingDown)
          log.info(`warming up the pages failed (the first learner's page renders them): ${(error as Error).message}`);
      },
    );
  }

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    shuttingDown = true;
    const stopped = closeServer(server);
    for (const client of webSockets.clients) client.close(1001, "server shutting down");
    await registry.runShutdownHooks((error) => log.error("shutdown hook failed:", error));
    server.closeIdleConnections();
    const grace = delay(graceMs);
    await Promise.race([stopped, grace.promise]);
    grace.cancel();
    for (const client of webSockets.clients) client.terminate();
    for (const socket of sockets) socket.destroy();
    await stopped;
    webSockets.close();
    await nextApp.close();
    await disconnectPrisma();
  }

  const host = options.hostname && !isWildcard(options.hostname) ? options.hostname : "localhost";
  return {
    port,
    url: `http://${host}:${port}`,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

function isWildcard(hostname: string): boolean {
  return hostname === "0.0.0.0" || hostname === "::";
}

interface NextHandlers {
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? "/", "http://localhost").pathname;
  } catch {
    return "/";
  }
}

/**
 * Logs when the response's head (status line and headers, written explicitly or by the first body
 * write: Node's implicit head goes through writeHead too) and its end left, once it has ended, as
 * `page GET /lessons/pods: learner 2.1 ms (new), head 48.3 ms, end 49.0 ms`.
 */
export function tracePage(
  request: IncomingMessage,
  response: ServerResponse,
  arrived: number,
  created: boolean,
  log: Logger,
): void {
  const learnerMs = performance.now() - arrived;
  let headMs: number | undefined;
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    headMs ??= performance.now() - arrived;
    return (writeHead as (...args: unknown[]) => ServerResponse).apply(this, args);
  } as typeof response.writeHead;
  response.once("finish", () => {
    const ms = (value: number | undefined) => (value === undefined ? "?" : `${value.toFixed(1)} ms`);
    log.info(
      `page ${request.method} ${request.url}: learner ${ms(learnerMs)}${created ? " (new)" : ""}, head ${ms(headMs)}, end ${ms(performance.now() - arrived)}`,
    );
  });
}

/**
 * Whether a request reaching Next is one a learner makes (a page, a route, a server action), as
 * opposed to a build asset or a static file, which must not mint learners.
 */
function needsLearner(pathname: string): boolean {
  if (pathname.startsWith("/_next/") || pathname.startsWith("/__next")) return false;
  const lastSegment = pathname.slice(pathname.lastIndexOf("/") + 1);
  return !/\.[a-z0-9]+$/i.test(lastSegment);
}

function isHttps(request: IncomingMessage): boolean {
  return request.headers["x-forwarded-proto"] === "https" || "encrypted" in request.socket;
}

function failResponse(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.statusCode = 500;
  response.setHeader("Content-Type", "text/plain; charset=utf-8");
  response.end("Internal Server Error\n");
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

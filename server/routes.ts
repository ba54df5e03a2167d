import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

/** Undoes a registration. */
export type Disposer = () => void;

/** What the server tells a mounted HTTP handler about the request besides the request itself. */
export interface HttpContext {
  /** The mount prefix that matched, without its trailing slash (e.g. `/clusters`). */
  prefix: string;
  /** The rest of the path after the prefix, starting with `/` (`/` when the prefix itself was asked for). */
  path: string;
}

/** Serves requests under a prefix outside Next. Errors it throws become a 500 when nothing was sent yet. */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse, context: HttpContext) => unknown;

/** What the server tells a WebSocket handler about the connection. */
export interface WebSocketContext {
  /** The request path (without the query string). */
  path: string;
  /** The learner named by the request's learner cookie when that learner exists, else undefined. */
  learnerId: string | undefined;
}

/** Takes over an upgraded WebSocket connection. */
export type WebSocketHandler = (socket: WebSocket, request: IncomingMessage, context: WebSocketContext) => unknown;

/**
 * Takes over a raw HTTP upgrade (before any WebSocket handshake), for handlers that negotiate the
 * upgrade themselves: a cluster's Kubernetes API answers exec/attach/port-forward upgrades with the
 * subprotocol it chose, or with a Status when the request is refused.
 */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer, context: HttpContext) => unknown;

/** Runs when the server shuts down, after it stopped accepting connections and before Prisma disconnects. */
export type ShutdownHook = () => unknown;

interface HttpMount {
  prefix: string;
  handler: HttpHandler;
}

interface UpgradeMount {
  prefix: string;
  handler: UpgradeHandler;
}

interface WebSocketMount {
  path: string;
  handler: WebSocketHandler;
}

/** The host a process connects to its own server on when that server listens on `hostname` (all interfaces when undefined). */
export function loopbackHostFor(hostname: string | undefined): string {
  if (!hostname || hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * What the one-port server serves besides Next: HTTP handlers under path prefixes and WebSocket
 * endpoints. The server consults it on every request, so mounts may come and go while it runs.
 */
export class RouteRegistry {
  private readonly httpMounts: HttpMount[] = [];
  private readonly webSocketMounts: WebSocketMount[] = [];
  private readonly upgradeMounts: UpgradeMount[] = [];
  private readonly shutdownHooks: ShutdownHook[] = [];
  private readonly connectionListeners: Array<(socket: Socket) => void> = [];
  /** The port the server listens on, once it does (PORT may be 0: a free port is chosen). */
  listeningPort: number | undefined;
  /** The host this process connects to its own server on: the interface it listens on, 127.0.0.1 when it listens on all. */
  loopbackHost = "127.0.0.1";

  /**
   * The origin this process reaches its own server on (the terminal's and the grader's kubeconfigs,
   * the start-up warm-up): read once the server listens, as PORT may be 0 (a free port).
   */
  localOrigin(): string {
    return `http://${this.loopbackHost}:${this.listeningPort ?? (process.env.PORT?.trim() || "3000")}`;
  }

  /**
   * Serves every request whose path is `prefix` or lies under it (`/clusters` serves `/clusters`,
   * `/clusters/` and `/clusters/a/b`, never `/clustersx`). The longest matching prefix wins.
   */
  mountHttp(prefix: string, handler: HttpHandler): Disposer {
    const mount = { prefix: normalizePrefix(prefix), handler };
    if (this.httpMounts.some((existing) => existing.prefix === mount.prefix)) {
      throw new Error(`an HTTP handler is already mounted at ${mount.prefix}`);
    }
    this.httpMounts.push(mount);
    this.httpMounts.sort((a, b) => b.prefix.length - a.prefix.length);
    return () => remove(this.httpMounts, mount);
  }

  /**
   * Accepts WebSocket upgrades on `path`. A path ending in `/` accepts every path under it
   * (`/terminal/` takes `/terminal/abc`); any other path must match exactly.
   */
  mountWebSocket(path: string, handler: WebSocketHandler): Disposer {
    if (!path.startsWith("/")) throw new Error(`WebSocket path must start with "/": ${path}`);
    if (this.webSocketMounts.some((existing) => existing.path === path)) {
      throw new Error(`a WebSocket handler is already mounted at ${path}`);
    }
    const mount = { path, handler };
    this.webSocketMounts.push(mount);
    this.webSocketMounts.sort((a, b) => b.path.length - a.path.length);
    return () => remove(this.webSocketMounts, mount);
  }

  /**
   * Hands raw upgrade requests under `prefix` to `handler` (matched like {@link mountHttp}); raw
   * upgrade mounts are consulted before WebSocket mounts.
   */
  mountUpgrade(prefix: string, handler: UpgradeHandler): Disposer {
    const mount = { prefix: normalizePrefix(prefix), handler };
    if (this.upgradeMounts.some((existing) => existing.prefix === mount.prefix)) {
      throw new Error(`an upgrade handler is already mounted at ${mount.prefix}`);
    }
    this.upgradeMounts.push(mount);
    this.upgradeMounts.sort((a, b) => b.prefix.length - a.prefix.length);
    return () => remove(this.upgradeMounts, mount);
  }

  /** The raw upgrade mount serving `pathname`, with its context. */
  matchUpgrade(pathname: string): { handler: UpgradeHandler; context: HttpContext } | undefined {
    return matchPrefix(this.upgradeMounts, pathname);
  }

  /**
   * Calls `listener` with every connection the server accepts (its `'connection'` event), before
   * any request on it is read: the cluster host lets the next turn of the event loop go to the
   * listen queue (engine/host/hosting/ClusterHost.connectionAccepted).
   */
  onConnection(listener: (socket: Socket) => void): Disposer {
    this.connectionListeners.push(listener);
    return () => remove(this.connectionListeners, listener);
  }

  /** Tells the connection listeners of a connection the server accepted. */
  connectionAccepted(socket: Socket): void {
    for (const listener of this.connectionListeners) listener(socket);
  }

  /** Runs `hook` at shutdown (in reverse order of registration), e.g. to persist clusters. */
  onShutdown(hook: ShutdownHook): Disposer {
    this.shutdownHooks.push(hook);
    return () => remove(this.shutdownHooks, hook);
  }

  /** The HTTP mount serving `pathname`, with the context to hand to it. */
  matchHttp(pathname: string): { handler: HttpHandler; context: HttpContext } | undefined {
    return matchPrefix(this.httpMounts, pathname);
  }

  /** The WebSocket handler for `pathname`. */
  matchWebSocket(pathname: string): WebSocketHandler | undefined {
    for (const mount of this.webSocketMounts) {
      if (mount.path.endsWith("/") ? pathname.startsWith(mount.path) : pathname === mount.path) return mount.handler;
    }
    return undefined;
  }

  /** Runs and forgets the shutdown hooks, newest first; a failing hook is reported and the rest still run. */
  async runShutdownHooks(report: (error: unknown) => void): Promise<void> {
    const hooks = this.shutdownHooks.splice(0).reverse();
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        report(error);
      }
    }
  }
}

function matchPrefix<H>(
  mounts: Array<{ prefix: string; handler: H }>,
  pathname: string,
): { handler: H; context: HttpContext } | undefined {
  for (const mount of mounts) {
    if (pathname === mount.prefix) return { handler: mount.handler, context: { prefix: mount.prefix, path: "/" } };
    if (pathname.startsWith(`${mount.prefix}/`)) {
      return { handler: mount.handler, context: { prefix: mount.prefix, path: pathname.slice(mount.prefix.length) } };
    }
  }
  return undefined;
}

function normalizePrefix(prefix: string): string {
  if (!prefix.startsWith("/")) throw new Error(`HTTP mount prefix must start with "/": ${prefix}`);
  const trimmed = prefix.replace(/\/+$/, "");
  if (trimmed === "") throw new Error("cannot mount an HTTP handler at the root: Next serves it");
  return trimmed;
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

// One registry per process, shared even when this module is loaded twice (by tsx for the server and
// by Next's bundle for route handlers).
const REGISTRY_KEY = Symbol.for("kubelab.routes");
type Holder = { [REGISTRY_KEY]?: RouteRegistry };

/** The process-wide registry the server serves from. */
export function routes(): RouteRegistry {
  const holder = globalThis as Holder;
  holder[REGISTRY_KEY] ??= new RouteRegistry();
  return holder[REGISTRY_KEY];
}

/** Mounts an HTTP handler on the process-wide registry; see {@link RouteRegistry.mountHttp}. */
export function mountHttp(prefix: string, handler: HttpHandler): Disposer {
  return routes().mountHttp(prefix, handler);
}

/** Mounts a WebSocket handler on the process-wide registry; see {@link RouteRegistry.mountWebSocket}. */
export function mountWebSocket(path: string, handler: WebSocketHandler): Disposer {
  return routes().mountWebSocket(path, handler);
}

/** Mounts a raw upgrade handler on the process-wide registry; see {@link RouteRegistry.mountUpgrade}. */
export function mountUpgrade(prefix: string, handler: UpgradeHandler): Disposer {
  return routes().mountUpgrade(prefix, handler);
}

/** Registers a shutdown hook on the process-wide registry; see {@link RouteRegistry.onShutdown}. */
export function onShutdown(hook: ShutdownHook): Disposer {
  return routes().onShutdown(hook);
}

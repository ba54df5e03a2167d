import { randomBytes, timingSafeEqual } from "node:crypto";
import type { EventEmitter } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import { ApiError } from "../../apiserver/ApiError";
import { httpApiServerOf } from "../../apiserver/http/adapter";
import { createHttpHandler, type HttpHandler } from "../../apiserver/http/createHttpHandler";
import type { UserInfo } from "../../apiserver/ResourceRequest";
import type { Clock } from "../../clock/Clock";
import { RealClock } from "../../clock/RealClock";
import type { Speed } from "../../cluster/Component";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import type { StoreEvent } from "../../store/KeyValueStore";
import { renderKubeconfig } from "../standalone/kubeconfig";
import { ADMIN_USER, createWebSocketServer, serveRequest, serveUpgrade } from "../standalone/serveHttp";
import { buildClusterTemplate } from "./clusterTemplate";
import { FairTimers } from "./FairTimers";
import { HostedNodeFileSystem } from "./HostedNodeFileSystem";
import { homeFileWriter } from "./homeFiles";
import { type ClusterQuotas, DEFAULT_QUOTAS, QuotaStore, RequestRateLimiter } from "./quotas";
import {
  appendJournal,
  type ClusterSnapshot,
  describeSaveError,
  type JournalChange,
  journalFile,
  loadSnapshot,
  readJournal,
  saveSnapshot,
  writeFileAtomically,
} from "./snapshotFile";
import { hashToken } from "./tokens";

/** A journal shorter than this (or than the snapshot) is appended to rather than folded into a new snapshot. */
const JOURNAL_MIN_BYTES = 512 * 1024;

/** The rate-limit bucket of requests made with the cluster's own service-account tokens. */
const SERVICE_ACCOUNT_LABEL = "serviceaccount";

/** A cluster id: 26 characters of lower-case base32 (128 random bits), unguessable. */
export const CLUSTER_ID_PATTERN = /^[a-z2-7]{26}$/;

/** Options for {@link ClusterHost}. */
export interface ClusterHostOptions {
  /** Where clusters live: `<dataDir>/<id>/cluster.json` and `<dataDir>/<id>/snapshot`. */
  dataDir: string;
  /** Where the host is mounted on the app's port (default `/clusters`). */
  mountPrefix?: string;
  /**
   * Defaults to the wall clock with the clusters' timers served in turns ({@link FairTimers}); a
   * restored cluster's time continues from wall time. A given clock (tests) is shared as it is.
   */
  clock?: Clock;
  speed?: Speed;
  /** Worker nodes per cluster (default 2). */
  nodes?: number;
  quotas?: Partial<ClusterQuotas>;
  /** A change is on disk at most this long after it happened, plus one write (default 1,000 ms). */
  persistDelayMs?: number;
  /** A cluster without requests, watches or terminals this long is saved and evicted (default 10 minutes). */
  idleMs?: number;
  /**
   * Applies a lesson's starting state to a fresh cluster (the grader defines the states). `files`
   * places the state's files: on a node's file system (saved with the cluster's snapshot) and in
   * the learner's home when the caller of {@link ClusterHost.reset} gave one.
   */
  applyStartingState?: (cluster: Cluster, state: unknown, files: StartingFileWriters) => Promise<void>;
  /** Which components to start (tests); default all. */
  components?: readonly string[];
  /**
   * New clusters start from a template: one cluster booted and settled once, whose snapshot each
   * new cluster is restored from (see {@link ClusterHost.prepareTemplate}). Default: on unless a
   * clock is given (a virtual clock would have to be advanced to settle the template).
   */
  template?: boolean;
  /**
   * A template older than this is built again on the next cluster creation (default: never, so
   * a new cluster's system pods show the server's uptime as their age; see docs/hosting.md).
   */
  templateMaxAgeMs?: number;
  log?: (line: string) => void;
}

/**
 * What is stored about a cluster besides its snapshot. Tokens are kept only as their SHA-256, one
 * per label (`terminal` for the learner's shell, `download` for the kubeconfig they downloaded).
 */
interface ClusterRecord {
  id: string;
  tokens: Array<{ label: string; sha256: string; createdAt: string }>;
  createdAt: string;
}

interface LiveCluster {
  cluster: Cluster;
  /** The cluster's clock (its timers take turns with the other clusters'). */
  clock: Clock;
  timersKey: string;
  store: QuotaStore;
  handler: HttpHandler;
  nodeFiles: Map<string, HostedNodeFileSystem>;
  /**
   * The request rate is limited per token label: the learner's terminal, their downloaded
   * kubeconfig and Kubelab's own grader each take from a bucket of their own, so the live
   * checklist re-grading a busy cluster can never use up the learner's own requests.
   */
  limiters: Map<string, RequestRateLimiter>;
  activeRequests: number;
  watches: number;
  holds: number;
  lastActivity: number;
  dirty: boolean;
  /** The store's changes since the last save, in revision order: what the next journal record holds. */
  changes: JournalChange[];
  /** A node's files changed since the last save (they are saved only in whole snapshots). */
  nodesChanged: boolean;
  /** The SHA-256 of the snapshot on disk that the journal continues; undefined: the next save is whole. */
  base?: string;
  snapshotBytes: number;
  journalBytes: number;
  cancelPersist?: () => void;
  cancelIdle?: () => void;
  saving?: Promise<void>;
  stopWatchingStore: () => void;
  restoredFrom?: string;
  /** A restored cluster whose components have not been booted yet (see {@link ClusterHost.bootSoon}). */
  bootPending: boolean;
  /** Started from a snapshot or the template (whole, settled state), not bootstrapped from nothing. */
  restored: boolean;
  cancelBoot?: () => void;
}

/** Where a starting state's files go (see {@link ClusterHostOptions.applyStartingState}). */
export interface StartingFileWriters {
  /** Writes `file` (absolute inside the node) on node `node` of the cluster. */
  writeNodeFile(node: string, file: string, content: string): Promise<void>;
  /** Writes `file` (`~/x`, `/root/x` or relative) into the learner's home; absent without a home. */
  writeHomeFile?: (file: string, content: string) => Promise<void>;
  /**
   * The cluster's node file systems, for the starting state's shell commands that reach the nodes
   * (`ssh node01 …`, `sed -i` on a static Pod manifest, `etcdctl snapshot save`), as the terminal's
   * node tools do.
   */
  nodeFileSystem?: (node: string) => HostedNodeFileSystem | undefined;
}

/** Info about a cluster for the app (no secrets). */
export interface ClusterInfo {
  id: string;
  createdAt: string;
  state: "running" | "hibernated";
  usage?: { objects: number; pods: number; nodes: number; storeBytes: number; watches: number };
  quotas: ClusterQuotas;
}

export { hashToken } from "./tokens";

function newId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const bytes = randomBytes(26);
  let id = "";
  for (const byte of bytes) id += alphabet[byte & 31];
  return id;
}

const unauthorizedBody = `${JSON.stringify(ApiError.unauthorized().toStatus())}\n`;

function writeStatus(response: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  const status = error.toStatus();
  response.writeHead(status.code ?? 500, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    ...headers,
  });
  response.end(`${JSON.stringify(status)}\n`);
}

/**
 * Many learners' clusters in one server process, each served at `<mountPrefix>/<id>/` with its own
 * bearer token. Clusters start lazily on first use (restored from their snapshot when they have
 * one), are saved atomically shortly after every change and at shutdown, and are saved and evicted
 * after an idle period, so an idle cluster holds no memory and arms no timers.
 */
export class ClusterHost {
  private readonly clock: Clock;
  private readonly fairTimers: FairTimers | undefined;
  private readonly live = new Map<string, LiveCluster>();
  private readonly starting = new Map<string, Promise<LiveCluster>>();
  private readonly records = new Map<string, ClusterRecord>();
  /** Record changes in progress per cluster, chained (see updateRecord). */
  private readonly recordUpdates = new Map<string, Promise<void>>();
  private readonly quotas: ClusterQuotas;
  private readonly mountPrefix: string;
  private webSockets: ReturnType<typeof createWebSocketServer> | undefined;
  private closed = false;
  private starts = 0;
  /** The template new clusters start from, once built (see prepareTemplate). */
  private template: { snapshot: ClusterSnapshot | undefined; builtAt: number } | undefined;
  private templateBuild: Promise<ClusterSnapshot | undefined> | undefined;
  /** Connections a request has arrived on (see noteConnection), and the servers whose connections it hears. */
  private readonly connections = new WeakSet<object>();
  private readonly servers = new WeakSet<EventEmitter>();
  /** Whether a server tells the host of its accepted connections (see connectionAccepted). */
  private hearsConnections = false;

  constructor(private readonly options: ClusterHostOptions) {
    this.clock = options.clock ?? new RealClock();
    this.fairTimers = options.clock
      ? undefined
      : new FairTimers((id, error) => this.log(`${id}: a timer failed: ${(error as Error)?.stack ?? String(error)}`));
    this.quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.mountPrefix = (options.mountPrefix ?? "/clusters").replace(/\/+$/, "");
  }

  private log(line: string): void {
    this.options.log?.(`hosting: ${line}`);
  }

  private folder(id: string): string {
    return path.join(this.options.dataDir, id);
  }

  /** Creates a cluster record and returns its id and token (the only time the token is seen). */
  async create(): Promise<{ id: string; token: string }> {
    const id = newId();
    const token = randomBytes(32).toString("base64url");
    const createdAt = new Date(this.clock.now()).toISOString();
    const record: ClusterRecord = {
      id,
      tokens: [{ label: "terminal", sha256: hashToken(token), createdAt }],
      createdAt,
    };
    await writeFileAtomically(path.join(this.folder(id), "cluster.json"), Buffer.from(`${JSON.stringify(record)}\n`));
    this.records.set(id, record);
    return { id, token };
  }

  /**
   * Issues a token for `label` (e.g. `download`), replacing that label's previous token, which
   * stops working; the other labels' tokens keep working. Returns the new token.
   */
  async issueToken(id: string, label: string): Promise<string> {
    if (!this.record(id)) throw new Error(`no cluster ${id}`);
    const token = randomBytes(32).toString("base64url");
    const entry = { label, sha256: hashToken(token), createdAt: new Date(this.clock.now()).toISOString() };
    await this.updateRecord(id, (record) => ({
      ...record,
      tokens: [...record.tokens.filter((existing) => existing.label !== label), entry],
    }));
    return token;
  }

  /**
   * Changes a cluster's record, one change at a time per cluster: each reads the record the
   * previous one left (two tokens issued at once both stay), and the file ends as memory does.
   */
  private updateRecord(id: string, change: (record: ClusterRecord) => ClusterRecord): Promise<void> {
    const previous = this.recordUpdates.get(id) ?? Promise.resolve();
    const update = previous
      .catch(() => undefined)
      .then(async () => {
        const record = this.record(id);
        if (!record) throw new Error(`no cluster ${id}`);
        const updated = change(record);
        await writeFileAtomically(
          path.join(this.folder(id), "cluster.json"),
          Buffer.from(`${JSON.stringify(updated)}\n`),
        );
        this.records.set(id, updated);
      });
    const settled = update.catch(() => undefined);
    this.recordUpdates.set(id, settled);
    void settled.then(() => {
      if (this.recordUpdates.get(id) === settled) this.recordUpdates.delete(id);
    });
    return update;
  }

  /** The stored record of a cluster, read from disk once; undefined for malformed or unknown ids. */
  private record(id: string): ClusterRecord | undefined {
    if (!CLUSTER_ID_PATTERN.test(id)) return undefined;
    const cached = this.records.get(id);
    if (cached) return cached;
    try {
      const record = JSON.parse(readFileSync(path.join(this.folder(id), "cluster.json"), "utf8")) as ClusterRecord;
      if (record.id !== id || !Array.isArray(record.tokens)) return undefined;
      this.records.set(id, record);
      return record;
    } catch {
      return undefined;
    }
  }

  /** Whether `id` names a cluster of this host. */
  exists(id: string): boolean {
    return this.record(id) !== undefined;
  }

  /** Whether `token` opens cluster `id` (constant-time comparison of the hashes). */
  verifyToken(id: string, token: string): boolean {
    return this.tokenLabel(id, token) !== undefined;
  }

  /** The label of the token (`terminal`, `download`, …) when it opens cluster `id`; else undefined. */
  private tokenLabel(id: string, token: string): string | undefined {
    const record = this.record(id);
    const given = Buffer.from(hashToken(token), "hex");
    // Compare against something even for unknown ids, so timing says nothing about which ids exist.
    const entries = record?.tokens ?? [{ label: "", sha256: "0".repeat(64) }];
    let matched: string | undefined;
    for (const entry of entries) if (timingSafeEqual(Buffer.from(entry.sha256, "hex"), given)) matched = entry.label;
    return record === undefined ? undefined : matched;
  }

  /**
   * Who a request's bearer token makes it: the cluster admin for one of the cluster's own tokens
   * (rate-limited by its label), or the service account of a token the cluster itself issued
   * (`kubectl create token`, a pod's projected token), which only the running cluster can check
   * (its signing key and accounts are in its state). Undefined: 401.
   */
  private async authenticate(
    id: string,
    authorization: string | undefined,
  ): Promise<{ label: string; user: UserInfo; live: LiveCluster } | undefined> {
    const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
    if (!match) return undefined;
    const token = match[1].trim();
    const label = this.tokenLabel(id, token);
    if (label !== undefined) return { label, user: ADMIN_USER, live: await this.acquireQuietly(id) };
    // Only what could be a JWT of an existing cluster wakes it to be checked.
    if (!this.record(id) || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return undefined;
    const live = await this.acquireQuietly(id);
    const user = live.cluster.apiServer.authenticateToken(token);
    return user ? { label: SERVICE_ACCOUNT_LABEL, user, live } : undefined;
  }

  /** The API URL path of a cluster on the app's port. */
  pathOf(id: string): string {
    return `${this.mountPrefix}/${id}`;
  }

  /**
   * A kubeconfig for cluster `id` at `serverUrl` (e.g. `https://host/clusters/<id>`), trusting
   * `certificateAuthorityPem` when the server's certificate is self-signed.
   */
  kubeconfig(id: string, token: string, serverUrl: string, certificateAuthorityPem?: string): string {
    const text = renderKubeconfig({
      server: serverUrl,
      token,
      certificateAuthorityPem: certificateAuthorityPem ?? "",
      clusterName: `kubelab-${id.slice(0, 8)}`,
      userName: "learner",
    });
    // Without a CA of its own the server's certificate is checked against the system's roots.
    return certificateAuthorityPem ? text : text.replace(/^\s*certificate-authority-data: ""\n/m, "");
  }

  /**
   * Serves a request under the mount: `path` is `/<id>/…` after the mount prefix. Unknown ids,
   * malformed ids and wrong tokens all get the same 401, so nothing tells whether an id exists.
   */
  async serve(request: IncomingMessage, response: ServerResponse, requestPath: string): Promise<void> {
    this.noteConnection(request);
    const id = requestPath.split("/")[1] ?? "";
    const caller = await this.authenticate(id, request.headers.authorization);
    if (caller === undefined) {
      request.resume();
      response.writeHead(401, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
      response.end(unauthorizedBody);
      return;
    }
    const { label, user, live } = caller;
    if (!live.cluster.controlPlane.apiReachable()) {
      request.resume();
      refuse(response, request.headers.host);
      return;
    }
    const wait = this.limiterOf(live, label).take(this.clock.now());
    if (wait > 0) {
      request.resume();
      writeStatus(
        response,
        ApiError.tooManyRequests(
          `the cluster's request rate limit (${this.quotas.requestsPerSecond} requests per second, burst ${this.quotas.requestBurst}) is exceeded, please try again later`,
          wait,
        ),
        { "Retry-After": String(wait) },
      );
      return;
    }
    const isWatch = /[?&]watch=(true|1)(&|$)/.test(request.url ?? "") || /\/watch\//.test(requestPath);
    if (isWatch && live.watches >= this.quotas.watches) {
      request.resume();
      writeStatus(
        response,
        ApiError.tooManyRequests(`too many open watches: the cluster's limit is ${this.quotas.watches} watches`, 5),
        { "Retry-After": "5" },
      );
      return;
    }
    this.touch(live);
    live.activeRequests++;
    if (isWatch) live.watches++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      live.activeRequests--;
      if (isWatch) live.watches--;
      this.touch(live);
      this.armIdle(id, live);
    };
    response.on("close", finish);
    // A restored cluster's components boot once the request that woke it has been answered (a
    // watch stays open: they boot right after it started).
    if (isWatch) this.bootSoon(id, live);
    else response.once("finish", () => this.bootSoon(id, live));
    try {
      await serveRequest(live.handler, () => user, request, response);
    } finally {
      if (response.writableEnded && !isWatch) finish();
    }
  }

  /**
   * Tells the host that a server serving its clusters has just accepted a connection (call it from
   * the server's documented `'connection'` event, see {@link hearConnectionsOf}): more may wait in
   * the listen queue, of which Node (libuv 1.46) accepts one per turn of the event loop, so the
   * clusters' timers let the next turn go by ({@link FairTimers.preferSockets}); with 200 learners'
   * clusters busy, a new kubectl command's connection waited seconds otherwise.
   */
  connectionAccepted(): void {
    this.hearsConnections = true;
    this.fairTimers?.preferSockets();
  }

  /**
   * Hears `server`'s `'connection'` events (node:net's documented event, which node:http and
   * node:https servers emit for every accepted TCP connection) from now on: see
   * {@link connectionAccepted}. The app server, the TLS listener and the test server call it.
   */
  hearConnectionsOf(server: EventEmitter): void {
    if (this.servers.has(server)) return;
    this.servers.add(server);
    server.on("connection", () => this.connectionAccepted());
  }

  /**
   * The first request on a connection, for a server whose connections the host does not hear
   * ({@link hearConnectionsOf}): the connection was accepted in an earlier turn and more may wait,
   * so the next turn goes by all the same, later than the server's own event would have allowed.
   */
  private noteConnection(request: IncomingMessage): void {
    if (this.hearsConnections || !this.fairTimers) return;
    const socket = request.socket;
    if (!socket || this.connections.has(socket)) return;
    this.connections.add(socket);
    this.fairTimers.preferSockets();
  }

  /**
   * Serves an upgrade under the mount (`kubectl exec`/`attach`/`port-forward` over WebSocket):
   * authenticated like {@link serve}, then negotiated by the cluster's own handler. The cluster
   * stays awake while the stream is open.
   */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, requestPath: string): Promise<void> {
    this.noteConnection(request);
    const id = requestPath.split("/")[1] ?? "";
    const caller = await this.authenticate(id, request.headers.authorization);
    if (caller === undefined) {
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${unauthorizedBody}`,
      );
      return;
    }
    const { user } = caller;
    const live = await this.acquire(id);
    if (!live.cluster.controlPlane.apiReachable()) {
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\n${REFUSED_HEADER}: refused\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify(refusedStatus(request.headers.host))}`,
      );
      return;
    }
    this.touch(live);
    live.activeRequests++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      live.activeRequests--;
      this.touch(live);
      this.armIdle(id, live);
    };
    socket.once("close", finish);
    this.webSockets ??= createWebSocketServer();
    await serveUpgrade(live.handler, () => user, this.webSockets, request, socket, head);
  }

  /**
   * Starts cluster `id` if it is not running, so that a learner's first command meets a running
   * cluster rather than starting one. A cluster whose state was restored (a new one from the
   * template, or one woken from its snapshot) already holds a whole cluster's objects (nodes
   * registered and Ready, system pods running) and its API serves them at once: warm resolves as
   * soon as it serves, with its components booting from now on (their first sync, 60-120 ms of CPU
   * at load 5, no longer delays a new learner's prompt). A cluster bootstrapped from nothing (no
   * template) has no nodes until its kubelets register: warm resolves once its components are up.
   */
  async warm(id: string): Promise<void> {
    const live = await this.acquireQuietly(id);
    this.bootNow(live);
    if (!live.restored) await live.cluster.ready;
  }

  /**
   * Starts cluster `id` if it is not running, without booting a restored cluster's components:
   * resolves once its API serves. They boot on its first request (after the answer) or when it
   * is held ({@link hold}). For a caller whose next step is on the learner's way (a terminal's
   * prompt), so that the components' first sync comes after it rather than before.
   */
  async wake(id: string): Promise<void> {
    const live = await this.acquireQuietly(id);
    if (!live.restored) await live.cluster.ready;
  }

  /** Keeps a cluster awake while held (a learner's open terminal); returns the release. */
  async hold(id: string): Promise<() => void> {
    const live = await this.acquire(id);
    live.holds++;
    this.touch(live);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      live.holds--;
      this.touch(live);
      this.armIdle(id, live);
    };
  }

  private limiterOf(live: LiveCluster, label: string): RequestRateLimiter {
    let limiter = live.limiters.get(label);
    if (!limiter) {
      limiter = new RequestRateLimiter(() => this.quotas, this.clock.now());
      live.limiters.set(label, limiter);
    }
    return limiter;
  }

  private touch(live: LiveCluster): void {
    live.lastActivity = this.clock.now();
  }

  private armIdle(id: string, live: LiveCluster): void {
    if (live.cancelIdle || live.activeRequests > 0 || live.watches > 0 || live.holds > 0) return;
    const idleMs = this.options.idleMs ?? 10 * 60_000;
    const due = live.lastActivity + idleMs - this.clock.now();
    live.cancelIdle = this.clock.setTimer(Math.max(0, due), () => {
      live.cancelIdle = undefined;
      if (this.live.get(id) !== live) return;
      if (live.activeRequests > 0 || live.watches > 0 || live.holds > 0) return;
      if (this.clock.now() - live.lastActivity < idleMs) {
        this.armIdle(id, live);
        return;
      }
      void this.hibernate(id).catch((error: unknown) =>
        this.log(`${id}: not hibernated, it stays in memory: could not save: ${describeSaveError(error)}`),
      );
    });
  }

  /**
   * The running cluster `id`, started (restored from its snapshot, or fresh) when it is not. A
   * restored cluster's components boot on the next turn of the clock (`cluster.ready` then resolves).
   */
  async acquire(id: string, startingState?: unknown, home?: string): Promise<LiveCluster> {
    const live = await this.acquireQuietly(id, startingState, home);
    this.bootSoon(id, live);
    return live;
  }

  /** {@link acquire} without booting a restored cluster's components (the caller decides when). */
  private async acquireQuietly(id: string, startingState?: unknown, home?: string): Promise<LiveCluster> {
    const running = this.live.get(id);
    if (running) return running;
    const pending = this.starting.get(id);
    if (pending) return pending;
    if (!this.record(id)) throw new Error(`no cluster ${id}`);
    const start = this.start(id, startingState, home).finally(() => this.starting.delete(id));
    this.starting.set(id, start);
    return start;
  }

  private async start(id: string, startingState?: unknown, home?: string): Promise<LiveCluster> {
    if (this.closed) throw new Error("the cluster host is shutting down");
    const began = performance.now();
    const loaded = await loadSnapshot(this.folder(id));
    for (const reason of loaded.skipped) this.log(`${id}: skipped a damaged snapshot (${reason})`);
    if (loaded.snapshot && loaded.skipped.length > 0)
      this.log(
        `${id}: restored the previous good snapshot ${loaded.snapshot ? "file" : ""} saved at ${new Date(loaded.snapshot.savedAt).toISOString()}`,
      );
    if (!loaded.snapshot && loaded.skipped.length > 0)
      this.log(`${id}: no good snapshot left; starting a fresh cluster`);
    // Loaded before the cluster starts, so nothing awaits between creating it and serving it.
    const { schemaComponents } = await import("../../apiserver/resources/schema/schemas");
    // A new cluster is the template's snapshot restored, when the template is ready (never waited for:
    // under load a build takes tens of seconds; a cluster created meanwhile boots on its own).
    const template = loaded.snapshot ? undefined : this.readyTemplate();
    const initial = loaded.snapshot ?? template;
    // Each start of a cluster gets a clock of its own, disposed when it stops.
    const timersKey = `${id}#${++this.starts}`;
    const clock = this.fairTimers?.clockFor(timersKey) ?? this.clock;
    const store = new QuotaStore(() => this.quotas, this.fairTimers ? clock : undefined);
    if (initial) store.restore(initial.store);
    // The changes journaled since the snapshot, made again with the revisions they had.
    let base = loaded.snapshot?.sha256;
    let journalBytes = 0;
    let replayed = 0;
    if (loaded.snapshot) {
      const journal = await readJournal(this.folder(id), base);
      journalBytes = journal.bytes;
      for (const change of journal.changes) {
        const revision = store.replay({
          compare: [],
          success: change.ops.map(([key, value]) =>
            value === undefined ? { type: "delete" as const, key } : { type: "put" as const, key, value },
          ),
        });
        replayed++;
        if (revision !== change.revision) {
          this.log(`${id}: the journal's change ${change.revision} replayed as ${revision}; the next save is whole`);
          base = undefined;
          break;
        }
      }
      if (journal.changes.length > 0) store.recount();
      if (journal.damaged) {
        this.log(`${id}: skipped the rest of the journal (${journal.damaged}); restored up to the last whole record`);
        // Records appended after a damaged one would never be read: the next save is whole.
        base = undefined;
      }
    }
    let live: LiveCluster | undefined;
    // Changes made before the cluster is registered (bootstrap) go into its first save too.
    const early: JournalChange[] = [];
    let nodesChangedEarly = false;
    const record = (events: StoreEvent[]) => {
      const changes = live?.changes ?? early;
      for (const event of events) {
        const op: [string, string] | [string] = event.type === "PUT" ? [event.kv.key, event.kv.value] : [event.kv.key];
        const last = changes[changes.length - 1];
        if (last?.revision === event.kv.modRevision) last.ops.push(op);
        else changes.push({ revision: event.kv.modRevision, ops: [op] });
      }
      if (live) this.markDirty(id, live);
    };
    // etcd restarted on another data dir (a restored snapshot): the journal cannot continue the
    // saved snapshot with another history, so the next save is whole, and recording starts again.
    let stopRecording = () => {};
    const recordFromNow = () => {
      stopRecording = store.watchInWrite("/", { prefix: true, onCanceled: storeReplaced }, record);
    };
    const storeReplaced = () => {
      const changes = live?.changes ?? early;
      changes.length = 0;
      if (live) {
        live.base = undefined;
        this.markDirty(id, live);
      }
      recordFromNow();
    };
    recordFromNow();
    const stopWatchingStore = () => stopRecording();
    const markDirty = () => {
      if (live) {
        live.nodesChanged = true;
        this.markDirty(id, live);
      } else nodesChangedEarly = true;
    };
    const nodeFiles = new Map<string, HostedNodeFileSystem>();
    const nodeFileSystem = (nodeName: string): HostedNodeFileSystem => {
      let files = nodeFiles.get(nodeName);
      if (!files) {
        files = new HostedNodeFileSystem(initial?.nodes[nodeName] ?? {}, markDirty);
        nodeFiles.set(nodeName, files);
      }
      return files;
    };
    // Every saved node's files are kept, whether or not its kubelet has started (or runs at all),
    // so a save before the components boot writes them back.
    for (const nodeName of Object.keys(initial?.nodes ?? {})) nodeFileSystem(nodeName);
    const cluster = createCluster({
      clock,
      speed: this.options.speed ?? "realistic",
      nodes: this.options.nodes,
      store,
      components: this.options.components,
      // A restored cluster answers its first request before its components boot (see below).
      deferStart: initial !== undefined,
      nodeFileSystem,
      log: this.options.log ? (component, line) => this.options.log?.(`${id} ${component}: ${line}`) : undefined,
    });
    store.recount();
    let ready = false;
    const handler = createHttpHandler(httpApiServerOf(cluster.apiServer, schemaComponents), {
      clock,
      pathPrefix: this.pathOf(id),
      isReady: () => ready,
    });
    live = {
      cluster,
      clock,
      timersKey,
      store,
      handler,
      nodeFiles,
      limiters: new Map(),
      activeRequests: 0,
      watches: 0,
      holds: 0,
      lastActivity: this.clock.now(),
      dirty: !loaded.snapshot || base === undefined || early.length > 0 || nodesChangedEarly,
      changes: early,
      nodesChanged: nodesChangedEarly,
      base,
      snapshotBytes: loaded.snapshot?.store.byteLength ?? 0,
      journalBytes,
      stopWatchingStore,
      restoredFrom: loaded.snapshot ? (loaded as { file: string }).file : undefined,
      bootPending: initial !== undefined,
      restored: initial !== undefined,
    };
    this.live.set(id, live);
    if (!loaded.snapshot && startingState !== undefined && this.options.applyStartingState) {
      this.bootNow(live);
      await cluster.ready;
      await this.options.applyStartingState(cluster, startingState, {
        writeNodeFile: async (node, file, content) => {
          if (!cluster.nodeNames.includes(node))
            throw new Error(`cannot place ${file}: the cluster has no node ${node} (${cluster.nodeNames.join(", ")})`);
          if (!file.startsWith("/")) throw new Error(`cannot place ${file} on ${node}: node paths are absolute`);
          await nodeFileSystem(node).writeFile(file, content);
        },
        writeHomeFile: home ? homeFileWriter(home) : undefined,
        nodeFileSystem: (node) => (cluster.nodeNames.includes(node) ? nodeFileSystem(node) : undefined),
      });
    }
    void cluster.ready.then(
      () => {
        ready = true;
      },
      (error: unknown) => this.log(`${id}: components failed to start: ${String(error)}`),
    );
    this.markDirty(id, live);
    this.armIdle(id, live);
    const how = loaded.snapshot
      ? `restored${replayed > 0 ? ` (${replayed} journaled changes replayed)` : ""}`
      : template
        ? "created from the template"
        : "created";
    this.log(`${id}: ${how} in ${(performance.now() - began).toFixed(1)} ms`);
    return live;
  }

  /**
   * Builds the template new clusters start from, unless one is ready and not older than
   * `templateMaxAgeMs`; resolves once it is ready (undefined when templates are off or the build
   * failed, which is logged: new clusters then boot on their own). The server calls this at start;
   * a cluster created before the template is ready boots on its own rather than wait for it.
   */
  prepareTemplate(): Promise<ClusterSnapshot | undefined> {
    if (!(this.options.template ?? this.options.clock === undefined) || this.closed) return Promise.resolve(undefined);
    const maxAge = this.options.templateMaxAgeMs ?? Number.POSITIVE_INFINITY;
    if (this.template && this.clock.now() - this.template.builtAt <= maxAge)
      return Promise.resolve(this.template.snapshot);
    if (this.templateBuild) return this.templateBuild;
    const began = performance.now();
    const cpu = process.cpuUsage();
    const timersKey = `template#${++this.starts}`;
    const clock = this.fairTimers?.clockFor(timersKey) ?? this.clock;
    const build = buildClusterTemplate({
      clock,
      store: new QuotaStore(() => this.quotas, this.fairTimers ? clock : undefined),
      speed: this.options.speed ?? "realistic",
      nodes: this.options.nodes,
      components: this.options.components,
    })
      .then(
        (snapshot) => {
          const used = process.cpuUsage(cpu);
          this.log(
            `the template for new clusters is ready: ${(snapshot.store.byteLength / 1024).toFixed(0)} kB, built in ${(performance.now() - began).toFixed(0)} ms (${((used.user + used.system) / 1000).toFixed(0)} ms of CPU in this process meanwhile)`,
          );
          return snapshot as ClusterSnapshot | undefined;
        },
        (error: unknown) => {
          this.log(`could not build the template for new clusters; they boot on their own: ${String(error)}`);
          return undefined;
        },
      )
      .then((snapshot) => {
        this.fairTimers?.dispose(timersKey);
        this.template = { snapshot, builtAt: this.clock.now() };
        this.templateBuild = undefined;
        return snapshot;
      });
    this.templateBuild = build;
    return build;
  }

  /** The template when it is ready (a stale one is still used while its successor is built). */
  private readyTemplate(): ClusterSnapshot | undefined {
    void this.prepareTemplate();
    return this.template?.snapshot;
  }

  /**
   * Boots a restored cluster's components on the next turn of the clock, unless they already are.
   * The API server answers from the restored store before that; the kubelets then take their pods
   * back, which is most of a restore's work, after the waking request has its answer.
   */
  private bootSoon(id: string, live: LiveCluster): void {
    if (!live.bootPending || live.cancelBoot) return;
    live.cancelBoot = live.clock.setTimer(0, () => {
      live.cancelBoot = undefined;
      if (this.live.get(id) === live) this.bootNow(live);
    });
  }

  private bootNow(live: LiveCluster): void {
    live.cancelBoot?.();
    live.cancelBoot = undefined;
    if (!live.bootPending) return;
    live.bootPending = false;
    void live.cluster.start().catch(() => undefined);
  }

  private markDirty(id: string, live: LiveCluster): void {
    live.dirty = true;
    if (live.cancelPersist || this.closed) return;
    // Not re-armed by later changes: the first unsaved change is on disk within persistDelayMs
    // plus the time of one write, however busy the cluster is.
    live.cancelPersist = live.clock.setTimer(this.options.persistDelayMs ?? 1000, () => {
      live.cancelPersist = undefined;
      void this.persist(id).catch((error: unknown) =>
        this.log(
          `${id}: could not save: ${describeSaveError(error)}; the cluster keeps running, the previous snapshot is kept, and the next change tries again`,
        ),
      );
    });
  }

  /**
   * Saves a running cluster now if it changed since its last save: the store's changes since then
   * are appended to the journal, or, when a node's files changed, the journal has outgrown the
   * snapshot, there is no snapshot to continue yet or `options.whole` asks for it, the whole
   * cluster is written as a new snapshot (and the journal starts again). `options.compact` drops
   * the store's history first (a cluster about to hibernate).
   */
  async persist(id: string, options: { whole?: boolean; compact?: boolean } = {}): Promise<void> {
    const live = this.live.get(id);
    if (!live) return;
    // Wait for every save in flight (another caller may start one while this one waits), so that
    // when this resolves, what was in memory when it was called is on disk.
    while (live.saving) await live.saving.catch(() => undefined);
    // Stopped meanwhile (reset, hibernated): its folder may hold another start's files by now.
    if (this.live.get(id) !== live) return;
    if (!live.dirty && !(options.whole && live.journalBytes > 0)) return;
    live.dirty = false;
    live.cancelPersist?.();
    live.cancelPersist = undefined;
    const folder = this.folder(id);
    const whole =
      options.whole ||
      live.base === undefined ||
      live.nodesChanged ||
      live.journalBytes > Math.max(JOURNAL_MIN_BYTES, live.snapshotBytes);
    const save = whole
      ? (async () => {
          live.nodesChanged = false;
          const nodes: Record<string, Record<string, string>> = {};
          for (const [name, files] of live.nodeFiles) nodes[name] = await files.allFiles();
          // A cluster about to stop needs no history: nothing watches it any more, and a watch
          // from an older version after the restore is told to list again, as after etcd's compaction.
          if (options.compact && live.store.revision > live.store.compactRevision)
            live.store.compact(live.store.revision);
          // The store's bytes and the end of the journaled changes are taken in the same turn.
          const store = live.store.snapshot();
          live.changes = [];
          live.base = undefined;
          const saved = await saveSnapshot(folder, { savedAt: this.clock.now(), store, nodes });
          await rm(journalFile(folder), { force: true });
          live.base = saved.sha256;
          live.snapshotBytes = saved.bytes;
          live.journalBytes = 0;
        })()
      : (async () => {
          const changes = live.changes;
          live.changes = [];
          if (changes.length === 0 || !live.base) return;
          live.journalBytes += await appendJournal(folder, live.base, changes);
        })();
    live.saving = save;
    try {
      await save;
    } catch (error) {
      // A full disk or a vanished folder: keep the cluster running and try again later, with a
      // whole snapshot (a record cut short would hide the records appended after it).
      live.dirty = true;
      live.base = undefined;
      if (whole) live.nodesChanged = true;
      throw error;
    } finally {
      if (live.saving === save) live.saving = undefined;
    }
  }

  /** Saves a cluster and drops it from memory; the next request restores it. */
  async hibernate(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) return;
    // A whole snapshot without history: the restore then has no journal to replay and half the bytes to read.
    await this.persist(id, { whole: true, compact: true });
    // Reset (or hibernated by another caller) while it was saved: the cluster now running is not this one.
    if (this.live.get(id) !== live) return;
    this.stopLive(id, live);
    this.log(`${id}: hibernated`);
  }

  private stopLive(id: string, live: LiveCluster): void {
    live.cancelBoot?.();
    live.cancelBoot = undefined;
    live.cancelPersist?.();
    live.cancelIdle?.();
    live.cancelPersist = undefined;
    live.cancelIdle = undefined;
    live.stopWatchingStore();
    live.handler.close();
    live.cluster.stop();
    // Whatever a component left armed dies with the cluster: a hibernated cluster costs no CPU.
    this.fairTimers?.dispose(live.timersKey);
    if (this.live.get(id) === live) this.live.delete(id);
  }

  /**
   * Replaces a cluster by a fresh one (same id and token), optionally in a lesson's starting
   * state, whose home files go into `options.home` (the learner's shell home). Open watches and
   * streams of the old cluster end.
   */
  async reset(id: string, startingState?: unknown, options: { home?: string } = {}): Promise<void> {
    if (!this.record(id)) throw new Error(`no cluster ${id}`);
    let pending = this.starting.get(id);
    while (pending) {
      await pending.catch(() => undefined);
      pending = this.starting.get(id);
    }
    const replacing = (async () => {
      const live = this.live.get(id);
      if (live) {
        // Stopped first, so no save of it starts any more (persist skips a stopped cluster); then the
        // save in flight lands before its files are removed. Otherwise a save waiting for the one in
        // flight wrote the old cluster's snapshot (or removed the journal) after the new one's.
        this.stopLive(id, live);
        while (live.saving) await live.saving.catch(() => undefined);
      }
      for (const name of ["snapshot", "snapshot.previous", "journal"])
        rmSync(path.join(this.folder(id), name), { force: true });
      return this.start(id, startingState, options.home);
    })();
    // Requests meanwhile wait for the new cluster (rather than restore the old one from its files).
    const start = replacing.finally(() => this.starting.delete(id));
    this.starting.set(id, start);
    this.bootSoon(id, await start);
    await this.persist(id);
  }

  /** Removes a cluster and its files. */
  async remove(id: string): Promise<void> {
    const live = this.live.get(id);
    if (live) this.stopLive(id, live);
    this.records.delete(id);
    if (CLUSTER_ID_PATTERN.test(id)) rmSync(this.folder(id), { recursive: true, force: true });
  }

  /** Info for the app's cluster page. */
  info(id: string): ClusterInfo | undefined {
    const record = this.record(id);
    if (!record) return undefined;
    const live = this.live.get(id);
    return {
      id,
      createdAt: record.createdAt,
      state: live ? "running" : "hibernated",
      usage: live ? { ...live.store.usage(), watches: live.watches } : undefined,
      quotas: this.quotas,
    };
  }

  /** Callbacks of the clusters' timers waiting for their turn (0 once every cluster is idle; the bench). */
  get waitingTurns(): number {
    return this.fairTimers?.waiting ?? 0;
  }

  /** Turns of the event loop the clusters' timers let go by for new connections (the bench; see noteConnection). */
  get turnsForConnections(): number {
    return this.fairTimers?.deferred ?? 0;
  }

  /** Ids of the clusters in memory now. */
  running(): string[] {
    return [...this.live.keys()];
  }

  /** The running engine of a cluster (tests, the grader in-process). */
  engineOf(id: string): Cluster | undefined {
    return this.live.get(id)?.cluster;
  }

  /** Saves every running cluster (shutdown). */
  async persistAll(): Promise<void> {
    await Promise.all(
      [...this.live.keys()].map((id) =>
        this.persist(id).catch((error: unknown) =>
          this.log(`${id}: could not save at shutdown: ${describeSaveError(error)}`),
        ),
      ),
    );
  }

  /** Saves and stops every cluster; the host serves nothing after. */
  async close(): Promise<void> {
    await this.persistAll();
    this.closed = true;
    for (const [id, live] of [...this.live]) this.stopLive(id, live);
  }
}

/**
 * Set on the answer for a cluster whose kube-apiserver (or etcd) static pod is not running: the
 * hosted clusters share the app's port, which cannot refuse one cluster's connections, so this
 * says "connection refused" to Kubelab's kubectl (terminal/kubectl RestClient), which words it as
 * kubectl does; other clients read the 503 Status.
 */
export const REFUSED_HEADER = "X-Kubelab-Connection";

function refusedStatus(host: string | undefined) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `The connection to the server ${host ?? "localhost"} was refused - did you specify the right host or port?`,
    reason: "ServiceUnavailable",
    code: 503,
  };
}

function refuse(response: ServerResponse, host: string | undefined): void {
  response.writeHead(503, { "Content-Type": "application/json", [REFUSED_HEADER]: "refused", Connection: "close" });
  response.end(JSON.stringify(refusedStatus(host)));
}

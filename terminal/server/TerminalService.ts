import type { IncomingMessage } from "node:http";
import path from "node:path";
import type { IPty } from "node-pty";
import type { WebSocket } from "ws";
import { type NodeAccessGrant, NodeAccessServer } from "../node/NodeAccessServer";
import type { NodeBackend } from "../node/NodeBackend";
import { parseClientMessage, type ServerMessage, terminalPath } from "./protocol";
import { prepareShellLaunch, type ShellLaunch } from "./shellBundle";
import { type SessionLimits, type SessionSink, TerminalSession } from "./TerminalSession";

/** What the terminal service needs from the rest of Kubelab. */
export interface TerminalServiceOptions {
  /** The project root (to find terminal/shell). */
  root: string;
  /** The data folder; learner homes go to `<data>/learners/<id>/home` unless `homeFor` says otherwise. */
  dataDirectory: string;
  /** The kubeconfig file (host path) for a learner's cluster; the hosting issue provides it. */
  kubeconfigFor(learnerId: string): Promise<string>;
  homeFor?(learnerId: string): string;
  /**
   * Keeps the learner's cluster awake while their shell runs (ClusterHost.hold); the returned
   * function releases it when the shell stops.
   */
  holdCluster?(learnerId: string): Promise<() => void>;
  /**
   * The learner's cluster nodes for `ssh`, crictl, etcdctl and the node file systems
   * (ClusterNodeBackend over the hosted cluster). Without it the shell has no node access.
   */
  nodesFor?(learnerId: string): Promise<NodeBackend>;
  /** A detached shell is kept this long for a reconnect (default 5 minutes). */
  detachedGraceMs?: number;
  /** A shell without input for this long is stopped (default 60 minutes); files and history stay. */
  idleTimeoutMs?: number;
  limits?: Partial<SessionLimits>;
  /** At most this many shells per learner (tabs); the oldest detached one is stopped first. */
  maxSessionsPerLearner?: number;
  /** Keep one pre-started shell ready (default true). */
  warmShells?: boolean;
  /** For tests: how to spawn (node-pty's spawn). */
  spawn?: typeof import("node-pty").spawn;
  log?: (message: string) => void;
}

const sessionIdPattern = /^[A-Za-z0-9_-]{6,64}$/;

/**
 * What a pre-started shell writes once its terminal is raw and it reads its configuration line
 * (terminal/shell/main.ts): an OSC sequence terminals ignore, consumed here and never shown.
 */
export const warmShellReady = "\x1b]697;kubelab-shell-ready\x07";
/** How long after a shell's prompt the next warm shell is started (the page that asked for it is loading meanwhile). */
const warmShellRefillDelayMs = 1_000;

/** A pre-started shell not ready by then (a starved machine) is replaced by a fresh one. */
const warmShellReadyTimeoutMs = 10_000;

interface WarmShell {
  pty: IPty;
  exited: boolean;
  /** True once the shell is ready for its configuration line; false if it exited first. */
  ready: Promise<boolean>;
}

/** The environment a shell process starts with: nothing of the server's own (no secrets, no NODE_OPTIONS). */
function baseEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" };
}

/**
 * Learner shells behind WebSockets: one pty per (learner, session id), attachable only by its
 * learner (the learner cookie, checked by the server on upgrade), kept through network blips,
 * stopped when idle and respawned on return with the same home folder.
 */
export class TerminalService {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly releases = new Map<string, () => void>();
  private readonly nodeGrants = new Map<string, NodeAccessGrant>();
  private nodeAccess: NodeAccessServer | undefined;
  private launch: Promise<ShellLaunch> | undefined;
  private reaper: NodeJS.Timeout | undefined;
  private readonly limits: SessionLimits;

  constructor(private readonly options: TerminalServiceOptions) {
    this.limits = { replayBytes: 64 * 1024, outputBytesPerSecond: 512 * 1024, ...options.limits };
  }

  private warmShell: WarmShell | undefined;

  /** Builds the shell bundle ahead of the first terminal and starts a warm shell, so terminals open quickly. */
  prepare(): Promise<ShellLaunch> {
    this.launch ??= prepareShellLaunch(this.options.root, this.options.dataDirectory).then(async (launch) => {
      await this.refillWarmShell(launch);
      return launch;
    });
    return this.launch;
  }

  /** Keeps one shell process started and waiting (modules loaded), unless disabled. */
  private async refillWarmShell(launch?: ShellLaunch): Promise<void> {
    if (this.options.warmShells === false || this.closed || this.warmShell) return;
    const resolved = launch ?? (await this.launch);
    if (!resolved || this.warmShell || this.closed) return;
    const spawn = this.options.spawn ?? (await import("node-pty")).spawn;
    const pty = spawn(resolved.file, resolved.args, {
      name: "xterm-256color",
      cols: 80,
      rows: 24,
      cwd: this.options.root,
      env: { ...baseEnvironment(), KUBELAB_WARM: "1" },
    });
    const warm: WarmShell = { pty, exited: false, ready: undefined as unknown as Promise<boolean> };
    // The shell says when its terminal is raw (no echo): a configuration line written before
    // that would be echoed to the learner's screen.
    warm.ready = new Promise<boolean>((resolve) => {
      let seen = "";
      const output = pty.onData((data) => {
        seen = (seen + data).slice(-warmShellReady.length);
        if (!seen.endsWith(warmShellReady)) return;
        output.dispose();
        resolve(true);
      });
      pty.onExit(() => {
        output.dispose();
        warm.exited = true;
        if (this.warmShell === warm) this.warmShell = undefined;
        resolve(false);
      });
    });
    this.warmShell = warm;
  }

  /** The pre-started shell, once it is ready for its configuration line; undefined to start one afresh. */
  private async takeWarmShell(cols: number, rows: number): Promise<IPty | undefined> {
    const warm = this.warmShell;
    if (!warm || warm.exited) return undefined;
    this.warmShell = undefined;
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      warm.ready,
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), warmShellReadyTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!ready || warm.exited) {
      try {
        warm.pty.kill();
      } catch {
        // Already gone.
      }
      return undefined;
    }
    warm.pty.resize(cols, rows);
    return warm.pty;
  }

  private closed = false;

  private home(learnerId: string): string {
    return this.options.homeFor?.(learnerId) ?? path.join(this.options.dataDirectory, "learners", learnerId, "home");
  }

  private ensureReaper(): void {
    if (this.reaper) return;
    this.reaper = setInterval(() => this.reap(), 15_000);
    this.reaper.unref();
  }

  /** Stops shells detached past the grace period, idle past the timeout, or exited. */
  reap(now = Date.now()): void {
    const grace = this.options.detachedGraceMs ?? 5 * 60_000;
    const idle = this.options.idleTimeoutMs ?? 60 * 60_000;
    for (const [key, session] of this.sessions) {
      const detachedTooLong = session.detachedAt !== undefined && now - session.detachedAt > grace;
      if (session.hasExited || detachedTooLong || now - session.lastActivity > idle) {
        session.kill();
        this.forget(key);
      }
    }
    if (this.sessions.size === 0 && this.reaper) {
      clearInterval(this.reaper);
      this.reaper = undefined;
    }
  }

  private forget(key: string): void {
    this.sessions.delete(key);
    this.nodeGrants.get(key)?.revoke();
    this.nodeGrants.delete(key);
    this.releases.get(key)?.();
    this.releases.delete(key);
  }

  /** Number of running shells (for tests and metrics). */
  get size(): number {
    return this.sessions.size;
  }

  /** Handles an upgraded WebSocket on /terminal/<session>. */
  async handle(socket: WebSocket, request: IncomingMessage, learnerId: string | undefined): Promise<void> {
    const send = (message: ServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    if (!learnerId) {
      send({ type: "error", message: "not signed in: open the lesson page first" });
      socket.close(4401, "unauthorized");
      return;
    }
    const url = new URL(request.url ?? "/", "http://localhost");
    const sessionId = url.pathname.slice(terminalPath.length);
    if (!sessionIdPattern.test(sessionId)) {
      send({ type: "error", message: "bad terminal session id" });
      socket.close(4400, "bad session");
      return;
    }
    // Keys typed while the shell is being set up (a cluster to wake, a shell to start) are kept
    // and delivered once it runs: ws drops messages that arrive with no listener.
    const early: string[] = [];
    let deliver = (raw: string) => {
      if (early.length < 1_000) early.push(raw);
    };
    socket.on("message", (raw) => deliver(String(raw)));
    // A socket may ask for no size (the lesson page's early socket): a new shell starts at 80×24, a
    // running one keeps its size, and the browser sends xterm's size once it is open.
    const sized = url.searchParams.has("cols") && url.searchParams.has("rows");
    const cols = Math.min(500, Math.max(2, Number(url.searchParams.get("cols")) || 80));
    const rows = Math.min(300, Math.max(2, Number(url.searchParams.get("rows")) || 24));
    // Sessions are keyed by learner: a session id from another learner's page never matches.
    const key = `${learnerId}/${sessionId}`;
    let session = this.sessions.get(key);
    let replayed = true;
    if (!session || session.hasExited) {
      replayed = false;
      if (session) {
        session.kill();
        this.forget(key);
      }
      this.limitSessions(learnerId);
      // The learner's kubeconfig (their cluster found and woken), node access and the shell bundle
      // are independent: asked for at once, the session waits for the slowest, not for their sum.
      const launching = this.prepare();
      // Awaited below; a failure meanwhile is not an unhandled rejection.
      launching.catch(() => undefined);
      const granting = this.grantNodeAccess(learnerId);
      let kubeconfig: string;
      try {
        kubeconfig = await this.options.kubeconfigFor(learnerId);
      } catch (error) {
        void granting.then((grant) => grant?.revoke());
        send({ type: "error", message: `your cluster is not available: ${(error as Error).message}` });
        socket.close(1011, "cluster unavailable");
        return;
      }
      const grant = await granting;
      const launch = await launching;
      const spawn = this.options.spawn ?? (await import("node-pty")).spawn;
      const warm = await this.takeWarmShell(cols, rows);
      session = new TerminalSession(
        {
          launch,
          cwd: this.options.root,
          env: {
            ...baseEnvironment(),
            HOME: this.home(learnerId),
            KUBELAB_HOME: this.home(learnerId),
            KUBECONFIG: kubeconfig,
            ...(grant ? { KUBELAB_NODE_URL: grant.url, KUBELAB_NODE_TOKEN: grant.token } : {}),
          },
          cols,
          rows,
          limits: this.limits,
          spawn,
        },
        warm,
      );
      if (warm)
        warm.write(
          `${JSON.stringify({ home: this.home(learnerId), kubeconfig, nodeUrl: grant?.url, nodeToken: grant?.token })}\n`,
        );
      if (grant) this.nodeGrants.set(key, grant);
      // The next warm shell starts a while after this one has printed: starting a shell process
      // while this one starts, or while the browser is still loading the page that asked for it,
      // would share the cores with both and delay the learner's prompt (one A/B of bench/terminal.ts page:
      // new tab p50 436 → 402 ms, p95 569 → 512). Holding the cluster boots a new one's components
      // (their first sync): that waits for the prompt too.
      void session.firstOutput.then(() => {
        this.holdClusterFor(learnerId, key);
        setTimeout(() => void this.refillWarmShell(), warmShellRefillDelayMs).unref();
      });
      this.sessions.set(key, session);
      this.ensureReaper();
    } else if (sized) {
      session.resize(cols, rows);
    }
    const current = session;
    const sink: SessionSink = {
      output: (data) => send({ type: "output", data }),
      exit: (status) => {
        send({ type: "exit", status });
        this.forget(key);
        socket.close(1000, "shell exited");
      },
      congested: () => socket.bufferedAmount > 1024 * 1024,
    };
    const replay = current.attach(sink);
    send({ type: "ready", session: sessionId, replayed });
    if (replay) send({ type: "output", data: replay });
    deliver = (raw) => {
      const message = parseClientMessage(raw);
      if (!message) return;
      if (message.type === "input") current.write(message.data);
      else if (message.type === "resize") current.resize(message.cols, message.rows);
      else if (message.type === "ping") send({ type: "pong", at: message.at });
    };
    for (const raw of early.splice(0)) deliver(raw);
    socket.on("close", () => current.detach(sink));
  }

  /** Node access for a new shell of the learner; undefined (logged) when there is none. */
  private async grantNodeAccess(learnerId: string): Promise<NodeAccessGrant | undefined> {
    if (!this.options.nodesFor) return undefined;
    try {
      this.nodeAccess ??= new NodeAccessServer();
      return await this.nodeAccess.grant(await this.options.nodesFor(learnerId));
    } catch (error) {
      this.options.log?.(`terminal: no node access for ${learnerId}: ${String(error)}`);
      return undefined;
    }
  }

  /** Keeps the learner's cluster awake while session `key` runs (released when it is forgotten). */
  private holdClusterFor(learnerId: string, key: string): void {
    if (!this.options.holdCluster || !this.sessions.has(key)) return;
    void this.options.holdCluster(learnerId).then(
      (release) => {
        if (this.sessions.has(key)) this.releases.set(key, release);
        else release();
      },
      (error: unknown) => this.options.log?.(`terminal: could not hold the cluster of ${learnerId}: ${String(error)}`),
    );
  }

  private limitSessions(learnerId: string): void {
    const max = this.options.maxSessionsPerLearner ?? 4;
    const mine = [...this.sessions.entries()].filter(([key]) => key.startsWith(`${learnerId}/`));
    if (mine.length < max) return;
    const detached = mine
      .filter(([, session]) => session.detachedAt !== undefined)
      .sort((a, b) => (a[1].detachedAt ?? 0) - (b[1].detachedAt ?? 0));
    const victim = detached[0] ?? mine.sort((a, b) => a[1].lastActivity - b[1].lastActivity)[0];
    if (victim) {
      victim[1].kill();
      this.forget(victim[0]);
    }
  }

  /** Stops every shell (server shutdown). */
  close(): void {
    this.closed = true;
    try {
      this.warmShell?.pty.kill();
    } catch {
      // Already gone.
    }
    this.warmShell = undefined;
    for (const [key, session] of this.sessions) {
      session.kill();
      this.forget(key);
    }
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
    this.nodeAccess?.close();
  }
}

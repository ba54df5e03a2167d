import type { IPty } from "node-pty";
import type { ShellLaunch } from "./shellBundle";

/** Limits that keep one shell from disturbing the others. */
export interface SessionLimits {
  /** Output kept for replay after a reconnect. */
  replayBytes: number;
  /** Output allowed per second before the shell is paused for the rest of the second. */
  outputBytesPerSecond: number;
}

/** Where a session's output goes while a browser is attached. */
export interface SessionSink {
  output(data: string): void;
  exit(status: number): void;
  /** True when the socket has too much unsent data (the pty is paused until it drains). */
  congested(): boolean;
}

/** Options to spawn one shell. */
export interface SpawnOptions {
  launch: ShellLaunch;
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  limits: SessionLimits;
  spawn: typeof import("node-pty").spawn;
}

/**
 * One learner shell in a pty: output is forwarded to the attached browser (if any) and kept in a
 * bounded replay buffer; output beyond the rate limit pauses the pty (backpressure, so a runaway
 * `yes` cannot flood the server), and so does a congested socket.
 */
export class TerminalSession {
  private readonly pty: IPty;
  private sink: SessionSink | undefined;
  private replay = "";
  private windowStart = Date.now();
  private windowBytes = 0;
  private paused = false;
  private resumeTimer: NodeJS.Timeout | undefined;
  private exited: number | undefined;
  lastActivity = Date.now();
  detachedAt: number | undefined = Date.now();
  private settleFirstOutput: () => void = () => {};
  /** Settles when the shell first prints (its prompt) or exits. */
  readonly firstOutput = new Promise<void>((resolve) => {
    this.settleFirstOutput = resolve;
  });

  constructor(
    private readonly options: SpawnOptions,
    /** A pre-started shell waiting for its configuration line (see terminal/shell/main.ts). */
    warm?: IPty,
  ) {
    this.pty =
      warm ??
      options.spawn(options.launch.file, options.launch.args, {
        name: "xterm-256color",
        cols: options.cols,
        rows: options.rows,
        cwd: options.cwd,
        env: options.env,
      });
    this.pty.onData((data) => this.onOutput(data));
    this.pty.onExit(({ exitCode }) => {
      this.exited = exitCode;
      this.settleFirstOutput();
      this.sink?.exit(exitCode);
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  private onOutput(data: string): void {
    this.settleFirstOutput();
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += data.length;
    this.replay += data;
    const limit = this.options.limits.replayBytes;
    if (this.replay.length > limit) this.replay = this.replay.slice(this.replay.length - limit);
    this.sink?.output(data);
    if (this.windowBytes > this.options.limits.outputBytesPerSecond || this.sink?.congested()) this.pause();
  }

  private pause(): void {
    if (this.paused || this.exited !== undefined) return;
    this.paused = true;
    this.pty.pause();
    const check = () => {
      const windowOver = Date.now() - this.windowStart >= 1000;
      if (windowOver && !this.sink?.congested()) {
        this.paused = false;
        this.resumeTimer = undefined;
        this.pty.resume();
      } else this.resumeTimer = setTimeout(check, 50);
    };
    this.resumeTimer = setTimeout(check, Math.max(10, 1000 - (Date.now() - this.windowStart)));
  }

  /** Attaches a browser; returns the output to replay (earlier screen content). */
  attach(sink: SessionSink): string {
    this.sink = sink;
    this.detachedAt = undefined;
    this.lastActivity = Date.now();
    if (this.exited !== undefined) sink.exit(this.exited);
    return this.replay;
  }

  /** Detaches the browser (the shell keeps running for the grace period). */
  detach(sink: SessionSink): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    this.detachedAt = Date.now();
  }

  write(data: string): void {
    this.lastActivity = Date.now();
    if (this.exited === undefined) this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.exited === undefined) this.pty.resize(cols, rows);
  }

  kill(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    if (this.exited === undefined) {
      try {
        this.pty.kill("SIGHUP");
      } catch {
        // Already gone.
      }
    }
  }
}

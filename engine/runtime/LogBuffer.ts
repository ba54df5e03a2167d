/** One line a container wrote, as the CRI log file keeps it (time, stream, text without newline). */
export interface LogLine {
  timeMs: number;
  /** Nanoseconds within the second, as the CRI log file records them (the clock only has milliseconds). */
  nanos: number;
  stream: "stdout" | "stderr";
  text: string;
}

/** Lines kept per container; upstream rotates at 10 MiB, we keep a count instead of bytes. */
const maximumLines = 50_000;

/**
 * A container's log: what its process wrote to stdout and stderr, line by line, with the time
 * each line was written. Followers (`kubectl logs -f`) receive lines as they come; `close` ends
 * them when the container exits.
 */
export class LogBuffer {
  readonly lines: LogLine[] = [];
  private partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
  private followers = new Set<{ onLine(line: LogLine): void; onEnd(): void }>();
  private rawFollowers = new Set<{ onData(stream: "stdout" | "stderr", text: string): void; onEnd(): void }>();
  private ended = false;
  private sequence = 0;

  constructor(private readonly now: () => number) {}

  /** Appends raw output; complete lines are stored, a trailing partial line waits for its newline. */
  write(stream: "stdout" | "stderr", text: string): void {
    if (text.length === 0) return;
    for (const follower of this.rawFollowers) follower.onData(stream, text);
    const pending = this.partial[stream] + text;
    const parts = pending.split("\n");
    this.partial[stream] = parts.pop() ?? "";
    for (const part of parts) this.push(this.line(stream, part));
  }

  /** Flushes partial lines and ends every follower: the process has exited. */
  end(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream]) this.push(this.line(stream, this.partial[stream]));
      this.partial[stream] = "";
    }
    this.ended = true;
    for (const follower of this.followers) follower.onEnd();
    this.followers.clear();
    for (const follower of this.rawFollowers) follower.onEnd();
    this.rawFollowers.clear();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Subscribes to new lines; returns a disposer. Ends immediately when the log is already closed. */
  follow(onLine: (line: LogLine) => void, onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => {};
    }
    const follower = { onLine, onEnd };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  /**
   * Subscribes to output as it is written, partial lines included: what `kubectl attach` shows
   * (a shell's prompt has no newline). Returns a disposer.
   */
  followRaw(onData: (stream: "stdout" | "stderr", text: string) => void, onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => {};
    }
    const follower = { onData, onEnd };
    this.rawFollowers.add(follower);
    return () => this.rawFollowers.delete(follower);
  }

  private line(stream: "stdout" | "stderr", text: string): LogLine {
    const timeMs = this.now();
    this.sequence = (this.sequence + 1) % 1000;
    const nanos = (timeMs % 1000) * 1_000_000 + ((this.sequence * 104_729 + 4_657) % 1_000_000);
    return { timeMs, nanos, stream, text };
  }

  private push(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > maximumLines) this.lines.splice(0, this.lines.length - maximumLines);
    for (const follower of this.followers) follower.onLine(line);
  }
}

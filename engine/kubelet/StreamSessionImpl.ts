import type { StreamSession } from "../apiserver/KubeletConnection";

const encoder = new TextEncoder();

/** A StreamSession whose ends the kubelet drives: it emits output and exit, and forwards input. */
export class StreamSessionImpl implements StreamSession {
  private stdoutListeners: Array<(data: Uint8Array) => void> = [];
  private stderrListeners: Array<(data: Uint8Array) => void> = [];
  private exitListeners: Array<(result: { exitCode: number } | { error: string }) => void> = [];
  private exitResult?: { exitCode: number } | { error: string };
  private buffered: Array<["stdout" | "stderr", Uint8Array]> = [];
  stdinHandler?: (data: Uint8Array) => void;
  stdinCloseHandler?: () => void;
  killHandler?: () => void;
  resizeHandler?: (columns: number, rows: number) => void;

  writeStdin(data: Uint8Array): void {
    this.stdinHandler?.(data);
  }

  closeStdin(): void {
    this.stdinCloseHandler?.();
  }

  resize(columns: number, rows: number): void {
    this.resizeHandler?.(columns, rows);
  }

  onStdout(listener: (data: Uint8Array) => void): void {
    this.stdoutListeners.push(listener);
    this.flush();
  }

  onStderr(listener: (data: Uint8Array) => void): void {
    this.stderrListeners.push(listener);
    this.flush();
  }

  onExit(listener: (result: { exitCode: number } | { error: string }) => void): void {
    if (this.exitResult && this.buffered.length === 0) {
      listener(this.exitResult);
      return;
    }
    this.exitListeners.push(listener);
  }

  kill(): void {
    this.killHandler?.();
  }

  /** Output from the process; held until a listener is attached so nothing written early is lost. */
  emit(stream: "stdout" | "stderr", text: string | Uint8Array): void {
    const data = typeof text === "string" ? encoder.encode(text) : text;
    if (data.length === 0) return;
    const listeners = stream === "stdout" ? this.stdoutListeners : this.stderrListeners;
    if (listeners.length === 0) {
      this.buffered.push([stream, data]);
      return;
    }
    for (const listener of listeners) listener(data);
  }

  exit(result: { exitCode: number } | { error: string }): void {
    if (this.exitResult) return;
    this.exitResult = result;
    this.flush();
    if (this.buffered.length > 0 && this.stdoutListeners.length + this.stderrListeners.length === 0) {
      // Nobody listens to output yet: deliver exit once they do (onStdout flushes, then exit).
    }
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener(result);
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    const remaining: Array<["stdout" | "stderr", Uint8Array]> = [];
    for (const [stream, data] of this.buffered) {
      const listeners = stream === "stdout" ? this.stdoutListeners : this.stderrListeners;
      if (listeners.length === 0) remaining.push([stream, data]);
      else for (const listener of listeners) listener(data);
    }
    this.buffered = remaining;
  }
}

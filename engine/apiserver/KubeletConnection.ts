/**
 * What the API server needs from a node's kubelet to serve `pods/log`, `pods/exec`,
 * `pods/attach` and `pods/portforward`, and what metrics.k8s.io reads. The API server proxies to
 * the kubelet of the pod's node, as upstream does over the kubelet's port 10250; a node with no
 * reachable kubelet answers as a real apiserver does when the dial fails.
 */
export interface KubeletConnection {
  logs(request: LogRequest): LogStream;
  exec(request: ExecRequest): StreamSession;
  attach(request: AttachRequest): StreamSession;
  /** A TCP-like byte stream to `port` inside the pod's network namespace. */
  portForward(namespace: string, pod: string, port: number): StreamSession;
  /** Current usage for metrics.k8s.io (cores and bytes), or undefined when the pod is not running here. */
  podMetrics(namespace: string, pod: string): PodMetrics | undefined;
  nodeMetrics(): { cpuNanoCores: number; memoryBytes: number };
}

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

/** Text chunks as they are written; `close` stops a follow. Errors are ApiErrors thrown by `logs`. */
export interface LogStream {
  onData(listener: (chunk: string) => void): void;
  onEnd(listener: () => void): void;
  close(): void;
}

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export type AttachRequest = Omit<ExecRequest, "command">;

/** A running exec/attach/port-forward: the API server bridges it to the client's WebSocket. */
export interface StreamSession {
  writeStdin(data: Uint8Array): void;
  closeStdin(): void;
  resize(columns: number, rows: number): void;
  onStdout(listener: (data: Uint8Array) => void): void;
  onStderr(listener: (data: Uint8Array) => void): void;
  /** Called once: exit code 0 is success; non-zero becomes a NonZeroExitCode Status on channel 3. */
  onExit(listener: (result: { exitCode: number } | { error: string }) => void): void;
  /** Stops the process (the client went away). */
  kill(): void;
}

export interface PodMetrics {
  containers: Array<{ name: string; cpuNanoCores: number; memoryBytes: number }>;
}

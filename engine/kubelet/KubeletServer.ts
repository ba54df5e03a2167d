import { ApiError } from "../apiserver/ApiError";
import type {
  AttachRequest,
  ExecRequest,
  KubeletConnection,
  LogRequest,
  LogStream,
  PodMetrics,
  StreamSession,
} from "../apiserver/KubeletConnection";
import type { Clock } from "../clock/Clock";
import { stableHex64 } from "../images";
import type { Network } from "../proxy/Network";
import { type ContainerRuntime, type LogLine, SpawnError } from "../runtime";
import type { PodWorker } from "./PodWorker";
import { StreamSessionImpl } from "./StreamSessionImpl";

export interface KubeletServerOptions {
  clock: Clock;
  runtime: ContainerRuntime;
  network: Network;
  findWorker(namespace: string, name: string): PodWorker | undefined;
  nodeUsage(): { cpuNanoCores: number; memoryBytes: number };
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed (Go's RFC3339Nano), as `kubectl logs --timestamps` prints. */
function timestamp(line: LogLine): string {
  const base = new Date(line.timeMs).toISOString().slice(0, 19);
  const fraction = String(line.nanos).padStart(9, "0").replace(/0+$/, "");
  return `${base}${fraction ? `.${fraction}` : ""}Z`;
}

/**
 * The kubelet's API (port 10250 upstream) as the API server reaches it: container logs, exec,
 * attach, port-forward and the resource usage metrics-server would scrape.
 */
export class KubeletServer implements KubeletConnection {
  constructor(private readonly options: KubeletServerOptions) {}

  private worker(namespace: string, pod: string): PodWorker {
    const worker = this.options.findWorker(namespace, pod);
    if (!worker) throw ApiError.notFound("", "pods", pod);
    return worker;
  }

  logs(request: LogRequest): LogStream {
    const worker = this.worker(request.namespace, request.pod);
    const { record, runtime } = worker.container(request.container, request.previous);
    if (!record) throw ApiError.badRequest(`container ${request.container} is not valid for pod ${request.pod}`);
    if (!runtime) {
      if (request.previous) {
        throw ApiError.badRequest(
          `previous terminated container "${request.container}" in pod "${request.pod}" not found`,
        );
      }
      const status = (worker.currentPod.status?.containerStatuses ?? [])
        .concat(worker.currentPod.status?.initContainerStatuses ?? [])
        .find((s) => s.name === request.container);
      const reason = record.waiting?.reason ?? status?.state?.waiting?.reason ?? "ContainerCreating";
      throw ApiError.badRequest(
        `container "${request.container}" in pod "${request.pod}" is waiting to start: ${reason}`,
      );
    }
    const now = this.options.clock.now();
    let lines: LogLine[] = runtime.log.lines;
    const sinceSeconds = request.sinceSeconds;
    if (sinceSeconds !== undefined) lines = lines.filter((line) => line.timeMs >= now - sinceSeconds * 1000);
    if (request.sinceTime) {
      const since = Date.parse(request.sinceTime);
      lines = lines.filter((line) => line.timeMs >= since);
    }
    if (request.tailLines !== undefined) lines = request.tailLines <= 0 ? [] : lines.slice(-request.tailLines);
    const format = (line: LogLine) => `${request.timestamps ? `${timestamp(line)} ` : ""}${line.text}\n`;
    let budget = request.limitBytes ?? Number.POSITIVE_INFINITY;
    const dataListeners: Array<(chunk: string) => void> = [];
    const endListeners: Array<() => void> = [];
    let ended = false;
    let stopFollow: (() => void) | undefined;
    const pending: string[] = [];
    const emit = (chunk: string) => {
      if (ended || budget <= 0) return;
      const piece = chunk.length > budget ? chunk.slice(0, budget) : chunk;
      budget -= piece.length;
      if (dataListeners.length === 0) pending.push(piece);
      else for (const listener of dataListeners) listener(piece);
      if (budget <= 0) end();
    };
    const end = () => {
      if (ended) return;
      ended = true;
      stopFollow?.();
      for (const listener of endListeners) listener();
    };
    const initial = lines.map(format).join("");
    if (initial) pending.push(initial);
    const follow = request.follow && !request.previous && !runtime.log.isEnded;
    return {
      onData(listener) {
        dataListeners.push(listener);
        if (pending.length > 0) {
          const chunks = pending.splice(0);
          for (const chunk of chunks) {
            const piece = chunk.length > budget ? chunk.slice(0, budget) : chunk;
            budget -= piece.length;
            listener(piece);
          }
        }
        if (follow && !stopFollow && !ended) {
          stopFollow = runtime.log.follow((line) => emit(format(line)), end);
        } else if (!follow) {
          queueMicrotask(end);
        }
      },
      onEnd(listener) {
        if (ended) listener();
        else endListeners.push(listener);
      },
      close: end,
    };
  }

  exec(request: ExecRequest): StreamSession {
    const worker = this.worker(request.namespace, request.pod);
    const { runtime } = worker.container(request.container);
    if (runtime?.state !== "running") {
      throw ApiError.badRequest(`unable to upgrade connection: container not found ("${request.container}")`);
    }
    const session = new StreamSessionImpl();
    const streamOf = (stream: "stdout" | "stderr") => (stream === "stderr" && !request.tty ? "stderr" : "stdout");
    try {
      const process = this.options.runtime.exec(
        runtime,
        request.command,
        (stream, text) => session.emit(streamOf(stream), text),
        {
          stdin: request.stdin,
          tty: request.tty,
          execStdin: request.stdin,
          // Output bytes pass through unchanged (`kubectl cp` reads a tar stream from `tar cf -`).
          writeBytes: (stream, data) => session.emit(streamOf(stream), data),
        },
      );
      // Stdin bytes reach the process as bytes (`kubectl cp` sends a tar stream to `tar -xmf -`).
      session.stdinHandler = (data) => process.writeStdin?.(data);
      session.stdinCloseHandler = () => process.closeStdin?.();
      session.killHandler = () => process.signal("SIGKILL");
      void process.exited.then((status) => session.exit({ exitCode: status.exitCode }));
    } catch (error) {
      if (!(error instanceof SpawnError)) throw error;
      // containerd fails the exec's start; the kubelet's streaming server reports it on the error
      // channel as an InternalError Status, which kubectl prints as `error: Internal error occurred: …`.
      const execId = stableHex64(`exec/${runtime.id}/${this.options.clock.now()}/${request.command.join(" ")}`);
      session.exit({
        error: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: ${error.message}: unknown`,
      });
    }
    return session;
  }

  attach(request: AttachRequest): StreamSession {
    const worker = this.worker(request.namespace, request.pod);
    const { runtime } = worker.container(request.container);
    if (runtime?.state !== "running" || !runtime.process) {
      throw ApiError.badRequest(
        `unable to upgrade connection: container ${request.container} not found in pod ${request.pod}`,
      );
    }
    const session = new StreamSessionImpl();
    const stop = runtime.log.followRaw(
      (stream, text) => session.emit(stream === "stderr" && !request.tty ? "stderr" : "stdout", text),
      // The kubelet's ServeAttach reports Success however the container ended (exit codes are
      // exec's); kubectl run reads the exit code from the pod's status instead.
      () => session.exit({ exitCode: 0 }),
    );
    // The container's own stdin, with its stdin/stdinOnce rules (engine/runtime).
    session.stdinHandler = (data) => runtime.writeStdin(data);
    session.stdinCloseHandler = () => runtime.endAttachedStdin();
    session.killHandler = stop;
    return session;
  }

  portForward(namespace: string, pod: string, port: number): StreamSession {
    const worker = this.worker(namespace, pod);
    const ip = worker.podIp;
    if (!ip) throw ApiError.badRequest(`pod ${pod} does not have an IP address`);
    const session = new StreamSessionImpl();
    const connection = this.options.network.connect({ ip }, ip, port);
    // containerd's wording, wrapped by the kubelet's streaming server (the pod is named by its sandbox).
    const sandbox = stableHex64(`sandbox/${worker.uid}`);
    const failed = (cause: string) =>
      `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${worker.uid}": ${cause}`;
    session.stdinHandler = (data) => {
      void connection
        .then((c) => c.tcp(data))
        .then((reply) => session.emit("stdout", reply))
        .catch((error) => session.exit({ error: failed(`failed to read from the connection: ${error}`) }));
    };
    session.killHandler = () => void connection.then((c) => c.close()).catch(() => {});
    connection.catch(() =>
      session.exit({
        error: failed(
          `failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `,
        ),
      }),
    );
    return session;
  }

  podMetrics(namespace: string, pod: string): PodMetrics | undefined {
    const worker = this.options.findWorker(namespace, pod);
    return worker ? KubeletServer.podUsage(worker) : undefined;
  }

  nodeMetrics(): { cpuNanoCores: number; memoryBytes: number } {
    return this.options.nodeUsage();
  }

  /** Usage of the running containers of a pod (undefined when none runs). */
  static podUsage(worker: PodWorker): PodMetrics | undefined {
    const containers: PodMetrics["containers"] = [];
    for (const name of worker.containerNames()) {
      const { runtime } = worker.container(name);
      if (runtime?.state !== "running") continue;
      const usage = runtime.usage();
      containers.push({ name, cpuNanoCores: Math.round(usage.cpuMillicores * 1e6), memoryBytes: usage.memoryBytes });
    }
    return containers.length > 0 ? { containers } : undefined;
  }
}

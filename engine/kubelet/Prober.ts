import type { Container, Probe } from "../api/core";
import type { Clock } from "../clock/Clock";
import type { Network } from "../proxy/Network";
import { NetworkError } from "../proxy/Network";
import { type ContainerRuntime, type RuntimeContainer, SpawnError } from "../runtime";

export type ProbeKind = "liveness" | "readiness" | "startup";

export interface ProbeResult {
  success: boolean;
  /** The failure text the Unhealthy event carries. */
  output: string;
  /**
   * The attempt reached the pod's own listener, changed nothing and got an answer that repeats
   * until a listener or policy changes ({@link Network.onReachabilityChanged}).
   */
  repeatable?: boolean;
}

/** Runs one probe attempt as the kubelet's prober does (exec, httpGet, tcpSocket, grpc). */
export async function runProbe(
  probe: Probe,
  container: Container,
  runtimeContainer: RuntimeContainer,
  podIp: string,
  runtime: ContainerRuntime,
  network: Network,
  clock: Clock,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  const withTimeout = <T>(promise: Promise<T>, onTimeout: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const cancel = clock.setTimer(timeoutMs, () => resolve(onTimeout()));
      promise.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error) => {
          cancel();
          reject(error);
        },
      );
    });
  const port = (value: number | string | undefined): number => {
    if (typeof value === "number") return value;
    const named = container.ports?.find((p) => p.name === value);
    return named ? named.containerPort : Number(value);
  };
  const source = { ip: podIp };
  const ownAddress = (host: string) => host === podIp || host === "127.0.0.1" || host === "localhost";
  if (probe.exec) {
    const command = probe.exec.command ?? [];
    let output = "";
    try {
      const process = runtime.exec(runtimeContainer, command, (_stream, text) => {
        output += text;
      });
      const status = await withTimeout(process.exited, () => {
        process.signal("SIGKILL");
        return { exitCode: -1 };
      });
      if (status.exitCode === -1) return { success: false, output: `command "${command.join(" ")}" timed out` };
      return { success: status.exitCode === 0, output };
    } catch (error) {
      if (error instanceof SpawnError) {
        return {
          success: false,
          output: `OCI runtime exec failed: exec failed: unable to start container process: ${error.message}: unknown`,
        };
      }
      return { success: false, output: String(error) };
    }
  }
  if (probe.httpGet) {
    const host = probe.httpGet.host || podIp;
    const target = port(probe.httpGet.port);
    const scheme = (probe.httpGet.scheme ?? "HTTP").toLowerCase();
    const path = probe.httpGet.path ?? "/";
    const url = `${scheme}://${host}:${target}${path}`;
    try {
      const connection = await withTimeout(
        network.connect(source, host === "127.0.0.1" || host === "localhost" ? podIp : host, target),
        () => {
          throw new NetworkError("Timeout", "timeout");
        },
      );
      const headers: Record<string, string> = {
        Host: `${host}:${target}`,
        "User-Agent": "kube-probe/1.32",
        Accept: "*/*",
      };
      for (const header of probe.httpGet.httpHeaders ?? []) headers[header.name] = header.value;
      // An HTTPS probe speaks TLS without verifying the certificate, as the kubelet's prober does.
      const request = { method: "GET", path, headers, ...(scheme === "https" ? { tls: true } : {}) };
      const response = await withTimeout(connection.http(request), () => {
        throw new NetworkError("Timeout", "timeout");
      });
      connection.close();
      if (response.status >= 200 && response.status < 400)
        return { success: true, output: "", repeatable: response.repeatable === true && ownAddress(host) };
      return { success: false, output: `HTTP probe failed with statuscode: ${response.status}` };
    } catch (error) {
      if (error instanceof NetworkError && error.code === "Timeout") {
        return {
          success: false,
          output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        };
      }
      return { success: false, output: `Get "${url}": dial tcp ${host}:${target}: connect: connection refused` };
    }
  }
  if (probe.tcpSocket) {
    const host = probe.tcpSocket.host || podIp;
    const target = port(probe.tcpSocket.port);
    try {
      const connection = await withTimeout(network.connect(source, host, target), () => {
        throw new NetworkError("Timeout", "timeout");
      });
      connection.close();
      return { success: true, output: "", repeatable: ownAddress(host) };
    } catch (error) {
      if (error instanceof NetworkError && error.code === "Timeout")
        return { success: false, output: `dial tcp ${host}:${target}: i/o timeout` };
      return { success: false, output: `dial tcp ${host}:${target}: connect: connection refused` };
    }
  }
  if (probe.grpc) {
    const target = probe.grpc.port;
    try {
      const connection = await withTimeout(network.connect(source, podIp, target), () => {
        throw new NetworkError("Timeout", "timeout");
      });
      connection.close();
      return { success: true, output: "", repeatable: true };
    } catch {
      return {
        success: false,
        output: `timeout: failed to connect service "${podIp}:${target}" within ${probe.timeoutSeconds ?? 1}s: context deadline exceeded`,
      };
    }
  }
  return { success: true, output: "" };
}

/**
 * One probe of one container, run on the clock every `periodSeconds` after
 * `initialDelaySeconds`, reporting a result only when `successThreshold` / `failureThreshold`
 * consecutive attempts agree (the kubelet's probe worker).
 *
 * Lazily: once the probe has reported success and an attempt was {@link ProbeResult.repeatable},
 * every further attempt would succeed silently, so the worker arms no timer and sleeps until the
 * network says a listener or policy changed. It then resumes at the next tick of its original
 * period, so attempts, Unhealthy events, restarts and Ready flips happen at the virtual times the
 * kubelet's ticker would give them; an idle cluster's probes cost nothing.
 */
export class ProbeWorker {
  private cancelTimer?: () => void;
  private stopWaking?: () => void;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private lastResult?: boolean;
  /** When the next attempt is due (clock ms). */
  private due = 0;

  constructor(
    private readonly clock: Clock,
    private readonly probe: Probe,
    private readonly attempt: () => Promise<ProbeResult>,
    /** Called on every failed attempt (Unhealthy event) and when the result flips. */
    private readonly onAttempt: (result: ProbeResult) => void,
    private readonly onResult: (success: boolean) => void,
    /** Subscribes to changes that could alter a repeatable answer (Network.onReachabilityChanged). */
    private readonly onReachabilityChanged?: (callback: () => void) => () => void,
    /**
     * A probe of a container taken back after a kubelet restart: its last reported result and when
     * its first attempt is due (instead of the initial delay).
     */
    resume?: { delayMs: number; lastResult?: boolean },
  ) {
    this.lastResult = resume?.lastResult;
    this.schedule(resume ? resume.delayMs : (probe.initialDelaySeconds ?? 0) * 1000);
  }

  private get periodMs(): number {
    return (this.probe.periodSeconds ?? 10) * 1000;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.due = this.clock.now() + delayMs;
    this.cancelTimer = this.clock.setTimer(delayMs, () => void this.run());
  }

  private async run(): Promise<void> {
    this.cancelTimer = undefined;
    if (this.stopped) return;
    const result = await this.attempt();
    if (this.stopped) return;
    if (result.success) {
      this.failures = 0;
      this.successes++;
      if (this.successes >= (this.probe.successThreshold ?? 1) && this.lastResult !== true) {
        this.lastResult = true;
        this.onResult(true);
      }
    } else {
      this.successes = 0;
      this.failures++;
      this.onAttempt(result);
      if (this.failures >= (this.probe.failureThreshold ?? 3) && this.lastResult !== false) {
        this.lastResult = false;
        this.failures = 0;
        this.onResult(false);
      }
    }
    if (this.stopped) return;
    if (result.success && result.repeatable && this.lastResult === true && this.onReachabilityChanged) {
      this.sleep(this.clock.now() + this.periodMs);
      return;
    }
    this.schedule(this.periodMs);
  }

  /** Arms no timer until reachability changes; then waits for the first tick at or after that moment. */
  private sleep(nextTick: number): void {
    this.stopWaking = this.onReachabilityChanged?.(() => {
      this.stopWaking?.();
      this.stopWaking = undefined;
      if (this.stopped) return;
      const now = this.clock.now();
      const period = this.periodMs;
      const tick = nextTick >= now ? nextTick : nextTick + Math.ceil((now - nextTick) / period) * period;
      this.schedule(tick - now);
    });
  }

  /** When the next attempt is due, or undefined while the worker sleeps (tests, diagnostics). */
  get nextAttemptAt(): number | undefined {
    return this.cancelTimer ? this.due : undefined;
  }

  /** After a liveness failure the kubelet restarts the container; the worker begins counting anew. */
  reset(): void {
    this.lastResult = undefined;
    this.successes = 0;
    this.failures = 0;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.stopWaking?.();
  }
}

import type { IFileSystem } from "just-bash";
import type { Client } from "../client/Client";
import type { Clock } from "../clock/Clock";
import type { ControlPlaneComponent, ResolvedImage } from "../images";
import type { ConnectionHandler, Network, NetworkSource, TlsServer } from "../proxy/Network";

export type { ControlPlaneComponent };

/** The signals the runtime delivers. */
export type Signal = "SIGTERM" | "SIGKILL" | "SIGQUIT" | "SIGINT" | "SIGWINCH";

/** How a process ended, as containerd reports it to the kubelet. */
export interface ExitStatus {
  exitCode: number;
  /** Set by the runtime when it, not the process, decided the outcome. */
  reason?: "OOMKilled" | "StartError";
  message?: string;
}

/**
 * The cluster's API as a program in a pod reaches it with its ServiceAccount token (client-go's
 * rest.InClusterConfig): the program reads the token from its mounted volume and gets a client
 * authenticated by it, so the API server's authorizer applies the RBAC of the pod's account.
 */
export interface InClusterApi {
  /**
   * A client acting as the token's service account, or undefined when the API server refuses the
   * token (401: expired, forged, its account deleted). `fieldManager` is the program's name, as
   * client-go derives it from the user agent.
   */
  clientFor(bearerToken: string, fieldManager: string): Client | undefined;
}

/** Everything a process can touch: its container's file system, environment, network and output. */
export interface ProcessEnvironment {
  clock: Clock;
  network: Network;
  fs: IFileSystem;
  env: Record<string, string>;
  workingDir: string;
  hostname: string;
  /** The pod IP (or node IP for hostNetwork pods) the process listens on and connects from. */
  ip: string;
  source: NetworkSource;
  image: ResolvedImage;
  /** The container's memory limit; exceeding it gets the process OOM-killed. */
  memoryLimitBytes?: number;
  cpuLimitMillicores?: number;
  /** stdout/stderr of the process (the container log, or an exec session's streams). */
  write(stream: "stdout" | "stderr", text: string): void;
  /**
   * Raw bytes a program wrote (`tar cf -`, `cat` of a binary file). Where absent (the container
   * log, probes) the bytes reach `write` decoded as UTF-8.
   */
  writeBytes?(stream: "stdout" | "stderr", data: Uint8Array): void;
  /** The API server, for programs that watch it (ingress-nginx); absent in tests without a cluster. */
  inClusterApi?: InClusterApi;
  /** The cluster's store as etcd's data dirs hold it ({@link EtcdDataDirs}); absent outside a cluster. */
  etcdDataDirs?: EtcdDataDirs;
  /**
   * The node directory behind a path of the container, when a hostPath volume is mounted over it
   * (the CRI mount's host_path); undefined for the container's own files.
   */
  hostPathOf?(path: string): string | undefined;
  /** True for the container's main process (PID 1: no default signal handlers). */
  isInit: boolean;
  /** Other processes of the container, for `ps`. */
  processTable(): Array<{ pid: number; command: string }>;
  /** The cluster's Kubernetes API, which kube-apiserver's secure port serves ({@link KubernetesApiApp}). */
  kubernetesApi?: KubernetesApiApp;
  /** Where control-plane programs report that they serve (the control plane node's runtime only). */
  controlPlane?: ControlPlaneLink;
}

/**
 * What a control-plane program tells the cluster (engine/cluster's ControlPlaneStatus): it serves
 * (the returned function says it stopped), or it exited without serving. The engine's own
 * scheduler, controller manager and API endpoints follow it.
 */
export interface ControlPlaneLink {
  started(component: ControlPlaneComponent): () => void;
  failed(component: ControlPlaneComponent): void;
  isServing(component: ControlPlaneComponent): boolean;
}

/**
 * The cluster's real API server as an app of the simulated network: what the kube-apiserver
 * static pod's program answers on its secure port (6443), so a pod reaches it through the
 * `kubernetes` Service. Injected when the cluster is assembled (engine/cluster), since the
 * runtime does not know the API server.
 */
export interface KubernetesApiApp {
  http: NonNullable<ConnectionHandler["http"]>;
  /** The API server's serving certificate (signed by the cluster CA). */
  tls: TlsServer;
}

/** A running process. */
export interface Process {
  readonly exited: Promise<ExitStatus>;
  signal(signal: Signal): void;
  /** Bytes written to the process's stdin (exec -i, attach). Closing sends EOF. */
  writeStdin?(data: string | Uint8Array): void;
  closeStdin?(): void;
  /** Current resource use, for metrics.k8s.io. */
  usage(): { memoryBytes: number; cpuMillicores: number };
  /** The command line, for `ps`. */
  readonly commandLine: string;
}

/** Exit code of a process killed by a signal: 128 + signal number. */
export function signalExitCode(signal: Signal): number {
  const numbers: Record<Signal, number> = { SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGWINCH: 28 };
  return 128 + numbers[signal];
}

/** A promise with its resolver, for processes that end on an event. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The cluster's store as etcd serves it from a data dir of the control plane's file system:
 * injected when the cluster is assembled (engine/cluster), since the runtime does not know the
 * store. The etcd static pod's program calls it as it starts.
 */
export interface EtcdDataDirs {
  /**
   * etcd starts on `hostDirectory` (a node path; undefined when the data dir is the container's
   * own): the store becomes what that dir holds. Resolves with an error line when it cannot be read.
   */
  serve(hostDirectory: string | undefined): Promise<string | undefined>;
}

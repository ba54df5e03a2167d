import { type IFileSystem, InMemoryFs, MountableFs } from "just-bash";
import type { Clock } from "../clock/Clock";
import type { Speed } from "../cluster/Component";
import {
  type ImageCatalog,
  InvalidImageReference,
  operatingSystemFiles,
  parseImageReference,
  type ResolvedImage,
} from "../images";
import type { Network, NetworkSource } from "../proxy/Network";
import { utilitiesOf } from "./executables";
import { LogBuffer } from "./LogBuffer";
import type {
  ControlPlaneLink,
  EtcdDataDirs,
  ExitStatus,
  InClusterApi,
  KubernetesApiApp,
  Process,
  ProcessEnvironment,
  Signal,
} from "./Process";
import { streamedStderrPath, streamedStdoutPath } from "./shell/streamOutput";
import { SpawnError, type SpawnOptions, spawn } from "./spawn";
import { expandTemplate } from "./templates";

/** A volume as the container sees it: a file system mounted at `path`. */
export interface Mount {
  path: string;
  fs: IFileSystem;
  readOnly?: boolean;
  /** The node directory of a hostPath volume (the CRI mount's host_path). */
  hostPath?: string;
}

/** What the kubelet asks the runtime to create (the CRI ContainerConfig, simplified). */
export interface ContainerSpec {
  podUid: string;
  namespace: string;
  podName: string;
  name: string;
  image: ResolvedImage;
  /** The final argv, after the kubelet combined command/args with the image's entrypoint/cmd. */
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  mounts: Mount[];
  hostname: string;
  ip: string;
  source: NetworkSource;
  /** Files the runtime writes into the container (/etc/hosts, /etc/resolv.conf, /etc/hostname). */
  files: Record<string, string>;
  memoryLimitBytes?: number;
  cpuLimitMillicores?: number;
  /** The container's stdin stays open for attaches (Container.stdin); else it is /dev/null. */
  stdin?: boolean;
  /** Container.stdinOnce: the first attached client's end of stdin is the container's EOF. */
  stdinOnce?: boolean;
  tty?: boolean;
  /**
   * The id of a running container whose PID namespace this one joins (the CRI's NamespaceMode
   * TARGET: an ephemeral container with a targetContainerName): each sees the other's processes.
   */
  pidNamespaceTarget?: string;
}

/**
 * A container the runtime had before it restarted, as the kubelet recorded it in the pod status
 * (containerd keeps running containers across a kubelet restart; a restored cluster rebuilds them
 * from that record).
 */
export interface SavedContainer {
  /** The 64-hex container id (`containerd://` stripped). */
  id: string;
  startedAt?: number;
  /** Absent while it runs. */
  finishedAt?: number;
  exit?: ExitStatus;
}

/** Why a pull failed: the kubelet turns it into ErrImagePull / InvalidImageName. */
export class PullError extends Error {
  constructor(
    readonly reason: "InvalidImageName" | "NotFound",
    message: string,
  ) {
    super(message);
    this.name = "PullError";
  }
}

export type ContainerState = "created" | "running" | "exited";

/** A container as containerd tracks it. */
export class RuntimeContainer {
  state: ContainerState = "created";
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exit?: ExitStatus;
  process?: Process;
  readonly log: LogBuffer;
  readonly execs = new Set<{ pid: number; process: Process }>();
  private exitListeners: Array<(status: ExitStatus) => void> = [];
  private nextPid = 7;
  /** The PID of the main process in its namespace: 1, unless it joined another container's. */
  mainPid = 1;
  /** The container whose PID namespace this one joined (see ContainerSpec.pidNamespaceTarget). */
  pidNamespaceOwner?: RuntimeContainer;
  /** Containers that joined this one's PID namespace. */
  readonly pidNamespaceMembers = new Set<RuntimeContainer>();
  /** The container's stdin has reached EOF (stdinOnce, after the first attach's stdin ended). */
  private stdinEnded = false;
  private filesystem?: IFileSystem;
  /**
   * While a restored container's process starts again, the time its original start happened:
   * what the process writes then (an entrypoint's and a server's start-up lines) carries that time.
   */
  resumingAt?: number;

  constructor(
    readonly id: string,
    readonly spec: ContainerSpec,
    readonly clock: Clock,
  ) {
    this.createdAt = clock.now();
    this.log = new LogBuffer(() => this.resumingAt ?? clock.now());
  }

  /** The container's root file system, built on first use so idle servers cost no memory for it. */
  get fs(): IFileSystem {
    if (!this.filesystem) this.filesystem = buildFileSystem(this.spec);
    return this.filesystem;
  }

  /**
   * Bytes an attached client sends (`kubectl attach -i`, `kubectl run -i`): they reach the main
   * process's stdin when the container has one (`stdin: true`) that has not reached EOF; otherwise
   * they are dropped, as containerd drops them (its attach copies stdin only into an open stdin).
   */
  writeStdin(data: Uint8Array): void {
    if (!this.spec.stdin || this.stdinEnded || this.state !== "running") return;
    this.process?.writeStdin?.(data);
  }

  /**
   * An attached client's stdin ended (it sent EOF or went away). As containerd's container IO
   * does: with `stdinOnce` and no TTY the container's stdin is closed, so its process reads EOF,
   * and later attaches cannot reopen it; otherwise only that client leaves and stdin stays open.
   */
  endAttachedStdin(): void {
    if (!this.spec.stdin || !this.spec.stdinOnce || this.spec.tty || this.stdinEnded) return;
    this.stdinEnded = true;
    if (this.state === "running") this.process?.closeStdin?.();
  }

  allocatePid(): number {
    if (this.pidNamespaceOwner) return this.pidNamespaceOwner.allocatePid();
    return this.nextPid++;
  }

  /** Every process of the PID namespace this container is in, as `ps` lists them. */
  processTable(): Array<{ pid: number; command: string }> {
    const owner = this.pidNamespaceOwner ?? this;
    return [owner, ...owner.pidNamespaceMembers]
      .filter((container) => container.state === "running")
      .flatMap((container) => [
        ...(container.process ? [{ pid: container.mainPid, command: container.process.commandLine }] : []),
        ...[...container.execs].map((exec) => ({ pid: exec.pid, command: exec.process.commandLine })),
      ])
      .sort((a, b) => a.pid - b.pid);
  }

  onExit(listener: (status: ExitStatus) => void): () => void {
    if (this.exit) {
      listener(this.exit);
      return () => {};
    }
    this.exitListeners.push(listener);
    return () => {
      this.exitListeners = this.exitListeners.filter((l) => l !== listener);
    };
  }

  /** @internal */
  markExited(status: ExitStatus, now: number): void {
    if (this.state === "exited") return;
    this.state = "exited";
    this.exit = status;
    this.finishedAt = now;
    for (const exec of this.execs) exec.process.signal("SIGKILL");
    this.execs.clear();
    this.pidNamespaceOwner?.pidNamespaceMembers.delete(this);
    this.log.end();
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener(status);
  }

  usage(): { memoryBytes: number; cpuMillicores: number } {
    if (this.state !== "running" || !this.process) return { memoryBytes: 0, cpuMillicores: 0 };
    const own = this.process.usage();
    let memoryBytes = own.memoryBytes;
    let cpuMillicores = own.cpuMillicores;
    for (const exec of this.execs) {
      const usage = exec.process.usage();
      memoryBytes += usage.memoryBytes;
      cpuMillicores += usage.cpuMillicores;
    }
    return { memoryBytes, cpuMillicores };
  }
}

function buildFileSystem(spec: ContainerSpec): IFileSystem {
  const definition = spec.image.definition;
  const values = { version: spec.image.version };
  const files: Record<string, string> = { ...operatingSystemFiles(definition) };
  for (const [path, content] of Object.entries(definition.files ?? {}))
    files[path] = expandTemplate(content, values, 0);
  for (const [path, content] of Object.entries(spec.files)) files[path] = content;
  files[streamedStdoutPath] = "";
  files[streamedStderrPath] = "";
  // The executables a shell finds on PATH: the userland's utilities and the image's own programs.
  const stub = definition.userland === "busybox" ? "#!/bin/busybox\n" : "#!/bin/sh\n";
  for (const name of utilitiesOf(definition)) {
    files[`/bin/${name}`] ??= stub;
    if (definition.userland === "gnu") files[`/usr/bin/${name}`] ??= stub;
  }
  for (const path of Object.keys(definition.programs ?? {})) files[path] ??= "#!/bin/sh\n# entrypoint\n";
  const base = new InMemoryFs(files);
  for (const directory of ["/tmp", "/root", "/var/tmp", "/home", "/etc", "/usr/bin", "/bin"]) {
    void base.mkdir(directory, { recursive: true });
  }
  if (spec.workingDir) void base.mkdir(spec.workingDir, { recursive: true });
  if (spec.mounts.length === 0) return base;
  const mountable = new MountableFs({ base });
  for (const mount of [...spec.mounts].sort((a, b) => a.path.length - b.path.length)) {
    try {
      mountable.mount(mount.path, mount.fs);
    } catch {
      // Nested mounts (a volume inside another volume) are not supported by MountableFs; the outer one wins.
    }
  }
  return mountable;
}

export interface RuntimeOptions {
  clock: Clock;
  network: Network;
  catalog: ImageCatalog;
  speed: Speed;
  /** Random source for container IDs (tests pass a seeded one). */
  random?: () => number;
  /** The cluster's store as the etcd program serves it from its data dir; absent: etcd serves nothing. */
  etcdDataDirs?: EtcdDataDirs;
  /** The API server as in-cluster programs reach it with their pod's token (ingress-nginx). */
  inClusterApi?: InClusterApi;
  /** What kube-apiserver's secure port answers with (the cluster's API server); absent: its fixed routes. */
  kubernetesApi?: KubernetesApiApp;
  /** The control plane node's: where its static pods' programs report that they serve. */
  controlPlane?: ControlPlaneLink;
}

/** How long the runtime takes for things Kubernetes does not time: pulls, creates, starts. */
export function inventedLatency(speed: Speed, kind: "pull" | "create" | "start", sizeBytes = 0): number {
  if (speed === "fast") return kind === "pull" ? 10 : 2;
  switch (kind) {
    case "pull":
      return Math.round(400 + sizeBytes / 40_000); // ~40 MB/s: nginx takes about 2.2 s
    case "create":
      return 60;
    case "start":
      return 120;
  }
}

/**
 * The node's container runtime (containerd's role): an image store filled by pulls from the
 * catalog, and containers whose processes the catalog and the shell interpreter run.
 */
export class ContainerRuntime {
  private readonly images = new Map<string, { image: ResolvedImage; pulledAt: number }>();
  private readonly containers = new Map<string, RuntimeContainer>();
  private readonly random: () => number;

  constructor(private readonly options: RuntimeOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The image if this node has it (`IfNotPresent` checks this). Throws PullError for invalid names. */
  presentImage(image: string): ResolvedImage | undefined {
    const reference = this.parse(image);
    return this.images.get(reference.normalized)?.image;
  }

  listImages(): ResolvedImage[] {
    const seen = new Map<string, ResolvedImage>();
    for (const { image } of this.images.values()) seen.set(image.id, image);
    return [...seen.values()];
  }

  /** Pulls `image` from the catalog (taking the invented latency). Resolves with the image and the time it took. */
  async pullImage(image: string): Promise<{ image: ResolvedImage; durationMs: number }> {
    const reference = this.parse(image);
    const resolved = this.options.catalog.resolve(reference);
    const started = this.options.clock.now();
    if (!("digest" in resolved)) {
      await this.wait(inventedLatency(this.options.speed, "pull") / 2);
      throw new PullError("NotFound", resolved.message);
    }
    await this.wait(inventedLatency(this.options.speed, "pull", resolved.sizeBytes));
    this.images.set(reference.normalized, { image: resolved, pulledAt: this.options.clock.now() });
    return { image: resolved, durationMs: this.options.clock.now() - started };
  }

  /**
   * The catalog's image for `image` without pulling it (what a restored node's image store held),
   * undefined for an unknown or invalid name.
   */
  resolveImage(image: string): ResolvedImage | undefined {
    try {
      const resolved = this.options.catalog.resolve(parseImageReference(image));
      return "digest" in resolved ? resolved : undefined;
    } catch {
      return undefined;
    }
  }

  /** Puts an image in the store without a pull (control-plane images kubeadm pre-pulls). */
  preload(image: string): void {
    const reference = this.parse(image);
    const resolved = this.options.catalog.resolve(reference);
    if ("digest" in resolved)
      this.images.set(reference.normalized, { image: resolved, pulledAt: this.options.clock.now() });
  }

  /** The containers the runtime holds (`crictl ps -a`). */
  listContainers(): RuntimeContainer[] {
    return [...this.containers.values()];
  }

  createContainer(spec: ContainerSpec): RuntimeContainer {
    const container = new RuntimeContainer(this.newId(), spec, this.options.clock);
    this.containers.set(container.id, container);
    return container;
  }

  /**
   * Takes back a container from before a restart (its id, times and exit as saved): an exited one
   * as it ended; a running one keeps running: its process starts again at once, without the
   * invented create and start latencies, and what it writes while starting (start-up log lines)
   * is dated at its original start, so its log reads as before and continues from now.
   */
  restoreContainer(spec: ContainerSpec, saved: SavedContainer): RuntimeContainer {
    const container = new RuntimeContainer(saved.id, spec, this.options.clock);
    this.containers.set(container.id, container);
    container.createdAt = saved.startedAt ?? container.createdAt;
    if (saved.finishedAt !== undefined || saved.exit) {
      container.startedAt = saved.startedAt;
      container.markExited(saved.exit ?? { exitCode: 0 }, saved.finishedAt ?? this.options.clock.now());
      return container;
    }
    container.resumingAt = saved.startedAt;
    try {
      this.startContainer(container);
    } finally {
      container.resumingAt = undefined;
    }
    if (saved.startedAt !== undefined) container.startedAt = saved.startedAt;
    return container;
  }

  /** Starts the container's process; an executable that does not exist fails the start (StartError). */
  startContainer(container: RuntimeContainer): void {
    if (container.state !== "created") return;
    const now = this.options.clock.now();
    container.startedAt = now;
    this.joinPidNamespace(container);
    try {
      const process = spawn(
        this.environment(container, container.mainPid === 1, (stream, text) => container.log.write(stream, text)),
        container.spec.argv,
        {
          stdin: container.spec.stdin,
          tty: container.spec.tty,
        },
      );
      container.process = process;
      container.state = "running";
      void process.exited.then((status) => container.markExited(status, this.options.clock.now()));
    } catch (error) {
      const message =
        error instanceof SpawnError
          ? `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${error.message}: unknown`
          : String(error);
      container.markExited({ exitCode: 128, reason: "StartError", message }, now);
    }
  }

  /** Joins the target's PID namespace when the spec names a running target: its main process gets the next PID there. */
  private joinPidNamespace(container: RuntimeContainer): void {
    const targetId = container.spec.pidNamespaceTarget;
    if (!targetId) return;
    const target = this.containers.get(targetId);
    if (target?.state !== "running") return;
    const owner = target.pidNamespaceOwner ?? target;
    container.pidNamespaceOwner = owner;
    container.mainPid = owner.allocatePid();
    owner.pidNamespaceMembers.add(container);
  }

  /**
   * Stops the container as containerd does: the image's stop signal (SIGTERM unless it says
   * otherwise), then SIGKILL once `gracePeriodMs` has passed. Resolves when the process is gone.
   */
  stopContainer(container: RuntimeContainer, gracePeriodMs: number): Promise<ExitStatus> {
    return new Promise<ExitStatus>((resolve) => {
      if (container.state !== "running" || !container.process) {
        if (container.state === "created") container.markExited({ exitCode: 0 }, this.options.clock.now());
        resolve(container.exit ?? { exitCode: 0 });
        return;
      }
      const process = container.process;
      const cancel = this.options.clock.setTimer(Math.max(0, gracePeriodMs), () => process.signal("SIGKILL"));
      container.onExit((status) => {
        cancel();
        resolve(status);
      });
      const stopSignal = (container.spec.image.definition.config.stopSignal ?? "SIGTERM") as Signal;
      if (gracePeriodMs <= 0) process.signal("SIGKILL");
      else process.signal(stopSignal);
    });
  }

  removeContainer(container: RuntimeContainer): void {
    if (container.state === "running") container.process?.signal("SIGKILL");
    this.containers.delete(container.id);
  }

  /**
   * Runs `argv` inside a running container (`kubectl exec`, exec probes, hooks). Throws
   * SpawnError with runc's message when the executable does not exist.
   */
  exec(
    container: RuntimeContainer,
    argv: string[],
    write: (stream: "stdout" | "stderr", text: string) => void,
    options: SpawnOptions & { writeBytes?: (stream: "stdout" | "stderr", data: Uint8Array) => void } = {},
  ): Process {
    const pid = container.allocatePid();
    const environment = this.environment(container, false, write);
    if (options.writeBytes) environment.writeBytes = options.writeBytes;
    const process = spawn(environment, argv, options);
    const entry = { pid, process };
    container.execs.add(entry);
    void process.exited.then(() => container.execs.delete(entry));
    return process;
  }

  private environment(
    container: RuntimeContainer,
    isInit: boolean,
    write: (stream: "stdout" | "stderr", text: string) => void,
  ): ProcessEnvironment {
    const spec = container.spec;
    const clock = this.options.clock;
    // Not an object literal: one with a getter (fs) is kept in dictionary mode, about 1 KiB a container.
    return Object.assign(new ContainerProcessEnvironment(container), {
      // A restored container's process reads its original start time while it starts again.
      clock:
        container.resumingAt === undefined
          ? clock
          : {
              now: () => container.resumingAt ?? clock.now(),
              setTimer: (ms, callback) => clock.setTimer(ms, callback),
            },
      network: this.options.network,
      kubernetesApi: this.options.kubernetesApi,
      controlPlane: this.options.controlPlane,
      env: spec.env,
      workingDir: spec.workingDir || spec.image.definition.config.workingDir || "/",
      hostname: spec.hostname,
      ip: spec.ip,
      source: spec.source,
      image: spec.image,
      memoryLimitBytes: spec.memoryLimitBytes,
      cpuLimitMillicores: spec.cpuLimitMillicores,
      write,
      isInit,
      inClusterApi: this.options.inClusterApi,
      etcdDataDirs: this.options.etcdDataDirs,
      hostPathOf: (path: string) => hostPathOf(spec.mounts, path),
      processTable: () => container.processTable(),
    }) as ProcessEnvironment;
  }

  private parse(image: string) {
    try {
      return parseImageReference(image);
    } catch (error) {
      if (error instanceof InvalidImageReference) {
        throw new PullError("InvalidImageName", `couldn't parse image name "${image}": ${error.message}`);
      }
      throw error;
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.clock.setTimer(ms, resolve));
  }

  private newId(): string {
    let id = "";
    while (id.length < 64)
      id += Math.floor(this.random() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return id.slice(0, 64);
  }
}

/**
 * A process's environment: its container's file system, read when the process asks for it. `fs` is
 * an own enumerable accessor (a spread copies it, as it did the literal's getter) defined with one
 * shared getter, so every environment shares one map and keeps fast properties.
 */
/** The node directory behind a container path: the innermost hostPath mount over it, if any. */
function hostPathOf(mounts: readonly Mount[], path: string): string | undefined {
  let found: Mount | undefined;
  for (const mount of mounts) {
    const root = mount.path.replace(/\/+$/, "");
    if (path !== root && !path.startsWith(`${root}/`)) continue;
    if (!found || mount.path.length > found.path.length) found = mount;
  }
  if (!found?.hostPath) return undefined;
  const rest = path.slice(found.path.replace(/\/+$/, "").length);
  return `${found.hostPath.replace(/\/+$/, "")}${rest}` || "/";
}

class ContainerProcessEnvironment {
  declare readonly fs: IFileSystem;
  readonly container: RuntimeContainer;

  constructor(container: RuntimeContainer) {
    this.container = container;
    Object.defineProperty(this, "fs", { get: containerFs, enumerable: true });
  }
}

function containerFs(this: { container: RuntimeContainer }): IFileSystem {
  return this.container.fs;
}

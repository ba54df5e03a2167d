import type { IFileSystem } from "just-bash";
import type {
  Container,
  ContainerState,
  ContainerStatus,
  EphemeralContainer,
  Pod,
  PodCondition,
  PodStatus,
  Probe,
} from "../api/core";
import { quantityToMilli, quantityToNumber } from "../api/quantity";
import type { Clock } from "../clock/Clock";
import { toRfc3339 } from "../clock/Clock";
import type { Speed } from "../cluster/Component";
import type { ResolvedImage } from "../images";
import type { Network, NetworkSource } from "../proxy/Network";
import {
  type ContainerRuntime,
  type ContainerSpec,
  inventedLatency,
  PullError,
  type RuntimeContainer,
  type SavedContainer,
  SpawnError,
} from "../runtime";
import type { Backoff } from "./Backoff";
import {
  ContainerConfigError,
  containerArgv,
  containerEnvironment,
  containerMounts,
  type NodeFacts,
  type ObjectSource,
  VolumeMountError,
  type VolumeStore,
  volumeContent,
} from "./containerConfig";
import type { EventRecorder } from "./EventRecorder";
import { type ProbeKind, ProbeWorker, runProbe } from "./Prober";

/** What a pod worker needs from its kubelet. */
/** How often the kubelet re-syncs a running pod (syncFrequency), which rewrites its ConfigMap and Secret volumes. */
export const podResyncIntervalMs = 60_000;

export interface PodWorkerHost {
  clock: Clock;
  speed: Speed;
  runtime: ContainerRuntime;
  network: Network;
  recorder: EventRecorder;
  sources: ObjectSource;
  node: NodeFacts;
  volumes: VolumeStore;
  crashBackoff: Backoff;
  pullBackoff: Backoff;
  /** An IP from the node's podCIDR (hostNetwork pods use the node's IP). */
  allocateIp(uid: string): string;
  /** Keeps the IP a restored pod had (when it is free and in the node's podCIDR), else allocates one. */
  adoptIp(uid: string, ip: string): string;
  releaseIp(uid: string): void;
  /** Writes the pod's status through the API (to the mirror pod for static pods). */
  postStatus(pod: Pod, status: PodStatus): Promise<void>;
  /** Removes the pod object once its containers are stopped (graceful deletion's last step). */
  finishDeletion(pod: Pod): Promise<void>;
  /** The worker stopped for good (its pod is gone); the kubelet forgets it. */
  workerDone(uid: string): void;
  log(line: string): void;
}

/** `ephemeral`: a debug container added through pods/ephemeralcontainers (started once, never restarted). */
type ContainerKind = "init" | "sidecar" | "app" | "ephemeral";

interface ContainerRecord {
  name: string;
  kind: ContainerKind;
  spec: Container;
  current?: RuntimeContainer;
  previous?: RuntimeContainer;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  busy: boolean;
  image?: ResolvedImage;
  ready: boolean;
  started: boolean;
  probes: ProbeWorker[];
  /** The current run was killed by the kubelet (liveness, definition change): restart even with OnFailure. */
  killedByKubelet?: boolean;
  /** The container's image changed: restart it whatever the restart policy. */
  definitionChanged?: boolean;
  /** A start failed before creating a container (pull back-off, config error): not before this time. */
  retryAt?: number;
}

const completedReason = (exitCode: number, reason?: string) => reason ?? (exitCode === 0 ? "Completed" : "Error");

/**
 * Drives one pod on its node, as the kubelet's pod worker and kuberuntime manager do: sandbox and
 * IP, image pulls with back-off, init containers in order, native sidecars, app containers with
 * restart policy and CrashLoopBackOff, probes, graceful termination, and the status the API
 * shows. Syncs are serialised; anything that changes (a container exits, a timer fires, the pod
 * is updated) requests another sync.
 */
export class PodWorker {
  private readonly records = new Map<string, ContainerRecord>();
  private sandbox: "none" | "creating" | "ready" = "none";
  private ip?: string;
  private syncing = false;
  private again = false;
  private terminating = false;
  private terminated = false;
  private finished = false;
  private removedFromApi = false;
  private startTime: number;
  private volumes?: Map<string, IFileSystem>;
  private volumeError?: VolumeMountError;
  /** A digest of the status last handed to the status manager (the JSON itself is not kept). */
  private lastPosted?: number;
  /**
   * When each pod condition last changed: type, status and transition time, three entries per
   * condition in one flat array (a Map of records was the largest part of a running worker).
   */
  private conditionTimes: string[] = [];
  /** Cancellers of the timers armed for this pod (made on the first). */
  private timers?: Set<() => void>;
  private posting: Promise<void> = Promise.resolve();
  private pendingStatus?: PodStatus;
  private refreshPending = false;
  private postInFlight = false;
  /**
   * The pod's first sync is still under way: upstream's SyncPod posts the status once (Pending,
   * ContainerCreating or Init:0/N, PodReadyToStartContainers False), then creates the sandbox and
   * starts the containers (all app containers, or the first init container) in the same call, and
   * the status is posted again only at the next sync, when the runtime shows them started or
   * failed. Nothing is posted in between: no status with the sandbox ready but the containers
   * still being created, none with the pulled image but no container yet.
   */
  private startingUp = false;
  /** The status a restarted kubelet finds for a pod it ran: its containers are taken back at the first sync. */
  private adopting?: PodStatus;
  /** That status, until the first publish compares it with what the adopted pod computes. */
  private adoptedStatus?: PodStatus;

  constructor(
    private pod: Pod,
    private readonly host: PodWorkerHost,
    /**
     * A static pod the node boots with: `kubeadm init` waited for it to be healthy before the
     * cluster was handed over, so its probes start without their initial delay.
     */
    private readonly bootedWithNode = false,
  ) {
    this.startTime = host.clock.now();
    for (const spec of pod.spec?.initContainers ?? []) {
      this.records.set(spec.name, this.newRecord(spec, spec.restartPolicy === "Always" ? "sidecar" : "init"));
    }
    for (const spec of pod.spec?.containers ?? []) this.records.set(spec.name, this.newRecord(spec, "app"));
    this.addEphemeralContainers(pod);
    const status = pod.status;
    if (status?.podIP && status.hostIP === host.node.ip && hasContainerIds(status)) {
      // A pod this node ran before its kubelet restarted (a restored cluster): its sandbox, IP,
      // start time and condition times are the recorded ones; its containers are taken back at the
      // first sync instead of being created again.
      this.adopting = status;
      this.sandbox = "ready";
      this.ip = pod.spec?.hostNetwork ? host.node.ip : host.adoptIp(this.uid, status.podIP);
      this.startTime = parseTime(status.startTime) ?? this.startTime;
      for (const condition of status.conditions ?? []) {
        if (condition.lastTransitionTime)
          this.setConditionTime(condition.type, condition.status, condition.lastTransitionTime);
      }
    }
  }

  /** Records for ephemeral containers the pod gained (kubectl debug); the next sync starts them. */
  private addEphemeralContainers(pod: Pod): void {
    for (const spec of pod.spec?.ephemeralContainers ?? []) {
      if (!this.records.has(spec.name)) this.records.set(spec.name, this.newRecord(spec, "ephemeral"));
    }
  }

  private newRecord(spec: Container, kind: ContainerKind): ContainerRecord {
    return { name: spec.name, kind, spec, restartCount: 0, busy: false, ready: false, started: false, probes: [] };
  }

  get uid(): string {
    return this.pod.metadata.uid ?? "";
  }

  get currentPod(): Pod {
    return this.pod;
  }

  get podIp(): string | undefined {
    return this.ip;
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  /** The runtime container of `name` (current, or the previous run). */
  container(name: string, previous = false): { record?: ContainerRecord; runtime?: RuntimeContainer } {
    const record = this.records.get(name);
    if (!record) return {};
    return { record, runtime: previous ? this.previousRun(record) : record.current };
  }

  containerNames(): string[] {
    return [...this.records.keys()];
  }

  /** The pod changed in the API (or on disk, for static pods). */
  update(pod: Pod): void {
    // Only images (and the pod's deadline) may change in a pod's spec; status posts change neither.
    const images = (candidate: Pod) =>
      [...(candidate.spec?.initContainers ?? []), ...(candidate.spec?.containers ?? [])].map((c) => c.image).join(" ");
    const specChanged = pod.spec !== this.pod.spec && images(pod) !== images(this.pod);
    this.pod = pod;
    this.addEphemeralContainers(pod);
    for (const record of this.records.values()) {
      if (record.kind === "ephemeral") continue;
      if (specChanged) record.retryAt = undefined;
      const specs = record.kind === "app" ? pod.spec?.containers : pod.spec?.initContainers;
      const spec = specs?.find((candidate) => candidate.name === record.name);
      if (!spec) continue;
      const imageChanged = spec.image !== record.spec.image;
      // Each revision of the pod is decoded anew: the record takes this one's container spec, so
      // the first revision's is not kept alive beside the current one.
      record.spec = spec;
      if (!specChanged || !imageChanged) continue;
      // `kubectl set image` on a pod: the only container field that may change in place.
      record.waiting = undefined;
      if (record.current?.state === "running" && !pod.metadata.deletionTimestamp) {
        this.event(record, "Normal", "Killing", `Container ${record.name} definition changed, will be restarted`);
        record.killedByKubelet = true;
        record.definitionChanged = true;
        this.stopProbes(record);
        void this.host.runtime.stopContainer(record.current, this.gracePeriodMs());
      }
    }
    this.requestSync();
  }

  /** The pod object is gone from the API (force deletion): stop everything at once. */
  removed(): void {
    this.removedFromApi = true;
    this.requestSync();
  }

  requestSync(): void {
    if (this.terminated) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.sync();
        } while (this.again && !this.terminated);
      } catch (error) {
        this.host.log(`pod ${this.key()}: sync failed: ${(error as Error).stack ?? error}`);
      } finally {
        this.syncing = false;
      }
    })();
  }

  private key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  private after(ms: number, callback: () => void): void {
    const cancel = this.host.clock.setTimer(ms, () => {
      this.timers?.delete(cancel);
      if (this.timers?.size === 0) this.timers = undefined;
      callback();
    });
    this.timers ??= new Set();
    this.timers.add(cancel);
  }

  private podRestartPolicy(): string {
    return this.pod.spec?.restartPolicy ?? "Always";
  }

  private async sync(): Promise<void> {
    if (this.terminated) return;
    if (this.removedFromApi || this.pod.metadata.deletionTimestamp) {
      await this.terminate(this.removedFromApi ? 0 : undefined);
      return;
    }
    if (this.finished) {
      this.publish();
      return;
    }
    if (this.adopting) {
      const status = this.adopting;
      this.adopting = undefined;
      await this.adopt(status);
    }
    if (this.sandbox !== "ready") {
      this.publish();
      if (this.sandbox === "none") {
        this.sandbox = "creating";
        this.startingUp = true;
        this.after(inventedLatency(this.host.speed, "create") * 2, () => {
          this.ip = this.pod.spec?.hostNetwork ? this.host.node.ip : this.host.allocateIp(this.uid);
          this.sandbox = "ready";
          this.requestSync();
        });
      }
      return;
    }
    if (!this.volumes) {
      try {
        this.volumes = await this.mountVolumes();
        this.volumeError = undefined;
      } catch (error) {
        if (!(error instanceof VolumeMountError)) throw error;
        if (this.volumeError?.message !== error.message) {
          this.host.recorder.record(
            this.pod,
            "Warning",
            "FailedMount",
            `MountVolume.SetUp failed for volume "${error.volume}" : ${error.message}`,
          );
        }
        this.volumeError = error;
        this.after(10_000, () => this.requestSync());
        this.publish();
        return;
      }
    }

    // Ephemeral containers start even while init containers run, once each (upstream's
    // computePodActions: never restarted).
    for (const record of this.records.values()) {
      if (record.kind === "ephemeral" && !record.current && !record.busy) this.ensureStarted(record);
    }
    const initialized = this.syncInitContainers();
    if (initialized === "failed") {
      this.finish();
    } else if (initialized) {
      for (const record of this.records.values()) {
        if (record.kind !== "app" || record.busy) continue;
        if (!record.current) this.ensureStarted(record);
        else if (record.current.state === "exited" && this.shouldRestart(record)) this.ensureStarted(record);
      }
      for (const record of this.records.values()) {
        if (record.kind === "sidecar" && !record.busy && record.current?.state === "exited") this.ensureStarted(record);
      }
      const phase = this.phase();
      if (phase === "Succeeded" || phase === "Failed") this.finish();
    }
    this.publish();
  }

  /**
   * Takes back the containers a restarted kubelet finds in the runtime, as upstream's kubelet does
   * after a restart (containerd kept them): the runtime rebuilds each from the recorded status
   * (container id, start and finish times, exit), running ones keep running with their restart
   * count, readiness and probes, and nothing is created, started or recorded again. A container
   * whose image no longer matches or whose configuration cannot be rebuilt starts anew.
   */
  private async adopt(status: PodStatus): Promise<void> {
    try {
      this.volumes = await this.mountVolumes();
    } catch (error) {
      if (!(error instanceof VolumeMountError)) throw error;
      return;
    }
    this.adoptedStatus = status;
    const saved = [
      ...(status.initContainerStatuses ?? []),
      ...(status.containerStatuses ?? []),
      ...(status.ephemeralContainerStatuses ?? []),
    ];
    for (const containerStatus of saved) {
      const record = this.records.get(containerStatus.name);
      if (!record || record.current) continue;
      const image = this.host.runtime.resolveImage(record.spec.image ?? "");
      if (!image || image.repoDigest !== containerStatus.imageID) continue;
      const { state = {}, lastState = {} } = containerStatus;
      const ended = state.terminated ?? lastState.terminated;
      const id = containerIdOf(
        state.running || state.terminated ? containerStatus.containerID : lastState.terminated?.containerID,
      );
      if (!(state.running || ended) || !id) continue;
      record.image = image;
      record.restartCount = containerStatus.restartCount ?? 0;
      let container: RuntimeContainer;
      if (state.running) {
        let spec: ContainerSpec;
        try {
          spec = await this.containerSpec(record, image);
        } catch (error) {
          if (!(error instanceof ContainerConfigError)) throw error;
          continue;
        }
        container =
          this.keptContainer(id) ??
          this.host.runtime.restoreContainer(spec, { id, startedAt: parseTime(state.running.startedAt) });
        record.current = container;
        if (container.state !== "running") continue;
        record.ready = containerStatus.ready;
        record.started = containerStatus.started === true;
        container.onExit(() => this.containerExited(record, container));
        this.startProbes(record, container, { ready: containerStatus.ready, started: record.started });
      } else if (ended) {
        container =
          this.keptContainer(id) ??
          this.host.runtime.restoreContainer(this.exitedSpec(record, image), savedExit(id, ended));
      } else continue;
      record.current = container;
      if (state.waiting) {
        record.waiting = {
          reason: state.waiting.reason ?? "",
          ...(state.waiting.message ? { message: state.waiting.message } : {}),
        };
        const backOff = /^back-off (\d+)s /.exec(state.waiting.message ?? "");
        if (state.waiting.reason === "CrashLoopBackOff" && backOff && container.finishedAt !== undefined) {
          const key = `${this.uid}/${record.name}`;
          this.host.crashBackoff.restore(key, Number(backOff[1]) * 1000, container.finishedAt);
          const remaining = this.host.crashBackoff.remainingSince(key, container.finishedAt);
          if (remaining > 0) this.after(remaining, () => this.requestSync());
        }
      }
      const previous = state.waiting ? undefined : lastState.terminated;
      const previousId = containerIdOf(previous?.containerID);
      if (previous && previousId)
        record.previous =
          this.keptContainer(previousId) ??
          this.host.runtime.restoreContainer(this.exitedSpec(record, image), savedExit(previousId, previous));
    }
  }

  /**
   * The container containerd kept while the kubelet was stopped (`systemctl stop kubelet`): it is
   * taken as it is, still running or exited meanwhile, rather than rebuilt from the recorded status.
   */
  private keptContainer(id: string): RuntimeContainer | undefined {
    return this.host.runtime.listContainers().find((container) => container.id === id);
  }

  /** A container that no longer runs needs no process configuration: only its identity. */
  private exitedSpec(record: ContainerRecord, image: ResolvedImage): ContainerSpec {
    const ip = this.ip ?? this.host.node.ip;
    return {
      podUid: this.uid,
      namespace: this.pod.metadata.namespace ?? "default",
      podName: this.pod.metadata.name ?? "",
      name: record.name,
      image,
      argv: [],
      env: {},
      mounts: [],
      hostname: this.pod.spec?.hostname ?? this.pod.metadata.name ?? "",
      ip,
      source: { ip },
      files: {},
    };
  }

  /** Runs init containers in order; true once all are done, "failed" when one failed for good. */
  private syncInitContainers(): boolean | "failed" {
    for (const record of this.records.values()) {
      if (record.kind === "app" || record.kind === "ephemeral") continue;
      const state = record.current?.state;
      if (record.kind === "sidecar") {
        if (record.busy) return false;
        if (!record.current || state === "exited") {
          this.ensureStarted(record);
          return false;
        }
        if (!record.started) return false;
        continue;
      }
      if (record.busy) return false;
      if (state === "exited" && record.current?.exit?.exitCode === 0) continue;
      if (state === "running" || state === "created") return false;
      if (state === "exited") {
        if (this.podRestartPolicy() === "Never") return "failed";
      }
      this.ensureStarted(record);
      return false;
    }
    return true;
  }

  private shouldRestart(record: ContainerRecord): boolean {
    const exit = record.current?.exit;
    if (!exit) return false;
    if (record.definitionChanged) return true;
    if (record.killedByKubelet && this.podRestartPolicy() !== "Never") return true;
    switch (this.podRestartPolicy()) {
      case "Always":
        return true;
      case "OnFailure":
        return exit.exitCode !== 0;
      default:
        return false;
    }
  }

  /** Starts (or restarts, after its back-off) a container; the start runs in the background. */
  private ensureStarted(record: ContainerRecord): void {
    if (record.busy) return;
    if (record.retryAt !== undefined && this.host.clock.now() < record.retryAt) return;
    record.retryAt = undefined;
    const key = `${this.uid}/${record.name}`;
    if (record.current?.state === "exited") {
      const finishedAt = record.current.finishedAt ?? this.host.clock.now();
      const remaining = this.host.crashBackoff.remainingSince(key, finishedAt);
      if (remaining > 0) {
        const delay = this.host.crashBackoff.delay(key) / 1000;
        const message = `back-off ${delay}s restarting failed container=${record.name} pod=${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`;
        if (record.waiting?.reason !== "CrashLoopBackOff" || record.waiting.message !== message) {
          this.host.recorder.record(
            this.pod,
            "Warning",
            "BackOff",
            `Back-off restarting failed container ${record.name} in pod ${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`,
            this.fieldPath(record),
          );
          this.after(remaining, () => this.requestSync());
        }
        record.waiting = { reason: "CrashLoopBackOff", message };
        return;
      }
      if (!record.killedByKubelet) this.host.crashBackoff.next(key);
    }
    record.busy = true;
    void this.startContainer(record)
      .catch((error) =>
        this.host.log(`pod ${this.key()}: container ${record.name}: ${(error as Error).stack ?? error}`),
      )
      .finally(() => {
        record.busy = false;
        this.requestSync();
      });
  }

  private fieldPath(record: ContainerRecord): string {
    const list =
      record.kind === "app" ? "containers" : record.kind === "ephemeral" ? "ephemeralContainers" : "initContainers";
    return `spec.${list}{${record.name}}`;
  }

  private event(record: ContainerRecord, type: "Normal" | "Warning", reason: string, message: string): void {
    this.host.recorder.record(this.pod, type, reason, message, this.fieldPath(record));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private async startContainer(record: ContainerRecord): Promise<void> {
    const imageName = record.spec.image ?? "";
    const image = await this.ensureImage(record, imageName);
    if (!image || this.terminating) return;
    record.image = image;
    let containerSpec: ContainerSpec;
    try {
      containerSpec = await this.containerSpec(record, image);
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      if (record.waiting?.reason !== "CreateContainerConfigError" || record.waiting.message !== error.message) {
        this.event(record, "Warning", "Failed", `Error: ${error.message}`);
      }
      record.waiting = { reason: "CreateContainerConfigError", message: error.message };
      record.retryAt = this.host.clock.now() + 10_000;
      this.after(10_000, () => this.requestSync());
      return;
    }
    await this.wait(inventedLatency(this.host.speed, "create"));
    if (this.terminating) return;
    const runtimeContainer = this.host.runtime.createContainer(containerSpec);
    this.event(record, "Normal", "Created", `Created container: ${record.name}`);
    await this.wait(inventedLatency(this.host.speed, "start"));
    if (this.terminating) {
      this.host.runtime.removeContainer(runtimeContainer);
      return;
    }
    if (record.current) {
      record.previous = record.current;
      record.restartCount++;
    }
    record.current = runtimeContainer;
    record.waiting = undefined;
    record.killedByKubelet = false;
    record.definitionChanged = false;
    record.ready = false;
    record.started = false;
    this.host.runtime.startContainer(runtimeContainer);
    if (runtimeContainer.exit?.reason === "StartError") {
      this.event(record, "Warning", "Failed", `Error: ${runtimeContainer.exit.message}`);
      return;
    }
    this.event(record, "Normal", "Started", `Started container ${record.name}`);
    runtimeContainer.onExit(() => this.containerExited(record, runtimeContainer));
    if (record.spec.lifecycle?.postStart) await this.runHook(record, runtimeContainer, "PostStart");
    this.startProbes(record, runtimeContainer);
  }

  /** What the runtime needs to create the container (the CRI ContainerConfig). Throws ContainerConfigError. */
  private async containerSpec(record: ContainerRecord, image: ResolvedImage): Promise<ContainerSpec> {
    const spec = record.spec;
    // A pod in the node's network namespace shares its UTS namespace too: the node's hostname.
    const hostname = this.pod.spec?.hostNetwork
      ? this.host.node.name
      : (this.pod.spec?.hostname ?? this.pod.metadata.name ?? "");
    const env = await containerEnvironment(
      this.pod,
      spec,
      image.definition,
      image.version,
      this.host.sources,
      this.host.node,
      hostname,
    );
    const argv = containerArgv(spec, image.definition, env);
    const mounts = await containerMounts(spec, this.volumes ?? new Map());
    const limits = spec.resources?.limits ?? {};
    const ip = this.ip ?? this.host.node.ip;
    const namespace = this.pod.metadata.namespace ?? "default";
    const dns = this.pod.spec?.hostNetwork ? undefined : clusterFirstDns(namespace);
    const source: NetworkSource = dns ? { ip, namespace, resolvConf: dns.resolvConf } : { ip };
    const files: Record<string, string> = {
      "/etc/hostname": `${hostname}\n`,
      "/etc/hosts": hostsFile(hostname, ip, this.pod),
      "/etc/resolv.conf": dns ? dns.file : "nameserver 192.168.0.1\n",
      ...mounts.files,
    };
    return {
      podUid: this.uid,
      namespace,
      podName: this.pod.metadata.name ?? "",
      name: record.name,
      image,
      argv,
      env,
      workingDir: spec.workingDir,
      mounts: mounts.mounts,
      hostname,
      ip,
      source,
      files,
      memoryLimitBytes: limits.memory !== undefined ? quantityToNumber(limits.memory) : undefined,
      cpuLimitMillicores: limits.cpu !== undefined ? quantityToMilli(limits.cpu) : undefined,
      stdin: spec.stdin,
      stdinOnce: spec.stdinOnce,
      tty: spec.tty,
      ...this.pidNamespaceOf(record),
    };
  }

  /**
   * `kubectl debug --target=c`: the ephemeral container joins the target container's PID namespace
   * (the CRI's NamespaceMode TARGET), so its `ps` shows the target's processes.
   */
  private pidNamespaceOf(record: ContainerRecord): { pidNamespaceTarget?: string } {
    const target = (record.spec as EphemeralContainer).targetContainerName;
    if (record.kind !== "ephemeral" || !target) return {};
    const id = this.records.get(target)?.current?.id;
    return id ? { pidNamespaceTarget: id } : {};
  }

  private async ensureImage(record: ContainerRecord, imageName: string): Promise<ResolvedImage | undefined> {
    const runtime = this.host.runtime;
    let present: ResolvedImage | undefined;
    try {
      present = runtime.presentImage(imageName);
    } catch (error) {
      if (!(error instanceof PullError)) throw error;
      const message = `Failed to apply default image tag "${imageName}": ${error.message}`;
      if (record.waiting?.reason !== "InvalidImageName") {
        this.event(record, "Warning", "InspectFailed", message);
        this.event(record, "Warning", "Failed", "Error: InvalidImageName");
      }
      record.waiting = { reason: "InvalidImageName", message };
      record.retryAt = Number.POSITIVE_INFINITY;
      return undefined;
    }
    const tagged = /:[^/]+$/.test(imageName.split("@")[0]) || imageName.includes("@");
    const policy =
      record.spec.imagePullPolicy ??
      (!tagged || imageName.split("@")[0].endsWith(":latest") ? "Always" : "IfNotPresent");
    if (present && policy !== "Always") {
      this.event(record, "Normal", "Pulled", `Container image "${imageName}" already present on machine`);
      return present;
    }
    if (policy === "Never") {
      const message = `Container image "${imageName}" is not present with pull policy of Never`;
      if (record.waiting?.reason !== "ErrImageNeverPull") {
        this.event(record, "Warning", "ErrImageNeverPull", message);
        this.event(record, "Warning", "Failed", "Error: ErrImageNeverPull");
      }
      record.waiting = { reason: "ErrImageNeverPull", message };
      record.retryAt = Number.POSITIVE_INFINITY;
      return undefined;
    }
    const key = `${this.uid}_${imageName}`;
    const remaining = this.host.pullBackoff.remainingSinceUpdate(key);
    if (remaining > 0) {
      const message = `Back-off pulling image "${imageName}"`;
      this.event(record, "Normal", "BackOff", message);
      this.event(record, "Warning", "Failed", "Error: ImagePullBackOff");
      record.waiting = { reason: "ImagePullBackOff", message };
      record.retryAt = this.host.clock.now() + remaining;
      this.after(remaining, () => this.requestSync());
      return undefined;
    }
    this.event(record, "Normal", "Pulling", `Pulling image "${imageName}"`);
    try {
      const { image, durationMs } = await runtime.pullImage(imageName);
      const seconds = formatSeconds(durationMs);
      this.event(
        record,
        "Normal",
        "Pulled",
        `Successfully pulled image "${imageName}" in ${seconds} (${seconds} including waiting). Image size: ${image.sizeBytes} bytes.`,
      );
      return image;
    } catch (error) {
      if (!(error instanceof PullError)) throw error;
      this.host.pullBackoff.next(key);
      const code = error.message.includes("pull access denied") ? "Unknown" : "NotFound";
      const message = `rpc error: code = ${code} desc = ${error.message}`;
      this.event(record, "Warning", "Failed", `Failed to pull image "${imageName}": ${message}`);
      this.event(record, "Warning", "Failed", "Error: ErrImagePull");
      record.waiting = { reason: "ErrImagePull", message };
      // The pod worker retries soon and finds the pull in back-off: ImagePullBackOff.
      const retry = this.host.speed === "fast" ? 100 : 1_500;
      record.retryAt = this.host.clock.now() + retry;
      this.after(retry, () => this.requestSync());
      return undefined;
    }
  }

  private async runHook(
    record: ContainerRecord,
    container: RuntimeContainer,
    kind: "PostStart" | "PreStop",
  ): Promise<void> {
    const handler = kind === "PostStart" ? record.spec.lifecycle?.postStart : record.spec.lifecycle?.preStop;
    if (!handler) return;
    let failure: string | undefined;
    if (handler.exec?.command) {
      let output = "";
      try {
        const process = this.host.runtime.exec(container, handler.exec.command, (_stream, text) => {
          output += text;
        });
        const status = await process.exited;
        if (status.exitCode !== 0)
          failure = `command '${handler.exec.command.join(" ")}' exited with ${status.exitCode}: ${output}`;
      } catch (error) {
        failure = error instanceof SpawnError ? error.message : String(error);
      }
    } else if (handler.sleep) {
      await this.wait(handler.sleep.seconds * 1000);
    } else if (handler.httpGet) {
      const result = await runProbe(
        { httpGet: handler.httpGet },
        record.spec,
        container,
        this.ip ?? "",
        this.host.runtime,
        this.host.network,
        this.host.clock,
      );
      if (!result.success) failure = result.output;
    }
    if (failure !== undefined) {
      const reason = kind === "PostStart" ? "FailedPostStartHook" : "FailedPreStopHook";
      this.event(record, "Warning", reason, `${kind} hook failed: ${failure}`);
      if (kind === "PostStart") {
        this.event(record, "Normal", "Killing", `FailedPostStartHook`);
        record.killedByKubelet = true;
        void this.host.runtime.stopContainer(container, this.gracePeriodMs());
      }
    }
  }

  private gracePeriodMs(): number {
    return (this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  /**
   * Starts the container's probes. `resumed` (a container taken back after a kubelet restart)
   * carries its recorded readiness: probes keep their results (a ready container stays ready) and
   * their first attempt comes at the next tick of their period since the container started.
   */
  private startProbes(
    record: ContainerRecord,
    container: RuntimeContainer,
    resumed?: { ready: boolean; started: boolean },
  ): void {
    const spec = record.spec;
    const ip = this.ip ?? this.host.node.ip;
    const attempt = (kind: ProbeKind) => () => {
      const probe =
        kind === "liveness" ? spec.livenessProbe : kind === "readiness" ? spec.readinessProbe : spec.startupProbe;
      return runProbe(probe ?? {}, spec, container, ip, this.host.runtime, this.host.network, this.host.clock);
    };
    const label = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };
    const network = this.host.network;
    const add = (kind: ProbeKind, onResult: (success: boolean) => void) => {
      const probe =
        kind === "liveness" ? spec.livenessProbe : kind === "readiness" ? spec.readinessProbe : spec.startupProbe;
      if (!probe) return;
      const resume = resumed && {
        delayMs: resumedProbeDelay(probe, container.startedAt ?? this.host.clock.now(), this.host.clock.now()),
        lastResult: kind === "readiness" ? resumed.ready : kind === "liveness" ? true : undefined,
      };
      record.probes.push(
        new ProbeWorker(
          this.host.clock,
          this.bootedWithNode ? { ...probe, initialDelaySeconds: 0 } : probe,
          attempt(kind),
          (result) => {
            if (container.state === "running")
              this.event(record, "Warning", "Unhealthy", `${label[kind]} probe failed: ${result.output}`);
          },
          onResult,
          network.onReachabilityChanged
            ? (callback) => network.onReachabilityChanged?.(callback) ?? (() => {})
            : undefined,
          resume,
        ),
      );
    };
    const killFor = (kind: "liveness" | "startup") => {
      if (container.state !== "running" || record.current !== container) return;
      this.event(record, "Normal", "Killing", `Container ${record.name} failed ${kind} probe, will be restarted`);
      record.killedByKubelet = true;
      this.stopProbes(record);
      void this.host.runtime.stopContainer(container, this.gracePeriodMs());
    };
    const startProbing = () => {
      add("liveness", (success) => {
        if (!success) killFor("liveness");
      });
      add("readiness", (success) => {
        if (record.ready !== success) {
          record.ready = success;
          this.requestSync();
        }
      });
      if (!spec.readinessProbe && !record.ready) {
        record.ready = true;
        this.requestSync();
      }
    };
    if (spec.startupProbe && !resumed?.started) {
      add("startup", (success) => {
        if (success) {
          record.started = true;
          record.probes = record.probes.filter((p) => {
            p.stop();
            return false;
          });
          startProbing();
          this.requestSync();
        } else killFor("startup");
      });
    } else {
      record.started = true;
      startProbing();
    }
  }

  private stopProbes(record: ContainerRecord): void {
    for (const probe of record.probes) probe.stop();
    record.probes = [];
  }

  private containerExited(record: ContainerRecord, container: RuntimeContainer): void {
    if (record.current !== container) return;
    this.stopProbes(record);
    record.ready = false;
    record.started = false;
    this.requestSync();
  }

  /** The pod reached Succeeded or Failed: stop what still runs (sidecars) and never restart. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const record of [...this.records.values()].reverse()) {
      this.stopProbes(record);
      if (record.current?.state === "running") {
        this.event(record, "Normal", "Killing", `Stopping container ${record.name}`);
        void this.host.runtime.stopContainer(record.current, this.gracePeriodMs()).then(() => this.requestSync());
      }
    }
  }

  private async terminate(overrideGraceSeconds?: number): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    const graceSeconds =
      overrideGraceSeconds ??
      this.pod.metadata.deletionGracePeriodSeconds ??
      this.pod.spec?.terminationGracePeriodSeconds ??
      30;
    const deadline = this.host.clock.now() + graceSeconds * 1000;
    const stopOne = async (record: ContainerRecord) => {
      this.stopProbes(record);
      const container = record.current;
      if (container?.state !== "running") return;
      this.event(record, "Normal", "Killing", `Stopping container ${record.name}`);
      if (record.spec.lifecycle?.preStop && graceSeconds > 0) {
        let hookDone = false;
        await Promise.race([
          this.runHook(record, container, "PreStop").then(() => {
            hookDone = true;
          }),
          this.wait(Math.max(0, deadline - this.host.clock.now())),
        ]);
        void hookDone;
      }
      await this.host.runtime.stopContainer(container, Math.max(0, deadline - this.host.clock.now()));
    };
    const records = [...this.records.values()];
    // Regular containers first, then sidecars in reverse order, as the kubelet stops them.
    await Promise.all(records.filter((r) => r.kind === "app" || r.kind === "ephemeral").map(stopOne));
    for (const record of records.filter((r) => r.kind === "sidecar").reverse()) await stopOne(record);
    for (const record of records) if (record.current?.state === "running") await stopOne(record);
    this.finished = true;
    if (!this.removedFromApi) {
      this.publish(true);
      await this.posting;
      await this.host
        .finishDeletion(this.pod)
        .catch((error) => this.host.log(`pod ${this.key()}: delete failed: ${error}`));
    }
    this.cleanUp();
  }

  /** Stops everything at once (the kubelet is stopping, or the pod is gone). */
  cleanUp(): void {
    this.terminated = true;
    for (const cancel of this.timers ?? []) cancel();
    this.timers = undefined;
    for (const record of this.records.values()) {
      this.stopProbes(record);
      for (const container of [record.current, record.previous]) {
        if (container) this.host.runtime.removeContainer(container);
      }
    }
    if (this.ip && !this.pod.spec?.hostNetwork) this.host.releaseIp(this.uid);
    this.host.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.host.pullBackoff.forgetPrefix(`${this.uid}_`);
    this.host.recorder.forget(this.uid);
    this.host.workerDone(this.uid);
  }

  /**
   * The kubelet stops (`systemctl stop kubelet`, or containerd went away) but the node does not:
   * containerd keeps the containers running, while this worker arms no timer, probes nothing and
   * posts nothing more. The next kubelet's worker for the pod takes the containers back.
   */
  detach(): void {
    this.terminated = true;
    // Flows still waiting on the runtime (a pull) stop at their next check.
    this.terminating = true;
    for (const cancel of this.timers ?? []) cancel();
    this.timers = undefined;
    for (const record of this.records.values()) this.stopProbes(record);
  }

  /** Is `container` one of this pod's containers (current or previous run)? */
  holds(container: RuntimeContainer): boolean {
    for (const record of this.records.values()) {
      if (record.current === container || record.previous === container) return true;
    }
    return false;
  }

  /** Posts the status again even if unchanged (a mirror pod was recreated). */
  republish(): void {
    this.lastPosted = undefined;
    this.requestSync();
  }

  /**
   * A ConfigMap or Secret this pod mounts changed. The kubelet's cache already holds the new
   * content (Watch change detection), but the files are rewritten when the pod worker next syncs
   * the pod: its periodic resync, every minute since the worker started (upstream's
   * syncFrequency). One timer, armed only while a change waits for that tick.
   */
  volumeSourceChanged(): void {
    if (this.refreshPending || this.terminating || this.terminated) return;
    this.refreshPending = true;
    const now = this.host.clock.now();
    const elapsed = now - this.startTime;
    const tick = this.startTime + Math.max(1, Math.ceil(elapsed / podResyncIntervalMs)) * podResyncIntervalMs;
    this.after(tick - now, () => {
      this.refreshPending = false;
      void this.refreshVolumes();
    });
  }

  /** Whether a volume of this pod projects the ConfigMap or Secret `name`. */
  usesObject(kind: "configMap" | "secret", name: string): boolean {
    return (this.pod.spec?.volumes ?? []).some((volume) => {
      if (kind === "configMap" && volume.configMap?.name === name) return true;
      if (kind === "secret" && volume.secret?.secretName === name) return true;
      return (volume.projected?.sources ?? []).some(
        (source) => (kind === "configMap" ? source.configMap?.name : source.secret?.name) === name,
      );
    });
  }

  /**
   * Rewrites the files of ConfigMap, Secret, downward API and projected volumes in place, as the
   * kubelet's volume manager does when a referenced object changes (subPath mounts and
   * environment variables keep their old values, as upstream).
   */
  async refreshVolumes(): Promise<void> {
    if (!this.volumes || this.terminating || this.terminated) return;
    for (const volume of this.pod.spec?.volumes ?? []) {
      if (!volume.configMap && !volume.secret && !volume.projected && !volume.downwardAPI) continue;
      const target = this.volumes.get(volume.name);
      if (!target) continue;
      let fresh: IFileSystem;
      try {
        fresh = await volumeContent(
          this.pod,
          volume,
          this.host.sources,
          this.host.node,
          this.host.volumes,
          new Map(),
          this.host.clock.now(),
        );
      } catch {
        continue;
      }
      for (const name of await target.readdir("/").catch(() => [] as string[])) {
        await target.rm(`/${name}`, { recursive: true, force: true }).catch(() => {});
      }
      for (const path of await listFiles(fresh, "/")) {
        await target.mkdir(path.slice(0, path.lastIndexOf("/")) || "/", { recursive: true }).catch(() => {});
        await target.writeFile(path, await fresh.readFile(path));
      }
    }
  }

  private async mountVolumes(): Promise<Map<string, IFileSystem>> {
    const volumes = new Map<string, IFileSystem>();
    const emptyDirs = new Map<string, IFileSystem>();
    for (const volume of this.pod.spec?.volumes ?? []) {
      volumes.set(
        volume.name,
        await volumeContent(
          this.pod,
          volume,
          this.host.sources,
          this.host.node,
          this.host.volumes,
          emptyDirs,
          this.host.clock.now(),
        ),
      );
    }
    return volumes;
  }

  private previousRun(record: ContainerRecord): RuntimeContainer | undefined {
    if (record.current?.state === "exited" && record.waiting) return record.current;
    return record.previous;
  }

  // ---------------------------------------------------------------------------------------------
  // Status

  private containerStatus(record: ContainerRecord): ContainerStatus {
    const spec = record.spec;
    const current = record.current;
    const image = record.image;
    let state: ContainerState;
    let lastState: ContainerState = {};
    const terminatedOf = (container: RuntimeContainer): ContainerState => ({
      terminated: {
        exitCode: container.exit?.exitCode ?? 0,
        reason: completedReason(container.exit?.exitCode ?? 0, container.exit?.reason),
        ...(container.exit?.message ? { message: container.exit.message } : {}),
        startedAt: container.startedAt !== undefined ? toRfc3339(container.startedAt) : null,
        finishedAt: container.finishedAt !== undefined ? toRfc3339(container.finishedAt) : null,
        containerID: `containerd://${container.id}`,
      },
    });
    if (current?.state === "running") {
      state = { running: { startedAt: toRfc3339(current.startedAt ?? this.host.clock.now()) } };
      if (record.previous) lastState = terminatedOf(record.previous);
    } else if (current?.state === "exited") {
      if (record.waiting && !this.terminating && !this.finished) {
        state = { waiting: { ...record.waiting } };
        lastState = terminatedOf(current);
      } else {
        state = terminatedOf(current);
        if (record.previous) lastState = terminatedOf(record.previous);
      }
    } else {
      // Upstream's default waiting state for a container not created yet: PodInitializing in a pod
      // with init containers (its app containers too, until they are created), else ContainerCreating.
      const fallback =
        (record.kind === "app" || record.kind === "ephemeral") && !this.hasInitContainers()
          ? "ContainerCreating"
          : "PodInitializing";
      const reason = record.waiting?.reason ?? fallback;
      state = { waiting: { reason, ...(record.waiting?.message ? { message: record.waiting.message } : {}) } };
      if (record.previous) lastState = terminatedOf(record.previous);
    }
    const status: ContainerStatus = {
      name: record.name,
      state,
      lastState,
      // Upstream's prober manager: a regular init container is ready once it exited 0 (never while it
      // runs); sidecars and app containers follow their readiness (sidecars only once started).
      ready:
        record.kind === "init"
          ? state.terminated?.exitCode === 0
          : record.kind !== "ephemeral" &&
            current?.state === "running" &&
            record.ready &&
            (record.kind !== "sidecar" || record.started),
      restartCount: record.restartCount,
      image: image ? `${image.definition.repository}:${image.tag}` : (spec.image ?? ""),
      imageID: image ? image.repoDigest : "",
      started: current?.state === "running" ? record.started : false,
      volumeMounts: (spec.volumeMounts ?? []).map((mount) => ({
        name: mount.name,
        mountPath: mount.mountPath,
        ...(mount.readOnly ? { readOnly: true, recursiveReadOnly: "Disabled" } : {}),
      })),
    };
    if (current) status.containerID = `containerd://${current.id}`;
    // The prober manager reports `started` for regular and init containers only.
    if (record.kind === "ephemeral") delete status.started;
    if (record.kind === "app" || record.kind === "sidecar") {
      if (spec.resources && Object.keys(spec.resources).length > 0) status.resources = spec.resources;
    }
    if (status.volumeMounts?.length === 0) delete status.volumeMounts;
    return status;
  }

  private hasInitContainers(): boolean {
    return (this.pod.spec?.initContainers?.length ?? 0) > 0;
  }

  private initDone(): boolean {
    for (const record of this.records.values()) {
      if (record.kind === "init" && !(record.current?.state === "exited" && record.current.exit?.exitCode === 0))
        return false;
      if (record.kind === "sidecar" && !(record.current?.state === "running" && record.started)) return false;
    }
    return true;
  }

  /** The pod phase as the kubelet's getPhase computes it. */
  private phase(): string {
    const initialized = this.initDone();
    const restartPolicy = this.podRestartPolicy();
    const initFailed = [...this.records.values()].some(
      (r) =>
        r.kind === "init" &&
        r.current?.state === "exited" &&
        r.current.exit?.exitCode !== 0 &&
        restartPolicy === "Never",
    );
    if (initFailed) return "Failed";
    if (!initialized && !this.terminating && !this.finished) return "Pending";
    let running = 0;
    let waiting = 0;
    let stopped = 0;
    let succeeded = 0;
    const apps = [...this.records.values()].filter((r) => r.kind === "app");
    for (const record of apps) {
      const current = record.current;
      if (current?.state === "running") running++;
      else if (current?.state === "exited") {
        stopped++;
        if (current.exit?.exitCode === 0) succeeded++;
      } else waiting++;
    }
    const terminal = this.terminating || this.finished;
    if (terminal && running === 0) {
      if (stopped === 0 && this.sandbox !== "ready") return "Failed";
      return succeeded === apps.length ? "Succeeded" : "Failed";
    }
    if (waiting > 0 && running === 0 && stopped === 0) return "Pending";
    if (running > 0) return "Running";
    if (stopped > 0 && waiting === 0) {
      if (restartPolicy === "Always") return "Running";
      if (restartPolicy === "OnFailure") return succeeded === stopped ? "Succeeded" : "Running";
      return succeeded === stopped ? "Succeeded" : "Failed";
    }
    return running + stopped > 0 ? "Running" : "Pending";
  }

  private conditionIndex(type: string): number {
    for (let at = 0; at < this.conditionTimes.length; at += 3) if (this.conditionTimes[at] === type) return at;
    return -1;
  }

  private setConditionTime(type: string, status: string, time: string): void {
    const at = this.conditionIndex(type);
    if (at >= 0) {
      this.conditionTimes[at + 1] = status;
      this.conditionTimes[at + 2] = time;
    } else this.conditionTimes = [...this.conditionTimes, type, status, time]; // exact size: push leaves room for 17
  }

  private condition(type: string, status: "True" | "False", reason?: string, message?: string): PodCondition {
    const at = this.conditionIndex(type);
    let time: string;
    if (at >= 0 && this.conditionTimes[at + 1] === status) time = this.conditionTimes[at + 2];
    else {
      time = transitionTime(this.host.clock.now());
      this.setConditionTime(type, status, time);
    }
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  }

  private computeStatus(): PodStatus {
    const initialized = this.initDone();
    const phase = this.phase();
    const records = [...this.records.values()];
    const initStatuses = records
      .filter((r) => r.kind === "init" || r.kind === "sidecar")
      .map((r) => this.containerStatus(r));
    const appStatuses = records.filter((r) => r.kind === "app").map((r) => this.containerStatus(r));
    const ephemeralStatuses = records.filter((r) => r.kind === "ephemeral").map((r) => this.containerStatus(r));
    const terminal = phase === "Succeeded" || phase === "Failed";
    const conditions: PodCondition[] = [];
    conditions.push(
      this.condition("PodReadyToStartContainers", this.sandbox === "ready" && !terminal ? "True" : "False"),
    );
    if (this.hasInitContainers()) {
      const incomplete = records
        .filter(
          (r) =>
            (r.kind === "init" || r.kind === "sidecar") &&
            !(r.kind === "init" ? r.current?.exit?.exitCode === 0 : r.started),
        )
        .map((r) => r.name);
      conditions.push(
        initialized || (terminal && incomplete.length === 0)
          ? this.condition("Initialized", "True")
          : this.condition(
              "Initialized",
              "False",
              "ContainersNotInitialized",
              `containers with incomplete status: [${incomplete.join(" ")}]`,
            ),
      );
    } else {
      conditions.push(this.condition("Initialized", "True"));
    }
    const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
    const gatesOk = (this.pod.spec?.readinessGates ?? []).every((gate) =>
      this.pod.status?.conditions?.some((c) => c.type === gate.conditionType && c.status === "True"),
    );
    if (terminal) {
      conditions.push(this.condition("Ready", "False", "PodCompleted"));
      conditions.push(this.condition("ContainersReady", "False", "PodCompleted"));
    } else if (unready.length === 0 && initialized) {
      conditions.push(
        gatesOk
          ? this.condition("Ready", "True")
          : this.condition(
              "Ready",
              "False",
              "ReadinessGatesNotReady",
              "corresponding condition of pod readiness gate is not true",
            ),
      );
      conditions.push(this.condition("ContainersReady", "True"));
    } else {
      const message = `containers with unready status: [${unready.join(" ")}]`;
      conditions.push(this.condition("Ready", "False", "ContainersNotReady", message));
      conditions.push(this.condition("ContainersReady", "False", "ContainersNotReady", message));
    }
    const scheduled = this.pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    conditions.push(scheduled ?? this.condition("PodScheduled", "True"));
    const ip = this.ip;
    const status: PodStatus = {
      phase,
      conditions,
      hostIP: this.host.node.ip,
      hostIPs: [{ ip: this.host.node.ip }],
      ...(ip && !(terminal && this.terminating)
        ? { podIP: ip, podIPs: [{ ip }] }
        : ip
          ? { podIP: ip, podIPs: [{ ip }] }
          : {}),
      startTime: toRfc3339(this.startTime),
      ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
      containerStatuses: appStatuses,
      ...(ephemeralStatuses.length > 0 ? { ephemeralContainerStatuses: ephemeralStatuses } : {}),
      qosClass: this.pod.status?.qosClass ?? qosClass(this.pod),
    };
    return status;
  }

  /** Posts the status when it differs from what was last posted. */
  /**
   * Hands the pod's status to the status manager: as the kubelet's status manager does, posting
   * runs beside the pod worker (the worker never waits for the API) and a status computed while
   * a post is in flight replaces any not yet sent, so only the latest is written next.
   */
  private publish(force = false): void {
    if (this.startingUp) {
      // The first sync goes on while the sandbox is being created and containers are starting.
      const starting = this.sandbox !== "ready" || [...this.records.values()].some((record) => record.busy);
      if (starting && !this.terminating) return;
      this.startingUp = false;
    }
    const status = this.computeStatus();
    const serialized = digest(JSON.stringify(status));
    const adopted = this.adoptedStatus;
    if (adopted) {
      // A pod taken back after a restart writes nothing while its status is the recorded one.
      this.adoptedStatus = undefined;
      if (sameStatus(status, adopted)) {
        this.lastPosted = serialized;
        return;
      }
    }
    if (serialized === this.lastPosted && !force) return;
    if (serialized === this.lastPosted) return;
    this.lastPosted = serialized;
    const first = this.pendingStatus === undefined && !this.postInFlight;
    this.pendingStatus = status;
    if (!first) return;
    this.postInFlight = true;
    this.posting = (async () => {
      try {
        while (this.pendingStatus) {
          const next = this.pendingStatus;
          this.pendingStatus = undefined;
          await this.host
            .postStatus(this.pod, next)
            .catch((error) => this.host.log(`pod ${this.key()}: status update failed: ${error}`));
        }
      } finally {
        this.postInFlight = false;
      }
    })();
  }
}

/** The last time formatted by {@link transitionTime}: pods that change in the same second share its text. */
let lastTransition = { ms: Number.NaN, text: "" };

/** RFC 3339 (seconds) of `ms`, the same string for every condition that changes within that millisecond. */
function transitionTime(ms: number): string {
  if (lastTransition.ms !== ms) lastTransition = { ms, text: toRfc3339(ms) };
  return lastTransition.text;
}

/**
 * When a resumed probe first runs again: at the next tick of its period counted from the
 * container's start plus the initial delay (at once if that tick is now).
 */
function resumedProbeDelay(probe: Probe, startedAt: number, now: number): number {
  const first = startedAt + (probe.initialDelaySeconds ?? 0) * 1000;
  if (now <= first) return first - now;
  const period = (probe.periodSeconds ?? 10) * 1000;
  const into = (now - first) % period;
  return into === 0 ? 0 : period - into;
}

/**
 * A 52-bit digest of a serialized status (two FNV-1a style hashes, with its length): a worker
 * keeps this number instead of the last status's JSON, kilobytes per pod.
 */
function digest(text: string): number {
  let a = 0x811c9dc5 ^ text.length;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 16777619);
    b = Math.imul(b ^ code, 2246822519) ^ (b >>> 13);
  }
  return (a >>> 6) * 2 ** 26 + (b >>> 6);
}

/** Whether the kubelet recorded a container of this status as created (a containerID). */
function hasContainerIds(status: PodStatus): boolean {
  return [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].some(
    (container) => container.containerID !== undefined || container.lastState?.terminated?.containerID !== undefined,
  );
}

function containerIdOf(containerId: string | undefined): string | undefined {
  const id = containerId?.replace(/^[a-z]+:\/\//, "");
  return id ? id : undefined;
}

function parseTime(time: string | null | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

function savedExit(id: string, terminated: NonNullable<ContainerState["terminated"]>): SavedContainer {
  const reason =
    terminated.reason === "OOMKilled" || terminated.reason === "StartError" ? terminated.reason : undefined;
  return {
    id,
    startedAt: parseTime(terminated.startedAt),
    finishedAt: parseTime(terminated.finishedAt) ?? parseTime(terminated.startedAt) ?? 0,
    exit: {
      exitCode: terminated.exitCode ?? 0,
      ...(reason ? { reason } : {}),
      ...(terminated.message ? { message: terminated.message } : {}),
    },
  };
}

/**
 * Whether posting `computed` would leave `recorded` as it is: every field the kubelet writes is
 * equal, and so is each of its conditions (others' conditions and PodScheduled are kept as they are).
 */
function sameStatus(computed: PodStatus, recorded: PodStatus): boolean {
  for (const [key, value] of Object.entries(computed)) {
    if (key === "conditions") continue;
    if (!sameValue(value, (recorded as Record<string, unknown>)[key])) return false;
  }
  for (const condition of computed.conditions ?? []) {
    if (condition.type === "PodScheduled") continue;
    const same = recorded.conditions?.find((candidate) => candidate.type === condition.type);
    if (!sameValue(condition, same)) return false;
  }
  return true;
}

/** Deep equality of JSON values, a null field counting as absent (the API server drops them). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of Object.keys(left)) if (!sameValue(left[key] ?? null, right[key] ?? null)) return false;
  for (const key of Object.keys(right))
    if (!(key in left) && right[key] !== null && right[key] !== undefined) return false;
  return true;
}

async function listFiles(fs: IFileSystem, directory: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await fs.readdir(directory)) {
    const path = directory === "/" ? `/${name}` : `${directory}/${name}`;
    const stat = await fs.stat(path);
    if (stat.isDirectory) out.push(...(await listFiles(fs, path)));
    else out.push(path);
  }
  return out;
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** ClusterFirst DNS by namespace: the same frozen resolver settings and resolv.conf for every pod of a namespace. */
const dnsByNamespace = new Map<string, { resolvConf: NonNullable<NetworkSource["resolvConf"]>; file: string }>();

function clusterFirstDns(namespace: string) {
  let dns = dnsByNamespace.get(namespace);
  if (!dns) {
    const searches = [`${namespace}.svc.cluster.local`, "svc.cluster.local", "cluster.local"];
    dns = Object.freeze({
      resolvConf: Object.freeze({
        nameservers: Object.freeze(["10.96.0.10"]) as string[],
        searches: Object.freeze(searches) as string[],
        ndots: 5,
      }),
      file: `search ${searches.join(" ")}\nnameserver 10.96.0.10\noptions ndots:5\n`,
    });
    if (dnsByNamespace.size >= 4096) dnsByNamespace.clear();
    dnsByNamespace.set(namespace, dns);
  }
  return dns;
}

function hostsFile(hostname: string, ip: string, pod: Pod): string {
  let text =
    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";
  const subdomain = pod.spec?.subdomain;
  const namespace = pod.metadata.namespace ?? "default";
  text += subdomain
    ? `${ip}\t${hostname}.${subdomain}.${namespace}.svc.cluster.local\t${hostname}\n`
    : `${ip}\t${hostname}\n`;
  for (const alias of pod.spec?.hostAliases ?? []) {
    text += `\n# Entries added by HostAliases.\n${alias.ip}\t${(alias.hostnames ?? []).join("\t")}\n`;
  }
  return text;
}

/** The QoS class as upstream computes it (Guaranteed, Burstable, BestEffort). */
export function qosClass(pod: Pod): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) anySet = true;
    for (const resource of ["cpu", "memory"]) {
      const limit = limits[resource];
      const request = requests[resource] ?? limit;
      if (limit === undefined || request === undefined || String(limit) !== String(request)) guaranteed = false;
    }
  }
  if (!anySet) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

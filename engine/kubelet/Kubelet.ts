import type { Lease } from "../api/coordination";
import type { ConfigMap, Node, Pod, PodStatus, Secret } from "../api/core";
import { ConfigMaps, Leases, Nodes, Pods, Secrets } from "../api/resources";
import type { WatchEvent } from "../api/types";
import { ApiError, isApiError } from "../apiserver/ApiError";
import type { KubeletConnection, PodMetrics } from "../apiserver/KubeletConnection";
import { withoutManagedFields } from "../client/withoutManagedFields";
import { toRfc3339, toRfc3339Micro } from "../clock/Clock";
import type { Component, ComponentContext } from "../cluster/Component";
import { ImageCatalog } from "../images";
import type { Network } from "../proxy/Network";
import {
  ContainerRuntime,
  type ControlPlaneComponent,
  type ControlPlaneLink,
  type EtcdDataDirs,
  type InClusterApi,
  type KubernetesApiApp,
  warmUpShell,
} from "../runtime";
import { Backoff } from "./Backoff";
import { InMemoryVolumeStore, type NodeFacts, type ObjectSource, type VolumeStore } from "./containerConfig";
import { EventRecorder } from "./EventRecorder";
import { KubeletServer } from "./KubeletServer";
import { NodeDirectoryFileSystem } from "./NodeDirectoryFileSystem";
import type { NodeFileSystem } from "./NodeFileSystem";
import { type NodeIdentity, nodeImages, nodeIp, nodeObject, podCidr, podSubnetPrefix } from "./nodeObject";
import { NodeOperatingSystemFs, nodeDirectories } from "./nodeOperatingSystem";
import { PodWorker, type PodWorkerHost } from "./PodWorker";
import { StaticPods } from "./StaticPods";
import type { KlogLine } from "./service/kubeletStartup";
import { serviceAccountToken } from "./serviceAccountToken";
import { WatchedObjects } from "./WatchedObjects";

/** How often the kubelet renews its Lease, and the Lease's duration (upstream defaults). */
export const leaseRenewIntervalMs = 10_000;
export const leaseDurationSeconds = 40;

export interface KubeletOptions extends NodeIdentity {
  fileSystem: NodeFileSystem;
  network: Network;
  catalog?: ImageCatalog;
  /** Shared across the cluster so persistent volumes follow their claims between nodes. */
  volumes?: VolumeStore;
  /** The cluster's watched ConfigMaps, Secrets and Services, shared by its kubelets (default: the kubelet's own). */
  objects?: WatchedObjects;
  /** Images already on the node (kubeadm pre-pulls the control-plane images). */
  preloadedImages?: string[];
  random?: () => number;
  /** The cluster's store as the etcd static pod serves it (RuntimeOptions.etcdDataDirs; the control plane's only). */
  etcdDataDirs?: EtcdDataDirs;
  /** The cluster's API server as kube-apiserver's secure port answers it (RuntimeOptions.kubernetesApi). */
  kubernetesApi?: KubernetesApiApp;
  /** The API server as programs in pods reach it with their ServiceAccount token. */
  inClusterApi?: InClusterApi;
  /** The control plane's: where its static pods' programs report that they serve (RuntimeOptions.controlPlane). */
  controlPlane?: ControlPlaneLink & { staticPodsRead(running: ReadonlySet<ControlPlaneComponent>): void };
  /** The node's containerd, which outlives the kubelet (NodeServices); default: the kubelet's own. */
  runtime?: ContainerRuntime;
  /** The KubeletConfiguration's staticPodPath ("" for none; default /etc/kubernetes/manifests). */
  staticPodPath?: string;
  /**
   * The kubelet process starts again on a node that ran (`systemctl restart kubelet`): it records
   * its start-up events as upstream's does on every start, and takes back what containerd kept.
   */
  restartedService?: boolean;
  /** Writes one of the kubelet's klog lines to its journal (the node's NodeServices). */
  klog?(line: KlogLine): void;
}

const mirrorAnnotation = "kubernetes.io/config.mirror";

/** JSON with object keys sorted, so equal values compare equal whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * One node's kubelet: registers the Node, renews its Lease, runs the pods bound to the node (and
 * its static pods), and serves logs, exec, attach and metrics to the API server.
 */
export class Kubelet implements Component {
  readonly runtime: ContainerRuntime;
  readonly connection: KubeletConnection;
  readonly node: NodeFacts;
  private readonly workers = new Map<string, PodWorker>();
  private readonly recorder: EventRecorder;
  private readonly crashBackoff: Backoff;
  private readonly pullBackoff: Backoff;
  private readonly ips = new Map<string, string>();
  private readonly usedIps = new Set<number>();
  private readonly volumes: VolumeStore;
  private staticPods: StaticPods;
  private stopWatch?: () => void;
  private stopObjectWatches: Array<() => void> = [];
  /**
   * ConfigMaps, Secrets and Services as watches deliver them (shared by the cluster's kubelets):
   * volumes, environment variables and service links read them there, asking the API server only
   * on a miss.
   */
  private readonly objects: WatchedObjects;
  private cancelLease?: () => void;
  private cancelRewatch?: () => void;
  private nodeUid?: string;
  private stopped = false;
  private publishedImages = 0;
  private cancelNodeStatus?: () => void;

  constructor(
    private readonly context: ComponentContext,
    private readonly options: KubeletOptions,
  ) {
    const { clock } = context;
    this.runtime =
      options.runtime ??
      new ContainerRuntime({
        clock,
        network: options.network,
        catalog: options.catalog ?? ImageCatalog.shared,
        speed: context.speed,
        random: options.random,
        etcdDataDirs: options.etcdDataDirs,
        kubernetesApi: options.kubernetesApi,
        inClusterApi: options.inClusterApi,
        controlPlane: options.controlPlane,
      });
    if (!options.runtime) for (const image of options.preloadedImages ?? []) this.runtime.preload(image);
    this.recorder = new EventRecorder(context.client, clock, options.name, context.log);
    this.objects = options.objects ?? new WatchedObjects(context);
    this.crashBackoff = new Backoff(clock);
    this.pullBackoff = new Backoff(clock);
    // hostPath volumes are directories of this node's file system, the operating system's files
    // included (a node debugging pod's /host is what `ssh` shows); persistent volumes are shared.
    const shared = options.volumes ?? new InMemoryVolumeStore();
    const withSystem = new NodeOperatingSystemFs(options.fileSystem, options.name);
    this.volumes = {
      hostPath: (path) => new NodeDirectoryFileSystem(withSystem, path, nodeDirectories),
      persistentVolume: (key) => shared.persistentVolume(key),
    };
    this.node = {
      name: options.name,
      ip: nodeIp(options.index),
      allocatableCpuMillicores: 2000,
      allocatableMemoryBytes: 8029528 * 1024,
    };
    this.staticPods = this.newStaticPods();
    this.connection = new KubeletServer({
      clock,
      runtime: this.runtime,
      network: options.network,
      findWorker: (namespace, name) => this.findWorker(namespace, name),
      nodeUsage: () => this.nodeUsage(),
    });
  }

  private newStaticPods(): StaticPods {
    return new StaticPods({
      nodeName: this.options.name,
      directory: this.options.staticPodPath,
      fileSystem: this.options.fileSystem,
      client: this.context.client,
      clock: this.context.clock,
      log: this.context.log,
      nodeUid: () => this.nodeUid,
      startWorker: (pod, bootedWithNode) => this.startWorker(pod, bootedWithNode),
      worker: (uid) => this.workers.get(uid),
      staticPodsRead: this.options.controlPlane
        ? (running) => this.options.controlPlane?.staticPodsRead(running)
        : undefined,
      klog: this.options.klog,
    });
  }

  /** Registers the node, then starts the lease, the pod watch and the static pods. */
  async start(): Promise<void> {
    await warmUpShell();
    const restarted = await this.registerNode();
    this.renewLease(restarted);
    // ConfigMaps, Secrets and Services first: the pods' volumes and environments read them.
    this.watchVolumeSources();
    this.watchPods();
    await this.staticPods.start();
    if (this.options.restartedService) this.sweepOrphansSoon();
  }

  /**
   * `systemctl stop kubelet`: the process ends, the node does not. Its Lease is no longer renewed
   * and it posts nothing more, but containerd keeps the pods' containers running (KillMode=process);
   * the next kubelet takes them back.
   */
  stopService(): void {
    this.stop(true);
  }

  /**
   * Upstream's housekeeping (HandlePodCleanups, every 2 s) after a restart: containers containerd
   * kept that no pod of this kubelet took back (the pod was deleted meanwhile, a static pod's
   * manifest is gone, a container was being created when the kubelet stopped) are killed. One timer.
   */
  private sweepOrphansSoon(): void {
    const cancel = this.context.clock.setTimer(2_000, () => {
      this.stopOrphanSweep = undefined;
      if (this.stopped || this.runtimeDownSince !== undefined) return;
      const workers = [...this.workers.values()];
      for (const container of this.runtime.listContainers()) {
        if (workers.some((worker) => worker.holds(container))) continue;
        if (container.state === "running") void this.runtime.stopContainer(container, 30_000);
        this.runtime.removeContainer(container);
      }
    });
    this.stopOrphanSweep = cancel;
  }

  private stopOrphanSweep?: () => void;
  private runtimeDownSince?: number;
  private cancelRuntimeCheck?: () => void;

  /**
   * containerd stopped: the kubelet keeps renewing its Lease but can do nothing for its pods. Its
   * pod workers let go (containers keep running under their shims), and the runtime state goes
   * unhealthy as upstream's runtimeState does: after maxWaitForContainerRuntime (30 s) the next
   * node status (every 10 s) says Ready False "container runtime is down", and once PLEG has not
   * relisted for 3 min it adds "PLEG is not healthy".
   */
  runtimeDown(): void {
    if (this.stopped || this.runtimeDownSince !== undefined) return;
    const since = this.context.clock.now();
    this.runtimeDownSince = since;
    this.letGoOfPods();
    const statusTick = (after: number) => Math.ceil(after / 10_000) * 10_000;
    const check = (delay: number, pleg: boolean) => {
      this.cancelRuntimeCheck = this.context.clock.setTimer(delay, () => {
        const now = this.context.clock.now();
        const seen = formatGoDuration(now - since);
        const message = pleg
          ? `[container runtime is down, PLEG is not healthy: pleg was last seen active ${seen} ago; threshold is 3m0s]`
          : "container runtime is down";
        void this.postReady("False", "KubeletNotReady", message);
        if (!pleg) check(statusTick(180_000) - statusTick(30_000), true);
        else this.cancelRuntimeCheck = undefined;
      });
    };
    check(statusTick(30_001), false);
  }

  /** containerd is back: the pods are taken back as after a kubelet restart, and the node is Ready. */
  runtimeUp(): void {
    if (this.stopped || this.runtimeDownSince === undefined) return;
    this.runtimeDownSince = undefined;
    this.cancelRuntimeCheck?.();
    this.cancelRuntimeCheck = undefined;
    void this.postReady("True", "KubeletReady", "kubelet is posting ready status");
    this.staticPods = this.newStaticPods();
    this.watchVolumeSources();
    this.watchPods();
    void this.staticPods.start().then(() => this.sweepOrphansSoon());
  }

  /** The pod workers and sources stop; containers are left to containerd. */
  private letGoOfPods(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
    for (const stop of this.stopObjectWatches) stop();
    this.stopObjectWatches = [];
    this.cancelRewatch?.();
    this.staticPods.stop();
    for (const worker of [...this.workers.values()]) worker.detach();
    this.workers.clear();
    this.ips.clear();
    this.usedIps.clear();
  }

  /** Writes the node's Ready condition (the kubelet's node status setter), keeping the others. */
  private async postReady(status: "True" | "False", reason: string, message: string): Promise<void> {
    const { client, clock } = this.context;
    const now = toRfc3339(clock.now());
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const node = await client.get<Node>(Nodes, undefined, this.options.name);
        const conditions = node.status?.conditions ?? [];
        const ready = conditions.find((condition) => condition.type === "Ready");
        const changed = ready?.status !== status;
        const next = { type: "Ready", status, lastHeartbeatTime: now, reason, message };
        node.status = {
          ...node.status,
          conditions: [
            ...conditions.filter((condition) => condition.type !== "Ready"),
            { ...next, lastTransitionTime: changed ? now : (ready?.lastTransitionTime ?? now) },
          ],
        };
        await client.update(Nodes, node, { subresource: "status" });
        if (changed)
          this.recorder.record(
            this.nodeReference(),
            "Normal",
            status === "True" ? "NodeReady" : "NodeNotReady",
            `Node ${this.options.name} status is now: ${status === "True" ? "NodeReady" : "NodeNotReady"}`,
          );
        return;
      } catch (error) {
        if (!isApiError(error, "Conflict")) {
          this.context.log(`node status update failed: ${error}`);
          return;
        }
      }
    }
  }

  private nodeReference() {
    return {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: this.options.name, uid: this.options.name, namespace: "default" },
    };
  }

  /** Stops the kubelet; `keepContainers` leaves the pods' containers to containerd (stopService). */
  stop(keepContainers = false): void {
    if (!this.stopped) {
      // The last renewal before stopping is what the node lifecycle controller times out from.
      this.catchUpLease();
      this.context.heartbeats?.stopped(this.options.name, this.context.clock.now());
    }
    this.stopped = true;
    this.stopWatch?.();
    for (const stop of this.stopObjectWatches) stop();
    this.cancelLease?.();
    this.cancelRewatch?.();
    this.cancelNodeStatus?.();
    this.stopOrphanSweep?.();
    this.cancelRuntimeCheck?.();
    this.staticPods.stop();
    for (const worker of [...this.workers.values()]) {
      if (keepContainers) worker.detach();
      else worker.cleanUp();
    }
    this.workers.clear();
  }

  /** Registers the Node, or takes it back after a restart (then resolves true). */
  private async registerNode(): Promise<boolean> {
    const { client, clock } = this.context;
    const now = toRfc3339(clock.now());
    const desired = nodeObject(this.options, now, this.runtime.listImages());
    // A restarting kubelet finds its Node (a restored cluster): read first, create only when absent.
    let node = await client.get<Node>(Nodes, undefined, this.options.name).catch((error: unknown) => {
      if (isApiError(error, "NotFound")) return undefined;
      throw error;
    });
    const restarted = node !== undefined;
    const wasReady = node?.status?.conditions?.find((condition) => condition.type === "Ready")?.status === "True";
    if (!node) {
      try {
        node = await client.create<Node>(Nodes, desired);
      } catch (error) {
        if (!isApiError(error, "AlreadyExists")) throw error;
        node = await client.get<Node>(Nodes, undefined, this.options.name);
      }
    }
    this.nodeUid = node.metadata.uid;
    if (restarted) {
      // The node ran before (a restored cluster): its image store is what the Node last reported,
      // its conditions keep their transition times, and its start-up was recorded the first time.
      for (const image of node.status?.images ?? []) {
        const name = image.names?.find((candidate) => !candidate.includes("@"));
        if (name && !this.runtime.presentImage(name)) this.runtime.preload(name);
      }
      desired.status = { ...desired.status, images: nodeImages(this.runtime.listImages()) };
      for (const condition of desired.status.conditions ?? []) {
        const before = node.status?.conditions?.find((candidate) => candidate.type === condition.type);
        if (before?.status === condition.status && before.lastTransitionTime)
          condition.lastTransitionTime = before.lastTransitionTime;
      }
    }
    // Heartbeat times aside, a restarted kubelet's status is usually the recorded one: no write then.
    const withoutHeartbeats = (status: Node["status"]) => ({
      ...status,
      conditions: status?.conditions?.map(({ lastHeartbeatTime: _, ...condition }) => condition),
    });
    if (
      !restarted ||
      canonicalJson(withoutHeartbeats(node.status)) !== canonicalJson(withoutHeartbeats(desired.status))
    ) {
      node.status = desired.status;
      try {
        await client.update(Nodes, node, { subresource: "status" });
      } catch (error) {
        this.context.log(`node status: ${error}`);
      }
    }
    this.publishedImages = this.runtime.listImages().length;
    const reference = this.nodeReference();
    if (restarted && this.options.restartedService) {
      // Every kubelet start records these; condition events only for what changed (Ready, after a stop).
      this.recorder.record(reference, "Normal", "Starting", "Starting kubelet.");
      this.recorder.record(
        reference,
        "Normal",
        "NodeAllocatableEnforced",
        "Updated Node Allocatable limit across pods",
      );
      if (!wasReady)
        this.recorder.record(reference, "Normal", "NodeReady", `Node ${this.options.name} status is now: NodeReady`);
    }
    if (restarted) return true;
    this.recorder.record(reference, "Normal", "Starting", "Starting kubelet.");
    this.recorder.record(reference, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
    this.recorder.record(
      reference,
      "Normal",
      "NodeHasSufficientMemory",
      `Node ${this.options.name} status is now: NodeHasSufficientMemory`,
    );
    this.recorder.record(
      reference,
      "Normal",
      "NodeHasNoDiskPressure",
      `Node ${this.options.name} status is now: NodeHasNoDiskPressure`,
    );
    this.recorder.record(
      reference,
      "Normal",
      "NodeHasSufficientPID",
      `Node ${this.options.name} status is now: NodeHasSufficientPID`,
    );
    this.recorder.record(reference, "Normal", "NodeReady", `Node ${this.options.name} status is now: NodeReady`);
    return false;
  }

  /**
   * Renews the node's Lease now. Where the cluster computes heartbeats lazily
   * (ComponentContext.heartbeats), later renewals are the ticks of a 10 s ticker that the node
   * lifecycle controller reads from there, and the stored Lease is brought up to the latest tick
   * whenever the kubelet writes to the API anyway (an idle node writes nothing). Without it, the
   * kubelet renews every 10 s as upstream does.
   */
  private renewLease(restarted = false): void {
    if (this.stopped) return;
    const { clock, heartbeats } = this.context;
    const now = clock.now();
    // A restarted kubelet's Lease exists; with lazy heartbeats, reads show the new renewals and the
    // stored Lease catches up at the kubelet's next write.
    if (!(restarted && heartbeats)) this.writeLease(now);
    if (heartbeats) heartbeats.renewing(this.options.name, now, leaseRenewIntervalMs);
    else this.cancelLease = clock.setTimer(leaseRenewIntervalMs, () => this.renewLease());
  }

  /** Brings the stored Lease up to the latest lazily computed renewal, if it is behind. */
  private catchUpLease(): void {
    const renewed = this.context.heartbeats?.lastRenewal(this.options.name, this.context.clock.now());
    if (renewed !== undefined && renewed > this.leaseWrittenAt) this.writeLease(renewed);
  }

  private leaseWrittenAt = 0;

  private writeLease(renewTime: number): void {
    const { client } = this.context;
    const name = this.options.name;
    const now = toRfc3339Micro(renewTime);
    this.leaseWrittenAt = renewTime;
    void (async () => {
      try {
        // One merge patch per renewal: no read, and only renewTime changes.
        await client.patch(Leases, "kube-node-lease", name, "merge", {
          spec: { holderIdentity: name, leaseDurationSeconds, renewTime: now },
        });
      } catch (error) {
        if (!isApiError(error, "NotFound")) {
          this.context.log(`lease renewal failed: ${error}`);
          return;
        }
        await client
          .create<Lease>(Leases, {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: {
              name,
              namespace: "kube-node-lease",
              ownerReferences: this.nodeUid ? [{ apiVersion: "v1", kind: "Node", name, uid: this.nodeUid }] : undefined,
            },
            spec: { holderIdentity: name, leaseDurationSeconds, renewTime: now },
          })
          .catch((createError) => this.context.log(`lease creation failed: ${createError}`));
      }
    })();
  }

  /** Posts NodeStatus when the image list changed (debounced), as the kubelet does on change. */
  private nodeStatusChanged(): void {
    if (this.cancelNodeStatus || this.stopped) return;
    this.cancelNodeStatus = this.context.clock.setTimer(1_000, () => {
      this.cancelNodeStatus = undefined;
      const images = this.runtime.listImages();
      if (images.length === this.publishedImages) return;
      this.publishedImages = images.length;
      void this.context.client
        .patch(
          Nodes,
          undefined,
          this.options.name,
          "merge",
          { status: { images: nodeImages(images) } },
          { subresource: "status" },
        )
        .catch((error) => this.context.log(`node status update failed: ${error}`));
    });
  }

  private watchPods(): void {
    if (this.stopped) return;
    this.stopWatch = this.context.client.watch<Pod>(
      Pods,
      undefined,
      { fieldSelector: `spec.nodeName=${this.options.name}` },
      (event) => this.onPodEvent(event),
      (error) => {
        if (this.stopped) return;
        if (error) this.context.log(`pod watch closed: ${error.message}`);
        this.cancelRewatch = this.context.clock.setTimer(1_000, () => this.watchPods());
      },
    );
  }

  /**
   * ConfigMaps and Secrets mounted as volumes follow their objects (the kubelet's Watch change
   * detection strategy): a change rewrites the files in the pods that mount them at each pod's
   * next periodic sync (within a minute), as upstream's volume manager does.
   */
  private watchVolumeSources(): void {
    if (this.stopped) return;
    this.stopObjectWatches.push(
      this.objects.subscribe((kind, namespace, name) => {
        for (const worker of this.workers.values()) {
          if (worker.currentPod.metadata.namespace === namespace && worker.usesObject(kind, name))
            worker.volumeSourceChanged();
        }
      }),
    );
  }

  private onPodEvent(event: WatchEvent<Pod>): void {
    if (event.type === "BOOKMARK" || event.type === "ERROR") return;
    // The kubelet never reads managedFields: its workers keep the trimmed copy the process's
    // informers share, so a running pod's watched object is held once, without them.
    const pod = withoutManagedFields(event.object);
    if (pod.spec?.nodeName !== this.options.name) return;
    if (pod.metadata.annotations?.[mirrorAnnotation] !== undefined) {
      this.staticPods.mirrorEvent(event.type, pod);
      return;
    }
    const uid = pod.metadata.uid ?? "";
    const worker = this.workers.get(uid);
    if (event.type === "DELETED") {
      worker?.removed();
      return;
    }
    if (worker) {
      worker.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      // A finished pod the kubelet no longer runs (after a restart): only deletion needs finishing.
      if (pod.metadata.deletionTimestamp) {
        void this.context.client
          .delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", {
            gracePeriodSeconds: 0,
            preconditions: { uid },
          })
          .catch(() => {});
      }
      return;
    }
    this.startWorker(pod);
  }

  private startWorker(pod: Pod, bootedWithNode = false): PodWorker {
    const worker = new PodWorker(pod, this.workerHost(), bootedWithNode);
    this.workers.set(pod.metadata.uid ?? "", worker);
    worker.requestSync();
    return worker;
  }

  private host?: PodWorkerHost;

  private workerHost(): PodWorkerHost {
    if (this.host) return this.host;
    const { client, clock, speed } = this.context;
    const sources: ObjectSource = {
      configMap: async (namespace, name) => {
        const watched = this.objects.configMap(namespace, name);
        if (watched) return watched;
        try {
          return await client.get<ConfigMap>(ConfigMaps, namespace, name);
        } catch (error) {
          if (isApiError(error, "NotFound")) return undefined;
          throw error;
        }
      },
      secret: async (namespace, name) => {
        const watched = this.objects.secret(namespace, name);
        if (watched) return watched;
        try {
          return await client.get<Secret>(Secrets, namespace, name);
        } catch (error) {
          if (isApiError(error, "NotFound")) return undefined;
          throw error;
        }
      },
      serviceAccountToken: (pod, audience, expirationSeconds) =>
        serviceAccountToken(client, clock, pod, audience, expirationSeconds),
      services: async (namespace) => this.objects.servicesIn(namespace),
    };
    this.host = {
      clock,
      speed,
      runtime: this.runtime,
      network: this.options.network,
      recorder: this.recorder,
      sources,
      node: this.node,
      volumes: this.volumes,
      crashBackoff: this.crashBackoff,
      pullBackoff: this.pullBackoff,
      allocateIp: (uid) => this.allocateIp(uid),
      adoptIp: (uid, ip) => this.adoptIp(uid, ip),
      releaseIp: (uid) => this.releaseIp(uid),
      postStatus: (pod, status) => this.postStatus(pod, status),
      finishDeletion: (pod) => this.finishDeletion(pod),
      workerDone: (uid) => {
        this.workers.delete(uid);
      },
      log: this.context.log,
    };
    return this.host;
  }

  private allocateIp(uid: string): string {
    const existing = this.ips.get(uid);
    if (existing) return existing;
    for (let host = 2; host < 255; host++) {
      if (this.usedIps.has(host)) continue;
      this.usedIps.add(host);
      const ip = `${podSubnetPrefix(this.options.index)}${host}`;
      this.ips.set(uid, ip);
      return ip;
    }
    throw new Error(`no IP addresses left in ${podCidr(this.options.index)}`);
  }

  private adoptIp(uid: string, ip: string): string {
    const prefix = podSubnetPrefix(this.options.index);
    const host = ip.startsWith(prefix) ? Number(ip.slice(prefix.length)) : Number.NaN;
    const owner = [...this.ips].find(([, used]) => used === ip)?.[0];
    if (!(host >= 2 && host < 255) || (owner !== undefined && owner !== uid)) return this.allocateIp(uid);
    this.releaseIp(uid);
    this.usedIps.add(host);
    this.ips.set(uid, ip);
    return ip;
  }

  private releaseIp(uid: string): void {
    const ip = this.ips.get(uid);
    if (!ip) return;
    this.ips.delete(uid);
    this.usedIps.delete(Number(ip.split(".")[3]));
  }

  private async postStatus(pod: Pod, status: PodStatus): Promise<void> {
    this.nodeStatusChanged();
    this.catchUpLease();
    const { client } = this.context;
    const mirror = this.staticPods.mirrorNameOf(pod);
    const namespace = pod.metadata.namespace;
    const name = mirror ?? pod.metadata.name ?? "";
    // The worker's copy (from the watch) is usually current: try it first, re-read on a conflict.
    // A shallow copy: only `status` is replaced below, so the watched object is never mutated.
    let cached: Pod | undefined = mirror ? undefined : { ...pod };
    for (let attempt = 0; attempt < 5; attempt++) {
      let latest: Pod;
      if (cached) {
        latest = cached;
        cached = undefined;
      } else {
        try {
          latest = await client.get<Pod>(Pods, namespace, name);
        } catch (error) {
          if (isApiError(error, "NotFound")) return;
          throw error;
        }
      }
      if (!mirror && latest.metadata.uid !== pod.metadata.uid) return;
      // Conditions other components own (DisruptionTarget, readiness gates) are kept.
      const ours = new Set((status.conditions ?? []).map((c) => c.type));
      const kept = (latest.status?.conditions ?? []).filter((c) => !ours.has(c.type) || c.type === "PodScheduled");
      const conditions = [
        ...(status.conditions ?? []).filter(
          (c) => c.type !== "PodScheduled" || !kept.some((k) => k.type === "PodScheduled"),
        ),
        ...kept,
      ];
      latest.status = { ...latest.status, ...status, conditions };
      if (!status.podIP) {
        delete latest.status.podIP;
        delete latest.status.podIPs;
      }
      try {
        await client.update(Pods, latest, { subresource: "status" });
        return;
      } catch (error) {
        if (isApiError(error, "Conflict")) continue;
        if (isApiError(error, "NotFound")) return;
        throw error;
      }
    }
  }

  private async finishDeletion(pod: Pod): Promise<void> {
    if (this.staticPods.isStatic(pod)) {
      await this.staticPods.staticPodStopped(pod);
      return;
    }
    try {
      await this.context.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (error) {
      if (!isApiError(error, "NotFound") && !isApiError(error, "Conflict")) throw error;
    }
  }

  private findWorker(namespace: string, name: string): PodWorker | undefined {
    for (const worker of this.workers.values()) {
      const pod = worker.currentPod;
      if (pod.metadata.namespace !== namespace) continue;
      if (pod.metadata.name === name || this.staticPods.mirrorNameOf(pod) === name) return worker;
    }
    return undefined;
  }

  private nodeUsage(): { cpuNanoCores: number; memoryBytes: number } {
    let cpuMillicores = this.options.role === "control-plane" ? 60 : 25;
    let memoryBytes = (this.options.role === "control-plane" ? 620 : 310) * 1024 * 1024;
    for (const worker of this.workers.values()) {
      const metrics = KubeletServer.podUsage(worker);
      if (!metrics) continue;
      for (const container of metrics.containers) {
        cpuMillicores += container.cpuNanoCores / 1e6;
        memoryBytes += container.memoryBytes;
      }
    }
    return { cpuNanoCores: Math.round(cpuMillicores * 1e6), memoryBytes };
  }

  /** Pod metrics for every pod on the node (metrics.k8s.io list). */
  podMetrics(): Array<{ namespace: string; name: string; metrics: PodMetrics }> {
    const out: Array<{ namespace: string; name: string; metrics: PodMetrics }> = [];
    for (const worker of this.workers.values()) {
      const metrics = KubeletServer.podUsage(worker);
      const pod = worker.currentPod;
      if (metrics)
        out.push({
          namespace: pod.metadata.namespace ?? "default",
          name: this.staticPods.mirrorNameOf(pod) ?? pod.metadata.name ?? "",
          metrics,
        });
    }
    return out;
  }
}

export { ApiError };

/** Go's time.Duration String for positive durations: "3m0s", "3m9.993s", "45s". */
export function formatGoDuration(ms: number): string {
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds - hours * 3600) / 60);
  const seconds = Number((totalSeconds - hours * 3600 - minutes * 60).toFixed(3));
  return `${hours ? `${hours}h` : ""}${hours || minutes ? `${minutes}m` : ""}${seconds}s`;
}

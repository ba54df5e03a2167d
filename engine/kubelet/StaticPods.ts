import { parse } from "yaml";
import type { Pod } from "../api/core";
import { Pods } from "../api/resources";
import { isApiError } from "../apiserver/ApiError";
import type { Client } from "../client/Client";
import type { Clock } from "../clock/Clock";
import { toRfc3339Micro } from "../clock/Clock";
import { stableHex64 } from "../images";
import type { ControlPlaneComponent } from "../runtime";
import { manifestError } from "./manifestError";
import type { NodeFileSystem } from "./NodeFileSystem";
import type { PodWorker } from "./PodWorker";

export const manifestDirectory = "/etc/kubernetes/manifests";

/**
 * Parsed manifests by content. Every kubeadm node of every cluster holds the same control-plane
 * manifests, so each is parsed once per process; callers get a copy of their own.
 */
const parsedManifests = new Map<string, Pod>();

function parseManifest(content: string, file: string): Pod {
  let manifest = parsedManifests.get(content);
  if (!manifest) {
    const why = manifestError(file, content);
    if (why) throw new Error(why);
    manifest = parse(content) as Pod;
    if (manifest?.kind !== "Pod" || !manifest.metadata?.name)
      throw new Error("invalid pod: [metadata.name: Required value: name or generateName is required]");
    if (parsedManifests.size >= 256) parsedManifests.delete(parsedManifests.keys().next().value as string);
    parsedManifests.set(content, manifest);
  }
  return structuredClone(manifest);
}
const mirrorAnnotation = "kubernetes.io/config.mirror";
const hashAnnotation = "kubernetes.io/config.hash";
const sourceAnnotation = "kubernetes.io/config.source";
const seenAnnotation = "kubernetes.io/config.seen";

export interface StaticPodsOptions {
  nodeName: string;
  /** The KubeletConfiguration's staticPodPath (default: kubeadm's /etc/kubernetes/manifests; "" for none). */
  directory?: string;
  fileSystem: NodeFileSystem;
  client: Client;
  clock: Clock;
  log(line: string): void;
  nodeUid(): string | undefined;
  startWorker(pod: Pod, bootedWithNode: boolean): PodWorker;
  worker(uid: string): PodWorker | undefined;
  /**
   * The manifests have been read at start: the control-plane components whose static pod is there
   * and running or starting (not a restored one whose container had stopped).
   */
  staticPodsRead?(running: ReadonlySet<ControlPlaneComponent>): void;
  /** The kubelet's klog lines (its journal), for what the file source logs. */
  klog?(line: { severity: "E"; source: string; message: string }): void;
}

interface StaticPod {
  file: string;
  pod: Pod;
  hash: string;
  stopping: boolean;
}

/**
 * Static pods from the node's manifest folder, as the kubelet's file source and mirror client
 * handle them: each manifest runs as a pod named `<name>-<node>`, and the API shows it as a mirror
 * pod (annotation `kubernetes.io/config.mirror`). Deleting the mirror pod through the API does not
 * stop the pod (the kubelet recreates the mirror); removing or changing the file does.
 */
export class StaticPods {
  private readonly byFile = new Map<string, StaticPod>();
  /** Static pods taken back at start whose containers were not running (a crash loop goes on). */
  private readonly stoppedAtBoot = new Set<string>();
  private stopWatching?: () => void;
  private stopped = false;
  private reloading = Promise.resolve();
  /**
   * Until the manifests have been read (upstream's "sources ready"), a mirror pod without a
   * manifest is not yet an orphan: its last event waits here and is judged once they have.
   */
  private pendingMirrors?: Map<string, { type: string; mirror: Pod }> = new Map();

  constructor(private readonly options: StaticPodsOptions) {}

  private get directory(): string {
    return this.options.directory ?? manifestDirectory;
  }

  async start(): Promise<void> {
    // No staticPodPath (the KubeletConfiguration sets none): no file source, every mirror is an orphan.
    if (this.directory !== "") {
      this.stopWatching = this.options.fileSystem.watch(this.directory, (name) => {
        this.reloading = this.reloading
          .then(() => this.reload(name))
          .catch((error) => this.options.log(`static pod ${name}: ${error}`));
      });
      for (const name of await this.options.fileSystem.readDir(this.directory)) await this.reload(name, true);
    }
    this.options.staticPodsRead?.(this.controlPlaneRunning());
    const pending = this.pendingMirrors;
    this.pendingMirrors = undefined;
    for (const { type, mirror } of pending?.values() ?? []) this.mirrorEvent(type, mirror);
  }

  stop(): void {
    this.stopped = true;
    this.stopWatching?.();
  }

  /** The control-plane components whose static pods run or start, by their image (registry.k8s.io/kube-scheduler …). */
  private controlPlaneRunning(): Set<ControlPlaneComponent> {
    const running = new Set<ControlPlaneComponent>();
    for (const entry of this.byFile.values()) {
      if (this.stoppedAtBoot.has(entry.file)) continue;
      const image = entry.pod.spec?.containers[0]?.image ?? "";
      const match = /(?:^|\/)(etcd|kube-apiserver|kube-controller-manager|kube-scheduler)(?::|@|$)/.exec(image);
      if (match) running.add(match[1] as ControlPlaneComponent);
    }
    return running;
  }

  isStatic(pod: Pod): boolean {
    return pod.metadata.annotations?.[sourceAnnotation] === "file";
  }

  /** Static pods report their status on their mirror pod, which has the same name. */
  mirrorNameOf(pod: Pod): string | undefined {
    return this.isStatic(pod) ? pod.metadata.name : undefined;
  }

  private async reload(name: string, atBoot = false): Promise<void> {
    if (this.stopped) return;
    if (name.startsWith(".") || !/\.(ya?ml|json)$/.test(name)) return;
    const file = `${this.directory}/${name}`;
    const content = await this.options.fileSystem.readFile(file);
    const existing = this.byFile.get(file);
    if (content === undefined) {
      if (existing) this.remove(existing);
      return;
    }
    const hash = stableHex64(`${content}\n${this.options.nodeName}\nfile`).slice(0, 32);
    if (existing && existing.hash === hash) return;
    let manifest: Pod;
    try {
      manifest = parseManifest(content, file);
    } catch (error) {
      // The file source leaves it out of the node's pods (a static pod it ran stops) and says why,
      // as config/file.go does.
      const why = (error as Error).message;
      const message = `"Could not process manifest file" err=${JSON.stringify(why)} path=${JSON.stringify(file)}`;
      if (this.options.klog) this.options.klog({ severity: "E", source: "file.go:187", message });
      else this.options.log(message);
      if (existing) this.remove(existing);
      return;
    }
    if (existing) this.remove(existing);
    const pod = this.staticPod(manifest, hash, file);
    const entry: StaticPod = { file, pod, hash, stopping: false };
    this.byFile.set(file, entry);
    // A kubelet that restarts finds its static pods' mirrors with the status it last posted: the
    // worker takes the containers back from it, and the mirror stays as it is.
    const mirror = atBoot ? await this.currentMirror(pod) : undefined;
    const adopt = mirror?.metadata.annotations?.[mirrorAnnotation] === hash && !mirror.metadata.deletionTimestamp;
    if (adopt && !mirror.status?.containerStatuses?.some((status) => status.state?.running))
      this.stoppedAtBoot.add(file);
    this.options.startWorker(adopt ? { ...pod, status: mirror.status ?? {} } : pod, atBoot);
    if (!adopt) await this.createMirror(entry);
  }

  private async currentMirror(pod: Pod): Promise<Pod | undefined> {
    try {
      return await this.options.client.get<Pod>(Pods, pod.metadata.namespace, pod.metadata.name ?? "");
    } catch (error) {
      if (isApiError(error, "NotFound")) return undefined;
      throw error;
    }
  }

  private staticPod(manifest: Pod, hash: string, _file: string): Pod {
    const name = `${manifest.metadata.name}-${this.options.nodeName}`;
    const spec = manifest.spec ?? { containers: [] };
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...manifest.metadata,
        name,
        namespace: manifest.metadata.namespace ?? "default",
        uid: hash,
        annotations: {
          ...(manifest.metadata.annotations ?? {}),
          [hashAnnotation]: hash,
          [seenAnnotation]: toRfc3339Micro(this.options.clock.now())
            .replace("Z", "000Z")
            .replace(/(\.\d{9})\d*Z/, "$1Z"),
          [sourceAnnotation]: "file",
        },
      },
      spec: {
        dnsPolicy: "ClusterFirst",
        enableServiceLinks: true,
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        terminationGracePeriodSeconds: 30,
        ...spec,
        nodeName: this.options.nodeName,
        tolerations: [...(spec.tolerations ?? []), { operator: "Exists", effect: "NoExecute" }],
        containers: spec.containers.map((container) => ({
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          ...container,
        })),
      },
      status: {},
    };
  }

  private mirrorPod(entry: StaticPod): Pod {
    const pod = structuredClone(entry.pod);
    const nodeUid = this.options.nodeUid();
    pod.metadata = {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels,
      annotations: { ...pod.metadata.annotations, [mirrorAnnotation]: entry.hash },
      ...(nodeUid
        ? {
            ownerReferences: [
              { apiVersion: "v1", kind: "Node", name: this.options.nodeName, uid: nodeUid, controller: true },
            ],
          }
        : {}),
    };
    delete pod.status;
    return pod;
  }

  private async createMirror(entry: StaticPod): Promise<void> {
    if (this.stopped || entry.stopping) return;
    try {
      await this.options.client.create(Pods, this.mirrorPod(entry));
    } catch (error) {
      if (isApiError(error, "AlreadyExists")) {
        // A mirror from an earlier kubelet run: replace it when it belongs to another manifest version.
        const current = await this.options.client.get<Pod>(
          Pods,
          entry.pod.metadata.namespace,
          entry.pod.metadata.name ?? "",
        );
        if (current.metadata.annotations?.[mirrorAnnotation] !== entry.hash) {
          await this.options.client
            .delete(Pods, current.metadata.namespace, current.metadata.name ?? "", { gracePeriodSeconds: 0 })
            .catch(() => {});
          return;
        }
      } else {
        this.options.log(`failed creating a mirror pod for "${entry.pod.metadata.name}": ${error}`);
        return;
      }
    }
    this.options.worker(entry.pod.metadata.uid ?? "")?.republish();
  }

  /** A mirror pod changed in the API: keep it in place while its static pod runs. */
  mirrorEvent(type: string, mirror: Pod): void {
    const entry = [...this.byFile.values()].find(
      (candidate) =>
        candidate.pod.metadata.name === mirror.metadata.name &&
        candidate.pod.metadata.namespace === mirror.metadata.namespace,
    );
    if (!entry && this.pendingMirrors) {
      this.pendingMirrors.set(`${mirror.metadata.namespace}/${mirror.metadata.name}`, { type, mirror });
      return;
    }
    if (!entry) {
      // A mirror whose manifest is gone: the kubelet deletes orphaned mirror pods.
      if (type !== "DELETED") {
        void this.options.client
          .delete(Pods, mirror.metadata.namespace, mirror.metadata.name ?? "", {
            gracePeriodSeconds: 0,
            preconditions: { uid: mirror.metadata.uid },
          })
          .catch(() => {});
      }
      return;
    }
    if (type === "DELETED") {
      if (!entry.stopping) void this.createMirror(entry);
      return;
    }
    if (mirror.metadata.deletionTimestamp || mirror.metadata.annotations?.[mirrorAnnotation] !== entry.hash) {
      void this.options.client
        .delete(Pods, mirror.metadata.namespace, mirror.metadata.name ?? "", {
          gracePeriodSeconds: 0,
          preconditions: { uid: mirror.metadata.uid },
        })
        .catch(() => {});
    }
  }

  private remove(entry: StaticPod): void {
    entry.stopping = true;
    this.byFile.delete(entry.file);
    const worker = this.options.worker(entry.pod.metadata.uid ?? "");
    if (!worker) {
      void this.staticPodStopped(entry.pod);
      return;
    }
    const pod = structuredClone(entry.pod);
    pod.metadata.deletionTimestamp = new Date(this.options.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
    pod.metadata.deletionGracePeriodSeconds = pod.spec?.terminationGracePeriodSeconds ?? 30;
    worker.update(pod);
  }

  /** The static pod's containers are stopped: its mirror goes too (unless a new version replaced it). */
  async staticPodStopped(pod: Pod): Promise<void> {
    const replacement = [...this.byFile.values()].find(
      (entry) => entry.pod.metadata.name === pod.metadata.name && entry.pod.metadata.uid !== pod.metadata.uid,
    );
    try {
      const mirror = await this.options.client.get<Pod>(Pods, pod.metadata.namespace, pod.metadata.name ?? "");
      if (mirror.metadata.annotations?.[mirrorAnnotation] === pod.metadata.uid || !replacement) {
        await this.options.client.delete(Pods, mirror.metadata.namespace, mirror.metadata.name ?? "", {
          gracePeriodSeconds: 0,
          preconditions: { uid: mirror.metadata.uid },
        });
      }
    } catch (error) {
      if (!isApiError(error, "NotFound") && !isApiError(error, "Conflict")) throw error;
    }
  }
}

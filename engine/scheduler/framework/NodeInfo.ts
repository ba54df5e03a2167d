import type { Node, Taint } from "../../api/core";
import { Field, type NodeRow, privateRow, rowStride } from "./NodeTable";
import type { HostPort, PodInfo } from "./PodInfo";
import { cloneResource, emptyResource, type Resource, resourceFromList } from "./resources";

/**
 * Everything the plugins need about one node, kept up to date incrementally by the scheduler
 * cache as pods are assumed, bound and deleted (`framework.NodeInfo`). Plugins read it; only the
 * cache writes it.
 */
export class NodeInfo {
  /**
   * The numbers every Filter/Score reads live in a row of the cache's NodeTable (see there why);
   * the getters below read them. Declared first so they share the object's first cache line.
   */
  readonly data: Float64Array;
  readonly base: number;
  node: Node;
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** The NoSchedule and NoExecute taints, the ones TaintToleration's filter checks. */
  hardTaints: Taint[] = [];
  /** The PreferNoSchedule taints, the ones TaintToleration scores. */
  preferNoScheduleTaints: Taint[] = [];
  allocatable: Resource;
  allowedPodNumber: number;
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  pods = new Map<string, PodInfo>();
  podsWithAffinity = new Map<string, PodInfo>();
  podsWithRequiredAntiAffinity = new Map<string, PodInfo>();
  /** `ip/protocol/port` for each host port in use. */
  usedPorts = new Map<string, number>();
  /** Normalized image name → size in bytes, from node.status.images. */
  imageSizes = new Map<string, number>();
  /** Claims (`namespace/name`) used by pods on this node → count. */
  claimRefCounts = new Map<string, number>();
  /** Bumped on every change, so derived data can be cached per generation. */
  generation = 0;

  get podCount(): number {
    return this.data[this.base + Field.podCount];
  }
  get allocatableMilliCPU(): number {
    return this.data[this.base + Field.allocatableMilliCPU];
  }
  get allocatableMemory(): number {
    return this.data[this.base + Field.allocatableMemory];
  }
  get requestedMilliCPU(): number {
    return this.data[this.base + Field.requestedMilliCPU];
  }
  get requestedMemory(): number {
    return this.data[this.base + Field.requestedMemory];
  }
  get nonZeroMilliCPU(): number {
    return this.data[this.base + Field.nonZeroMilliCPU];
  }
  get nonZeroMemory(): number {
    return this.data[this.base + Field.nonZeroMemory];
  }
  get hasHardTaints(): boolean {
    return this.data[this.base + Field.hardTaints] > 0;
  }
  /** `spec.unschedulable` (cordoned). */
  get unschedulable(): boolean {
    return this.data[this.base + Field.unschedulable] > 0;
  }

  /** `row` is the node's row in the cache's NodeTable; a standalone NodeInfo has a row of its own. */
  constructor(node: Node, row: NodeRow = privateRow()) {
    this.data = row.data;
    this.base = row.base;
    this.node = node;
    this.name = node.metadata.name ?? "";
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    const allocatable = resourceFromList(node.status?.allocatable ?? node.status?.capacity);
    this.allocatable = allocatable;
    this.allowedPodNumber = allocatable.pods;
    this.setImages(node);
    this.derive();
  }

  /** This node's row in its table (to hand back when the node goes). */
  get row(): NodeRow {
    return { data: this.data, base: this.base };
  }

  private derive() {
    this.hardTaints = this.taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    this.preferNoScheduleTaints = this.taints.filter((t) => t.effect === "PreferNoSchedule");
    const { data, base } = this;
    data[base + Field.allowedPodNumber] = this.allowedPodNumber;
    data[base + Field.allocatableMilliCPU] = this.allocatable.milliCPU;
    data[base + Field.allocatableMemory] = this.allocatable.memory;
    data[base + Field.allocatableEphemeralStorage] = this.allocatable.ephemeralStorage;
    data[base + Field.unschedulable] = this.node.spec?.unschedulable === true ? 1 : 0;
    data[base + Field.hardTaints] = this.hardTaints.length;
    data[base + Field.preferNoScheduleTaints] = this.preferNoScheduleTaints.length;
  }

  /** Replaces the Node object (labels, taints, allocatable, images), keeping the pods. */
  setNode(node: Node) {
    this.node = node;
    this.name = node.metadata.name ?? "";
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    const allocatable = resourceFromList(node.status?.allocatable ?? node.status?.capacity);
    this.allocatable = allocatable;
    this.allowedPodNumber = allocatable.pods;
    this.setImages(node);
    this.derive();
    this.generation++;
  }

  private setImages(node: Node) {
    this.imageSizes.clear();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) this.imageSizes.set(name, image.sizeBytes ?? 0);
    }
  }

  addPod(info: PodInfo) {
    this.pods.set(info.uid, info);
    if (
      info.requiredAffinity.length ||
      info.requiredAntiAffinity.length ||
      info.preferredAffinity.length ||
      info.preferredAntiAffinity.length
    ) {
      this.podsWithAffinity.set(info.uid, info);
    }
    if (info.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.set(info.uid, info);
    this.update(info, 1);
  }

  /** The same pod (same requests, ports, claims, affinity) as a newer object: no sums change. */
  replacePodObject(info: PodInfo) {
    if (!this.pods.has(info.uid)) return;
    this.pods.set(info.uid, info);
    if (this.podsWithAffinity.has(info.uid)) this.podsWithAffinity.set(info.uid, info);
    if (this.podsWithRequiredAntiAffinity.has(info.uid)) this.podsWithRequiredAntiAffinity.set(info.uid, info);
    this.generation++;
  }

  removePod(uid: string): PodInfo | undefined {
    const info = this.pods.get(uid);
    if (!info) return undefined;
    this.pods.delete(uid);
    this.podsWithAffinity.delete(uid);
    this.podsWithRequiredAntiAffinity.delete(uid);
    this.update(info, -1);
    return info;
  }

  private update(info: PodInfo, sign: 1 | -1) {
    addScaled(this.requested, info.requests, sign);
    addScaled(this.nonZeroRequested, info.nonZeroRequests, sign);
    const { data, base } = this;
    data[base + Field.podCount] = this.pods.size;
    data[base + Field.requestedMilliCPU] = this.requested.milliCPU;
    data[base + Field.requestedMemory] = this.requested.memory;
    data[base + Field.requestedEphemeralStorage] = this.requested.ephemeralStorage;
    data[base + Field.nonZeroMilliCPU] = this.nonZeroRequested.milliCPU;
    data[base + Field.nonZeroMemory] = this.nonZeroRequested.memory;
    for (const port of info.hostPorts) {
      const key = portKey(port);
      const count = (this.usedPorts.get(key) ?? 0) + sign;
      if (count <= 0) this.usedPorts.delete(key);
      else this.usedPorts.set(key, count);
    }
    for (const claim of info.claims) {
      const count = (this.claimRefCounts.get(claim) ?? 0) + sign;
      if (count <= 0) this.claimRefCounts.delete(claim);
      else this.claimRefCounts.set(claim, count);
    }
    this.generation++;
  }

  /** A copy whose pod set can be changed without touching this one (preemption's dry runs). */
  clone(): NodeInfo {
    const copy = Object.create(NodeInfo.prototype) as NodeInfo;
    Object.assign(copy, this);
    const row = privateRow();
    row.data.set(this.data.subarray(this.base, this.base + rowStride));
    Object.assign(copy, row);
    copy.requested = cloneResource(this.requested);
    copy.nonZeroRequested = cloneResource(this.nonZeroRequested);
    copy.pods = new Map(this.pods);
    copy.podsWithAffinity = new Map(this.podsWithAffinity);
    copy.podsWithRequiredAntiAffinity = new Map(this.podsWithRequiredAntiAffinity);
    copy.usedPorts = new Map(this.usedPorts);
    copy.claimRefCounts = new Map(this.claimRefCounts);
    return copy;
  }
}

export function portKey(port: HostPort): string {
  return `${port.ip}/${port.protocol}/${port.port}`;
}

function addScaled(target: Resource, other: Resource, sign: number) {
  target.milliCPU += sign * other.milliCPU;
  target.memory += sign * other.memory;
  target.ephemeralStorage += sign * other.ephemeralStorage;
  if (other.scalar) {
    target.scalar ??= new Map();
    for (const [name, value] of other.scalar) target.scalar.set(name, (target.scalar.get(name) ?? 0) + sign * value);
  }
}

import type { Node, Taint } from "../../api/core";
import type { HostPort, PodInfo } from "./PodInfo";
import { cloneResource, emptyResource, type Resource, resourceFromList } from "./resources";

/**
 * Everything the plugins need about one node, kept up to date incrementally by the scheduler
 * cache as pods are assumed, bound and deleted (`framework.NodeInfo`). Plugins read it; only the
 * cache writes it.
 */
export class NodeInfo {
  node: Node;
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** The NoSchedule and NoExecute taints, the ones TaintToleration's filter checks. */
  hardTaints: Taint[] = [];
  /** The PreferNoSchedule taints, the ones TaintToleration scores. */
  preferNoScheduleTaints: Taint[] = [];
  /** `spec.unschedulable` (cordoned). */
  unschedulable = false;
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

  // Flat copies of the numbers every Filter/Score reads, so a cycle over hundreds of nodes touches
  // one object per node instead of chasing four (memory latency, not arithmetic, dominates there).
  podCount = 0;
  allocatableMilliCPU = 0;
  allocatableMemory = 0;
  requestedMilliCPU = 0;
  requestedMemory = 0;
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  hasHardTaints = false;

  constructor(node: Node) {
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

  private derive() {
    this.allocatableMilliCPU = this.allocatable.milliCPU;
    this.allocatableMemory = this.allocatable.memory;
    this.hardTaints = this.taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    this.hasHardTaints = this.hardTaints.length > 0;
    this.preferNoScheduleTaints = this.taints.filter((t) => t.effect === "PreferNoSchedule");
    this.unschedulable = this.node.spec?.unschedulable === true;
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
    this.podCount = this.pods.size;
    this.requestedMilliCPU = this.requested.milliCPU;
    this.requestedMemory = this.requested.memory;
    this.nonZeroMilliCPU = this.nonZeroRequested.milliCPU;
    this.nonZeroMemory = this.nonZeroRequested.memory;
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

import type { Node, Pod } from "../../api/core";
import { NodeInfo } from "../framework/NodeInfo";
import { NodeTable } from "../framework/NodeTable";
import type { PodInfo } from "../framework/PodInfo";

interface PodState {
  info: PodInfo;
  nodeName: string;
  /** Placed by the scheduler, binding not yet confirmed by the informer. */
  assumed: boolean;
}

/**
 * The scheduler's view of the cluster (`internal/cache`): a NodeInfo per node with the pods bound
 * to it and the pods the scheduler has assumed onto it while their binding is in flight, so the
 * next pod does not land on room already promised. The scheduling cycle reads it directly: our
 * cycles are synchronous, so no snapshot copy is needed between mutations (upstream copies the
 * NodeInfos changed since the last cycle into a snapshot because its cache is written
 * concurrently). The numbers Filter and Score read sit in a NodeTable, in node order.
 */
export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** NodeInfos for pods whose node is not (or no longer) known; kept so deletes stay consistent. */
  private readonly ghosts = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private list: NodeInfo[] = [];
  /** The rows of the NodeInfos' hot numbers, in the order nodes arrive (see NodeTable). */
  private readonly table = new NodeTable();
  /** Nodes with pods that have affinity terms / required anti-affinity (upstream's snapshot lists). */
  readonly nodesWithAffinityPods = new Set<NodeInfo>();
  readonly nodesWithRequiredAntiAffinityPods = new Set<NodeInfo>();
  /** How many nodes hold each image, for ImageLocality's spread factor. */
  readonly imageNodeCounts = new Map<string, number>();
  /** How many nodes have a PreferNoSchedule taint (TaintToleration has nothing to score without one). */
  preferNoScheduleTaintedNodes = 0;

  /**
   * Every node, in a stable order. The array is only ever appended to or replaced, never
   * rewritten in place, so a reader may keep data derived from it per (array, length).
   */
  nodes(): NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  addOrUpdateNode(node: Node) {
    const name = node.metadata.name ?? "";
    let info = this.nodeInfos.get(name);
    if (info) {
      this.countImages(info, -1);
      this.countTaints(info, -1);
      info.setNode(node);
    } else {
      info = this.ghosts.get(name);
      if (info) {
        this.ghosts.delete(name);
        info.setNode(node);
      } else {
        info = new NodeInfo(node, this.table.allocate());
      }
      this.nodeInfos.set(name, info);
      this.list.push(info);
      this.trackAffinity(info);
    }
    this.countImages(info, 1);
    this.countTaints(info, 1);
  }

  private countTaints(info: NodeInfo, sign: 1 | -1) {
    if (info.preferNoScheduleTaints.length > 0) this.preferNoScheduleTaintedNodes += sign;
  }

  removeNode(name: string) {
    const info = this.nodeInfos.get(name);
    if (!info) return;
    this.countImages(info, -1);
    this.countTaints(info, -1);
    this.nodeInfos.delete(name);
    this.list = this.list.filter((n) => n !== info);
    this.nodesWithAffinityPods.delete(info);
    this.nodesWithRequiredAntiAffinityPods.delete(info);
    if (info.pods.size > 0) this.ghosts.set(name, info);
    else this.table.release(info.row);
  }

  private countImages(info: NodeInfo, sign: 1 | -1) {
    for (const image of info.imageSizes.keys()) {
      const count = (this.imageNodeCounts.get(image) ?? 0) + sign;
      if (count <= 0) this.imageNodeCounts.delete(image);
      else this.imageNodeCounts.set(image, count);
    }
  }

  private nodeFor(name: string): NodeInfo {
    let info = this.nodeInfos.get(name) ?? this.ghosts.get(name);
    if (!info) {
      info = new NodeInfo({ apiVersion: "v1", kind: "Node", metadata: { name } }, this.table.allocate());
      this.ghosts.set(name, info);
    }
    return info;
  }

  /** The scheduler decided: count the pod on the node before the binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string) {
    this.podStates.set(info.uid, { info, nodeName, assumed: true });
    const node = this.nodeFor(nodeName);
    node.addPod(info);
    this.trackAffinity(node);
  }

  /** Binding failed: take the assumed pod back off the node. */
  forgetPod(uid: string) {
    const state = this.podStates.get(uid);
    if (!state?.assumed) return;
    this.removeFromNode(state);
    this.podStates.delete(uid);
  }

  isAssumed(uid: string): boolean {
    return this.podStates.get(uid)?.assumed ?? false;
  }

  /**
   * The informer saw the binding of a pod this scheduler assumed, and nothing else changed: the
   * pod already counts on that node, so only the object is swapped (upstream re-adds it; the sums
   * come out the same). Returns false when the fast path does not apply.
   */
  confirmAssumedPod(uid: string, pod: Pod, previous: Pod, nodeName: string): boolean {
    const state = this.podStates.get(uid);
    if (!state?.assumed || state.nodeName !== nodeName || state.info.pod !== previous) return false;
    const info: PodInfo = { ...state.info, pod };
    state.info = info;
    state.assumed = false;
    const node = this.nodeInfos.get(nodeName) ?? this.ghosts.get(nodeName);
    node?.replacePodObject(info);
    return true;
  }

  /** The PodInfo of a pod the cache holds (bound or assumed). */
  podInfo(uid: string): PodInfo | undefined {
    return this.podStates.get(uid)?.info;
  }

  /** A bound pod seen by the informer (confirming an assumed one, or any other pod). */
  addOrUpdatePod(info: PodInfo, nodeName: string) {
    const state = this.podStates.get(info.uid);
    if (state) this.removeFromNode(state);
    this.podStates.set(info.uid, { info, nodeName, assumed: false });
    const node = this.nodeFor(nodeName);
    node.addPod(info);
    this.trackAffinity(node);
  }

  removePod(uid: string) {
    const state = this.podStates.get(uid);
    if (!state) return;
    this.removeFromNode(state);
    this.podStates.delete(uid);
  }

  private removeFromNode(state: PodState) {
    const node = this.nodeInfos.get(state.nodeName) ?? this.ghosts.get(state.nodeName);
    node?.removePod(state.info.uid);
    if (node) this.trackAffinity(node);
    if (node && node.pods.size === 0 && this.ghosts.get(state.nodeName) === node) {
      this.ghosts.delete(state.nodeName);
      this.table.release(node.row);
    }
  }

  private trackAffinity(node: NodeInfo) {
    const known = this.nodeInfos.get(node.name) === node;
    if (known && node.podsWithAffinity.size > 0) this.nodesWithAffinityPods.add(node);
    else this.nodesWithAffinityPods.delete(node);
    if (known && node.podsWithRequiredAntiAffinity.size > 0) this.nodesWithRequiredAntiAffinityPods.add(node);
    else this.nodesWithRequiredAntiAffinityPods.delete(node);
  }

  get podCount(): number {
    return this.podStates.size;
  }
}

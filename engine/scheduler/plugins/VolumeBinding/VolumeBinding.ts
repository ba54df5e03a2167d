import type { PersistentVolume, PersistentVolumeClaim } from "../../../api/core";
import { PersistentVolumeClaims, PersistentVolumes } from "../../../api/resources";
import type { NodeInfo } from "../../framework/NodeInfo";
import { wholeValue } from "../../framework/quantity";
import { Status } from "../../framework/Status";
import { compileLabelSelector, matchesNodeSelectorTerm } from "../../framework/selectors";
import type { Handle, Plugin, PluginFactory } from "../../framework/types";

export const name = "VolumeBinding";
export const reasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
export const reasonNodeConflict = "node(s) had volume node affinity conflict";
export const reasonBindConflict = "node(s) didn't find available persistent volumes to bind";
/** The annotation the scheduler sets on a WaitForFirstConsumer claim for the provisioner. */
export const selectedNodeAnnotation = "volume.kubernetes.io/selected-node";

interface VolumeState {
  /** Claims already bound to a volume (checked against the volume's node affinity). */
  bound: PersistentVolume[];
  /** WaitForFirstConsumer claims still to bind: provisioned dynamically, or matched to a static volume. */
  delayed: Array<{ claim: PersistentVolumeClaim; dynamic: boolean }>;
  /** Static volumes chosen per node in Filter, used by PreBind. */
  chosen: Map<string, Map<string, PersistentVolume>>;
}

/**
 * Persistent volume claims: a bound claim's volume must be reachable from the node; an unbound
 * `Immediate` claim blocks scheduling until the volume controller binds it; an unbound
 * `WaitForFirstConsumer` claim is matched to an available static volume on the node, or left to
 * the provisioner, which learns the node from the `volume.kubernetes.io/selected-node` annotation
 * set in PreBind (the simple form of upstream's assume/bind cache).
 */
export const VolumeBinding: PluginFactory = {
  name,
  create: (handle): Plugin => ({
    name,
    events: [
      { resource: "PersistentVolumeClaim", action: "Add" },
      { resource: "PersistentVolumeClaim", action: "Update" },
      { resource: "PersistentVolume", action: "Add" },
      { resource: "PersistentVolume", action: "Update" },
      { resource: "StorageClass", action: "Add" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    preFilter(state, pod) {
      if (pod.claims.length === 0) return { status: Status.skip() };
      const volumeState: VolumeState = { bound: [], delayed: [], chosen: new Map() };
      let unboundImmediate = false;
      for (const key of pod.claims) {
        const [namespace, claimName] = key.split("/");
        const claim = handle.persistentVolumeClaim(namespace, claimName);
        if (!claim) return { status: Status.unresolvable(`persistentvolumeclaim "${claimName}" not found`) };
        if (claim.metadata.deletionTimestamp) {
          return { status: Status.unresolvable(`persistentvolumeclaim "${claimName}" is being deleted`) };
        }
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          const volume = [...handle.persistentVolumes()].find((pv) => pv.metadata.name === volumeName);
          if (volume) volumeState.bound.push(volume);
          continue;
        }
        const className = claim.spec?.storageClassName ?? "";
        const storageClass = className ? handle.storageClass(className) : undefined;
        if (storageClass?.volumeBindingMode === "WaitForFirstConsumer") {
          const dynamic = storageClass.provisioner !== "kubernetes.io/no-provisioner";
          volumeState.delayed.push({ claim, dynamic });
        } else {
          unboundImmediate = true;
        }
      }
      if (unboundImmediate) return { status: Status.unresolvable(reasonUnboundImmediate) };
      state.write(name, volumeState);
      return { status: null };
    },
    filter(state, _pod, node) {
      const volumeState = state.read<VolumeState>(name);
      if (!volumeState) return null;
      for (const volume of volumeState.bound) {
        if (!volumeReachable(volume, node)) return Status.unresolvable(reasonNodeConflict);
      }
      const chosen = new Map<string, PersistentVolume>();
      for (const { claim, dynamic } of volumeState.delayed) {
        if (dynamic) continue;
        const volume = findMatchingVolume(handle, claim, node, chosen);
        if (!volume) return Status.unresolvable(reasonBindConflict);
        chosen.set(`${claim.metadata.namespace}/${claim.metadata.name}`, volume);
      }
      if (chosen.size > 0) volumeState.chosen.set(node.name, chosen);
      return null;
    },
    async preBind(state, pod, nodeName) {
      const volumeState = state.read<VolumeState>(name);
      if (!volumeState) return null;
      try {
        for (const { claim, dynamic } of volumeState.delayed) {
          const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
          if (dynamic) {
            await handle.client.patch(
              PersistentVolumeClaims,
              claim.metadata.namespace,
              claim.metadata.name ?? "",
              "merge",
              {
                metadata: { annotations: { [selectedNodeAnnotation]: nodeName } },
              },
            );
            continue;
          }
          const volume = volumeState.chosen.get(nodeName)?.get(key);
          if (!volume) continue;
          // Pre-bind the volume to the claim; the PV controller completes the two-way binding.
          await handle.client.patch(PersistentVolumes, undefined, volume.metadata.name ?? "", "merge", {
            spec: {
              claimRef: {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                namespace: claim.metadata.namespace,
                name: claim.metadata.name,
                uid: claim.metadata.uid,
              },
            },
          });
        }
        return null;
      } catch (error) {
        return Status.error(`binding volumes for pod ${pod.key}: ${error instanceof Error ? error.message : error}`);
      }
    },
  }),
};

function volumeReachable(volume: PersistentVolume, node: NodeInfo): boolean {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((term) => matchesNodeSelectorTerm(term, node.labels, node.name));
}

/** The smallest available volume that satisfies the claim on this node (upstream FindMatchingVolume). */
function findMatchingVolume(
  handle: Handle,
  claim: PersistentVolumeClaim,
  node: NodeInfo,
  taken: Map<string, PersistentVolume>,
): PersistentVolume | undefined {
  const wanted = wholeValue(claim.spec?.resources?.requests?.storage);
  const className = claim.spec?.storageClassName ?? "";
  const modes = claim.spec?.accessModes ?? [];
  const selector = claim.spec?.selector ? compileLabelSelector(claim.spec.selector) : undefined;
  const takenNames = new Set([...taken.values()].map((pv) => pv.metadata.name));
  let best: PersistentVolume | undefined;
  let bestSize = Number.POSITIVE_INFINITY;
  for (const volume of handle.persistentVolumes()) {
    if (volume.spec?.claimRef || volume.metadata.deletionTimestamp) continue;
    if (volume.status?.phase && volume.status.phase !== "Available") continue;
    if ((volume.spec?.storageClassName ?? "") !== className) continue;
    if (takenNames.has(volume.metadata.name)) continue;
    if (!modes.every((mode) => (volume.spec?.accessModes ?? []).includes(mode))) continue;
    if (selector && !selector(volume.metadata.labels)) continue;
    const size = wholeValue(volume.spec?.capacity?.storage);
    if (size < wanted || size >= bestSize) continue;
    if (!volumeReachable(volume, node)) continue;
    best = volume;
    bestSize = size;
  }
  return best;
}

import type { PersistentVolume, PersistentVolumeClaim } from "../../api/core";
import { quantityToNumber } from "../../api/quantity";
import { PersistentVolumeClaims, PersistentVolumes, StorageClasses } from "../../api/resources";
import type { StorageClass } from "../../api/storage";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isAlreadyExists, isNotFound } from "../shared/claim";
import { selectorFromLabelSelector } from "../shared/labels";
import { keyOf, splitKey } from "../shared/pods";

export const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
const BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
const BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
const STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
const BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
const DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
/** The simulated provisioner, as kind's local-path-provisioner. */
export const LOCAL_PATH_PROVISIONER = "rancher.io/local-path";

/**
 * pkg/controller/volume/persistentvolume plus a simulated local-path provisioner: a pending claim
 * binds to the smallest Available volume that fits (class, access modes, size, selector); failing
 * that, a claim of a class provisioned by `rancher.io/local-path` gets a new volume `pvc-<uid>`
 * (immediately, or once the scheduler picked a node for WaitForFirstConsumer). Volumes whose claim
 * is gone are Released, and deleted when their reclaim policy is Delete.
 */
export class PersistentVolumeController {
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly provisionerRecorder: Recorder;
  private readonly volumes;
  private readonly claims;
  private readonly classes;

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("persistentvolume-controller");
    this.provisionerRecorder = context.recorder(`${LOCAL_PATH_PROVISIONER}_local-path-provisioner`);
    this.volumes = context.informer<PersistentVolume>(PersistentVolumes);
    this.claims = context.informer<PersistentVolumeClaim>(PersistentVolumeClaims);
    this.classes = context.informer<StorageClass>(StorageClasses);
    this.claimQueue = context.loop("persistentvolume-claims", (key) => this.syncClaim(key));
    this.volumeQueue = context.loop("persistentvolume-volumes", (name) => this.syncVolume(name));
    this.claims.addHandlers({
      add: (claim) => this.claimQueue.add(keyOf(claim)),
      update: (_old, claim) => this.claimQueue.add(keyOf(claim)),
      delete: (claim) => {
        for (const volume of this.volumes.list())
          if (volume.spec?.claimRef?.uid === claim.metadata.uid) this.volumeQueue.add(volume.metadata.name ?? "");
      },
    });
    this.volumes.addHandlers({
      add: (volume) => this.volumeChanged(volume),
      update: (_old, volume) => this.volumeChanged(volume),
    });
  }

  private volumeChanged(volume: PersistentVolume): void {
    this.volumeQueue.add(volume.metadata.name ?? "");
    const reference = volume.spec?.claimRef;
    if (reference?.name) this.claimQueue.add(`${reference.namespace}/${reference.name}`);
    else for (const claim of this.claims.list()) if (claim.status?.phase !== "Bound") this.claimQueue.add(keyOf(claim));
  }

  private defaultClass(): StorageClass | undefined {
    return this.classes.list().find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === "true");
  }

  private classOf(claim: PersistentVolumeClaim): string {
    if (claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== null)
      return claim.spec.storageClassName;
    return this.defaultClass()?.metadata.name ?? "";
  }

  async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.claims.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    let claim = structuredClone(cached);
    // RetroactiveDefaultStorageClass: a claim created without a class gets today's default.
    if (
      !claim.spec?.volumeName &&
      (claim.spec?.storageClassName === undefined || claim.spec.storageClassName === null)
    ) {
      const fallback = this.defaultClass();
      if (fallback) {
        claim.spec = { ...(claim.spec ?? {}), storageClassName: fallback.metadata.name };
        claim = await this.context.client.update<PersistentVolumeClaim>(PersistentVolumeClaims, claim);
      }
    }
    if (claim.spec?.volumeName) {
      const volume = this.volumes.get(undefined, claim.spec.volumeName);
      if (!volume) {
        if (claim.status?.phase === "Bound") await this.setClaimPhase(claim, "Lost");
        return;
      }
      if (!volume.spec?.claimRef) await this.bindVolume(volume, claim);
      if (claim.status?.phase !== "Bound") await this.markClaimBound(claim, volume);
      return;
    }
    // A volume already reserved for this claim (by the scheduler, or a half-done bind).
    const reserved = this.volumes
      .list()
      .find(
        (v) =>
          v.spec?.claimRef?.name === name &&
          v.spec.claimRef.namespace === namespace &&
          (!v.spec.claimRef.uid || v.spec.claimRef.uid === claim.metadata.uid),
      );
    const match = reserved ?? this.findMatch(claim);
    if (match) {
      const bound = await this.bindVolume(match, claim);
      await this.bindClaim(claim, bound);
      return;
    }
    if (claim.status?.phase !== "Pending") await this.setClaimPhase(claim, "Pending");
    const className = this.classOf(claim);
    const storageClass = className ? this.classes.get(undefined, className) : undefined;
    if (!storageClass) {
      const message = className
        ? `storageclass.storage.k8s.io "${className}" not found`
        : "no persistent volumes available for this claim and no storage class is set";
      this.recorder.event(
        claim,
        className ? "Warning" : "Normal",
        className ? "ProvisioningFailed" : "FailedBinding",
        message,
      );
      return;
    }
    const selectedNode = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (storageClass.volumeBindingMode === "WaitForFirstConsumer" && !selectedNode) {
      this.recorder.event(
        claim,
        "Normal",
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
      );
      return;
    }
    if (storageClass.provisioner !== LOCAL_PATH_PROVISIONER) {
      await this.annotateProvisioner(claim, storageClass.provisioner);
      this.recorder.event(
        claim,
        "Normal",
        "ExternalProvisioning",
        externalProvisioningMessage(storageClass.provisioner),
      );
      return;
    }
    await this.annotateProvisioner(claim, storageClass.provisioner);
    this.recorder.event(claim, "Normal", "ExternalProvisioning", externalProvisioningMessage(storageClass.provisioner));
    await this.provision(claim, storageClass, selectedNode);
  }

  /** findBestMatchForClaim: the smallest Available volume that satisfies the claim. */
  private findMatch(claim: PersistentVolumeClaim): PersistentVolume | undefined {
    const className = this.classOf(claim);
    const requested = quantity(claim.spec?.resources?.requests?.storage);
    const modes = claim.spec?.accessModes ?? [];
    const selector = claim.spec?.selector ? selectorFromLabelSelector(claim.spec.selector) : undefined;
    let best: PersistentVolume | undefined;
    for (const volume of this.volumes.list()) {
      if (volume.spec?.claimRef || volume.metadata.deletionTimestamp) continue;
      if ((volume.spec?.storageClassName ?? "") !== className) continue;
      if ((volume.spec?.volumeMode ?? "Filesystem") !== (claim.spec?.volumeMode ?? "Filesystem")) continue;
      const volumeModes = volume.spec?.accessModes ?? [];
      if (!modes.every((mode) => volumeModes.includes(mode))) continue;
      const capacity = quantity(volume.spec?.capacity?.storage);
      if (capacity < requested) continue;
      if (selector && !selector.matches(volume.metadata.labels)) continue;
      if (!best || capacity < quantity(best.spec?.capacity?.storage)) best = volume;
    }
    return best;
  }

  private async bindVolume(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const reference = volume.spec?.claimRef;
    if (reference?.uid === claim.metadata.uid && volume.status?.phase === "Bound") return volume;
    const copy = structuredClone(volume);
    copy.spec = {
      ...(copy.spec ?? {}),
      claimRef: {
        kind: "PersistentVolumeClaim",
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        apiVersion: "v1",
        resourceVersion: claim.metadata.resourceVersion,
      },
    };
    copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER]: "yes" };
    let updated = await this.context.client.update<PersistentVolume>(PersistentVolumes, copy);
    updated.status = {
      ...(updated.status ?? {}),
      phase: "Bound",
      lastPhaseTransitionTime: toRfc3339(this.context.clock.now()),
    };
    updated = await this.context.client.update<PersistentVolume>(PersistentVolumes, updated, { subresource: "status" });
    return updated;
  }

  private async bindClaim(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<void> {
    const copy = structuredClone(claim);
    copy.spec = { ...(copy.spec ?? {}), volumeName: volume.metadata.name };
    copy.metadata.annotations = {
      ...(copy.metadata.annotations ?? {}),
      [BIND_COMPLETED]: "yes",
      [BOUND_BY_CONTROLLER]: "yes",
    };
    const updated = await this.context.client.update<PersistentVolumeClaim>(PersistentVolumeClaims, copy);
    await this.markClaimBound(updated, volume);
  }

  private async markClaimBound(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<void> {
    claim.status = {
      ...(claim.status ?? {}),
      phase: "Bound",
      accessModes: volume.spec?.accessModes,
      capacity: volume.spec?.capacity,
    };
    await this.context.client.update(PersistentVolumeClaims, claim, { subresource: "status" });
  }

  private async setClaimPhase(claim: PersistentVolumeClaim, phase: string): Promise<void> {
    claim.status = { ...(claim.status ?? {}), phase };
    await this.context.client.update(PersistentVolumeClaims, claim, { subresource: "status" });
  }

  private async annotateProvisioner(claim: PersistentVolumeClaim, provisioner: string): Promise<void> {
    if (claim.metadata.annotations?.[STORAGE_PROVISIONER] === provisioner) return;
    const patched = await this.context.client.patch<PersistentVolumeClaim>(
      PersistentVolumeClaims,
      claim.metadata.namespace,
      claim.metadata.name ?? "",
      "merge",
      { metadata: { annotations: { [STORAGE_PROVISIONER]: provisioner, [BETA_STORAGE_PROVISIONER]: provisioner } } },
    );
    claim.metadata = patched.metadata;
  }

  /** The simulated local-path provisioner: a hostPath volume on the selected node. */
  private async provision(
    claim: PersistentVolumeClaim,
    storageClass: StorageClass,
    node: string | undefined,
  ): Promise<void> {
    const name = `pvc-${claim.metadata.uid}`;
    if (this.volumes.get(undefined, name)) return;
    const namespace = claim.metadata.namespace ?? "";
    this.provisionerRecorder.event(
      claim,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${namespace}/${claim.metadata.name}"`,
    );
    const volume: PersistentVolume = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: {
        name,
        annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, "local.path.provisioner/selected-node": node ?? "" },
      },
      spec: {
        capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? "1Gi") },
        accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
        storageClassName: storageClass.metadata.name,
        volumeMode: claim.spec?.volumeMode ?? "Filesystem",
        hostPath: {
          path: `/var/local-path-provisioner/${name}_${namespace}_${claim.metadata.name}`,
          type: "DirectoryOrCreate",
        },
        claimRef: {
          kind: "PersistentVolumeClaim",
          namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          apiVersion: "v1",
          resourceVersion: claim.metadata.resourceVersion,
        },
      },
    };
    if (!node) delete volume.metadata.annotations?.["local.path.provisioner/selected-node"];
    if (node && volume.spec) {
      volume.spec.nodeAffinity = {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
          ],
        },
      };
    }
    try {
      await this.context.client.create(PersistentVolumes, volume);
    } catch (error) {
      if (isAlreadyExists(error)) return;
      this.provisionerRecorder.event(
        claim,
        "Warning",
        "ProvisioningFailed",
        `failed to provision volume with StorageClass "${storageClass.metadata.name}": ${String(error)}`,
      );
      throw error;
    }
    this.provisionerRecorder.event(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${name}`);
  }

  async syncVolume(name: string): Promise<void> {
    const cached = this.volumes.get(undefined, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const volume = structuredClone(cached);
    const reference = volume.spec?.claimRef;
    const now = toRfc3339(this.context.clock.now());
    if (!reference) {
      if (volume.status?.phase !== "Available") {
        volume.status = { ...(volume.status ?? {}), phase: "Available", lastPhaseTransitionTime: now };
        await this.context.client.update(PersistentVolumes, volume, { subresource: "status" });
      }
      return;
    }
    const claim = reference.name ? this.claims.get(reference.namespace, reference.name) : undefined;
    if (claim && (!reference.uid || claim.metadata.uid === reference.uid)) return;
    if (!reference.uid) return; // Pre-bound to a claim that does not exist yet.
    // Confirm with the API before calling the claim gone.
    try {
      const fresh = await this.context.client.get<PersistentVolumeClaim>(
        PersistentVolumeClaims,
        reference.namespace,
        reference.name ?? "",
      );
      if (fresh.metadata.uid === reference.uid) return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if ((volume.spec?.persistentVolumeReclaimPolicy ?? "Retain") === "Delete") {
      try {
        await this.context.client.delete(PersistentVolumes, undefined, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return;
    }
    if (volume.status?.phase !== "Released") {
      volume.status = { ...(volume.status ?? {}), phase: "Released", lastPhaseTransitionTime: now };
      await this.context.client.update(PersistentVolumes, volume, { subresource: "status" });
    }
  }
}

function quantity(value: string | number | undefined): number {
  if (value === undefined) return 0;
  try {
    return quantityToNumber(value);
  } catch {
    return 0;
  }
}

function externalProvisioningMessage(provisioner: string): string {
  return `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;
}

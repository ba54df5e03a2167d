import type { ControllerRevision, StatefulSet, StatefulSetStatus } from "../../api/apps";
import type { PersistentVolumeClaim, Pod } from "../../api/core";
import { ControllerRevisions, PersistentVolumeClaims, Pods, StatefulSets } from "../../api/resources";
import type { KubeObject, OwnerReference } from "../../api/types";
import { errorMessage } from "../replicaset/ReplicaSetController";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { revisionFor, revisionMatches } from "../shared/controllerRevisions";
import { selectorFromLabelSelector } from "../shared/labels";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { isPodAvailable, isPodReady, keyOf, splitKey } from "../shared/pods";

const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
const REVISION_LABEL = "controller-revision-hash";

/**
 * pkg/controller/statefulset: pods `<set>-<ordinal>` with stable hostnames under the governing
 * service, their PersistentVolumeClaims `<claim>-<set>-<ordinal>` from volumeClaimTemplates,
 * OrderedReady (one at a time, in order; scale down from the highest ordinal) or Parallel pod
 * management, RollingUpdate from the highest ordinal down to the partition, or OnDelete.
 */
export class StatefulSetController {
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly sets;
  private readonly pods;
  private readonly claims;
  private readonly revisions;

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("statefulset-controller");
    this.sets = context.informer<StatefulSet>(StatefulSets);
    this.pods = context.informer<Pod>(Pods);
    this.claims = context.informer<PersistentVolumeClaim>(PersistentVolumeClaims);
    this.revisions = context.informer<ControllerRevision>(ControllerRevisions);
    this.queue = context.loop("statefulset", (key) => this.sync(key));
    this.sets.addHandlers({
      add: (set) => this.queue.add(keyOf(set)),
      update: (_old, set) => this.queue.add(keyOf(set)),
    });
    const podChanged = (pod: Pod) => {
      const reference = controllerOf(pod);
      if (reference?.kind !== "StatefulSet") return;
      const set = this.sets.get(pod.metadata.namespace, reference.name);
      if (!set || set.metadata.uid !== reference.uid) return;
      this.queue.add(keyOf(set));
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod)) this.queue.addAfter(keyOf(set), minReady * 1000);
    };
    this.pods.addHandlers({ add: podChanged, update: (_old, pod) => podChanged(pod), delete: podChanged });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const set = structuredClone(cached);
    const spec = set.spec;
    if (!spec) return;
    const selector = selectorFromLabelSelector(spec.selector);
    const { current, update } = await this.revisionsFor(set);
    const start = spec.ordinals?.start ?? 0;
    const replicas = spec.replicas ?? 1;
    const pods = this.pods
      .list(namespace)
      .filter((pod) => controllerOf(pod)?.uid === set.metadata.uid && selector.matches(pod.metadata.labels));
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ordinal = ordinalOf(set, pod);
      if (ordinal === undefined) continue;
      if (ordinal >= start && ordinal < start + replicas) byOrdinal.set(ordinal, pod);
      else condemned.push(pod);
    }
    condemned.sort((a, b) => (ordinalOf(set, b) ?? 0) - (ordinalOf(set, a) ?? 0));
    const parallel = spec.podManagementPolicy === "Parallel";
    const now = this.context.clock.now();
    const minReady = spec.minReadySeconds ?? 0;

    // Claims follow persistentVolumeClaimRetentionPolicy (an owner reference to the set, or to a
    // scaled-down pod so that the claim goes with it).
    for (const pod of byOrdinal.values()) await this.updateClaimsForRetentionPolicy(set, pod);

    // Create or recreate missing and failed pods, in order.
    let blocked = false;
    for (let ordinal = start; ordinal < start + replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (pod?.status?.phase === "Failed" || pod?.status?.phase === "Succeeded") {
        if (!pod.metadata.deletionTimestamp) await this.deletePod(set, pod);
        if (!parallel) blocked = true;
        if (blocked) break;
        continue;
      }
      if (!pod) {
        const revision = this.revisionForOrdinal(set, ordinal, current, update);
        await this.createPod(set, ordinal, revision);
        if (!parallel) {
          blocked = true;
          break;
        }
        continue;
      }
      if (!parallel && (!isPodReady(pod) || pod.metadata.deletionTimestamp || !isPodAvailable(pod, minReady, now))) {
        blocked = true;
        break;
      }
    }

    // Scale down from the highest ordinal, one at a time unless Parallel.
    if (!blocked) {
      for (const pod of condemned) {
        if (pod.metadata.deletionTimestamp) {
          if (!parallel) break;
          continue;
        }
        await this.updateClaimsForRetentionPolicy(set, pod);
        await this.deletePod(set, pod);
        if (!parallel) break;
      }
    }

    // Rolling update from the highest ordinal down to the partition.
    const strategy = spec.updateStrategy?.type ?? "RollingUpdate";
    if (!blocked && condemned.length === 0 && strategy === "RollingUpdate") {
      const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const allHealthy = [...byOrdinal.values()].every((pod) => isPodReady(pod) && !pod.metadata.deletionTimestamp);
      if (allHealthy || parallel) {
        for (let ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--) {
          const pod = byOrdinal.get(ordinal);
          if (!pod || pod.metadata.labels?.[REVISION_LABEL] === update.metadata.name) continue;
          if (!pod.metadata.deletionTimestamp) await this.deletePod(set, pod);
          break;
        }
      }
    }

    await this.updateStatus(set, pods, current, update);
  }

  /** Which revision a new pod at `ordinal` gets: below the partition it keeps the current one. */
  private revisionForOrdinal(
    set: StatefulSet,
    ordinal: number,
    current: ControllerRevision,
    update: ControllerRevision,
  ) {
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const start = set.spec?.ordinals?.start ?? 0;
    if (set.spec?.updateStrategy?.type === "OnDelete") return update;
    return ordinal - start < partition ? current : update;
  }

  private async revisionsFor(set: StatefulSet): Promise<{ current: ControllerRevision; update: ControllerRevision }> {
    const template = set.spec?.template ?? {};
    const owned = this.revisions
      .list(set.metadata.namespace)
      .filter((revision) => controllerOf(revision)?.uid === set.metadata.uid)
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    let update = owned.find((revision) => revisionMatches(revision, template));
    const max = owned.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
    if (!update) {
      const created = revisionFor(
        set,
        template,
        max + 1,
        set.status?.collisionCount,
        set.spec?.selector.matchLabels ?? {},
      );
      try {
        update = await this.context.client.create<ControllerRevision>(ControllerRevisions, created);
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        update = await this.context.client.get<ControllerRevision>(
          ControllerRevisions,
          set.metadata.namespace,
          created.metadata.name ?? "",
        );
      }
      await this.truncateHistory(set, [...owned, update]);
    } else if ((update.revision ?? 0) < max) {
      const copy = structuredClone(update);
      copy.revision = max + 1;
      update = await this.context.client.update<ControllerRevision>(ControllerRevisions, copy);
    }
    const currentName = set.status?.currentRevision;
    const current = owned.find((revision) => revision.metadata.name === currentName) ?? update;
    return { current, update };
  }

  private async truncateHistory(set: StatefulSet, revisions: ControllerRevision[]): Promise<void> {
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    const live = new Set([
      set.status?.currentRevision,
      set.status?.updateRevision,
      ...this.pods.list(set.metadata.namespace).map((pod) => pod.metadata.labels?.[REVISION_LABEL]),
    ]);
    const history = revisions.filter((revision) => !live.has(revision.metadata.name)).slice(0, -1);
    for (const revision of history.slice(0, Math.max(0, history.length - limit))) {
      await this.context.client
        .delete(ControllerRevisions, revision.metadata.namespace, revision.metadata.name ?? "")
        .catch((error) => {
          if (!isNotFound(error)) throw error;
        });
    }
  }

  private async createPod(set: StatefulSet, ordinal: number, revision: ControllerRevision): Promise<void> {
    const name = `${set.metadata.name}-${ordinal}`;
    const template = structuredClone(revisionTemplate(revision) ?? set.spec?.template ?? {});
    for (const claim of set.spec?.volumeClaimTemplates ?? []) await this.ensureClaim(set, claim, name, ordinal);
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: set.metadata.namespace,
        labels: {
          ...(template.metadata?.labels ?? {}),
          [POD_NAME_LABEL]: name,
          [POD_INDEX_LABEL]: String(ordinal),
          [REVISION_LABEL]: revision.metadata.name ?? "",
        },
        ownerReferences: [newControllerRef(set)],
      },
      spec: { ...(template.spec ?? { containers: [] }), hostname: name, subdomain: set.spec?.serviceName },
    };
    if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
    if (!pod.spec?.subdomain && pod.spec) delete pod.spec.subdomain;
    const volumes = [...(pod.spec?.volumes ?? [])];
    for (const claim of set.spec?.volumeClaimTemplates ?? []) {
      const volumeName = claim.metadata.name ?? "";
      const claimName = `${volumeName}-${set.metadata.name}-${ordinal}`;
      const index = volumes.findIndex((volume) => volume.name === volumeName);
      const volume = { name: volumeName, persistentVolumeClaim: { claimName } };
      if (index >= 0) volumes[index] = volume;
      else volumes.push(volume);
    }
    if (pod.spec && volumes.length) pod.spec.volumes = volumes;
    try {
      await this.context.client.create(Pods, pod);
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulCreate",
        `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
      );
    } catch (error) {
      if (isAlreadyExists(error) || isNamespaceTerminating(error)) return;
      this.recorder.event(
        set,
        "Warning",
        "FailedCreate",
        `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`,
      );
      throw error;
    }
  }

  private async ensureClaim(
    set: StatefulSet,
    template: PersistentVolumeClaim,
    podName: string,
    ordinal: number,
  ): Promise<void> {
    const claimName = `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
    if (this.claims.get(set.metadata.namespace, claimName)) return;
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName,
        namespace: set.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}), ...(set.spec?.selector.matchLabels ?? {}) },
      },
      spec: structuredClone(template.spec ?? {}),
    };
    if (template.metadata.annotations) claim.metadata.annotations = { ...template.metadata.annotations };
    // A new claim belongs to a pod in range: the set owns it when whenDeleted is Delete.
    const references = retentionOwnerReferences(claim, set, undefined, false);
    if (references.length) claim.metadata.ownerReferences = references;
    try {
      await this.context.client.create(PersistentVolumeClaims, claim);
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulCreate",
        `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata.name} success`,
      );
    } catch (error) {
      if (isAlreadyExists(error)) return;
      this.recorder.event(
        set,
        "Warning",
        "FailedCreate",
        `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`,
      );
      throw error;
    }
  }

  /**
   * UpdatePodClaimForRetentionPolicy: brings the owner references of `pod`'s existing claims in line
   * with the policy. A claim another controller owns, or one still referring to an earlier set or
   * pod of the same name, is left alone (isClaimOwnerUpToDate).
   */
  private async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = ordinalOf(set, pod);
    if (ordinal === undefined) return;
    const start = set.spec?.ordinals?.start ?? 0;
    const scaledDown = ordinal < start || ordinal >= start + (set.spec?.replicas ?? 1);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
      const claim = this.claims.get(set.metadata.namespace, claimName);
      if (!claim || hasStaleReference(claim, set) || hasStaleReference(claim, pod)) continue;
      const references = retentionOwnerReferences(claim, set, pod, scaledDown);
      if (JSON.stringify(references) === JSON.stringify(claim.metadata.ownerReferences ?? [])) continue;
      const updated = structuredClone(claim);
      updated.metadata.ownerReferences = references.length ? references : undefined;
      try {
        await this.context.client.update(PersistentVolumeClaims, updated);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.context.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "");
      this.recorder.event(
        set,
        "Normal",
        "SuccessfulDelete",
        `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      );
    } catch (error) {
      if (isNotFound(error)) return;
      this.recorder.event(
        set,
        "Warning",
        "FailedDelete",
        `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(error)}`,
      );
      throw error;
    }
  }

  private async updateStatus(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision) {
    const now = this.context.clock.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const live = pods.filter((pod) => !pod.metadata.deletionTimestamp);
    const status: StatefulSetStatus = {
      ...(set.status ?? { replicas: 0 }),
      observedGeneration: set.metadata.generation,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      availableReplicas: live.filter((pod) => isPodAvailable(pod, minReady, now)).length,
      currentReplicas: live.filter((pod) => pod.metadata.labels?.[REVISION_LABEL] === current.metadata.name).length,
      updatedReplicas: live.filter((pod) => pod.metadata.labels?.[REVISION_LABEL] === update.metadata.name).length,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
    };
    // Once every pod runs the update revision, it becomes the current one.
    if (status.updatedReplicas === (set.spec?.replicas ?? 1) && status.readyReplicas === status.updatedReplicas) {
      status.currentRevision = update.metadata.name;
      status.currentReplicas = status.updatedReplicas;
    }
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    set.status = status;
    await this.context.client.update(StatefulSets, set, { subresource: "status" });
  }
}

function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? "";
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

function revisionTemplate(
  revision: ControllerRevision,
): StatefulSet["spec"] extends infer S ? (S extends { template: infer T } ? T : never) : never {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = { ...(data?.spec?.template ?? {}) };
  delete template.$patch;
  return template as never;
}

/** matchesRef: an owner reference naming `owner` by kind and name (whatever its uid). */
function namesOwner(reference: OwnerReference, owner: KubeObject): boolean {
  return reference.kind === owner.kind && reference.name === owner.metadata.name;
}

/** hasStaleOwnerRef: the claim refers to an earlier object of the same kind and name. */
function hasStaleReference(claim: PersistentVolumeClaim, owner: KubeObject): boolean {
  const reference = (claim.metadata.ownerReferences ?? []).find((r) => namesOwner(r, owner));
  return reference !== undefined && reference.uid !== owner.metadata.uid;
}

/**
 * updateClaimOwnerRefForSetAndPod: the claim's owner references for the retention policy. Ours to
 * the set and the pod are scrubbed, then: whenScaled Delete and the pod scaled down, a controller
 * reference to the pod (the claim is deleted with it); otherwise whenDeleted Delete, one to the set.
 * A claim some other controller owns only loses our references.
 */
export function retentionOwnerReferences(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod | undefined,
  scaledDown: boolean,
): OwnerReference[] {
  const references = claim.metadata.ownerReferences ?? [];
  const ours = (reference: OwnerReference) =>
    namesOwner(reference, set) || (pod !== undefined && namesOwner(reference, pod));
  const scrubbed = references.filter((reference) => !ours(reference));
  if (scrubbed.some((reference) => reference.controller === true)) return scrubbed;
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  if (policy?.whenScaled === "Delete" && scaledDown && pod) return [...scrubbed, newControllerRef(pod)];
  if (policy?.whenDeleted === "Delete" && !(policy?.whenScaled === "Delete" && scaledDown)) {
    return [...scrubbed, newControllerRef(set)];
  }
  return scrubbed;
}

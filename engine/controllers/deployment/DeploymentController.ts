import type { Deployment, DeploymentStatus, ReplicaSet } from "../../api/apps";
import type { Pod } from "../../api/core";
import { Deployments, Pods, ReplicaSets } from "../../api/resources";
import type { OwnerReference } from "../../api/types";
import type { Client } from "../../client/Client";
import { toRfc3339 } from "../../clock/Clock";
import { errorMessage } from "../replicaset/ReplicaSetController";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { claimObjects, isAlreadyExists, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { computeHash } from "../shared/hash";
import { isEmptySelector, selectorFromLabelSelector } from "../shared/labels";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { keyOf, splitKey } from "../shared/pods";
import {
  activeReplicaSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  conditionOf,
  DESIRED_REPLICAS_ANNOTATION,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  POD_TEMPLATE_HASH_LABEL,
  progressDeadlineSeconds,
  proportion,
  REVISION_ANNOTATION,
  Reasons,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumSpecReplicas,
  sumStatus,
} from "./util";

/**
 * pkg/controller/deployment: drives ReplicaSets towards a Deployment's template with the rolling
 * update or recreate strategy, proportional scaling, revisions, conditions and history cleanup.
 * Each sync works on a private copy `d` of the cached deployment; status writes go to `/status`.
 */
export class DeploymentController {
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly deployments;
  private readonly replicaSets;
  private readonly pods;

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("deployment-controller");
    this.deployments = context.informer<Deployment>(Deployments);
    this.replicaSets = context.informer<ReplicaSet>(ReplicaSets);
    this.pods = context.informer<Pod>(Pods);
    this.queue = context.loop("deployment", (key) => this.sync(key));

    this.deployments.addHandlers({
      add: (d) => this.queue.add(keyOf(d)),
      update: (_old, d) => this.queue.add(keyOf(d)),
      delete: (d) => this.queue.add(keyOf(d)),
    });
    this.replicaSets.addHandlers({
      add: (rs) => this.replicaSetChanged(undefined, rs),
      update: (old, rs) => this.replicaSetChanged(old, rs),
      delete: (rs) => {
        const reference = controllerOf(rs);
        const d = reference && this.resolve(rs.metadata.namespace, reference);
        if (d) this.queue.add(keyOf(d));
      },
    });
    this.pods.addHandlers({
      // Recreate waits for every old pod to be gone before it scales up the new ReplicaSet.
      delete: (pod) => this.podDeleted(pod),
    });
  }

  private get client(): Client {
    return this.context.client;
  }

  private resolve(namespace: string | undefined, reference: OwnerReference): Deployment | undefined {
    if (reference.kind !== "Deployment") return undefined;
    const d = this.deployments.get(namespace, reference.name);
    return d && d.metadata.uid === reference.uid ? d : undefined;
  }

  private replicaSetChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const oldReference = old && controllerOf(old);
    const reference = controllerOf(rs);
    if (oldReference && oldReference.uid !== reference?.uid) {
      const previous = this.resolve(old?.metadata.namespace, oldReference);
      if (previous) this.queue.add(keyOf(previous));
    }
    if (reference) {
      const d = this.resolve(rs.metadata.namespace, reference);
      if (d) this.queue.add(keyOf(d));
      return;
    }
    const labelsChanged =
      !old || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {});
    if (labelsChanged || oldReference) {
      for (const d of this.deployments.list(rs.metadata.namespace)) {
        if (selectorFromLabelSelector(d.spec?.selector).matches(rs.metadata.labels)) this.queue.add(keyOf(d));
      }
    }
  }

  private podDeleted(pod: Pod): void {
    const rsReference = controllerOf(pod);
    if (rsReference?.kind !== "ReplicaSet") return;
    const rs = this.replicaSets.get(pod.metadata.namespace, rsReference.name);
    const reference = rs && controllerOf(rs);
    const d = reference && this.resolve(pod.metadata.namespace, reference);
    if (d && d.spec?.strategy?.type === "Recreate") this.queue.add(keyOf(d));
  }

  private now(): string {
    return toRfc3339(this.context.clock.now());
  }

  /** syncDeployment. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);

    if (isEmptySelector(d.spec?.selector)) {
      this.recorder.event(
        d,
        "Warning",
        "SelectingAll",
        "This deployment is selecting all pods. A non-empty selector is required.",
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.updateStatus(d);
      }
      return;
    }

    const rsList = await this.replicaSetsFor(d);
    if (d.metadata.deletionTimestamp) {
      await this.syncStatusOnly(d, rsList);
      return;
    }
    await this.checkPausedConditions(d);
    if (d.spec?.paused) {
      await this.syncScaling(d, rsList);
      return;
    }
    if (this.isScalingEvent(d, rsList)) {
      await this.syncScaling(d, rsList);
      return;
    }
    if (d.spec?.strategy?.type === "Recreate") await this.rolloutRecreate(d, rsList);
    else await this.rolloutRolling(d, rsList);
  }

  /** getReplicaSetsForDeployment: adopt and release by selector and controller reference. */
  private async replicaSetsFor(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromLabelSelector(d.spec?.selector);
    const candidates = this.replicaSets.list(d.metadata.namespace).filter((rs) => {
      const reference = controllerOf(rs);
      return reference ? reference.uid === d.metadata.uid : selector.matches(rs.metadata.labels);
    });
    const claimed = await claimObjects(this.client, ReplicaSets, d, selector, candidates, async () => {
      try {
        const fresh = await this.client.get<Deployment>(Deployments, d.metadata.namespace, d.metadata.name ?? "");
        return fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp;
      } catch {
        return false;
      }
    });
    return claimed.map((rs) => structuredClone(rs));
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** sync: scaling and paused deployments. */
  private async syncScaling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanup(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const condition = conditionOf(d.status, "Progressing");
    if (condition?.reason === Reasons.timedOut) return;
    const pausedExists = condition?.reason === Reasons.paused;
    d.status ??= {};
    if (d.spec?.paused && !pausedExists) {
      setCondition(
        d.status,
        newCondition("Progressing", "Unknown", Reasons.paused, "Deployment is paused", this.now()),
      );
    } else if (!d.spec?.paused && pausedExists) {
      setCondition(
        d.status,
        newCondition("Progressing", "Unknown", Reasons.resumed, "Deployment is resumed", this.now()),
      );
    } else {
      return;
    }
    await this.updateStatus(d);
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different replica count. */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    const newRS = findNewReplicaSet(d, rsList);
    const { allOldRSs } = findOldReplicaSets(d, rsList);
    for (const rs of activeReplicaSets([...allOldRSs, newRS])) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (desired === undefined) continue;
      if (Number(desired) !== replicasOf(d)) return true;
    }
    return false;
  }

  /** getAllReplicaSetsAndSyncRevision. */
  private async allReplicaSetsAndSyncRevision(
    d: Deployment,
    rsList: ReplicaSet[],
    createIfMissing: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const { allOldRSs } = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, allOldRSs, createIfMissing);
    return { newRS, oldRSs: allOldRSs };
  }

  private async getNewReplicaSet(
    d: Deployment,
    rsList: ReplicaSet[],
    oldRSs: ReplicaSet[],
    createIfMissing: boolean,
  ): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const rs = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyUpdate = (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyUpdate) {
        if (rs.spec) rs.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        return await this.client.update<ReplicaSet>(ReplicaSets, rs);
      }
      let needsUpdate = this.setDeploymentRevision(d, rs.metadata.annotations?.[REVISION_ANNOTATION] ?? newRevision);
      if (hasProgressDeadline(d) && !conditionOf(d.status, "Progressing")) {
        d.status ??= {};
        setCondition(
          d.status,
          newCondition(
            "Progressing",
            "True",
            Reasons.foundNewRS,
            `Found new replica set "${rs.metadata.name}"`,
            this.now(),
          ),
        );
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus(d);
      return rs;
    }
    if (!createIfMissing) return undefined;

    const spec = d.spec;
    if (!spec) return undefined;
    const hash = computeHash(spec.template, d.status?.collisionCount);
    const template = structuredClone(spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = structuredClone(spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const newRS: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d)],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    if (newRS.spec) newRS.spec.replicas = replicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.client.create<ReplicaSet>(ReplicaSets, newRS);
    } catch (error) {
      if (isAlreadyExists(error)) {
        alreadyExists = true;
        const found = this.replicaSets.get(d.metadata.namespace, newRS.metadata.name ?? "");
        // Not in the cache yet: our own creation from an earlier sync; retry once the cache has it.
        if (!found) throw error;
        const reference = controllerOf(found);
        if (reference?.uid === d.metadata.uid && findNewReplicaSet(d, [found])) {
          created = structuredClone(found);
        } else {
          // A hash collision: bump collisionCount so the next sync computes a different name.
          d.status ??= {};
          const before = d.status.collisionCount ?? 0;
          d.status.collisionCount = before + 1;
          await this.updateStatus(d);
          this.context.log(
            `Found a hash collision for deployment ${d.metadata.namespace}/${d.metadata.name} - bumping collisionCount (${before}->${before + 1}) to resolve it`,
          );
          throw error;
        }
      } else if (isNamespaceTerminating(error)) {
        throw error;
      } else {
        const message = `Failed to create new replica set "${newRS.metadata.name}": ${errorMessage(error)}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition("Progressing", "False", Reasons.failedRSCreate, message, this.now()));
          await this.updateStatus(d).catch(() => undefined);
        }
        this.recorder.event(d, "Warning", Reasons.failedRSCreate, message);
        throw error;
      }
    }
    if (!alreadyExists && replicas > 0) {
      this.recorder.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`,
      );
    }
    let needsUpdate = this.setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(
        d.status,
        newCondition(
          "Progressing",
          "True",
          Reasons.newRSCreated,
          `Created new replica set "${created.metadata.name}"`,
          this.now(),
        ),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus(d);
    return created;
  }

  /**
   * SetDeploymentRevision: the annotation travels with the next status update, as upstream writes
   * it (the status strategy keeps metadata, and a status write does not bump the generation).
   */
  private setDeploymentRevision(d: Deployment, revision: string): boolean {
    if (d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return false;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    return true;
  }

  private async updateStatus(d: Deployment): Promise<void> {
    const updated = await this.client.update<Deployment>(Deployments, d, { subresource: "status" });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  /** scale: proportional scaling of active ReplicaSets when replicas change mid-rollout. */
  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) === replicasOf(d)) return;
      await this.scaleAndRecord(activeOrLatest, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleAndRecord(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - sumSpecReplicas(all);
    let operation = "";
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = "up";
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = "down";
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const share = proportion(rs, d, toAdd, added, d.status?.replicas ?? 0);
        sizes.set(rs.metadata.name ?? "", replicasOf(rs) + share);
        added += share;
      } else {
        sizes.set(rs.metadata.name ?? "", replicasOf(rs));
      }
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      const name = rs.metadata.name ?? "";
      if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(name) ?? 0, d, operation);
    }
  }

  private async scaleAndRecord(rs: ReplicaSet, newScale: number, d: Deployment): Promise<boolean> {
    if (replicasOf(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? "up" : "down");
  }

  /** scaleReplicaSet: writes size and replica annotations, with the ScalingReplicaSet event. */
  private async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation: string): Promise<boolean> {
    const sizeChanged = replicasOf(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return false;
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    if (copy.spec) copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = await this.client.update<ReplicaSet>(ReplicaSets, copy);
    // Keep the caller's view current for the rest of this sync.
    rs.metadata = updated.metadata;
    rs.spec = updated.spec;
    if (sizeChanged) {
      this.recorder.event(
        d,
        "Normal",
        "ScalingReplicaSet",
        `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`,
      );
    }
    return sizeChanged;
  }

  /** rolloutRolling. */
  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = [...oldRSs, newRS];
    if (newRS && (await this.reconcileNewReplicaSet(allRSs as ReplicaSet[], newRS, d))) {
      await this.syncRolloutStatus(allRSs, newRS, d);
      return;
    }
    if (newRS && (await this.reconcileOldReplicaSets(allRSs as ReplicaSet[], activeReplicaSets(oldRSs), newRS, d))) {
      await this.syncRolloutStatus(allRSs, newRS, d);
      return;
    }
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    await this.syncRolloutStatus(allRSs, newRS, d);
  }

  private async reconcileNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
    if (replicasOf(newRS) === replicasOf(d)) return false;
    if (replicasOf(newRS) > replicasOf(d)) return this.scaleAndRecord(newRS, replicasOf(d), d);
    return this.scaleAndRecord(newRS, newRSNewReplicas(d, allRSs, newRS), d);
  }

  private async reconcileOldReplicaSets(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment,
  ): Promise<boolean> {
    if (sumSpecReplicas(oldRSs) === 0) return false;
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sumSpecReplicas(allRSs) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await this.scaleDownOldForRollingUpdate([...oldRSs, newRS], oldRSs, d);
    return cleaned + scaledDown > 0;
  }

  /** cleanupUnhealthyReplicas: scale down old replicas that are not available first. */
  private async cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<number> {
    oldRSs.sort(byCreation);
    let total = 0;
    for (const rs of oldRSs) {
      if (total >= maxCleanup) break;
      const available = rs.status?.availableReplicas ?? 0;
      if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
      const count = Math.min(maxCleanup - total, replicasOf(rs) - available);
      const newCount = replicasOf(rs) - count;
      // A ReplicaSet whose status still counts pods it is deleting reports more available than its
      // spec: upstream refuses (the sync is retried once the status caught up) rather than scale it
      // back up, which would make it recreate the pods it had just deleted.
      if (newCount > replicasOf(rs)) {
        throw new Error(
          `when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicasOf(rs)} -> ${newCount}`,
        );
      }
      await this.scaleAndRecord(rs, newCount, d);
      total += count;
    }
    return total;
  }

  private async scaleDownOldForRollingUpdate(
    allRSs: ReplicaSet[],
    oldRSs: ReplicaSet[],
    d: Deployment,
  ): Promise<number> {
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const available = sumStatus(allRSs, "availableReplicas");
    if (available <= minAvailable) return 0;
    oldRSs.sort(byCreation);
    const target = available - minAvailable;
    let total = 0;
    for (const rs of oldRSs) {
      if (total >= target) break;
      if (replicasOf(rs) === 0) continue;
      const count = Math.min(replicasOf(rs), target - total);
      await this.scaleAndRecord(rs, replicasOf(rs) - count, d);
      total += count;
    }
    return total;
  }

  /** rolloutRecreate: all old pods gone before the new ReplicaSet scales up. */
  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await this.scaleAndRecord(rs, 0, d)) scaledDown = true;
    if (scaledDown) {
      await this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
      return;
    }
    if (this.oldPodsRunning(newRS, oldRSs)) {
      await this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
      return;
    }
    if (!newRS) ({ newRS, oldRSs } = await this.allReplicaSetsAndSyncRevision(d, rsList, true));
    if (newRS) await this.scaleAndRecord(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    await this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumStatus(oldRSs, "replicas") > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    for (const pod of this.pods.list(newRS?.metadata.namespace ?? oldRSs[0]?.metadata.namespace)) {
      const owner = controllerOf(pod);
      if (!owner || owner.uid === newRS?.metadata.uid || !oldUids.has(owner.uid)) continue;
      const phase = pod.status?.phase;
      if (phase === "Failed" || phase === "Succeeded") continue;
      return true;
    }
    return false;
  }

  /** cleanupDeployment: delete the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    // apps/v1 defaults revisionHistoryLimit to 10.
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
        rs.metadata.deletionTimestamp
      )
        continue;
      try {
        await this.client.delete(ReplicaSets, rs.metadata.namespace, rs.metadata.name ?? "");
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** calculateStatus. */
  private calculateStatus(
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
    d: Deployment,
  ): DeploymentStatus {
    const available = sumStatus(allRSs, "availableReplicas");
    const total = sumSpecReplicas(allRSs);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: sumStatus(allRSs, "replicas"),
      updatedReplicas: sumStatus([newRS], "replicas"),
      readyReplicas: sumStatus(allRSs, "readyReplicas"),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
    };
    // DeploymentStatus's counts are `omitempty`: a real API server never shows a zero one.
    for (const key of [
      "replicas",
      "updatedReplicas",
      "readyReplicas",
      "availableReplicas",
      "unavailableReplicas",
    ] as const) {
      if (status[key] === 0) delete status[key];
    }
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    status.conditions = (d.status?.conditions ?? []).map((condition) => ({ ...condition }));
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(
        status,
        newCondition(
          "Available",
          "True",
          Reasons.minimumReplicasAvailable,
          "Deployment has minimum availability.",
          this.now(),
        ),
      );
    } else {
      setCondition(
        status,
        newCondition(
          "Available",
          "False",
          Reasons.minimumReplicasUnavailable,
          "Deployment does not have minimum availability.",
          this.now(),
        ),
      );
    }
    return status;
  }

  private async syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment) {
    const status = this.calculateStatus(allRSs, newRS, d);
    if (statusEqual(d.status, status)) return;
    d.status = status;
    await this.updateStatus(d);
  }

  /** syncRolloutStatus: status plus the Progressing condition and the progress-deadline requeue. */
  private async syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment) {
    const status = this.calculateStatus(allRSs, newRS, d);
    if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");
    const current = conditionOf(d.status, "Progressing");
    const complete =
      status.replicas === status.updatedReplicas && current !== undefined && current.reason === Reasons.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        setCondition(
          status,
          newCondition(
            "Progressing",
            "True",
            Reasons.newRSAvailable,
            `${subject} has successfully progressed.`,
            this.now(),
          ),
        );
      } else if (deploymentProgressing(d, status)) {
        const condition = newCondition(
          "Progressing",
          "True",
          Reasons.rsUpdated,
          `${subject} is progressing.`,
          this.now(),
        );
        if (current) {
          if (current.status === "True") condition.lastTransitionTime = current.lastTransitionTime;
          removeCondition(status, "Progressing");
        }
        setCondition(status, condition);
      } else if (deploymentTimedOut(d, status, this.context.clock.now())) {
        setCondition(
          status,
          newCondition("Progressing", "False", Reasons.timedOut, `${subject} has timed out progressing.`, this.now()),
        );
      }
    }
    const failure = this.replicaFailure(allRSs);
    if (failure) setCondition(status, failure);
    else removeCondition(status, "ReplicaFailure");

    if (statusEqual(d.status, status)) {
      this.requeueStuck(d, status);
      return;
    }
    d.status = status;
    await this.updateStatus(d);
  }

  private replicaFailure(allRSs: (ReplicaSet | undefined)[]) {
    for (const rs of allRSs) {
      const condition = rs?.status?.conditions?.find((c) => c.type === "ReplicaFailure");
      if (condition) return { ...condition, lastUpdateTime: condition.lastTransitionTime };
    }
    return undefined;
  }

  /** requeueStuckDeployment: check the progress deadline again when it would pass. */
  private requeueStuck(d: Deployment, status: DeploymentStatus): void {
    const current = conditionOf(d.status, "Progressing");
    if (!hasProgressDeadline(d) || !current) return;
    if (deploymentComplete(d, status) || current.reason === Reasons.timedOut) return;
    const from = current.lastUpdateTime ? Date.parse(current.lastUpdateTime) : this.context.clock.now();
    const after = from + progressDeadlineSeconds(d) * 1000 - this.context.clock.now();
    if (after < 1000) this.queue.addRateLimited(keyOf(d));
    else this.queue.addAfter(keyOf(d), after + 1000);
  }
}

function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const normalize = (status: DeploymentStatus | undefined) =>
    JSON.stringify({
      observedGeneration: status?.observedGeneration ?? 0,
      replicas: status?.replicas ?? 0,
      updatedReplicas: status?.updatedReplicas ?? 0,
      readyReplicas: status?.readyReplicas ?? 0,
      availableReplicas: status?.availableReplicas ?? 0,
      unavailableReplicas: status?.unavailableReplicas ?? 0,
      collisionCount: status?.collisionCount,
      conditions: status?.conditions?.length ? status.conditions : [],
    });
  return normalize(a) === normalize(b);
}

import type { ReplicaSet, ReplicaSetStatus, WorkloadCondition } from "../../api/apps";
import type { Pod, PodTemplateSpec } from "../../api/core";
import { Pods, ReplicaSets } from "../../api/resources";
import type { KubeObject, OwnerReference } from "../../api/types";
import type { Client } from "../../client/Client";
import { toRfc3339 } from "../../clock/Clock";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { claimObjects, isNamespaceTerminating, isNotFound, SCAN_CHUNK } from "../shared/claim";
import { ControllerIndex } from "../shared/controllerIndex";
import { Expectations } from "../shared/expectations";
import { selectorFromLabelSelector, selectorFromSet } from "../shared/labels";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { isPodActive, isPodAvailable, isPodReady, keyOf, splitKey } from "../shared/pods";
import { slowStartBatch } from "../shared/slowStart";
import { podsToDelete } from "./ranking";

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
/** controller.SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH = 1;
/** --concurrent-replicaset-syncs default: ReplicaSets synced side by side. */
const CONCURRENT_REPLICASET_SYNCS = 5;
/** Deletions issued together before yielding. */
const DELETE_CHUNK = 8;

/**
 * pkg/controller/replicaset: keeps `spec.replicas` active pods matching the selector, adopting
 * orphans and releasing pods that stopped matching, and reports counts in status.
 */
export class ReplicaSetController {
  private readonly expectations: Expectations;
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly replicaSets;
  private readonly pods;
  private readonly podIndex;

  constructor(private readonly context: ControllerContext) {
    this.expectations = new Expectations(() => context.clock.now());
    this.recorder = context.recorder("replicaset-controller");
    this.replicaSets = context.informer<ReplicaSet>(ReplicaSets);
    this.pods = context.informer<Pod>(Pods);
    this.podIndex = ControllerIndex.of(this.pods);
    this.queue = context.loop("replicaset", (key) => this.sync(key), { workers: CONCURRENT_REPLICASET_SYNCS });

    this.replicaSets.addHandlers({
      add: (rs) => this.queue.add(keyOf(rs)),
      update: (_old, rs) => this.queue.add(keyOf(rs)),
      delete: (rs) => {
        this.expectations.delete(keyOf(rs));
        this.queue.add(keyOf(rs));
      },
    });
    this.pods.addHandlers({
      add: (pod) => this.podAdded(pod),
      update: (oldPod, pod) => this.podUpdated(oldPod, pod),
      delete: (pod) => this.podDeleted(pod),
    });
  }

  private get client(): Client {
    return this.context.client;
  }

  /** The ReplicaSet a controller reference points at, if it is one of ours and still the same object. */
  private resolveControllerRef(namespace: string | undefined, reference: OwnerReference): ReplicaSet | undefined {
    if (reference.kind !== "ReplicaSet" || !reference.apiVersion.startsWith("apps/")) return undefined;
    const rs = this.replicaSets.get(namespace, reference.name);
    return rs && rs.metadata.uid === reference.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod (candidates to adopt it). */
  private replicaSetsMatching(pod: Pod): ReplicaSet[] {
    return this.replicaSets
      .list(pod.metadata.namespace)
      .filter((rs) => selectorFromLabelSelector(rs.spec?.selector).matches(pod.metadata.labels));
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      return;
    }
    const reference = controllerOf(pod);
    if (reference) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, reference);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.queue.add(keyOf(rs));
      return;
    }
    for (const rs of this.replicaSetsMatching(pod)) this.queue.add(keyOf(rs));
  }

  private podUpdated(oldPod: Pod, pod: Pod): void {
    if (oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      // A pod being deleted counts as deleted for the expectations: the RS can already replace it.
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(oldPod);
      return;
    }
    const oldReference = controllerOf(oldPod);
    const reference = controllerOf(pod);
    const referenceChanged = oldReference?.uid !== reference?.uid;
    if (referenceChanged && oldReference) {
      const oldRs = this.resolveControllerRef(oldPod.metadata.namespace, oldReference);
      if (oldRs) this.queue.add(keyOf(oldRs));
    }
    if (reference) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, reference);
      if (!rs) return;
      this.queue.add(keyOf(rs));
      const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldPod) && isPodReady(pod) && minReadySeconds > 0) {
        this.queue.addAfter(keyOf(rs), minReadySeconds * 1000);
      }
      return;
    }
    if (labelsChanged || referenceChanged) for (const rs of this.replicaSetsMatching(pod)) this.queue.add(keyOf(rs));
  }

  private podDeleted(pod: Pod): void {
    const reference = controllerOf(pod);
    if (!reference) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, reference);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.queue.add(keyOf(rs));
  }

  /** syncReplicaSet: level-triggered reconciliation of one ReplicaSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.replicaSets.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfied(key);
    const selector = selectorFromLabelSelector(rs.spec?.selector);
    // Its own pods and the namespace's orphans (upstream lists every pod of the namespace, then
    // claims only those two kinds): an index keeps a sync's cost to what this ReplicaSet has.
    const candidates = [
      ...this.podIndex.controlledBy(rs.metadata.uid),
      ...this.podIndex.orphans(namespace).filter((pod) => selector.matches(pod.metadata.labels)),
    ].filter(isPodActive);
    const yieldTurn = () => this.context.yieldTurn();
    const pods = await claimObjects(this.client, Pods, rs, selector, candidates, () => this.canAdopt(rs), yieldTurn);

    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, rs, key);
      } catch (error) {
        manageError = error;
      }
    }
    const status = await this.calculateStatus(rs, pods, manageError);
    const updated = await this.updateStatus(rs, status);
    const minReadySeconds = updated.spec?.minReadySeconds ?? 0;
    if (
      manageError === undefined &&
      minReadySeconds > 0 &&
      updated.status?.readyReplicas === (updated.spec?.replicas ?? 1) &&
      updated.status?.availableReplicas !== (updated.spec?.replicas ?? 1)
    ) {
      this.queue.addAfter(key, minReadySeconds * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  /** RecheckDeletionTimestamp: adopt only if a fresh read shows the same, undeleted ReplicaSet. */
  private async canAdopt(rs: ReplicaSet): Promise<boolean> {
    try {
      const fresh = await this.client.get<ReplicaSet>(ReplicaSets, rs.metadata.namespace, rs.metadata.name ?? "");
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch {
      return false;
    }
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaSet, key: string): Promise<void> {
    const desired = rs.spec?.replicas ?? 1;
    let diff = pods.length - desired;
    if (diff < 0) {
      diff = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, diff);
      const template = rs.spec?.template ?? {};
      const reference = newControllerRef(rs);
      const { successes, error } = await slowStartBatch(
        diff,
        SLOW_START_INITIAL_BATCH,
        async () => {
          try {
            await createPodFromTemplate(this.client, this.recorder, rs, template, reference);
          } catch (createError) {
            if (isNamespaceTerminating(createError)) return;
            throw createError;
          }
        },
        () => this.context.yieldTurn(),
      );
      // Creations that were never attempted will never be observed.
      for (let skipped = diff - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.indirectlyRelatedPods(rs), diff, this.context.clock.now());
      this.expectations.expectDeletions(key, victims.map(keyOf));
      let failure: unknown;
      // In chunks, yielding between them, so a 500-pod scale-down never holds the event loop.
      for (let start = 0; start < victims.length; start += DELETE_CHUNK) {
        if (start > 0) await this.context.yieldTurn();
        const results = await Promise.allSettled(
          victims.slice(start, start + DELETE_CHUNK).map(async (pod) => {
            try {
              await deletePod(this.client, this.recorder, rs, pod);
            } catch (deleteError) {
              this.expectations.deletionObserved(key, keyOf(pod));
              if (!isNotFound(deleteError)) throw deleteError;
            }
          }),
        );
        const rejected = results.find((result) => result.status === "rejected");
        if (rejected && failure === undefined) failure = (rejected as PromiseRejectedResult).reason;
      }
      if (failure !== undefined) throw failure;
    }
  }

  /** Pods of every ReplicaSet sharing this one's controller (a Deployment's whole family). */
  private indirectlyRelatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs);
    const family = owner
      ? this.replicaSets.list(rs.metadata.namespace).filter((other) => controllerOf(other)?.uid === owner.uid)
      : [rs];
    return family.flatMap((member) => this.podIndex.controlledBy(member.metadata.uid));
  }

  private async calculateStatus(rs: ReplicaSet, pods: Pod[], manageError: unknown): Promise<ReplicaSetStatus> {
    const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
    const templateSelector = selectorFromSet(rs.spec?.template?.metadata?.labels);
    const now = this.context.clock.now();
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (let i = 0; i < pods.length; i++) {
      if (i > 0 && i % SCAN_CHUNK === 0) await this.context.yieldTurn();
      const pod = pods[i];
      if (templateSelector.matches(pod.metadata.labels)) fullyLabeled++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, rs.spec?.minReadySeconds ?? 0, now)) available++;
      }
    }
    const failure = status.conditions?.find((condition) => condition.type === "ReplicaFailure");
    if (manageError !== undefined && !failure) {
      const diff = pods.length - (rs.spec?.replicas ?? 1);
      const condition: WorkloadCondition = {
        type: "ReplicaFailure",
        status: "True",
        lastTransitionTime: toRfc3339(now),
        reason: diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "",
        message: errorMessage(manageError),
      };
      status.conditions = [...(status.conditions ?? []), condition];
    } else if (manageError === undefined && failure) {
      status.conditions = status.conditions?.filter((condition) => condition.type !== "ReplicaFailure");
      if (status.conditions?.length === 0) delete status.conditions;
    }
    status.replicas = pods.length;
    status.fullyLabeledReplicas = fullyLabeled;
    status.readyReplicas = ready;
    status.availableReplicas = available;
    return status;
  }

  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet> {
    const current = rs.status ?? { replicas: 0 };
    if (
      current.replicas === status.replicas &&
      (current.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
      (current.readyReplicas ?? 0) === status.readyReplicas &&
      (current.availableReplicas ?? 0) === status.availableReplicas &&
      rs.metadata.generation === current.observedGeneration &&
      JSON.stringify(current.conditions ?? []) === JSON.stringify(status.conditions ?? [])
    ) {
      return rs;
    }
    status.observedGeneration = rs.metadata.generation;
    let target = rs;
    for (let attempt = 0; ; attempt++) {
      target = structuredClone(target);
      target.status = status;
      try {
        return await this.client.update<ReplicaSet>(ReplicaSets, target, { subresource: "status" });
      } catch (error) {
        if (attempt >= 1 || isNotFound(error)) throw error;
        target = await this.client.get<ReplicaSet>(ReplicaSets, rs.metadata.namespace, rs.metadata.name ?? "");
      }
    }
  }
}

/** controller.RealPodControl.CreatePods: a pod from the template, named by the API from generateName. */
export async function createPodFromTemplate(
  client: Client,
  recorder: Recorder,
  owner: KubeObject,
  template: PodTemplateSpec,
  reference: OwnerReference,
  overrides?: (pod: Pod) => void,
): Promise<Pod> {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      ownerReferences: [reference],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers) pod.metadata.finalizers = [...template.metadata.finalizers];
  overrides?.(pod);
  if (Object.keys(pod.metadata.labels ?? {}).length === 0) throw new Error("unable to create pods, no labels");
  try {
    const created = await client.create<Pod>(Pods, pod);
    recorder.event(owner, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
    return created;
  } catch (error) {
    if (!isNamespaceTerminating(error))
      recorder.event(owner, "Warning", "FailedCreate", `Error creating: ${errorMessage(error)}`);
    throw error;
  }
}

/** controller.RealPodControl.DeletePod with its events. */
export async function deletePod(client: Client, recorder: Recorder, owner: KubeObject, pod: Pod): Promise<void> {
  try {
    await client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "");
    recorder.event(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
  } catch (error) {
    if (!isNotFound(error)) recorder.event(owner, "Warning", "FailedDelete", `Error deleting: ${errorMessage(error)}`);
    throw error;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

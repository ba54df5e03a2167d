import type { ControllerRevision, DaemonSet, DaemonSetStatus } from "../../api/apps";
import type { Affinity, Node, Pod, PodTemplateSpec, Toleration } from "../../api/core";
import { ControllerRevisions, DaemonSets, Nodes, Pods } from "../../api/resources";
import {
  createPodFromTemplate,
  deletePod,
  errorMessage,
  SLOW_START_INITIAL_BATCH,
} from "../replicaset/ReplicaSetController";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { claimObjects, isAlreadyExists, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { ControllerIndex } from "../shared/controllerIndex";
import { revisionFor, revisionHash, revisionMatches } from "../shared/controllerRevisions";
import { Expectations } from "../shared/expectations";
import { scaledValue } from "../shared/intOrPercent";
import { selectorFromLabelSelector } from "../shared/labels";
import { nodeMatchesPod } from "../shared/nodeAffinity";
import { controllerOf, newControllerRef } from "../shared/ownerReferences";
import { isPodAvailable, isPodReady, keyOf, splitKey } from "../shared/pods";
import { slowStartBatch } from "../shared/slowStart";
import { tolerationsForTaints } from "../shared/tolerations";

/** The daemon set controller's BurstReplicas: pods created or deleted per sync. */
const DAEMONSET_BURST_REPLICAS = 250;

/** util.AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates. */
export function daemonPodTolerations(spec: PodTemplateSpec["spec"]): Toleration[] {
  const tolerations = [...(spec?.tolerations ?? [])];
  const add = (key: string, effect: string) => {
    if (!tolerations.some((t) => t.key === key && t.effect === effect && t.operator === "Exists"))
      tolerations.push({ key, operator: "Exists", effect });
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  if (spec?.hostNetwork) add("node.kubernetes.io/network-unavailable", "NoSchedule");
  return tolerations;
}

/** NodeShouldRunDaemonPod: node selector/affinity and the NoSchedule/NoExecute taints. */
export function shouldRunOn(ds: DaemonSet, node: Node): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template.spec;
  if (spec?.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!nodeMatchesPod(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = node.spec?.taints ?? [];
  const noExecute = taints.filter((t) => t.effect === "NoExecute");
  const noSchedule = taints.filter((t) => t.effect === "NoSchedule");
  const toleratesNoExecute = tolerationsForTaints(tolerations, noExecute).all;
  const toleratesNoSchedule = tolerationsForTaints(tolerations, noSchedule).all;
  return { shouldRun: toleratesNoExecute && toleratesNoSchedule, shouldContinueRunning: toleratesNoExecute };
}

/**
 * pkg/controller/daemon: one pod per eligible node, pinned there with node affinity on
 * metadata.name (the scheduler binds it), template history in ControllerRevisions, and the
 * RollingUpdate (maxUnavailable, maxSurge) and OnDelete strategies.
 */
export class DaemonSetController {
  private readonly expectations: Expectations;
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly daemonSets;
  private readonly pods;
  private readonly podIndex;
  private readonly nodes;
  private readonly revisions;

  constructor(private readonly context: ControllerContext) {
    this.expectations = new Expectations(() => context.clock.now());
    this.recorder = context.recorder("daemonset-controller");
    this.daemonSets = context.informer<DaemonSet>(DaemonSets);
    this.pods = context.informer<Pod>(Pods);
    this.podIndex = ControllerIndex.of(this.pods);
    this.nodes = context.informer<Node>(Nodes);
    this.revisions = context.informer<ControllerRevision>(ControllerRevisions);
    this.queue = context.loop("daemonset", (key) => this.sync(key));
    this.daemonSets.addHandlers({
      add: (ds) => this.queue.add(keyOf(ds)),
      update: (_old, ds) => this.queue.add(keyOf(ds)),
      delete: (ds) => this.expectations.delete(keyOf(ds)),
    });
    const podChanged = (pod: Pod, kind: "add" | "update" | "delete") => {
      const reference = controllerOf(pod);
      if (reference?.kind !== "DaemonSet") return;
      const ds = this.daemonSets.get(pod.metadata.namespace, reference.name);
      if (!ds || ds.metadata.uid !== reference.uid) return;
      if (kind === "add") this.expectations.creationObserved(keyOf(ds));
      if (kind === "delete" || pod.metadata.deletionTimestamp)
        this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
      this.queue.add(keyOf(ds));
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod)) this.queue.addAfter(keyOf(ds), minReady * 1000);
    };
    this.pods.addHandlers({
      add: (pod) => podChanged(pod, "add"),
      update: (old, pod) => {
        if (old.metadata.resourceVersion !== pod.metadata.resourceVersion) podChanged(pod, "update");
      },
      delete: (pod) => podChanged(pod, "delete"),
    });
    const nodeChanged = () => {
      for (const ds of this.daemonSets.list()) this.queue.add(keyOf(ds));
    };
    this.nodes.addHandlers({
      add: nodeChanged,
      update: (old, node) => {
        if (
          JSON.stringify(old.metadata.labels) !== JSON.stringify(node.metadata.labels) ||
          JSON.stringify(old.spec?.taints) !== JSON.stringify(node.spec?.taints) ||
          JSON.stringify(old.status?.conditions?.map((c) => [c.type, c.status])) !==
            JSON.stringify(node.status?.conditions?.map((c) => [c.type, c.status]))
        )
          nodeChanged();
      },
      delete: nodeChanged,
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.daemonSets.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached);
    if (ds.metadata.deletionTimestamp) return;
    const template = ds.spec?.template ?? {};
    const { current, hash } = await this.constructHistory(ds, template);
    const selector = selectorFromLabelSelector(ds.spec?.selector);
    const candidates = [
      ...this.podIndex.controlledBy(ds.metadata.uid),
      ...this.podIndex.orphans(namespace).filter((pod) => selector.matches(pod.metadata.labels)),
    ];
    const pods = await claimObjects(this.context.client, Pods, ds, selector, candidates, async () => {
      try {
        const fresh = await this.context.client.get<DaemonSet>(DaemonSets, namespace, name);
        return fresh.metadata.uid === ds.metadata.uid && !fresh.metadata.deletionTimestamp;
      } catch {
        return false;
      }
    });
    const byNode = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = nodeNameOf(pod);
      if (!node) continue;
      if (!byNode.has(node)) byNode.set(node, []);
      byNode.get(node)?.push(pod);
    }

    if (this.expectations.satisfied(key)) {
      await this.manage(ds, byNode, hash, current.metadata.name ?? "", key);
      if (ds.spec?.updateStrategy?.type !== "OnDelete") await this.rollingUpdate(ds, byNode, hash, key);
    }
    await this.updateStatus(ds, byNode, hash);
  }

  /** constructHistory: find or create the ControllerRevision of the current template. */
  private async constructHistory(
    ds: DaemonSet,
    template: PodTemplateSpec,
  ): Promise<{ current: ControllerRevision; hash: string }> {
    const owned = this.revisions.list(ds.metadata.namespace).filter((r) => controllerOf(r)?.uid === ds.metadata.uid);
    const maxRevision = owned.reduce((max, r) => Math.max(max, r.revision ?? 0), 0);
    const existing = owned
      .filter((r) => revisionMatches(r, template))
      .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    if (existing) {
      if ((existing.revision ?? 0) < maxRevision) {
        const copy = structuredClone(existing);
        copy.revision = maxRevision + 1;
        const updated = await this.context.client.update<ControllerRevision>(ControllerRevisions, copy);
        return { current: updated, hash: revisionHash(updated) };
      }
      return { current: existing, hash: revisionHash(existing) };
    }
    const revision = revisionFor(
      ds,
      template,
      maxRevision + 1,
      ds.status?.collisionCount,
      ds.spec?.template.metadata?.labels ?? {},
    );
    try {
      const created = await this.context.client.create<ControllerRevision>(ControllerRevisions, revision);
      await this.truncateHistory(ds, [...owned, created]);
      return { current: created, hash: revisionHash(created) };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const found = await this.context.client.get<ControllerRevision>(
        ControllerRevisions,
        ds.metadata.namespace,
        revision.metadata.name ?? "",
      );
      if (controllerOf(found)?.uid === ds.metadata.uid && revisionMatches(found, template))
        return { current: found, hash: revisionHash(found) };
      // A hash collision: bump collisionCount and retry.
      ds.status = { ...(ds.status ?? emptyStatus()), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
      await this.context.client.update(DaemonSets, ds, { subresource: "status" });
      throw error;
    }
  }

  private async truncateHistory(ds: DaemonSet, revisions: ControllerRevision[]): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    const inUse = new Set(
      this.pods
        .list(ds.metadata.namespace)
        .filter((pod) => controllerOf(pod)?.uid === ds.metadata.uid)
        .map((pod) => pod.metadata.labels?.["controller-revision-hash"]),
    );
    const old = revisions.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)).slice(0, -1);
    const removable = old.filter((r) => !inUse.has(revisionHash(r)));
    for (const revision of removable.slice(0, Math.max(0, old.length - limit))) {
      try {
        await this.context.client.delete(
          ControllerRevisions,
          revision.metadata.namespace,
          revision.metadata.name ?? "",
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** manage: create missing daemon pods and delete those on nodes that should not run them. */
  private async manage(ds: DaemonSet, byNode: Map<string, Pod[]>, hash: string, _revisionName: string, key: string) {
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const maxSurge = ds.spec?.updateStrategy?.type !== "OnDelete" ? this.surge(ds) : 0;
    for (const node of this.nodes.list()) {
      const nodeName = node.metadata.name ?? "";
      const { shouldRun, shouldContinueRunning } = shouldRunOn(ds, node);
      const daemonPods = byNode.get(nodeName) ?? [];
      if (shouldRun && daemonPods.length === 0) {
        toCreate.push(nodeName);
        continue;
      }
      if (!shouldContinueRunning) {
        toDelete.push(...daemonPods.filter((pod) => !pod.metadata.deletionTimestamp));
        continue;
      }
      if (!shouldRun && !shouldContinueRunning) continue;
      const live: Pod[] = [];
      for (const pod of daemonPods) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === "Failed") {
          this.recorder.event(
            ds,
            "Warning",
            "FailedDaemonPod",
            `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`,
          );
          toDelete.push(pod);
          continue;
        }
        live.push(pod);
      }
      if (live.length === 0 && shouldRun && daemonPods.every((pod) => pod.status?.phase === "Failed"))
        toCreate.push(nodeName);
      // More than one daemon pod (outside a surge): keep the oldest.
      const allowed = maxSurge > 0 ? 2 : 1;
      if (
        live.length > allowed ||
        (live.length > 1 && live.every((pod) => pod.metadata.labels?.["controller-revision-hash"] === hash))
      ) {
        const sorted = [...live].sort(
          (a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""),
        );
        toDelete.push(...sorted.slice(1));
      }
    }
    await this.createAndDelete(
      ds,
      toCreate.slice(0, DAEMONSET_BURST_REPLICAS),
      toDelete.slice(0, DAEMONSET_BURST_REPLICAS),
      hash,
      key,
    );
  }

  private async createAndDelete(
    ds: DaemonSet,
    nodes: string[],
    victims: Pod[],
    hash: string,
    key: string,
  ): Promise<void> {
    this.expectations.expectCreations(key, nodes.length);
    const template = structuredClone(ds.spec?.template ?? {});
    template.metadata ??= {};
    template.metadata.labels = {
      ...(template.metadata.labels ?? {}),
      "controller-revision-hash": hash,
      "pod-template-generation": String(ds.metadata.generation ?? 1),
    };
    if (template.spec) template.spec.tolerations = daemonPodTolerations(template.spec);
    let firstError: unknown;
    // syncNodes: slow-start batches, so a failing create (a quota) costs one call, not one per node.
    const pending = [...nodes];
    const { successes, error } = await slowStartBatch(
      nodes.length,
      SLOW_START_INITIAL_BATCH,
      async () => {
        const nodeName = pending.shift() ?? "";
        try {
          await createPodFromTemplate(this.context.client, this.recorder, ds, template, newControllerRef(ds), (pod) => {
            if (pod.spec) pod.spec.affinity = pinToNode(pod.spec.affinity, nodeName);
          });
        } catch (createError) {
          if (isNamespaceTerminating(createError)) return;
          throw createError;
        }
      },
      () => this.context.yieldTurn(),
    );
    // Creations that failed or were never attempted will never be observed.
    for (let skipped = nodes.length - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
    if (error !== undefined) firstError = error;
    const deletions = victims.map(keyOf);
    if (deletions.length) this.expectations.expectDeletions(key, deletions);
    for (const pod of victims) {
      try {
        await deletePod(this.context.client, this.recorder, ds, pod);
      } catch (error) {
        this.expectations.deletionObserved(key, keyOf(pod));
        if (!isNotFound(error)) firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private surge(ds: DaemonSet): number {
    const desired = this.nodes.list().filter((node) => shouldRunOn(ds, node).shouldRun).length;
    return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, desired, true) ?? 0;
  }

  /** rollingUpdate: replace old-hash pods, at most maxUnavailable unavailable at a time (or surge). */
  private async rollingUpdate(ds: DaemonSet, byNode: Map<string, Pod[]>, hash: string, key: string): Promise<void> {
    const now = this.context.clock.now();
    const eligible = this.nodes.list().filter((node) => shouldRunOn(ds, node).shouldRun);
    const desired = eligible.length;
    const maxSurge = this.surge(ds);
    let maxUnavailable = scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true) ?? 1;
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const oldAvailable: Pod[] = [];
    const oldUnavailable: Pod[] = [];
    let unavailable = 0;
    const surgeNodes: string[] = [];
    for (const node of eligible) {
      const daemonPods = (byNode.get(node.metadata.name ?? "") ?? []).filter((pod) => !pod.metadata.deletionTimestamp);
      const newPod = daemonPods.find((pod) => pod.metadata.labels?.["controller-revision-hash"] === hash);
      const oldPods = daemonPods.filter((pod) => pod.metadata.labels?.["controller-revision-hash"] !== hash);
      if (daemonPods.length === 0) {
        unavailable++;
        continue;
      }
      if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) unavailable++;
        else oldAvailable.push(...oldPods); // the new pod is up: its old sibling (surge) can go
        continue;
      }
      for (const pod of oldPods) {
        if (isPodAvailable(pod, minReady, now)) {
          if (maxSurge > 0) surgeNodes.push(node.metadata.name ?? "");
          else oldAvailable.push(pod);
        } else {
          oldUnavailable.push(pod);
          unavailable++;
        }
      }
    }
    const victims: Pod[] = [...oldUnavailable];
    if (maxSurge > 0) {
      // Surge: start new pods beside old ones, then remove the old ones once the new are available.
      const room = Math.max(0, maxSurge - unavailable);
      victims.push(
        ...oldAvailable.filter((pod) =>
          (byNode.get(nodeNameOf(pod) ?? "") ?? []).some(
            (p) => p.metadata.labels?.["controller-revision-hash"] === hash && isPodAvailable(p, minReady, now),
          ),
        ),
      );
      await this.createAndDelete(ds, surgeNodes.slice(0, room), victims, hash, key);
      return;
    }
    let budget = maxUnavailable - unavailable;
    for (const pod of oldAvailable) {
      if (budget <= 0) break;
      victims.push(pod);
      budget--;
    }
    if (victims.length) await this.createAndDelete(ds, [], victims, hash, key);
  }

  private async updateStatus(ds: DaemonSet, byNode: Map<string, Pod[]>, hash: string): Promise<void> {
    const now = this.context.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const status: DaemonSetStatus = { ...emptyStatus(), ...(ds.status ?? {}) };
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    for (const node of this.nodes.list()) {
      const { shouldRun } = shouldRunOn(ds, node);
      const pods = (byNode.get(node.metadata.name ?? "") ?? []).filter((pod) => !pod.metadata.deletionTimestamp);
      if (shouldRun) {
        desired++;
        if (pods.length > 0) {
          current++;
          const newest = pods[pods.length - 1];
          if (isPodReady(newest)) {
            ready++;
            if (isPodAvailable(newest, minReady, now)) available++;
          }
          if (pods.some((pod) => pod.metadata.labels?.["controller-revision-hash"] === hash)) updated++;
        }
      } else if (pods.length > 0) {
        misscheduled++;
      }
    }
    status.desiredNumberScheduled = desired;
    status.currentNumberScheduled = current;
    status.numberMisscheduled = misscheduled;
    status.numberReady = ready;
    status.updatedNumberScheduled = updated;
    status.numberAvailable = available;
    status.numberUnavailable = desired - available;
    status.observedGeneration = ds.metadata.generation;
    if (JSON.stringify(status) === JSON.stringify({ ...emptyStatus(), ...(ds.status ?? {}) })) return;
    ds.status = status;
    try {
      await this.context.client.update(DaemonSets, ds, { subresource: "status" });
    } catch (error) {
      if (isNotFound(error)) return;
      throw new Error(`error storing status for daemon set ${ds.metadata.name}: ${errorMessage(error)}`);
    }
    if (minReady > 0 && ready !== available) this.queue.addAfter(keyOf(ds), minReady * 1000);
  }
}

function emptyStatus(): DaemonSetStatus {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}

/** The node a daemon pod is bound or pinned to. */
function nodeNameOf(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? [])
      if (field.key === "metadata.name" && field.values?.length === 1) return field.values[0];
  }
  return undefined;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: require metadata.name In [node], keeping other affinity. */
function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const copy = structuredClone(affinity ?? {});
  copy.nodeAffinity ??= {};
  copy.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }],
  };
  return copy;
}

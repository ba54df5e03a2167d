import type { CustomResourceDefinition } from "../../api/apiextensions";
import { CustomResourceDefinitions } from "../../api/resources";
import type { KubeObject, OwnerReference } from "../../api/types";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isConflict, isNotFound } from "../shared/claim";
import { KindRegistry, type ResourceKind } from "../shared/kinds";

export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

interface GraphNode {
  uid: string;
  kind: ResourceKind;
  namespace: string | undefined;
  name: string;
  owners: OwnerReference[];
  /** deletionTimestamp set and the foregroundDeletion finalizer present. */
  deletingDependents: boolean;
}

/** Resources the collector does not track: events own nothing and are owned by nothing. */
const UNTRACKED = new Set(["events", "customresourcedefinitions"]);

/**
 * pkg/controller/garbagecollector: a graph of owner references across every resource it can
 * watch. Dependents whose owners are all gone are deleted (Background); an owner being deleted in
 * the Foreground keeps its `foregroundDeletion` finalizer until every dependent that blocks it
 * (blockOwnerDeletion) is gone; an owner deleted with Orphan has its dependents' references removed
 * and then loses its `orphan` finalizer. Cycles end up either kept (all owners solid) or unblocked.
 */
export class GarbageCollector {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly kinds = new KindRegistry();
  private readonly watched = new Set<string>();
  private readonly attemptToDelete: WorkQueue;
  private readonly attemptToOrphan: WorkQueue;

  constructor(private readonly context: ControllerContext) {
    this.attemptToDelete = context.loop("garbagecollector-delete", (uid) => this.attemptToDeleteItem(uid));
    this.attemptToOrphan = context.loop("garbagecollector-orphan", (uid) => this.attemptToOrphanItem(uid));
    for (const kind of this.kinds.all()) this.watch(kind);
    // Through a queue: the CRD's watch event arrives before the API server serves its resource.
    const crds = context.informer<CustomResourceDefinition>(CustomResourceDefinitions);
    const crdQueue = context.loop("garbagecollector-crd", async (name) => {
      const crd = crds.get(undefined, name);
      if (crd) this.customResourceDefined(crd);
    });
    crds.addHandlers({
      add: (crd) => crdQueue.add(crd.metadata.name ?? ""),
      update: (_old, crd) => crdQueue.add(crd.metadata.name ?? ""),
    });
  }

  private customResourceDefined(crd: CustomResourceDefinition): void {
    const spec = crd.spec;
    if (!spec) return;
    // Its resource is served (and watchable) once the CRD is Established.
    const established = crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    if (!established) return;
    const version = spec.versions?.find((v) => v.storage)?.name ?? spec.versions?.[0]?.name;
    if (!version) return;
    const kind: ResourceKind = {
      gvr: { group: spec.group, version, resource: spec.names.plural },
      kind: spec.names.kind,
      namespaced: spec.scope === "Namespaced",
    };
    this.kinds.add(kind);
    this.watch(kind);
  }

  private watch(kind: ResourceKind): void {
    const id = `${kind.gvr.group}/${kind.gvr.resource}`;
    if (UNTRACKED.has(kind.gvr.resource) || this.watched.has(id)) return;
    this.watched.add(id);
    this.context.informer(kind.gvr).addHandlers({
      add: (object) => this.observe(kind, object),
      update: (_old, object) => this.observe(kind, object),
      delete: (object) => this.forget(object),
    });
  }

  /** Number of objects in the graph (for tests and diagnostics). */
  get size(): number {
    return this.nodes.size;
  }

  private observe(kind: ResourceKind, object: KubeObject): void {
    const uid = object.metadata.uid;
    if (!uid) return;
    const previous = this.nodes.get(uid);
    const owners = object.metadata.ownerReferences ?? [];
    const finalizers = object.metadata.finalizers ?? [];
    const deleting = !!object.metadata.deletionTimestamp;
    const node: GraphNode = {
      uid,
      kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name ?? "",
      owners,
      deletingDependents: deleting && finalizers.includes(FOREGROUND_FINALIZER),
    };
    this.nodes.set(uid, node);

    const before = new Map((previous?.owners ?? []).map((reference) => [reference.uid, reference]));
    const after = new Map(owners.map((reference) => [reference.uid, reference]));
    for (const [ownerUid] of before) {
      if (after.has(ownerUid)) continue;
      this.dependents.get(ownerUid)?.delete(uid);
      if (this.nodes.get(ownerUid)?.deletingDependents) this.attemptToDelete.add(ownerUid);
    }
    for (const [ownerUid, reference] of after) {
      const previousReference = before.get(ownerUid);
      if (!previousReference) {
        let set = this.dependents.get(ownerUid);
        if (!set) {
          set = new Set();
          this.dependents.set(ownerUid, set);
        }
        set.add(uid);
        // An owner we have not seen may not exist: check (upstream's virtual node).
        if (!this.nodes.has(ownerUid)) this.attemptToDelete.add(uid);
      } else if (previousReference.blockOwnerDeletion && !reference.blockOwnerDeletion) {
        if (this.nodes.get(ownerUid)?.deletingDependents) this.attemptToDelete.add(ownerUid);
      }
      if (this.nodes.get(ownerUid)?.deletingDependents) this.attemptToDelete.add(uid);
    }

    if (deleting && finalizers.includes(ORPHAN_FINALIZER)) this.attemptToOrphan.add(uid);
    if (node.deletingDependents) {
      this.attemptToDelete.add(uid);
      for (const dependent of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dependent);
    }
  }

  private forget(object: KubeObject): void {
    const uid = object.metadata.uid;
    if (!uid) return;
    const node = this.nodes.get(uid);
    this.nodes.delete(uid);
    for (const reference of node?.owners ?? object.metadata.ownerReferences ?? []) {
      this.dependents.get(reference.uid)?.delete(uid);
      if (this.dependents.get(reference.uid)?.size === 0 && !this.nodes.has(reference.uid))
        this.dependents.delete(reference.uid);
      if (this.nodes.get(reference.uid)?.deletingDependents) this.attemptToDelete.add(reference.uid);
    }
    // Every dependent just lost an owner: it may now be garbage.
    for (const dependent of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dependent);
  }

  /** The current object behind a graph node, from the informer cache (undefined once gone). */
  private latest(node: GraphNode): KubeObject | undefined {
    const object = this.context.informer(node.kind.gvr).get(node.namespace, node.name);
    return object && object.metadata.uid === node.uid ? object : undefined;
  }

  /** attemptToDeleteItem. */
  private async attemptToDeleteItem(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const latest = this.latest(node);
    if (!latest) return;
    const finalizers = latest.metadata.finalizers ?? [];
    if (latest.metadata.deletionTimestamp) {
      if (finalizers.includes(FOREGROUND_FINALIZER)) await this.processDeletingDependents(node, latest);
      return;
    }
    const owners = latest.metadata.ownerReferences ?? [];
    if (owners.length === 0) return;

    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const reference of owners) {
      const state = await this.ownerState(node, reference);
      if (state === "dangling") dangling.push(reference);
      else if (state === "waiting") waiting.push(reference);
      else solid.push(reference);
    }

    if (solid.length > 0) {
      if (dangling.length + waiting.length === 0) return;
      const drop = new Set([...dangling, ...waiting].map((reference) => reference.uid));
      await this.patchOwnerReferences(
        latest,
        owners.filter((reference) => !drop.has(reference.uid)),
      );
      return;
    }
    const ownDependents = [...(this.dependents.get(uid) ?? [])].filter((dependent) => this.nodes.has(dependent));
    if (waiting.length > 0 && ownDependents.length > 0) {
      // An owner waits for us and we have dependents of our own: delete in the foreground too, and
      // unblock any dependent that is itself waiting for us (a cycle would otherwise never finish).
      for (const dependentUid of ownDependents) {
        const dependentNode = this.nodes.get(dependentUid);
        if (!dependentNode?.deletingDependents) continue;
        const dependent = this.latest(dependentNode);
        if (!dependent) continue;
        await this.patchOwnerReferences(
          dependent,
          (dependent.metadata.ownerReferences ?? []).map((reference) =>
            reference.uid === uid ? { ...reference, blockOwnerDeletion: false } : reference,
          ),
        );
      }
      await this.deleteObject(node, "Foreground");
      return;
    }
    const policy = finalizers.includes(ORPHAN_FINALIZER)
      ? "Orphan"
      : finalizers.includes(FOREGROUND_FINALIZER)
        ? "Foreground"
        : "Background";
    await this.deleteObject(node, policy);
  }

  /** classifyReferences for one owner: solid, dangling (gone or replaced) or waiting (foreground). */
  private async ownerState(node: GraphNode, reference: OwnerReference): Promise<"solid" | "dangling" | "waiting"> {
    const ownerNode = this.nodes.get(reference.uid);
    let owner = ownerNode ? this.latest(ownerNode) : undefined;
    if (!owner) {
      const kind = this.kinds.lookup(reference.apiVersion, reference.kind);
      if (!kind) {
        // Upstream cannot map the kind and retries; never deleting is the safe equivalent.
        this.context.log(`garbage collector: cannot resolve owner kind ${reference.apiVersion}/${reference.kind}`);
        return "solid";
      }
      try {
        owner = await this.context.client.get(kind.gvr, kind.namespaced ? node.namespace : undefined, reference.name);
      } catch (error) {
        if (isNotFound(error)) return "dangling";
        throw error;
      }
    }
    if (owner.metadata.uid !== reference.uid) return "dangling";
    if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER))
      return "waiting";
    return "solid";
  }

  /** processDeletingDependentsItem. */
  private async processDeletingDependents(node: GraphNode, latest: KubeObject): Promise<void> {
    const blocking: string[] = [];
    for (const dependentUid of this.dependents.get(node.uid) ?? []) {
      const dependent = this.nodes.get(dependentUid);
      if (!dependent) continue;
      const reference = dependent.owners.find((owner) => owner.uid === node.uid);
      if (reference?.blockOwnerDeletion) blocking.push(dependentUid);
    }
    if (blocking.length === 0) {
      await this.removeFinalizer(latest, node, FOREGROUND_FINALIZER);
      return;
    }
    for (const dependentUid of blocking) {
      if (!this.nodes.get(dependentUid)?.deletingDependents) this.attemptToDelete.add(dependentUid);
    }
  }

  /** attemptToOrphanWorker: strip our references from every dependent, then the orphan finalizer. */
  private async attemptToOrphanItem(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const latest = this.latest(node);
    if (!latest || !(latest.metadata.finalizers ?? []).includes(ORPHAN_FINALIZER)) return;
    for (const dependentUid of [...(this.dependents.get(uid) ?? [])]) {
      const dependentNode = this.nodes.get(dependentUid);
      const dependent = dependentNode && this.latest(dependentNode);
      if (!dependent) continue;
      await this.patchOwnerReferences(
        dependent,
        (dependent.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== uid),
      );
    }
    await this.removeFinalizer(latest, node, ORPHAN_FINALIZER);
  }

  private async deleteObject(node: GraphNode, policy: "Background" | "Foreground" | "Orphan"): Promise<void> {
    try {
      await this.context.client.delete(node.kind.gvr, node.namespace, node.name, {
        propagationPolicy: policy,
        preconditions: { uid: node.uid },
      });
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return;
      throw error;
    }
  }

  private async patchOwnerReferences(object: KubeObject, references: OwnerReference[]): Promise<void> {
    const node = this.nodes.get(object.metadata.uid ?? "");
    if (!node) return;
    await this.context.client.patch(node.kind.gvr, node.namespace, node.name, "merge", {
      metadata: {
        ownerReferences: references.length ? references : null,
        resourceVersion: object.metadata.resourceVersion,
        uid: object.metadata.uid,
      },
    });
  }

  private async removeFinalizer(object: KubeObject, node: GraphNode, finalizer: string): Promise<void> {
    const rest = (object.metadata.finalizers ?? []).filter((name) => name !== finalizer);
    try {
      await this.context.client.patch(node.kind.gvr, node.namespace, node.name, "merge", {
        metadata: { finalizers: rest.length ? rest : null, resourceVersion: object.metadata.resourceVersion },
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }
}

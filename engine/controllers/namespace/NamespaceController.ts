import type { CustomResourceDefinition } from "../../api/apiextensions";
import type { Namespace, NamespaceCondition, Pod } from "../../api/core";
import { CustomResourceDefinitions, Namespaces } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { errorMessage } from "../replicaset/ReplicaSetController";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isConflict, isNotFound } from "../shared/claim";
import { BUILT_IN_KINDS, type ResourceKind } from "../shared/kinds";

export const KUBERNETES_FINALIZER = "kubernetes";

/** The condition types the namespace deleter maintains, in upstream's order. */
const CONDITION_TYPES = [
  "NamespaceDeletionDiscoveryFailure",
  "NamespaceDeletionGroupVersionParsingFailure",
  "NamespaceDeletionContentFailure",
  "NamespaceContentRemaining",
  "NamespaceFinalizersRemaining",
] as const;

/** The healthy reason and message for each condition type (status False). */
const OK_CONDITIONS: Record<(typeof CONDITION_TYPES)[number], [string, string]> = {
  NamespaceDeletionDiscoveryFailure: ["ResourcesDiscovered", "All resources successfully discovered"],
  NamespaceDeletionGroupVersionParsingFailure: ["ParsedGroupVersions", "All legacy kube types successfully parsed"],
  NamespaceDeletionContentFailure: [
    "ContentDeleted",
    "All content successfully deleted, may be waiting on finalization",
  ],
  NamespaceContentRemaining: ["ContentRemoved", "All content successfully removed"],
  NamespaceFinalizersRemaining: ["ContentHasNoFinalizers", "All content-preserving finalizers finished"],
};

/**
 * pkg/controller/namespace: when a namespace is deleted, deletes everything in it, reports progress
 * in status conditions, and once nothing remains removes the `kubernetes` finalizer through the
 * `finalize` subresource, upon which the API server removes the namespace.
 */
export class NamespaceController {
  private readonly queue: WorkQueue;
  private readonly namespaces;
  private readonly customKinds = new Map<string, ResourceKind>();

  constructor(private readonly context: ControllerContext) {
    this.namespaces = context.informer<Namespace>(Namespaces);
    this.queue = context.loop("namespace", (name) => this.sync(name));
    this.namespaces.addHandlers({
      add: (ns) => {
        if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name ?? "");
      },
      update: (_old, ns) => {
        if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name ?? "");
      },
    });
    context.informer<CustomResourceDefinition>(CustomResourceDefinitions).addHandlers({
      add: (crd) => this.crdChanged(crd),
      update: (_old, crd) => this.crdChanged(crd),
      delete: (crd) => this.customKinds.delete(crd.metadata.name ?? ""),
    });
  }

  private crdChanged(crd: CustomResourceDefinition): void {
    const spec = crd.spec;
    if (spec?.scope !== "Namespaced") return;
    const version = spec.versions?.find((v) => v.served)?.name;
    if (!version) return;
    this.customKinds.set(crd.metadata.name ?? "", {
      gvr: { group: spec.group, version, resource: spec.names.plural },
      kind: spec.names.kind,
      namespaced: true,
    });
  }

  /** Every namespaced resource the API serves (built-in and custom), standing in for discovery. */
  private namespacedKinds(): ResourceKind[] {
    return [...BUILT_IN_KINDS.filter((kind) => kind.namespaced), ...this.customKinds.values()];
  }

  async sync(name: string): Promise<void> {
    const cached = this.namespaces.get(undefined, name);
    if (!cached?.metadata.deletionTimestamp) return;
    let ns = structuredClone(cached);
    if (ns.status?.phase !== "Terminating") {
      ns.status = { ...(ns.status ?? {}), phase: "Terminating" };
      ns = await this.writeStatus(ns);
    }
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;

    const { remainingSeconds, errors, remaining, finalizers } = await this.deleteAllContent(name);
    ns = await this.updateConditions(ns, errors, remaining, finalizers);
    if (errors.length > 0) throw new Error(errors.join("; "));
    if (remainingSeconds > 0 && remaining.size > 0) {
      // Pods are terminating gracefully: upstream looks again after half the estimate plus one second.
      this.queue.addAfter(name, (Math.floor(remainingSeconds / 2) + 1) * 1000);
      return;
    }
    if (remaining.size > 0) {
      // Their deletion events do not reach this queue; retry with back-off as upstream does.
      throw new Error(`namespace ${name} still has content`);
    }
    await this.finalize(ns);
  }

  /** deleteAllContent: deletes every object in the namespace, and counts what remains. */
  private async deleteAllContent(namespace: string): Promise<{
    remainingSeconds: number;
    errors: string[];
    remaining: Map<string, number>;
    finalizers: Map<string, number>;
  }> {
    let remainingSeconds = 0;
    const errors: string[] = [];
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const kind of this.namespacedKinds()) {
      let items: KubeObject[];
      try {
        items = (await this.context.client.list(kind.gvr, namespace)).items;
      } catch (error) {
        if (isNotFound(error)) continue;
        errors.push(errorMessage(error));
        continue;
      }
      if (items.length === 0) continue;
      for (const item of items) {
        if (!item.metadata.deletionTimestamp) {
          try {
            const result = await this.context.client.delete(kind.gvr, namespace, item.metadata.name ?? "");
            if (result.kind === "Status") continue;
            Object.assign(item, result);
          } catch (error) {
            if (isNotFound(error)) continue;
            errors.push(errorMessage(error));
            continue;
          }
        }
        const label = kind.gvr.group ? `${kind.gvr.resource}.${kind.gvr.group}` : `${kind.gvr.resource}.`;
        remaining.set(label, (remaining.get(label) ?? 0) + 1);
        for (const finalizer of item.metadata.finalizers ?? [])
          finalizers.set(finalizer, (finalizers.get(finalizer) ?? 0) + 1);
        if (kind.kind === "Pod") {
          // estimateGracefulTerminationForPods: the longest grace period among unfinished pods.
          const pod = item as Pod;
          const phase = pod.status?.phase;
          if (phase !== "Succeeded" && phase !== "Failed")
            remainingSeconds = Math.max(remainingSeconds, pod.spec?.terminationGracePeriodSeconds ?? 30);
        }
      }
    }
    return { remainingSeconds, errors, remaining, finalizers };
  }

  private async updateConditions(
    ns: Namespace,
    errors: string[],
    remaining: Map<string, number>,
    finalizers: Map<string, number>,
  ): Promise<Namespace> {
    const now = toRfc3339(this.context.clock.now());
    const wanted = new Map<string, Omit<NamespaceCondition, "lastTransitionTime">>();
    for (const type of CONDITION_TYPES) {
      const [reason, message] = OK_CONDITIONS[type];
      wanted.set(type, { type, status: "False", reason, message });
    }
    if (errors.length > 0) {
      wanted.set("NamespaceDeletionContentFailure", {
        type: "NamespaceDeletionContentFailure",
        status: "True",
        reason: "ContentDeletionFailed",
        message: `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(", ")}`,
      });
    }
    if (remaining.size > 0) {
      const parts = [...remaining]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([resource, count]) => `${resource} has ${count} resource instances`);
      wanted.set("NamespaceContentRemaining", {
        type: "NamespaceContentRemaining",
        status: "True",
        reason: "SomeResourcesRemain",
        message: `Some resources are remaining: ${parts.join(", ")}`,
      });
    }
    if (finalizers.size > 0) {
      const parts = [...finalizers]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([finalizer, count]) => `${finalizer} in ${count} resource instances`);
      wanted.set("NamespaceFinalizersRemaining", {
        type: "NamespaceFinalizersRemaining",
        status: "True",
        reason: "SomeFinalizersRemain",
        message: `Some content in the namespace has finalizers remaining: ${parts.join(", ")}`,
      });
    }
    const current = ns.status?.conditions ?? [];
    const conditions: NamespaceCondition[] = [];
    let changed = false;
    for (const type of CONDITION_TYPES) {
      const want = wanted.get(type);
      if (!want) continue;
      const existing = current.find((condition) => condition.type === type);
      if (
        existing &&
        existing.status === want.status &&
        existing.reason === want.reason &&
        existing.message === want.message
      ) {
        conditions.push(existing);
        continue;
      }
      changed = true;
      conditions.push({
        ...want,
        lastTransitionTime: existing && existing.status === want.status ? existing.lastTransitionTime : now,
      });
    }
    if (!changed) return ns;
    ns.status = { ...(ns.status ?? {}), phase: "Terminating", conditions };
    return this.writeStatus(ns);
  }

  private async writeStatus(ns: Namespace): Promise<Namespace> {
    try {
      return await this.context.client.update<Namespace>(Namespaces, ns, { subresource: "status" });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const fresh = await this.context.client.get<Namespace>(Namespaces, undefined, ns.metadata.name ?? "");
      fresh.status = ns.status;
      return this.context.client.update<Namespace>(Namespaces, fresh, { subresource: "status" });
    }
  }

  /** finalizeNamespace: drop `kubernetes` from spec.finalizers via the finalize subresource. */
  private async finalize(ns: Namespace): Promise<void> {
    const finalizers = (ns.spec?.finalizers ?? []).filter((finalizer) => finalizer !== KUBERNETES_FINALIZER);
    const body = structuredClone(ns);
    body.spec = { ...(body.spec ?? {}), finalizers };
    let result: Namespace;
    try {
      result = await this.context.client.update<Namespace>(Namespaces, body, { subresource: "finalize" });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    // The API server removes a finalized namespace itself; if this one did not, ask again.
    if (
      result?.metadata?.deletionTimestamp &&
      finalizers.length === 0 &&
      (result.metadata.finalizers ?? []).length === 0
    ) {
      try {
        await this.context.client.delete(Namespaces, undefined, ns.metadata.name ?? "");
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}

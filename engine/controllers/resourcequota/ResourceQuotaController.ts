import type { Pod, ResourceQuota } from "../../api/core";
import { formatQuantity, parseQuantity, type QuantityFormat } from "../../api/quantity";
import * as resources from "../../api/resources";
import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";

/** The resources whose objects count against quota, by their `count/<resource>` name. */
const COUNTED: Array<{ gvr: GroupVersionResource; short?: string }> = [
  { gvr: resources.Pods, short: "pods" },
  { gvr: resources.Services, short: "services" },
  { gvr: resources.ConfigMaps, short: "configmaps" },
  { gvr: resources.Secrets, short: "secrets" },
  { gvr: resources.PersistentVolumeClaims, short: "persistentvolumeclaims" },
  { gvr: resources.ResourceQuotas, short: "resourcequotas" },
  { gvr: resources.Deployments },
  { gvr: resources.ReplicaSets },
  { gvr: resources.StatefulSets },
  { gvr: resources.DaemonSets },
  { gvr: resources.Jobs },
  { gvr: resources.CronJobs },
];

interface Usage {
  nanos: bigint;
  format: QuantityFormat;
}

/**
 * pkg/controller/resourcequota: keeps each ResourceQuota's `status.hard` equal to its spec and
 * `status.used` equal to what the namespace holds (object counts, pod compute requests and limits
 * of non-terminal pods, storage requests, NodePorts and LoadBalancers), recomputed when anything
 * counted changes.
 */
export class ResourceQuotaController {
  private readonly queue: WorkQueue;
  private readonly quotas;

  constructor(private readonly context: ControllerContext) {
    this.quotas = context.informer<ResourceQuota>(resources.ResourceQuotas);
    this.queue = context.loop("resourcequota", (key) => this.sync(key));
    this.quotas.addHandlers({
      add: (quota) => this.queue.add(keyOf(quota)),
      update: (old, quota) => {
        if (JSON.stringify(old.spec) !== JSON.stringify(quota.spec)) this.queue.add(keyOf(quota));
      },
    });
    for (const { gvr } of COUNTED) {
      if (gvr === resources.ResourceQuotas) continue;
      const changed = (object: KubeObject) => {
        for (const quota of this.quotas.list(object.metadata.namespace)) this.queue.add(keyOf(quota));
      };
      context.informer(gvr).addHandlers({ add: changed, update: (_old, object) => changed(object), delete: changed });
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.quotas.get(namespace, name);
    if (!cached) return;
    const quota = structuredClone(cached);
    const hard = quota.spec?.hard ?? {};
    const totals = this.usage(namespace ?? "");
    const used: Record<string, string> = {};
    for (const resource of Object.keys(hard)) {
      const total = totals.get(resource);
      used[resource] = total ? formatQuantity(total.nanos, total.format) : "0";
    }
    if (
      JSON.stringify(quota.status?.hard ?? {}) === JSON.stringify(hard) &&
      JSON.stringify(quota.status?.used ?? {}) === JSON.stringify(used)
    )
      return;
    quota.status = { hard: { ...hard }, used };
    try {
      await this.context.client.update(resources.ResourceQuotas, quota, { subresource: "status" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private usage(namespace: string): Map<string, Usage> {
    const totals = new Map<string, Usage>();
    const add = (name: string, value: string | number, format?: QuantityFormat) => {
      let parsed: Usage;
      try {
        parsed = parseQuantity(value);
      } catch {
        return;
      }
      const previous = totals.get(name);
      totals.set(name, {
        nanos: (previous?.nanos ?? 0n) + parsed.nanos,
        format: previous?.format ?? format ?? parsed.format,
      });
    };
    for (const { gvr, short } of COUNTED) {
      for (const object of this.context.informer(gvr).list(namespace)) {
        if (gvr === resources.Pods) {
          const phase = (object as Pod).status?.phase;
          if (phase === "Succeeded" || phase === "Failed") continue;
        }
        const resourceName = gvr.group ? `${gvr.resource}.${gvr.group}` : gvr.resource;
        add(`count/${resourceName}`, 1, "DecimalSI");
        if (short) add(short, 1, "DecimalSI");
        if (gvr === resources.Services) {
          const type = object.spec?.type;
          if (type === "NodePort" || type === "LoadBalancer")
            add("services.nodeports", (object.spec?.ports ?? []).length, "DecimalSI");
          if (type === "LoadBalancer") add("services.loadbalancers", 1, "DecimalSI");
        }
        if (gvr === resources.PersistentVolumeClaims) {
          const storage = object.spec?.resources?.requests?.storage;
          if (storage !== undefined) add("requests.storage", storage);
        }
        if (gvr === resources.Pods) {
          for (const container of (object as Pod).spec?.containers ?? []) {
            for (const kind of ["requests", "limits"] as const) {
              for (const [resource, value] of Object.entries(container.resources?.[kind] ?? {})) {
                add(`${kind}.${resource}`, value);
                if (kind === "requests" && (resource === "cpu" || resource === "memory")) add(resource, value);
              }
            }
          }
        }
      }
    }
    return totals;
  }
}

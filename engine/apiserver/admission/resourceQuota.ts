import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import type { AdmissionAttributes, AdmissionContext, AdmissionPlugin } from "./Admission";
import { addQuantities, formatQuantity, parseQuantity, type Quantity } from "./quantity";

/** Object-count resource names upstream tracks with a short name. */
const SHORT_COUNT_NAMES: Record<string, string> = {
  pods: "pods",
  services: "services",
  configmaps: "configmaps",
  secrets: "secrets",
  persistentvolumeclaims: "persistentvolumeclaims",
  replicationcontrollers: "replicationcontrollers",
  resourcequotas: "resourcequotas",
};

/** What one object uses, by quota resource name. */
function usage(group: string, resource: string, object: KubeObject): Map<string, Quantity> {
  const result = new Map<string, Quantity>();
  const one: Quantity = { value: 1, format: "decimal" };
  result.set(`count/${group ? `${resource}.${group}` : resource}`, one);
  if (!group && SHORT_COUNT_NAMES[resource]) result.set(SHORT_COUNT_NAMES[resource], one);
  if (!group && resource === "services") {
    const type = object.spec?.type;
    if (type === "NodePort" || type === "LoadBalancer") {
      result.set("services.nodeports", { value: (object.spec?.ports ?? []).length, format: "decimal" });
    }
    if (type === "LoadBalancer") result.set("services.loadbalancers", one);
  }
  if (!group && resource === "persistentvolumeclaims") {
    const storage = parseQuantity(object.spec?.resources?.requests?.storage);
    if (storage) result.set("requests.storage", storage);
  }
  if (!group && resource === "pods") {
    for (const kind of ["requests", "limits"] as const) {
      const totals = new Map<string, Quantity>();
      for (const container of object.spec?.containers ?? []) {
        for (const [name, value] of Object.entries(container.resources?.[kind] ?? {})) {
          const quantity = parseQuantity(value);
          if (!quantity) continue;
          const previous = totals.get(name);
          totals.set(name, previous ? addQuantities(previous, quantity) : quantity);
        }
      }
      for (const [name, quantity] of totals) {
        result.set(`${kind}.${name}`, quantity);
        if (kind === "requests" && (name === "cpu" || name === "memory")) result.set(name, quantity);
      }
    }
  }
  return result;
}

/** Pods in a terminal phase no longer count against quota. */
function counts(group: string, resource: string, object: KubeObject): boolean {
  if (group === "" && resource === "pods") {
    const phase = object.status?.phase;
    return phase !== "Succeeded" && phase !== "Failed";
  }
  return true;
}

/** The quota resource names whose group/resource is this one (for listing usage). */
function currentUsage(
  context: AdmissionContext,
  group: string,
  resource: string,
  namespace: string,
  names: string[],
): Map<string, Quantity> {
  const totals = new Map<string, Quantity>();
  for (const name of names) totals.set(name, { value: 0, format: "decimal" });
  for (const object of context.list(group, resource, namespace)) {
    if (!counts(group, resource, object)) continue;
    for (const [name, quantity] of usage(group, resource, object)) {
      const previous = totals.get(name);
      if (previous) totals.set(name, { value: previous.value + quantity.value, format: quantity.format });
    }
  }
  return totals;
}

const COMPUTE = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory"];

/**
 * ResourceQuota: a create that would push any tracked resource past a quota's hard limit is
 * refused with upstream's `exceeded quota` message; a pod that omits a compute resource a quota
 * tracks is refused with `must specify`. Accepted creates update the quota's status.used.
 */
export const resourceQuota: AdmissionPlugin = {
  name: "ResourceQuota",
  validate(attributes: AdmissionAttributes, context: AdmissionContext) {
    if (attributes.operation !== "CREATE" || attributes.subresource || !attributes.object || !attributes.namespace)
      return;
    const { group, resource } = attributes.definition;
    const quotas = context.list("", "resourcequotas", attributes.namespace);
    if (quotas.length === 0) return;
    const object = attributes.object;
    if (!counts(group, resource, object)) return;
    const requested = usage(group, resource, object);
    const updates: KubeObject[] = [];
    for (const quota of quotas) {
      const hard: Record<string, string> = quota.spec?.hard ?? {};
      const tracked = Object.keys(hard).filter(
        (name) => requested.has(name) || (group === "" && resource === "pods" && COMPUTE.includes(name)),
      );
      if (tracked.length === 0) continue;
      if (group === "" && resource === "pods") {
        const missing: string[] = [];
        for (const name of tracked.filter((candidate) => COMPUTE.includes(candidate)).sort()) {
          const [kind, resourceName] = name.includes(".") ? name.split(".") : ["requests", name];
          const lacking = (object.spec?.containers ?? [])
            .filter(
              (container: { resources?: Record<string, Record<string, string>> }) =>
                container.resources?.[kind]?.[resourceName] === undefined,
            )
            .map((container: { name: string }) => container.name);
          if (lacking.length > 0) missing.push(`${name} for: ${lacking.join(",")}`);
        }
        if (missing.length > 0) {
          throw ApiError.forbidden(
            group,
            resource,
            attributes.name,
            `failed quota: ${quota.metadata.name}: must specify ${missing.join("; ")}`,
          );
        }
      }
      const used = currentUsage(context, group, resource, attributes.namespace, tracked);
      const exceeded: string[] = [];
      const newUsed: Record<string, string> = { ...(quota.status?.used ?? {}) };
      for (const name of tracked.sort()) {
        const limit = parseQuantity(hard[name]);
        const want = requested.get(name) ?? { value: 0, format: "decimal" as const };
        const have = used.get(name) ?? { value: 0, format: want.format };
        if (!limit) continue;
        const format = limit.format;
        const total = have.value + want.value;
        if (want.value > 0 && total > limit.value + 1e-9) exceeded.push(name);
        newUsed[name] = formatQuantity({ value: total, format });
      }
      if (exceeded.length > 0) {
        const show = (pick: (name: string) => Quantity) =>
          exceeded
            .map(
              (name) =>
                `${name}=${formatQuantity({ ...pick(name), format: parseQuantity(hard[name])?.format ?? "decimal" })}`,
            )
            .join(",");
        throw ApiError.forbidden(
          group,
          resource,
          attributes.name,
          `exceeded quota: ${quota.metadata.name}, requested: ${show((name) => requested.get(name) ?? { value: 0, format: "decimal" })}, used: ${show(
            (name) => used.get(name) ?? { value: 0, format: "decimal" },
          )}, limited: ${show((name) => parseQuantity(hard[name]) ?? { value: 0, format: "decimal" })}`,
        );
      }
      updates.push({ ...quota, status: { ...(quota.status ?? {}), hard, used: newUsed } });
    }
    if (!attributes.dryRun) for (const quota of updates) context.updateStatus("", "resourcequotas", quota);
  },
};

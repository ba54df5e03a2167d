import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import type { AdmissionPlugin } from "./Admission";
import { formatQuantity, parseQuantity } from "./quantity";

interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

function podContainers(pod: KubeObject): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/**
 * LimitRanger: fills container requests and limits from the namespace's LimitRange defaults
 * (recording what it set in the `kubernetes.io/limit-ranger` annotation), then enforces
 * per-Container and per-Pod min/max, with upstream's messages.
 */
export const limitRanger: AdmissionPlugin = {
  name: "LimitRanger",
  admit(attributes, context) {
    if (attributes.operation !== "CREATE" || attributes.subresource) return;
    if (attributes.definition.group !== "" || attributes.definition.resource !== "pods" || !attributes.object) return;
    const ranges = context.list("", "limitranges", attributes.namespace);
    if (ranges.length === 0) return;
    const pod = attributes.object;
    const messages: string[] = [];
    for (const range of ranges) {
      for (const item of range.spec?.limits ?? []) {
        if (item.type !== "Container") continue;
        for (const container of podContainers(pod)) {
          const setRequests: string[] = [];
          const setLimits: string[] = [];
          container.resources = container.resources ?? {};
          for (const [resource, value] of Object.entries<string>(item.default ?? {})) {
            container.resources.limits = container.resources.limits ?? {};
            if (container.resources.limits[resource] === undefined) {
              container.resources.limits[resource] = value;
              setLimits.push(resource);
            }
          }
          for (const [resource, value] of Object.entries<string>(item.defaultRequest ?? {})) {
            container.resources.requests = container.resources.requests ?? {};
            if (container.resources.requests[resource] === undefined) {
              container.resources.requests[resource] = value;
              setRequests.push(resource);
            }
          }
          if (setRequests.length > 0)
            messages.push(`${setRequests.join(", ")} request for container ${container.name}`);
          if (setLimits.length > 0) messages.push(`${setLimits.join(", ")} limit for container ${container.name}`);
        }
      }
    }
    if (messages.length > 0) {
      pod.metadata.annotations = {
        ...(pod.metadata.annotations ?? {}),
        "kubernetes.io/limit-ranger": `LimitRanger plugin set: ${messages.join("; ")}`,
      };
    }
  },
  validate(attributes, context) {
    if (attributes.operation !== "CREATE" || attributes.subresource) return;
    if (attributes.definition.group !== "" || attributes.definition.resource !== "pods" || !attributes.object) return;
    const ranges = context.list("", "limitranges", attributes.namespace);
    if (ranges.length === 0) return;
    const errors: string[] = [];
    const pod = attributes.object;
    for (const range of ranges) {
      for (const item of range.spec?.limits ?? []) {
        if (item.type === "Container") {
          for (const container of podContainers(pod)) checkBounds(item, container.resources ?? {}, "Container", errors);
        } else if (item.type === "Pod") {
          const totals: { requests: Record<string, string>; limits: Record<string, string> } = {
            requests: {},
            limits: {},
          };
          for (const kind of ["requests", "limits"] as const) {
            const sums = new Map<string, number>();
            for (const container of pod.spec?.containers ?? []) {
              for (const [resource, value] of Object.entries<string>(container.resources?.[kind] ?? {})) {
                sums.set(resource, (sums.get(resource) ?? 0) + (parseQuantity(value)?.value ?? 0));
              }
            }
            for (const [resource, sum] of sums) {
              totals[kind][resource] = formatQuantity({
                value: sum,
                format: resource === "memory" ? "binary" : "decimal",
              });
            }
          }
          checkBounds(item, totals, "Pod", errors);
        }
      }
    }
    if (errors.length > 0) {
      throw ApiError.forbidden("", "pods", attributes.name, errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`);
    }
  },
};

function checkBounds(
  item: { min?: Record<string, string>; max?: Record<string, string>; maxLimitRequestRatio?: Record<string, string> },
  resources: { requests?: Record<string, string>; limits?: Record<string, string> },
  scope: string,
  errors: string[],
): void {
  for (const [resource, minimum] of Object.entries(item.min ?? {})) {
    const min = parseQuantity(minimum)?.value ?? 0;
    const request = resources.requests?.[resource];
    const limit = resources.limits?.[resource];
    if (request === undefined)
      errors.push(`minimum ${resource} usage per ${scope} is ${minimum}.  No request is specified`);
    else if ((parseQuantity(request)?.value ?? 0) < min)
      errors.push(`minimum ${resource} usage per ${scope} is ${minimum}, but request is ${request}`);
    if (limit !== undefined && (parseQuantity(limit)?.value ?? 0) < min) {
      errors.push(`minimum ${resource} usage per ${scope} is ${minimum}, but limit is ${limit}`);
    }
  }
  for (const [resource, maximum] of Object.entries(item.max ?? {})) {
    const max = parseQuantity(maximum)?.value ?? 0;
    const limit = resources.limits?.[resource];
    if (limit === undefined)
      errors.push(`maximum ${resource} usage per ${scope} is ${maximum}.  No limit is specified`);
    else if ((parseQuantity(limit)?.value ?? 0) > max)
      errors.push(`maximum ${resource} usage per ${scope} is ${maximum}, but limit is ${limit}`);
  }
}

import type { KubeObject } from "../commands/common";
import type { Any, DescribeContext } from "./context";
import { DescribeWriter } from "./format";
import { formatQuantity, parseQuantity, quantityValue } from "./quantity";

/** helpTextForResourceQuotaScope. */
const scopeHelp: Record<string, string> = {
  Terminating:
    "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
  NotTerminating:
    "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
  BestEffort:
    "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
  NotBestEffort:
    "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
};

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A quantity as Quantity.String() prints it ("0" when absent). */
function quantityText(text: string | undefined): string {
  return formatQuantity(parseQuantity(text));
}

function sortedScopes(quota: Any): string[] {
  return ((quota.spec?.scopes ?? []) as string[]).map(String).sort(byteOrder);
}

/** ResourceQuotaDescriber (describeQuota). */
export async function describeResourceQuota(_context: DescribeContext, quota: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const object = quota as Any;
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${object.metadata?.namespace ?? ""}\n`);
  const scopes = sortedScopes(object);
  if (scopes.length > 0) {
    w.write(0, `Scopes:\t${scopes.join(", ")}\n`);
    for (const scope of scopes) if (scopeHelp[scope]) w.write(0, ` * ${scopeHelp[scope]}\n`);
  }
  w.write(0, "Resource\tUsed\tHard\n");
  w.write(0, "--------\t----\t----\n");
  const hard: Record<string, string> = object.status?.hard ?? {};
  const used: Record<string, string> = object.status?.used ?? {};
  for (const resource of Object.keys(hard).sort(byteOrder)) {
    const hardQuantity = parseQuantity(hard[resource]);
    let usedQuantity = parseQuantity(used[resource]);
    // A used amount in another format than the hard limit is shown in the limit's format.
    if (used[resource] === undefined || usedQuantity.format !== hardQuantity.format)
      usedQuantity = { value: quantityValue(usedQuantity), format: hardQuantity.format };
    w.write(0, `${resource}\t${formatQuantity(usedQuantity)}\t${formatQuantity(hardQuantity)}\n`);
  }
  return w.toString();
}

/** DescribeResourceQuotas: every quota of a namespace, as describe namespace lists them. */
export function describeResourceQuotas(w: DescribeWriter, quotas: Any[]): void {
  if (quotas.length === 0) {
    w.write(0, "No resource quota.\n");
    return;
  }
  w.write(0, "Resource Quotas\n");
  const sorted = [...quotas].sort((a, b) => byteOrder(a.metadata?.name ?? "", b.metadata?.name ?? ""));
  for (const quota of sorted) {
    w.write(1, `Name:\t${quota.metadata?.name ?? ""}\n`);
    const scopes = sortedScopes(quota);
    if (scopes.length > 0) {
      w.write(1, `Scopes:\t${scopes.join(", ")}\n`);
      for (const scope of scopes) if (scopeHelp[scope]) w.write(1, `* ${scopeHelp[scope]}\n`);
    }
    w.write(1, "Resource\tUsed\tHard\n");
    w.write(1, "--------\t---\t---\n");
    const hard: Record<string, string> = quota.status?.hard ?? {};
    for (const resource of Object.keys(hard).sort(byteOrder))
      w.write(1, `${resource}\t${quantityText(quota.status?.used?.[resource])}\t${quantityText(hard[resource])}\n`);
  }
}

/**
 * describeLimitRangeSpec. kubectl ranges over a Go map for each item's resources, so its order
 * changes from run to run; Kubelab prints them sorted.
 */
function describeLimitRangeSpec(w: DescribeWriter, spec: Any, prefix: string): void {
  for (const item of spec?.limits ?? []) {
    const fields = ["min", "max", "defaultRequest", "default", "maxLimitRequestRatio"] as const;
    const resources = new Set<string>();
    for (const field of fields) for (const name of Object.keys(item[field] ?? {})) resources.add(name);
    for (const resource of [...resources].sort(byteOrder)) {
      const [min, max, defaultRequest, defaultLimit, ratio] = fields.map((field) =>
        item[field]?.[resource] === undefined ? "-" : quantityText(item[field][resource]),
      );
      w.write(
        0,
        `${prefix}${item.type ?? ""}\t${resource}\t${min}\t${max}\t${defaultRequest}\t${defaultLimit}\t${ratio}\n`,
      );
    }
  }
}

/** LimitRangeDescriber. */
export async function describeLimitRange(_context: DescribeContext, range: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${range.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${range.metadata?.namespace ?? ""}\n`);
  w.write(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
  w.write(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
  describeLimitRangeSpec(w, (range as Any).spec, "");
  return w.toString();
}

/** DescribeLimitRanges: every limit range of a namespace, as describe namespace lists them. */
export function describeLimitRanges(w: DescribeWriter, ranges: Any[]): void {
  if (ranges.length === 0) {
    w.write(0, "No LimitRange resource.\n");
    return;
  }
  w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
  w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
  for (const range of ranges) describeLimitRangeSpec(w, range.spec, " ");
}

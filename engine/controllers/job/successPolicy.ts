import type { JobSpec } from "../../api/batch";
import { parseIndexes } from "./util";

/**
 * matchSuccessPolicy (pkg/controller/job/success_policy.go): the first rule the succeeded indexes
 * satisfy — all of `succeededIndexes`, or at least `succeededCount` of them, or with only a
 * count, that many succeeded indexes in all — as upstream's message `Matched rules at index N`.
 * Rules whose `succeededIndexes` parse to nothing are skipped.
 */
export function matchSuccessPolicy(spec: JobSpec, succeeded: Set<number>): string | undefined {
  const rules = spec.successPolicy?.rules ?? [];
  if (rules.length === 0 || succeeded.size === 0) return undefined;
  const completions = spec.completions ?? 0;
  for (const [index, rule] of rules.entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = [...parseIndexes(rule.succeededIndexes)].filter((i) => i < completions);
      if (required.length === 0) continue;
      const contained = required.filter((i) => succeeded.has(i)).length;
      const count = rule.succeededCount;
      if (contained === required.length || (count !== undefined && count !== null && contained >= count)) {
        return `Matched rules at index ${index}`;
      }
    } else if (
      rule.succeededCount !== undefined &&
      rule.succeededCount !== null &&
      succeeded.size >= rule.succeededCount
    ) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}

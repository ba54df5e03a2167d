import type { LabelSelector } from "../../api/types";

/** A compiled label selector: `matches(labels)`; `empty` selects everything, `nothing` selects nothing. */
export interface Selector {
  matches(labels: Record<string, string> | undefined): boolean;
  readonly empty: boolean;
}

const NOTHING: Selector = { matches: () => false, empty: false };
const EVERYTHING: Selector = { matches: () => true, empty: true };

/**
 * metav1.LabelSelectorAsSelector. A missing selector selects nothing (upstream returns
 * labels.Nothing() for nil); an empty one selects everything. An invalid operator selects nothing.
 */
export function selectorFromLabelSelector(selector: LabelSelector | undefined | null): Selector {
  if (!selector) return NOTHING;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return EVERYTHING;
  for (const expression of expressions) {
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(expression.operator)) return NOTHING;
  }
  return {
    empty: false,
    matches(labels) {
      const set = labels ?? {};
      for (const [key, value] of matchLabels) if (set[key] !== value) return false;
      for (const { key, operator, values = [] } of expressions) {
        const has = Object.hasOwn(set, key);
        switch (operator) {
          case "In":
            if (!has || !values.includes(set[key])) return false;
            break;
          case "NotIn":
            if (has && values.includes(set[key])) return false;
            break;
          case "Exists":
            if (!has) return false;
            break;
          case "DoesNotExist":
            if (has) return false;
            break;
        }
      }
      return true;
    },
  };
}

/** labels.SelectorFromSet: a selector matching every label in `set` exactly (empty set: everything). */
export function selectorFromSet(set: Record<string, string> | undefined): Selector {
  return selectorFromLabelSelector({ matchLabels: set ?? {} });
}

/** Renders a LabelSelector in the string syntax the API accepts (`a=b,c in (d,e),!f`). */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  if (!selector) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push(`${key}=${value}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === "In") parts.push(`${key} in (${[...values].sort().join(",")})`);
    else if (operator === "NotIn") parts.push(`${key} notin (${[...values].sort().join(",")})`);
    else if (operator === "Exists") parts.push(key);
    else if (operator === "DoesNotExist") parts.push(`!${key}`);
  }
  return parts.sort().join(",");
}

/** Whether the selector would accept every object: upstream refuses such deployment selectors. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

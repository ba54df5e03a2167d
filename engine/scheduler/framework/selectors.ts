import type { NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from "../../api/core";
import type { LabelSelector, LabelSelectorRequirement } from "../../api/types";

/** A compiled label selector; `matches` is called per pod per node, so it is a closure, not a parse. */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

const everything: LabelMatcher = () => true;
const nothing: LabelMatcher = () => false;

/**
 * `metav1.LabelSelectorAsSelector`: an absent selector selects nothing, an empty one selects
 * everything.
 */
export function compileLabelSelector(selector: LabelSelector | undefined | null): LabelMatcher {
  if (!selector) return nothing;
  const requirements: LabelSelectorRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: "In", values: [value] });
  }
  requirements.push(...(selector.matchExpressions ?? []));
  if (requirements.length === 0) return everything;
  return (labels) => requirements.every((requirement) => matchesRequirement(requirement, labels));
}

/** A map-style selector (Service.spec.selector, nodeSelector): every key must equal. Empty matches all. */
export function matchesMap(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) {
  if (!selector) return true;
  for (const key in selector) if (labels?.[key] !== selector[key]) return false;
  return true;
}

function matchesRequirement(
  requirement: LabelSelectorRequirement,
  labels: Record<string, string> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = has ? labels?.[requirement.key] : undefined;
  switch (requirement.operator) {
    case "In":
      return has && (requirement.values ?? []).includes(value as string);
    case "NotIn":
      return !has || !(requirement.values ?? []).includes(value as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/** A node selector requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`) against labels or fields. */
export function matchesNodeRequirement(
  requirement: NodeSelectorRequirement,
  values: Record<string, string> | undefined,
) {
  const has = values !== undefined && Object.hasOwn(values, requirement.key);
  const value = has ? (values?.[requirement.key] as string) : "";
  switch (requirement.operator) {
    case "In":
      return has && (requirement.values ?? []).includes(value);
    case "NotIn":
      return !has || !(requirement.values ?? []).includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || (requirement.values ?? []).length !== 1) return false;
      const left = Number.parseInt(value, 10);
      const right = Number.parseInt(requirement.values?.[0] ?? "", 10);
      if (Number.isNaN(left) || Number.isNaN(right)) return false;
      return requirement.operator === "Gt" ? left > right : left < right;
    }
    default:
      return false;
  }
}

/**
 * One node selector term: all expressions on labels and all `matchFields` (only `metadata.name`)
 * must hold. A term with no requirements matches nothing, as upstream.
 */
export function matchesNodeSelectorTerm(
  term: NodeSelectorTerm,
  labels: Record<string, string> | undefined,
  name: string,
) {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const expression of expressions) if (!matchesNodeRequirement(expression, labels)) return false;
  if (fields.length > 0) {
    const fieldValues = { "metadata.name": name };
    for (const field of fields) if (!matchesNodeRequirement(field, fieldValues)) return false;
  }
  return true;
}

/** `v1helper.TolerationsTolerateTaint`: does any toleration tolerate the taint? */
export function toleratesTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const toleration of tolerations) if (tolerationMatches(toleration, taint)) return true;
  return false;
}

function tolerationMatches(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with operator Exists matches every taint.
  const operator = toleration.operator || "Equal";
  if (operator === "Exists") return true;
  if (operator === "Equal") return (toleration.value ?? "") === (taint.value ?? "");
  return false;
}

import type { Node, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from "../../api/core";

/** Whether the node satisfies the pod's nodeSelector and required node affinity. */
export function nodeMatchesPod(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(spec?.nodeSelector ?? {})) if (labels[key] !== value) return false;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((term) => termMatches(term, node));
}

/** A node selector term: all expressions and fields must match; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const requirement of expressions) if (!requirementMatches(requirement, labels)) return false;
  for (const requirement of fields) {
    if (requirement.key !== "metadata.name") return false;
    if (!requirementMatches(requirement, { "metadata.name": node.metadata.name ?? "" })) return false;
  }
  return true;
}

function requirementMatches(requirement: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return has && values.includes(value);
    case "NotIn":
      return !has || !values.includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
      return has && Number.isInteger(Number(value)) && Number(value) > Number(values[0]);
    case "Lt":
      return has && Number.isInteger(Number(value)) && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

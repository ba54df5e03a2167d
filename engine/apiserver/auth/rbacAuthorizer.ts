import type { KubeObject } from "../../api/types";
import { ApiError, qualifiedResource } from "../ApiError";
import type { UserInfo } from "../ResourceRequest";
import { selectorFromObject } from "../selectors/LabelSelector";

/** What a request asks to do, as upstream's `authorizer.Attributes` for resource requests. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /** Why, as the RBAC authorizer words it (`RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`). */
  reason: string;
}

/** Reads the RBAC objects the authorizer consults. */
export interface RbacSource {
  list(group: string, resource: string, namespace?: string): KubeObject[];
  get(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
}

const RBAC = "rbac.authorization.k8s.io";

/** The cluster's own components, which upstream authorizes with their bootstrap roles and the Node authorizer. */
function isPrivileged(user: UserInfo): boolean {
  return (
    user.groups.includes("system:masters") ||
    user.groups.includes("system:nodes") ||
    user.username.startsWith("system:node:") ||
    user.username === "system:kube-scheduler" ||
    user.username === "system:kube-controller-manager" ||
    user.username === "system:kube-proxy" ||
    user.username === "system:apiserver"
  );
}

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function ruleAllows(rule: Rule, attributes: AuthorizationAttributes): boolean {
  const verbs = rule.verbs ?? [];
  if (!verbs.includes("*") && !verbs.includes(attributes.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes("*") && !groups.includes(attributes.group)) return false;
  const resources = rule.resources ?? [];
  const combined = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const resourceMatches =
    resources.includes("*") ||
    resources.includes(combined) ||
    (attributes.subresource ? resources.includes(`*/${attributes.subresource}`) : false);
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return !!attributes.name && names.includes(attributes.name);
}

function subjectMatches(
  subject: { kind?: string; name?: string; namespace?: string },
  user: UserInfo,
  bindingNamespace?: string,
): boolean {
  switch (subject.kind) {
    case "User":
      return subject.name === user.username;
    case "Group":
      return !!subject.name && user.groups.includes(subject.name);
    case "ServiceAccount": {
      const namespace = subject.namespace || bindingNamespace;
      return user.username === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

function describeSubject(subject: { kind?: string; name?: string; namespace?: string }): string {
  return subject.kind === "ServiceAccount"
    ? `ServiceAccount "${subject.name}/${subject.namespace ?? ""}"`
    : `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/** A ClusterRole's rules, including those aggregated from ClusterRoles its aggregationRule selects. */
function clusterRoleRules(source: RbacSource, role: KubeObject, seen = new Set<string>()): Rule[] {
  const name = role.metadata.name ?? "";
  if (seen.has(name)) return [];
  seen.add(name);
  const rules: Rule[] = [...(role.rules ?? [])];
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  if (selectors.length > 0) {
    for (const candidate of source.list(RBAC, "clusterroles")) {
      if (candidate.metadata.name === name) continue;
      const matches = selectors.some((selector: object) => {
        try {
          return selectorFromObject(selector).matches(candidate.metadata.labels);
        } catch {
          return false;
        }
      });
      if (matches) rules.push(...clusterRoleRules(source, candidate, seen));
    }
  }
  return rules;
}

/**
 * The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): a request is allowed when a
 * ClusterRoleBinding, or a RoleBinding in the request's namespace, binds one of the user's
 * identities to a role with a matching rule. The cluster's own components and `system:masters`
 * are allowed everything, as their bootstrap roles allow upstream.
 */
export function authorize(source: RbacSource, attributes: AuthorizationAttributes): AuthorizationDecision {
  if (attributes.user.groups.includes("system:masters")) {
    return {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    };
  }
  if (isPrivileged(attributes.user)) return { allowed: true, reason: "" };
  for (const binding of source.list(RBAC, "clusterrolebindings")) {
    const subject = (binding.subjects ?? []).find((candidate: object) => subjectMatches(candidate, attributes.user));
    if (!subject || binding.roleRef?.kind !== "ClusterRole") continue;
    const role = source.get(RBAC, "clusterroles", undefined, binding.roleRef.name);
    if (role && clusterRoleRules(source, role).some((rule) => ruleAllows(rule, attributes))) {
      return {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata.name}" of ClusterRole "${role.metadata.name}" to ${describeSubject(subject)}`,
      };
    }
  }
  if (attributes.namespace) {
    for (const binding of source.list(RBAC, "rolebindings", attributes.namespace)) {
      const subject = (binding.subjects ?? []).find((candidate: object) =>
        subjectMatches(candidate, attributes.user, attributes.namespace),
      );
      if (!subject) continue;
      const kind = binding.roleRef?.kind;
      const role =
        kind === "ClusterRole"
          ? source.get(RBAC, "clusterroles", undefined, binding.roleRef.name)
          : source.get(RBAC, "roles", attributes.namespace, binding.roleRef?.name ?? "");
      if (!role) continue;
      const rules = kind === "ClusterRole" ? clusterRoleRules(source, role) : (role.rules ?? []);
      if (rules.some((rule: Rule) => ruleAllows(rule, attributes))) {
        return {
          allowed: true,
          reason: `RBAC: allowed by RoleBinding "${binding.metadata.name}/${attributes.namespace}" of ${kind} "${role.metadata.name}" to ${describeSubject(subject)}`,
        };
      }
    }
  }
  return { allowed: false, reason: "" };
}

/**
 * The rules RBAC grants a user in a namespace, as upstream's rule resolver `RulesFor`
 * (pkg/registry/rbac/validation): the rules of every role a ClusterRoleBinding binds the user to,
 * then those of every RoleBinding in the namespace that binds them. For SelfSubjectRulesReview
 * (`kubectl auth can-i --list`).
 */
export function rulesFor(source: RbacSource, user: UserInfo, namespace: string): Rule[] {
  const rules: Rule[] = [];
  for (const binding of source.list(RBAC, "clusterrolebindings")) {
    if (!(binding.subjects ?? []).some((subject: object) => subjectMatches(subject, user))) continue;
    if (binding.roleRef?.kind !== "ClusterRole") continue;
    const role = source.get(RBAC, "clusterroles", undefined, binding.roleRef.name);
    if (role) rules.push(...clusterRoleRules(source, role));
  }
  for (const binding of source.list(RBAC, "rolebindings", namespace)) {
    if (!(binding.subjects ?? []).some((subject: object) => subjectMatches(subject, user, namespace))) continue;
    const kind = binding.roleRef?.kind;
    const role =
      kind === "ClusterRole"
        ? source.get(RBAC, "clusterroles", undefined, binding.roleRef.name)
        : source.get(RBAC, "roles", namespace, binding.roleRef?.name ?? "");
    if (role) rules.push(...(kind === "ClusterRole" ? clusterRoleRules(source, role) : (role.rules ?? [])));
  }
  return rules;
}

/** The 403 upstream's authorization filter answers with (`pods is forbidden: User "jane" cannot list …`). */
export function forbiddenError(attributes: AuthorizationAttributes): ApiError {
  const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  const scope = attributes.namespace
    ? `in the namespace ${JSON.stringify(attributes.namespace)}`
    : "at the cluster scope";
  const why = `User ${JSON.stringify(attributes.user.username)} cannot ${attributes.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.group)} ${scope}`;
  const subject = qualifiedResource(attributes.group, attributes.resource);
  const message = attributes.name
    ? `${subject} ${JSON.stringify(attributes.name)} is forbidden: ${why}`
    : `${subject} is forbidden: ${why}`;
  return new ApiError("Forbidden", 403, message, {
    name: attributes.name || undefined,
    group: attributes.group || undefined,
    kind: attributes.resource,
  });
}

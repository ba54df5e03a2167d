import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import { isPlainObject } from "../patch/mergePatch";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse, UserInfo } from "../ResourceRequest";
import { authorize, type RbacSource, rulesFor } from "./rbacAuthorizer";

const GROUP = "authorization.k8s.io";

const AUTHENTICATION = "authentication.k8s.io";

const review = (resource: string, kind: string, namespaced: boolean, group = GROUP): ResourceDefinition => ({
  group,
  versions: ["v1"],
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced,
  verbs: ["create"],
  storagePrefix: `${group}/${resource}`,
  strategy: {},
});

/** authorization.k8s.io/v1's review resources: answered on create, never stored. */
export const accessReviewDefinitions: readonly ResourceDefinition[] = [
  review("selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
  review("subjectaccessreviews", "SubjectAccessReview", false),
  review("localsubjectaccessreviews", "LocalSubjectAccessReview", true),
  review("selfsubjectrulesreviews", "SelfSubjectRulesReview", false),
  review("selfsubjectreviews", "SelfSubjectReview", false, AUTHENTICATION),
];

export function isAccessReview(definition: ResourceDefinition): boolean {
  return accessReviewDefinitions.includes(definition);
}

/**
 * Answers a (Self|Local)SubjectAccessReview with the RBAC authorizer's decision, as `kubectl auth
 * can-i` expects: the review back, with `status.allowed` and the reason.
 */
export function handleAccessReview(
  source: RbacSource,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  if (request.verb !== "create") throw ApiError.methodNotSupported(definition.group, definition.resource, request.verb);
  const body = request.body;
  if (!isPlainObject(body)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const reviewObject = structuredClone(body) as KubeObject;
  if (definition.resource === "selfsubjectreviews") {
    // `kubectl auth whoami` (pkg/registry/authentication/selfsubjectreview): who the request is from.
    const { username, uid, groups, extra } = request.user;
    reviewObject.status = {
      userInfo: {
        username,
        ...(uid ? { uid } : {}),
        ...(groups.length ? { groups } : {}),
        ...(extra && Object.keys(extra).length ? { extra } : {}),
      },
    };
    reviewObject.metadata = { ...(reviewObject.metadata ?? {}), creationTimestamp: null as unknown as string };
    return { status: 201, body: reviewObject };
  }
  const spec = (reviewObject.spec ?? {}) as Record<string, unknown>;
  let user: UserInfo = request.user;
  if (definition.resource === "subjectaccessreviews" || definition.resource === "localsubjectaccessreviews") {
    if (!spec.user && !(spec.groups as string[] | undefined)?.length) {
      throw ApiError.invalid(GROUP, definition.kind, "", [
        {
          type: "FieldValueInvalid",
          field: "spec.user",
          badValue: "",
          detail: "at least one of user or group must be specified",
        },
      ]);
    }
    user = { username: String(spec.user ?? ""), groups: (spec.groups as string[] | undefined) ?? [] };
  }
  if (definition.resource === "selfsubjectrulesreviews") {
    reviewObject.status = rulesReviewStatus(source, user, String(spec.namespace ?? ""));
    reviewObject.metadata = { ...(reviewObject.metadata ?? {}), creationTimestamp: null as unknown as string };
    return { status: 201, body: reviewObject };
  }
  const resourceAttributes = spec.resourceAttributes as Record<string, string> | undefined;
  const nonResourceAttributes = spec.nonResourceAttributes as Record<string, string> | undefined;
  if (!resourceAttributes && !nonResourceAttributes) {
    throw ApiError.invalid(GROUP, definition.kind, "", [
      {
        type: "FieldValueRequired",
        field: "spec.resourceAttributes",
        detail: "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      },
    ]);
  }
  let decision: { allowed: boolean; reason: string };
  if (resourceAttributes) {
    const namespace =
      definition.resource === "localsubjectaccessreviews" ? request.namespace : resourceAttributes.namespace;
    decision = authorize(source, {
      user,
      verb: resourceAttributes.verb ?? "",
      group: resourceAttributes.group ?? "",
      resource: resourceAttributes.resource ?? "",
      subresource: resourceAttributes.subresource || undefined,
      namespace: namespace || undefined,
      name: resourceAttributes.name || undefined,
    });
  } else {
    decision = authorizeNonResource(source, user, nonResourceAttributes?.verb ?? "", nonResourceAttributes?.path ?? "");
  }
  reviewObject.status = decision.reason
    ? { allowed: decision.allowed, reason: decision.reason }
    : { allowed: decision.allowed };
  reviewObject.metadata = { ...(reviewObject.metadata ?? {}), creationTimestamp: null as unknown as string };
  return { status: 201, body: reviewObject };
}

/**
 * A SelfSubjectRulesReview's status (pkg/registry/authorization/selfsubjectrulesreview): the RBAC
 * rules of the user in the namespace, split into resource and non-resource rules. A kubeadm
 * cluster's API server authorizes with Node,RBAC; the Node authorizer cannot list a node's rules, so
 * for a node the list is marked incomplete with its error, as upstream's union of authorizers does.
 */
function rulesReviewStatus(source: RbacSource, user: UserInfo, namespace: string): Record<string, unknown> {
  if (!namespace) throw ApiError.badRequest("no namespace on request");
  const resourceRules: Record<string, unknown>[] = [];
  const nonResourceRules: Record<string, unknown>[] = [];
  for (const rule of rulesFor(source, user, namespace)) {
    if (rule.resources?.length)
      resourceRules.push({
        verbs: rule.verbs ?? [],
        ...(rule.apiGroups?.length ? { apiGroups: rule.apiGroups } : {}),
        resources: rule.resources,
        ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
      });
    if (rule.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
  }
  const isNode = user.groups.includes("system:nodes") && user.username.startsWith("system:node:");
  return isNode
    ? {
        resourceRules,
        nonResourceRules,
        incomplete: true,
        evaluationError: "node authorizer does not support user rule resolution",
      }
    : { resourceRules, nonResourceRules, incomplete: false };
}

/**
 * A non-resource request (`kubectl auth can-i get /healthz`), as the RBAC authorizer decides it:
 * allowed when a ClusterRoleBinding's role has a rule with the verb (or `*`) and the path, exactly
 * or by a prefix ending in `*` (rbac/v1 helpers NonResourceURLMatches).
 */
function authorizeNonResource(
  source: RbacSource,
  user: UserInfo,
  verb: string,
  path: string,
): { allowed: boolean; reason: string } {
  if (user.groups.includes("system:masters")) return { allowed: true, reason: "" };
  const matches = (url: string) =>
    url === "*" || url === path || (url.endsWith("*") && path.startsWith(url.slice(0, -1)));
  const allowed = rulesFor(source, user, "").some(
    (rule) =>
      (rule.verbs ?? []).some((candidate) => candidate === "*" || candidate === verb) &&
      (rule.nonResourceURLs ?? []).some(matches),
  );
  return { allowed, reason: "" };
}

import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import { isPlainObject } from "../patch/mergePatch";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse, UserInfo } from "../ResourceRequest";
import { authorize, type RbacSource } from "./rbacAuthorizer";

const GROUP = "authorization.k8s.io";

const review = (resource: string, kind: string, namespaced: boolean): ResourceDefinition => ({
  group: GROUP,
  versions: ["v1"],
  resource,
  kind,
  singular: kind.toLowerCase(),
  namespaced,
  verbs: ["create"],
  storagePrefix: `${GROUP}/${resource}`,
  strategy: {},
});

/** authorization.k8s.io/v1's review resources: answered on create, never stored. */
export const accessReviewDefinitions: readonly ResourceDefinition[] = [
  review("selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
  review("subjectaccessreviews", "SubjectAccessReview", false),
  review("localsubjectaccessreviews", "LocalSubjectAccessReview", true),
  review("selfsubjectrulesreviews", "SelfSubjectRulesReview", false),
];

export function isAccessReview(definition: ResourceDefinition): boolean {
  return definition.group === GROUP;
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
  if (request.verb !== "create") throw ApiError.methodNotSupported(GROUP, definition.resource, request.verb);
  const body = request.body;
  if (!isPlainObject(body)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const reviewObject = structuredClone(body) as KubeObject;
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
    reviewObject.status = { resourceRules: [], nonResourceRules: [], incomplete: true };
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
    decision = user.groups.includes("system:masters") ? { allowed: true, reason: "" } : { allowed: false, reason: "" };
  }
  reviewObject.status = decision.reason
    ? { allowed: decision.allowed, reason: decision.reason }
    : { allowed: decision.allowed };
  reviewObject.metadata = { ...(reviewObject.metadata ?? {}), creationTimestamp: null as unknown as string };
  return { status: 201, body: reviewObject };
}

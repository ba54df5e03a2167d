import type { CheckOf } from "../format/schema";
import type { AccessReviewSpec } from "../run/GradingCluster";
import { type CheckContext, lookThenJudge, type Outcome, type PreparedCheck } from "./types";

/** The RBAC kinds whose changes can change an answer. */
export const RBAC_KINDS = [
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
  "clusterroles.rbac.authorization.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io",
];

/**
 * Whether a ServiceAccount or a user may do something, as the cluster's authorizer answers
 * (a SubjectAccessReview, what `kubectl auth can-i --as` asks): the groups a ServiceAccount's
 * token carries, or a user's own groups, plus system:authenticated as the API server adds it.
 */
export function accessCheck(check: CheckOf<"access">, { cluster }: CheckContext): PreparedCheck {
  const look = async () => {
    const [info, ...rbac] = await Promise.all([
      cluster.resolve(check.resource.split("/")[0] as string),
      ...RBAC_KINDS.map((kind) => cluster.resolve(kind)),
    ]);
    const namespace = info.namespaced ? (check.namespace ?? cluster.namespace) : undefined;
    const subject = subjectOf(check, cluster.namespace);
    const spec: AccessReviewSpec = {
      user: subject.user,
      groups: subject.groups,
      resourceAttributes: {
        namespace,
        verb: check.verb,
        group: info.group,
        resource: info.resource,
        subresource: check.resource.split("/")[1],
        name: check.name,
      },
    };
    const answer = await cluster.accessReview(spec);
    const what = `${check.verb} ${check.resource}${check.name ? ` ${check.name}` : ""}${namespace ? ` in namespace ${namespace}` : ""}`;
    return { watches: rbac, namespace, answer, who: subject.shown, what };
  };
  return lookThenJudge(look, ({ answer, who, what }): Outcome => {
    const can = answer.allowed ? "can" : "cannot";
    if (answer.allowed === check.allowed) {
      return { pass: true, message: `${who} ${can} ${what}${answer.reason ? ` (${answer.reason})` : ""}` };
    }
    return {
      pass: false,
      message: check.allowed
        ? `${who} cannot ${what}; expected it can — no Role or ClusterRole bound to it allows that`
        : `${who} can ${what}; expected it cannot${answer.reason ? ` (${answer.reason})` : ""}`,
      expected: check.allowed ? "allowed" : "denied",
      found: answer.allowed ? "allowed" : "denied",
    };
  });
}

/** The user and groups an access check asks for. */
function subjectOf(check: CheckOf<"access">, defaultNamespace: string) {
  if (check.serviceAccount !== undefined) {
    const [namespace, name] = check.serviceAccount.includes(":")
      ? check.serviceAccount.split(":", 2)
      : [check.namespace ?? defaultNamespace, check.serviceAccount];
    return {
      user: `system:serviceaccount:${namespace}:${name}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
      shown: `ServiceAccount ${namespace}/${name}`,
    };
  }
  const user = check.user as string;
  return {
    user,
    groups: [...(check.groups ?? []), "system:authenticated"],
    shown: `User ${user}${check.groups?.length ? ` (groups ${check.groups.join(", ")})` : ""}`,
  };
}

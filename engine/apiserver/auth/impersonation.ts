import { ApiError } from "../ApiError";
import type { UserInfo } from "../ResourceRequest";
import type { AuthorizationAttributes, AuthorizationDecision } from "./rbacAuthorizer";

type Headers = Record<string, string | string[] | undefined>;

function values(headers: Headers, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(","))
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Upstream's impersonation filter (`kubectl --as=jane --as-group=dev`): the `Impersonate-User` and
 * `Impersonate-Group` headers replace the authenticated user when RBAC lets it `impersonate` those
 * users and groups; otherwise a 403 worded as upstream's. Without the headers, `user` is returned.
 */
export function impersonatedUser(
  user: UserInfo,
  headers: Headers,
  authorize: (attributes: AuthorizationAttributes) => AuthorizationDecision,
): UserInfo {
  const [username] = values(headers, "impersonate-user");
  const groups = values(headers, "impersonate-group");
  if (!username) {
    if (groups.length > 0) throw ApiError.internal("requested group impersonation without user impersonation");
    return user;
  }
  const check = (resource: string, name: string) => {
    const decision = authorize({ user, verb: "impersonate", group: "", resource, name });
    if (!decision.allowed) {
      throw ApiError.forbidden(
        "",
        resource,
        name,
        `User ${JSON.stringify(user.username)} cannot impersonate resource ${JSON.stringify(resource)} in API group "" at the cluster scope`,
      );
    }
  };
  const serviceAccount = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (serviceAccount) {
    const decision = authorize({
      user,
      verb: "impersonate",
      group: "",
      resource: "serviceaccounts",
      namespace: serviceAccount[1],
      name: serviceAccount[2],
    });
    if (!decision.allowed) {
      throw ApiError.forbidden(
        "",
        "serviceaccounts",
        serviceAccount[2],
        `User ${JSON.stringify(user.username)} cannot impersonate resource "serviceaccounts" in API group "" in the namespace ${JSON.stringify(serviceAccount[1])}`,
      );
    }
  } else check("users", username);
  for (const group of groups) check("groups", group);
  const resultGroups = [...groups];
  if (serviceAccount) resultGroups.push("system:serviceaccounts", `system:serviceaccounts:${serviceAccount[1]}`);
  if (username !== "system:anonymous" && !resultGroups.includes("system:authenticated"))
    resultGroups.push("system:authenticated");
  return { username, groups: resultGroups };
}

import { describe, expect, it } from "vitest";
import { ClusterRoleBindings, ClusterRoles, ConfigMaps, Pods, RoleBindings, Roles } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { createClient } from "../../client/createClient";
import { ApiError } from "../ApiError";
import { createTestServer } from "../testing/testServer";

const jane = { username: "jane", groups: ["system:authenticated"] };

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("RBAC", () => {
  it("forbids what no binding allows, with upstream's message", async () => {
    const { apiServer } = createTestServer();
    const client = createClient(apiServer, jane);
    const list = await failure(client.list(Pods, "default"));
    expect([list.code, list.message]).toEqual([
      403,
      'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    ]);
    const get = await failure(client.get(ConfigMaps, "kube-system", "kube-root-ca.crt"));
    expect(get.message).toBe(
      'configmaps "kube-root-ca.crt" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "kube-system"',
    );
    const nodes = await failure(client.list({ group: "", version: "v1", resource: "nodes" }));
    expect(nodes.message).toBe(
      'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("allows what a RoleBinding grants, only in its namespace, and honours resourceNames", async () => {
    const { apiServer, client: admin } = createTestServer();
    await admin.create<KubeObject>(Roles, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "reader", namespace: "default" },
      rules: [
        { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["kube-root-ca.crt"] },
      ],
    });
    await admin.create<KubeObject>(RoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "jane-reads", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "jane" }],
    });
    const client = createClient(apiServer, jane);
    expect((await client.list(Pods, "default")).items).toEqual([]);
    expect((await failure(client.list(Pods, "kube-system"))).code).toBe(403);
    expect((await client.get(ConfigMaps, "default", "kube-root-ca.crt")).metadata.name).toBe("kube-root-ca.crt");
    expect((await failure(client.list(ConfigMaps, "default"))).code).toBe(403);
    expect(
      (
        await failure(
          client.create(Pods, {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p", namespace: "default" },
            spec: { containers: [] },
          }),
        )
      ).message,
    ).toBe('pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"');
  });

  it("answers SelfSubjectAccessReviews as kubectl auth can-i expects", async () => {
    const { apiServer } = createTestServer();
    const review = (user: { username: string; groups: string[] }, verb: string) =>
      apiServer.execute({
        verb: "create",
        gvr: { group: "authorization.k8s.io", version: "v1", resource: "selfsubjectaccessreviews" },
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: { resourceAttributes: { namespace: "default", verb, resource: "pods" } },
        },
        options: {},
        user,
      }).body as KubeObject;
    expect(review({ username: "admin", groups: ["system:masters"] }, "delete").status).toEqual({
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    });
    expect(review(jane, "list").status).toEqual({ allowed: false });
  });

  it("lists a user's rules in a namespace for SelfSubjectRulesReview (kubectl auth can-i --list)", async () => {
    const { apiServer, client: admin } = createTestServer();
    await admin.create<KubeObject>(Roles, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "reader", namespace: "default" },
      rules: [
        { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["settings"] },
      ],
    });
    await admin.create<KubeObject>(RoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "jane-reads", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "jane" }],
    });
    await admin.create<KubeObject>(ClusterRoles, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "health" },
      rules: [{ nonResourceURLs: ["/healthz", "/logs/*"], verbs: ["get"] }],
    });
    await admin.create<KubeObject>(ClusterRoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "jane-health" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "health" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "jane" }],
    });
    const execute = (resource: string, spec: object, user: { username: string; groups: string[] }) =>
      apiServer.execute({
        verb: "create",
        gvr: { group: "authorization.k8s.io", version: "v1", resource },
        body: { apiVersion: "authorization.k8s.io/v1", spec },
        options: {},
        user,
      }).body as KubeObject;
    const rules = (namespace: string, user = jane) => execute("selfsubjectrulesreviews", { namespace }, user).status;
    // What every authenticated user has (system:basic-user, system:discovery, …), from ClusterRoleBindings.
    const base = rules("default", { username: "bob", groups: ["system:authenticated"] });
    expect(base.resourceRules).toContainEqual({
      verbs: ["create"],
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    });
    const health = { verbs: ["get"], nonResourceURLs: ["/healthz", "/logs/*"] };
    const inDefault = rules("default");
    // ClusterRoleBindings' rules first, then the namespace's RoleBindings', as upstream's resolver visits them.
    expect(inDefault.resourceRules).toEqual([
      ...base.resourceRules,
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] },
      { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"] },
    ]);
    expect(inDefault.nonResourceRules).toHaveLength(base.nonResourceRules.length + 1);
    expect(inDefault.nonResourceRules).toEqual(expect.arrayContaining([...base.nonResourceRules, health]));
    expect(inDefault.incomplete).toBe(false);
    const inKubeSystem = rules("kube-system");
    expect(inKubeSystem.resourceRules).toEqual(base.resourceRules);
    expect(inKubeSystem.nonResourceRules).toContainEqual(health);
    const node = { username: "system:node:node01", groups: ["system:nodes", "system:authenticated"] };
    expect(execute("selfsubjectrulesreviews", { namespace: "default" }, node).status).toMatchObject({
      incomplete: true,
      evaluationError: "node authorizer does not support user rule resolution",
    });
    const path = (verb: string, path: string) =>
      execute("selfsubjectaccessreviews", { nonResourceAttributes: { verb, path } }, jane).status;
    expect(path("get", "/healthz")).toEqual({ allowed: true });
    expect(path("get", "/logs/kubelet.log")).toEqual({ allowed: true });
    expect(path("post", "/healthz")).toEqual({ allowed: false });
    expect(path("get", "/metrics")).toEqual({ allowed: false });
  });
});

describe("impersonation", () => {
  it("lets an admin act as another user and refuses everyone else", async () => {
    const { impersonatedUser } = await import("./impersonation");
    const { apiServer } = createTestServer();
    const authorize = (attributes: Parameters<typeof apiServer.authorize>[0]) => apiServer.authorize(attributes);
    const admin = { username: "kubernetes-admin", groups: ["system:masters"] };
    expect(impersonatedUser(admin, { "impersonate-user": "jane", "impersonate-group": ["dev"] }, authorize)).toEqual({
      username: "jane",
      groups: ["dev", "system:authenticated"],
    });
    expect(impersonatedUser(admin, {}, authorize)).toBe(admin);
    expect(() => impersonatedUser(jane, { "impersonate-user": "root" }, authorize)).toThrow(
      'users "root" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });
});

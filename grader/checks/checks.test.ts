import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Check } from "../format/schema";
import { applyManifests, type FreshCluster, startFreshCluster } from "../run/freshCluster";
import { GradingCluster } from "../run/GradingCluster";
import { runCheck } from "./index";

/** Every check type against a real in-process cluster (the standalone server), pass and fail, with its feedback. */
describe("checks", () => {
  let cluster: FreshCluster;
  const context = () => ({ cluster: cluster.grading, lessonFolder: import.meta.dirname });
  const run = (check: Record<string, unknown>, wait?: number) =>
    runCheck(Check.parse(check), 0, context(), { defaultWaitMs: wait ?? 0 });

  beforeAll(async () => {
    cluster = await startFreshCluster();
    await applyManifests(
      cluster.grading,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: nginx-pod, labels: {app: typo}}
spec: {containers: [{name: main, image: ngnix}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec: {containers: [{name: client, image: busybox:1.36, command: [sleep, "3600"]}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy-manager}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer-manages-deployments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy-manager}
subjects: [{kind: ServiceAccount, name: deployer, namespace: default}]
`,
    );
    // Converged: the deployment rolled out and the client running.
    const rolled = await run({ type: "condition", kind: Deployment, name: "web", condition: "RolledOut" }, 60_000);
    expect(rolled.status).toBe("pass");
    expect((await run({ type: "condition", kind: "Pod", name: "client", condition: "Ready" }, 60_000)).status).toBe(
      "pass",
    );
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const Deployment = "Deployment";
  const cases: { name: string; check: Record<string, unknown>; status: "pass" | "fail" | "error"; message: RegExp }[] =
    [
      {
        name: "exists",
        check: { type: "exists", kind: "Deployment", name: "web" },
        status: "pass",
        message: /Deployment web exists/,
      },
      {
        name: "exists: misspelled",
        check: { type: "exists", kind: "Pod", name: "nginx-pdo" },
        status: "fail",
        message: /No Pod named nginx-pdo in namespace default — found Pod nginx-pod; is the name spelled right\?/,
      },
      {
        name: "exists: short kind name",
        check: { type: "exists", kind: "deploy", name: "web" },
        status: "pass",
        message: /exists/,
      },
      { name: "absent", check: { type: "absent", kind: "Pod", name: "gone" }, status: "pass", message: /gone/ },
      {
        name: "absent: still there",
        check: { type: "absent", kind: "Service", name: "web" },
        status: "fail",
        message: /Service web still exists/,
      },
      {
        name: "field: typo in image",
        check: { type: "field", kind: "Pod", name: "nginx-pod", path: "spec.containers[0].image", equals: "nginx" },
        status: "fail",
        message: /^Pod nginx-pod runs image ngnix; expected nginx — is the name spelled right\?$/,
      },
      {
        name: "field: numeric",
        check: { type: "field", kind: "Deployment", name: "web", path: ".spec.replicas", gte: 3 },
        status: "pass",
        message: /spec.replicas = 3/,
      },
      {
        name: "field: regex fails",
        check: {
          type: "field",
          kind: "Deployment",
          name: "web",
          path: "spec.template.spec.containers[*].image",
          regex: "^httpd",
        },
        status: "fail",
        message: /expected something matching/,
      },
      {
        name: "field: a wildcard path names the value that matched",
        check: { type: "field", kind: "Role", name: "deploy-manager", path: "rules[*].verbs[*]", equals: "create" },
        status: "pass",
        message: /^Role deploy-manager has rules\[\*\]\.verbs\[\*\] = create$/,
      },
      {
        name: "field: a long value is cut short",
        check: { type: "field", kind: "Role", name: "deploy-manager", path: "rules", exists: true },
        status: "pass",
        message: /^Role deploy-manager has rules = \[\{"apiGroups":\["apps"\],"resources":\["deployments"\],"verbs":…$/,
      },
      {
        name: "field: oneOf and label with dots",
        check: {
          type: "field",
          kind: "Pod",
          name: "nginx-pod",
          path: 'metadata.labels["app"]',
          oneOf: ["typo", "web"],
        },
        status: "pass",
        message: /typo/,
      },
      {
        name: "field: exists false",
        check: { type: "field", kind: "Deployment", name: "web", path: "spec.paused", exists: true },
        status: "fail",
        message: /has no spec.paused/,
      },
      {
        name: "count",
        check: { type: "count", kind: "Pod", selector: "app=web", phase: "Running", ready: true, atLeast: 3 },
        status: "pass",
        message: /3 Pods with app=web are Running and Ready/,
      },
      {
        name: "count: too few",
        check: { type: "count", kind: "Pod", selector: "app=web", ready: true, atLeast: 5 },
        status: "fail",
        message: /3 Pods with app=web are Ready in namespace default; expected at least 5/,
      },
      {
        name: "condition: deployment available",
        check: { type: "condition", kind: "Deployment", name: "web", condition: "Available" },
        status: "pass",
        message: /Available/,
      },
      {
        name: "condition: pod not ready",
        check: { type: "condition", kind: "Pod", name: "nginx-pod", condition: "Ready" },
        status: "fail",
        message: /Pod nginx-pod is not Ready/,
      },
      {
        name: "event",
        check: { type: "event", reason: "Scheduled", involvedObject: { kind: "Pod", name: "client" } },
        status: "pass",
        message: /Pod client has a Scheduled event/,
      },
      {
        name: "event: missing",
        check: { type: "event", reason: "Killing", involvedObject: { kind: "Pod", name: "client" } },
        status: "fail",
        message: /No Killing event for Pod client in namespace default \(its events: .*Scheduled/,
      },
      {
        name: "spread",
        check: { type: "spread", selector: "app=web", minNodes: 2 },
        status: "pass",
        message: /run on \d nodes/,
      },
      {
        name: "spread: too few",
        check: { type: "spread", selector: "app=web", minNodes: 9 },
        status: "fail",
        message: /expected at least 9/,
      },
      {
        name: "endpoints",
        check: { type: "endpoints", service: "web", atLeast: 3 },
        status: "pass",
        message: /Service web has 3 ready endpoints/,
      },
      {
        name: "endpoints: wrong count",
        check: { type: "endpoints", service: "web", exactly: 1 },
        status: "fail",
        message: /has 3 ready endpoints; expected exactly 1/,
      },
      {
        name: "request",
        check: { type: "request", pod: "client", url: "http://web", expect: "nginx" },
        status: "pass",
        message: /gets an answer/,
      },
      {
        name: "request: nobody answers",
        check: { type: "request", pod: "client", url: "http://nothing-here" },
        status: "fail",
        message: /A request from Pod client to http:\/\/nothing-here got no answer/,
      },
      {
        name: "access: a ServiceAccount allowed by a RoleBinding",
        check: { type: "access", serviceAccount: "deployer", verb: "create", resource: "deploy" },
        status: "pass",
        message:
          /^ServiceAccount default\/deployer can create deploy in namespace default \(RBAC: allowed by RoleBinding "deployer-manages-deployments\/default" of Role "deploy-manager" to ServiceAccount "deployer\/default"\)$/,
      },
      {
        name: "access: what no rule grants",
        check: { type: "access", serviceAccount: "default:deployer", verb: "delete", resource: "deployments" },
        status: "fail",
        message:
          /^ServiceAccount default\/deployer cannot delete deployments in namespace default; expected it can — no Role or ClusterRole bound to it allows that$/,
      },
      {
        name: "access: denied as expected, for a user and a subresource",
        check: { type: "access", user: "jane", verb: "get", resource: "pods/log", allowed: false },
        status: "pass",
        message: /^User jane cannot get pods\/log in namespace default$/,
      },
      {
        name: "access: a group's rights (system:masters may do anything)",
        check: {
          type: "access",
          user: "root",
          groups: ["system:masters"],
          verb: "delete",
          resource: "nodes",
          allowed: false,
        },
        status: "fail",
        message: /^User root \(groups system:masters\) can delete nodes; expected it cannot/,
      },
      {
        name: "command",
        check: { type: "command", pod: "client", command: "echo hi", expect: "^hi$" },
        status: "pass",
        message: /succeeds|expected/,
      },
      {
        name: "command: what it printed, on one line",
        check: { type: "command", pod: "client", command: "printf 'a\\n  b\\n'", expect: "^c$" },
        status: "fail",
        message: /printed "a b"; expected something matching/,
      },
      {
        name: "command: exit code",
        check: { type: "command", pod: "client", command: ["sh", "-c", "exit 3"] },
        status: "fail",
        message: /exited with 3; expected 0/,
      },
      {
        name: "command: an expected failure does not read as success",
        check: { type: "command", pod: "client", command: ["sh", "-c", "exit 3"], exitCode: 3 },
        status: "pass",
        message: /^`sh -c exit 3` in Pod client exits with 3, as expected$/,
      },
      {
        name: "module",
        check: { type: "module", module: "./testdata/threeReplicas.ts" },
        status: "pass",
        message: /web asks for 3/,
      },
    ];

  it.each(cases)("$name", async ({ check, status, message }) => {
    const result = await run(check);
    expect(result.message).toMatch(message);
    expect(result.status).toBe(status);
    expect(result.points).toBe(status === "pass" ? 1 : 0);
  });

  it("files: in the home folder and on a node", async () => {
    await cluster.shell.run("echo hello > notes.txt");
    expect((await run({ type: "file", home: true, path: "notes.txt", contains: "hello" })).status).toBe("pass");
    const missing = await run({ type: "file", node: "node01", path: "/etc/kubernetes/nothing.yaml" });
    expect(missing).toMatchObject({ status: "fail", message: "No file /etc/kubernetes/nothing.yaml on node node01" });
  });

  it("waits for convergence through a watch", async () => {
    const waiting = run({ type: "count", kind: "Pod", selector: "app=later", ready: true, atLeast: 1 }, 60_000);
    await applyManifests(
      cluster.grading,
      "apiVersion: v1\nkind: Pod\nmetadata: {name: later, labels: {app: later}}\nspec: {containers: [{name: c, image: nginx}]}\n",
    );
    expect((await waiting).status).toBe("pass");
  });

  it("an unreachable cluster is an error, not a failing grade", async () => {
    const down = new GradingCluster(
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    );
    const result = await runCheck(Check.parse({ type: "exists", kind: "Pod", name: "x" }), 0, {
      cluster: down,
      lessonFolder: ".",
    });
    expect(result).toMatchObject({ status: "error", message: "cannot reach the cluster", points: 0 });
  });
});

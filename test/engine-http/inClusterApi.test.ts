import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOurs } from "../terminal/differential/harness";
import { hasKubectl, kubectl, startTestCluster, type TestCluster } from "./support";

/**
 * The CKA classic through the real kubectl exec and ours: a pod's curl reaches the API server at
 * https://kubernetes.default.svc with its ServiceAccount token and the mounted ca.crt, and gets
 * what a real kube-apiserver answers (RBAC's Forbidden before a RoleBinding, the list after).
 */
describe.skipIf(!hasKubectl)("the API server from inside a pod", () => {
  let cluster: TestCluster;
  const real = (...args: string[]) => kubectl(cluster, args);
  const ours = async (...args: string[]) => {
    const result = await runOurs(args, cluster.kubeconfig);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const script =
    'TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token); curl -s --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt -H "Authorization: Bearer $TOKEN" https://kubernetes.default.svc/api/v1/namespaces/default/pods';

  beforeAll(async () => {
    cluster = await startTestCluster();
    const run = await real("run", "t", "--image=curlimages/curl", "--", "sleep", "infinity");
    expect(run.code, run.stderr).toBe(0);
    const ready = await real("wait", "--for=condition=Ready", "pod/t", "--timeout=60s");
    expect(ready.code, ready.stderr).toBe(0);
  }, 90_000);
  afterAll(() => cluster?.stop());

  it("answers the pod's token with RBAC's Forbidden, then the list once a RoleBinding allows it", async () => {
    for (const exec of [real, ours]) {
      const denied = await exec("exec", "t", "--", "sh", "-c", script);
      expect(denied.code, denied.stderr).toBe(0);
      expect(JSON.parse(denied.stdout)).toMatchObject({
        kind: "Status",
        message:
          'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
        code: 403,
      });
      expect(denied.stdout.endsWith("}")).toBe(true);
    }
    const bind = await real("create", "rolebinding", "t", "--clusterrole=view", "--serviceaccount=default:default");
    expect(bind.code, bind.stderr).toBe(0);
    for (const exec of [real, ours]) {
      const allowed = await exec("exec", "t", "--", "sh", "-c", script);
      expect(allowed.code, allowed.stderr).toBe(0);
      const list = JSON.parse(allowed.stdout);
      expect([list.kind, list.items.map((pod: { metadata: { name: string } }) => pod.metadata.name)]).toEqual([
        "PodList",
        ["t"],
      ]);
    }
  }, 60_000);

  it("refuses an unknown CA as curl does, and answers anonymous /version", async () => {
    const unverified = await real("exec", "t", "--", "curl", "https://kubernetes.default/version");
    expect(unverified.code).toBe(60);
    expect(unverified.stderr).toContain(
      "curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n",
    );
    const version = await real("exec", "t", "--", "curl", "-sk", "https://kubernetes.default/version");
    expect(JSON.parse(version.stdout).gitVersion).toMatch(/^v1\.32\./);
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOurs } from "../terminal/differential/harness";
import { hasKubectl, kubectl, startTestCluster, type TestCluster } from "./support";

/**
 * `kubectl create token` and service-account bearer tokens against the standalone server, with the
 * real kubectl 1.32 and ours: a token for an account bound to a Role reads what the Role allows and
 * gets RBAC's Forbidden (naming the account) for the rest; deleting the account ends its tokens.
 */
describe.skipIf(!hasKubectl)("service-account tokens over HTTP", () => {
  let cluster: TestCluster;
  const real = (...args: string[]) => kubectl(cluster, args);
  const ours = async (...args: string[]) => {
    const result = await runOurs(args, cluster.kubeconfig);
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    cluster = await startTestCluster();
    for (const args of [
      ["create", "namespace", "team"],
      ["create", "serviceaccount", "reader", "-n", "team"],
      ["create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", "team"],
      ["create", "rolebinding", "reader", "--role=pod-reader", "--serviceaccount=team:reader", "-n", "team"],
    ]) {
      const result = await real(...args);
      expect(result.code, result.stderr).toBe(0);
    }
  }, 60_000);
  afterAll(() => cluster?.stop());

  it("a token from either kubectl is the account: allowed what its Role grants, Forbidden the rest", async () => {
    for (const create of [real, ours]) {
      const issued = await create("create", "token", "reader", "-n", "team");
      expect(issued.code, issued.stderr).toBe(0);
      // Not a terminal: the token alone, without a newline, as kubectl prints it to a pipe.
      expect(issued.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const token = issued.stdout;
      const allowed = await real(`--token=${token}`, "get", "pods", "-n", "team");
      expect([allowed.code, allowed.stderr]).toEqual([0, "No resources found in team namespace.\n"]);
      const denied = await real(`--token=${token}`, "get", "secrets", "-n", "team");
      expect(denied.stderr).toBe(
        'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:team:reader" cannot list resource "secrets" in API group "" in the namespace "team"\n',
      );
      const oursDenied = await ours(`--token=${token}`, "get", "pods", "-n", "default");
      expect(oursDenied.stderr).toBe(
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:reader" cannot list resource "pods" in API group "" in the namespace "default"\n',
      );
      const whoami = await real(`--token=${token}`, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
      expect(whoami.stdout).toBe("system:serviceaccount:team:reader");
      // The table, Extra (the token's credential id) included, as the real one prints it.
      const [realTable, ourTable] = await Promise.all([
        real(`--token=${token}`, "auth", "whoami"),
        ours(`--token=${token}`, "auth", "whoami"),
      ]);
      expect(realTable.stdout).toContain("Extra: authentication.kubernetes.io/credential-id");
      expect(ourTable.stdout).toBe(realTable.stdout);
    }
  }, 60_000);

  it("answers the error paths as the real kubectl does", async () => {
    for (const args of [
      ["create", "token", "nosuch"],
      ["create", "token", "reader", "-n", "team", "--duration=1m"],
      ["create", "token", "reader", "-n", "team", "--bound-object-kind=Pod", "--bound-object-name=gone"],
      [
        "create",
        "token",
        "reader",
        "-n",
        "team",
        "--bound-object-kind=Node",
        "--bound-object-name=controlplane",
        "--bound-object-uid=x",
      ],
      ["create", "token", "reader", "-n", "team", "--duration=1500ms"],
      ["create", "token", "reader", "-n", "team", "--bound-object-kind=Deployment"],
      ["create", "token"],
    ]) {
      const [expected, actual] = await Promise.all([real(...args), ours(...args)]);
      expect({ args, code: actual.code, stderr: actual.stderr }).toEqual({
        args,
        code: expected.code,
        stderr: expected.stderr,
      });
    }
  }, 60_000);

  it("ends a token when its account is deleted (401), and with it a token bound to a deleted secret", async () => {
    await real("create", "serviceaccount", "brief", "-n", "team");
    await real("create", "secret", "generic", "anchor", "-n", "team");
    const token = (await real("create", "token", "brief", "-n", "team")).stdout;
    const bound = (
      await real("create", "token", "reader", "-n", "team", "--bound-object-kind=Secret", "--bound-object-name=anchor")
    ).stdout;
    expect((await real(`--token=${bound}`, "get", "pods", "-n", "team")).code).toBe(0);
    await real("delete", "serviceaccount", "brief", "-n", "team");
    await real("delete", "secret", "anchor", "-n", "team");
    for (const bearer of [token, bound]) {
      const refused = await real(`--token=${bearer}`, "get", "pods", "-n", "team");
      expect(refused.stderr).toBe("error: You must be logged in to the server (Unauthorized)\n");
    }
  }, 60_000);
});

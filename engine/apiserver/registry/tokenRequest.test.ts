import { describe, expect, it } from "vitest";
import { Pods, Secrets, ServiceAccounts } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { createClient } from "../../client/createClient";
import { KeyValueStore } from "../../store/KeyValueStore";
import { ApiError } from "../ApiError";
import { createApiServer } from "../ApiServer";
import { SERVICE_ACCOUNT_KEY } from "../auth/serviceAccountKey";
import { genericResources } from "../testing/genericResources";
import { createTestServer } from "../testing/testServer";

const request = (spec: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata: {}, spec }) as unknown as KubeObject;

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));

async function setUp() {
  const server = createTestServer();
  await server.client.create(ServiceAccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "robot", namespace: "default" },
  } as KubeObject);
  const issue = async (spec: Record<string, unknown> = {}, name = "robot") => {
    const answer = await server.client.createSubresource<KubeObject>(
      ServiceAccounts,
      "default",
      name,
      "token",
      request(spec),
    );
    return answer as KubeObject & { status: { token: string; expirationTimestamp: string } };
  };
  return { ...server, issue };
}

describe("serviceaccounts/token", () => {
  it("issues an ES256 JWT with a real cluster's claims, defaulted to an hour for the API server", async () => {
    const { issue, apiServer, clock } = await setUp();
    const answer = await issue();
    const account = apiServer.getObject("", "serviceaccounts", "default", "robot");
    const [header] = answer.status.token.split(".");
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toMatchObject({ alg: "ES256" });
    const now = Math.floor(clock.now() / 1000);
    const claims = claimsOf(answer.status.token);
    expect(Object.keys(claims)).toEqual(["aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub"]);
    expect(claims).toMatchObject({
      aud: ["https://kubernetes.default.svc.cluster.local"],
      exp: now + 3600,
      iat: now,
      nbf: now,
      iss: "https://kubernetes.default.svc.cluster.local",
      sub: "system:serviceaccount:default:robot",
      "kubernetes.io": { namespace: "default", serviceaccount: { name: "robot", uid: account?.metadata.uid } },
    });
    expect(answer.spec).toEqual({
      audiences: ["https://kubernetes.default.svc.cluster.local"],
      boundObjectRef: null,
      expirationSeconds: 3600,
    });
    expect(answer.metadata).toMatchObject({ name: "robot", namespace: "default" });
    expect(answer.status.expirationTimestamp).toBe(new Date((now + 3600) * 1000).toISOString().replace(".000", ""));
  });

  it.each([
    {
      name: "an unknown account",
      account: "nosuch",
      spec: {},
      message: 'serviceaccounts "nosuch" not found',
    },
    {
      name: "under ten minutes",
      account: "robot",
      spec: { expirationSeconds: 60 },
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    },
    {
      name: "over 2^32 seconds",
      account: "robot",
      spec: { expirationSeconds: 2 ** 32 + 1 },
      message:
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
    },
    {
      name: "a missing bound pod",
      account: "robot",
      spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "gone" } },
      message: 'pods "gone" not found',
    },
    {
      name: "a kind that cannot be bound",
      account: "robot",
      spec: { boundObjectRef: { kind: "Deployment", apiVersion: "apps/v1", name: "web" } },
      message: "cannot bind token to object of type apps/v1, Kind=Deployment",
    },
  ])("refuses $name as upstream words it", async ({ account, spec, message }) => {
    const { issue } = await setUp();
    expect((await failure(issue(spec, account))).message).toBe(message);
  });

  it("binds to a secret, checking the uid given", async () => {
    const { issue, client } = await setUp();
    const secret = await client.create(Secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "default" },
    } as KubeObject);
    const bound = await issue({ boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "s" } });
    expect(claimsOf(bound.status.token)["kubernetes.io"].secret).toEqual({ name: "s", uid: secret.metadata.uid });
    const conflict = await failure(
      issue({ boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "s", uid: "not-it" } }),
    );
    expect([conflict.code, conflict.message]).toEqual([
      409,
      'Operation cannot be fulfilled on Secret "s": the UID in the bound object reference (not-it) does not match the UID in record. The object might have been deleted and then recreated',
    ]);
  });

  it("refuses to bind a pod running as another account", async () => {
    const { issue, client } = await setUp();
    await client.create(ServiceAccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "other", namespace: "default" },
    } as KubeObject);
    await client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { serviceAccountName: "other", containers: [{ name: "c", image: "nginx" }] },
    } as KubeObject);
    const refused = await failure(issue({ boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p" } }));
    expect(refused.message).toBe(
      'cannot bind token for serviceaccount "robot" to pod running with serviceaccount "other"',
    );
  });

  it("needs create on serviceaccounts/token", async () => {
    const { apiServer } = await setUp();
    const jane = createClient(apiServer, { username: "jane", groups: ["system:authenticated"] });
    const denied = await failure(jane.createSubresource(ServiceAccounts, "default", "robot", "token", request()));
    expect(denied.message).toBe(
      'serviceaccounts "robot" is forbidden: User "jane" cannot create resource "serviceaccounts/token" in API group "" in the namespace "default"',
    );
  });
});

describe("service-account token authentication", () => {
  it("makes the bearer the service account, with its uid, groups and credential id", async () => {
    const { issue, apiServer } = await setUp();
    const token = (await issue()).status.token;
    const account = apiServer.getObject("", "serviceaccounts", "default", "robot");
    expect(apiServer.authenticateToken(token)).toEqual({
      username: "system:serviceaccount:default:robot",
      uid: account?.metadata.uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${claimsOf(token).jti}`] },
    });
  });

  it("refuses a token past its expiry (a minute's leeway) on the virtual clock", async () => {
    const { issue, apiServer, clock } = await setUp();
    const token = (await issue({ expirationSeconds: 600 })).status.token;
    await clock.advance(600_000 + 60_000);
    expect(apiServer.authenticateToken(token)).toBeDefined();
    await clock.advance(1000);
    expect(apiServer.reviewToken(token)).toEqual({ error: "service account token has expired", handled: true });
  });

  it("refuses a token whose account was deleted, or deleted and created again (another uid)", async () => {
    const { issue, apiServer, client } = await setUp();
    const token = (await issue()).status.token;
    await client.delete(ServiceAccounts, "default", "robot");
    expect(apiServer.reviewToken(token)).toMatchObject({ error: "service account default/robot has been deleted" });
    await client.create(ServiceAccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "robot", namespace: "default" },
    } as KubeObject);
    expect(apiServer.authenticateToken(token)).toBeUndefined();
    expect(String((apiServer.reviewToken(token) as { error: string }).error)).toMatch(
      /^service account UID \(.+\) does not match claim \(.+\)$/,
    );
  });

  it("refuses a token of a deleted bound secret, a forged signature and another audience", async () => {
    const { issue, apiServer, client } = await setUp();
    await client.create(Secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "default" },
    } as KubeObject);
    const bound = (await issue({ boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "s" } })).status.token;
    expect(apiServer.authenticateToken(bound)).toBeDefined();
    await client.delete(Secrets, "default", "s");
    expect(apiServer.reviewToken(bound)).toMatchObject({ error: "secret default/s has been deleted" });
    const token = (await issue()).status.token;
    const [header, , signature] = token.split(".");
    const claims = { ...claimsOf(token), sub: "system:serviceaccount:kube-system:admin" };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    expect(apiServer.reviewToken(forged)).toEqual({ error: "invalid signature", handled: true });
    const vault = (await issue({ audiences: ["vault"] })).status.token;
    expect(apiServer.reviewToken(vault)).toMatchObject({
      error:
        'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]',
    });
    expect(apiServer.reviewToken(vault, ["vault"])).toMatchObject({ audiences: ["vault"] });
  });

  it("keeps its key in the store: a server over a restored store accepts what the first issued; another cluster does not", async () => {
    const { issue, store } = await setUp();
    const token = (await issue()).status.token;
    expect(store.get(SERVICE_ACCOUNT_KEY)).toBeDefined();
    const restored = new KeyValueStore();
    restored.restore(store.snapshot());
    const again = createApiServer({ clock: createTestServer().clock, store: restored, resources: genericResources });
    expect(again.authenticateToken(token)?.username).toBe("system:serviceaccount:default:robot");
    const other = await setUp();
    await other.issue();
    expect(other.apiServer.authenticateToken(token)).toBeUndefined();
  });
});

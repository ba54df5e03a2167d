import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigMap, Secret } from "../../api/core";
import { ConfigMaps, Secrets } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";
import { bootstrapTokenSecret, detachedJws, tokenData } from "./tokens";

const hour = 3600_000;
let harness: Harness;
afterEach(() => harness?.stop());

const clusterInfo = () => harness.client.get<ConfigMap>(ConfigMaps, "kube-public", "cluster-info");
const jwsKeys = async () =>
  Object.keys((await clusterInfo()).data ?? {})
    .filter((key) => key.startsWith("jws-kubeconfig-"))
    .sort();
const tokens = async () =>
  (await harness.list<Secret>(Secrets, "kube-system")).filter((s) => s.type === "bootstrap.kubernetes.io/token");

describe("bootstrapsigner and tokencleaner", () => {
  it("sign cluster-info for each signing token and delete tokens when they expire", async () => {
    harness = await createHarness({ controllers: ["bootstrapsigner", "tokencleaner"] });
    await harness.settle();
    const [init] = await tokens();
    const initId = tokenData(init as Secret, "token-id");
    expect(await jwsKeys()).toEqual([`jws-kubeconfig-${initId}`]);

    // The signature is go-jose's compact HS256 JWS with the payload cut out, checked here by hand.
    const data = (await clusterInfo()).data ?? {};
    const [header, empty, signature] = (data[`jws-kubeconfig-${initId}`] ?? "").split(".");
    expect(empty).toBe("");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toEqual({ alg: "HS256", kid: initId });
    const secret = tokenData(init as Secret, "token-secret");
    const payload = Buffer.from(data.kubeconfig ?? "").toString("base64url");
    expect(signature).toBe(createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url"));

    const now = harness.clock.now();
    const signing = {
      usages: ["signing", "authentication"],
      groups: ["system:bootstrappers:kubeadm:default-node-token"],
    };
    await harness.client.create(
      Secrets,
      bootstrapTokenSecret({ id: "abcdef", secret: "0123456789abcdef", expires: now + hour, ...signing }),
    );
    await harness.client.create(
      Secrets,
      bootstrapTokenSecret({ id: "forevr", secret: "0123456789abcdef", ...signing }),
    );
    await harness.client.create(
      Secrets,
      bootstrapTokenSecret({ id: "authnt", secret: "0123456789abcdef", usages: ["authentication"], groups: [] }),
    );
    await harness.settle();
    expect(await jwsKeys()).toEqual(
      ["jws-kubeconfig-abcdef", "jws-kubeconfig-forevr", `jws-kubeconfig-${initId}`].sort(),
    );
    expect((await clusterInfo()).data?.["jws-kubeconfig-abcdef"]).toBe(
      detachedJws(data.kubeconfig ?? "", "abcdef", "0123456789abcdef"),
    );

    // An hour on: the 1 h token is deleted, and its signature with it.
    await harness.settle(hour);
    expect((await tokens()).map((s) => s.metadata.name).sort()).toEqual(
      ["bootstrap-token-authnt", "bootstrap-token-forevr", `bootstrap-token-${initId}`].sort(),
    );
    expect(harness.logs).toContain("Deleting expired secret kube-system/bootstrap-token-abcdef");
    expect(await jwsKeys()).toEqual(["jws-kubeconfig-forevr", `jws-kubeconfig-${initId}`].sort());

    // A learner's stray key is dropped; deleting a token drops its signature.
    const current = await clusterInfo();
    await harness.client.update(ConfigMaps, { ...current, data: { ...current.data, "jws-kubeconfig-zzzzzz": "x" } });
    await harness.client.delete(Secrets, "kube-system", "bootstrap-token-forevr");
    await harness.settle();
    expect(await jwsKeys()).toEqual([`jws-kubeconfig-${initId}`]);

    // At 24 h kubeadm init's token goes too; the token that never expires stays, and no timer is left.
    await harness.settle(23 * hour);
    expect((await tokens()).map((s) => s.metadata.name)).toEqual(["bootstrap-token-authnt"]);
    expect(await jwsKeys()).toEqual([]);
    expect(harness.clock.pendingTimers).toBe(0);
  });
});

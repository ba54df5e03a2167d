import { describe, expect, it } from "vitest";
import type { Deployment, ReplicaSet } from "../../api/apps";
import type { Event } from "../../api/core";
import { Deployments, Events, Pods, ReplicaSets } from "../../api/resources";
import { VirtualClock } from "../../clock/VirtualClock";
import { QuotaStore } from "../hosting/quotas";
import { quotasFromFlags, STANDALONE_QUOTAS } from "./standaloneQuotas";
import { startCluster } from "./startCluster";

describe("standalone quotas", () => {
  it("stops a 1,000,000-replica Deployment at the pods quota with upstream's ResourceQuota wording", async () => {
    const clock = new VirtualClock();
    const started = startCluster({ clock, speed: "fast", quotas: { ...STANDALONE_QUOTAS, pods: 20 } });
    const boot = clock.runUntilIdle(60_000);
    await started.ready;
    await boot;
    const client = started.cluster.client();
    await client.create<Deployment>(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "huge", namespace: "default" },
      spec: {
        replicas: 1_000_000,
        selector: { matchLabels: { app: "huge" } },
        template: { metadata: { labels: { app: "huge" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
      },
    });
    let failure: string | undefined;
    for (let second = 0; second < 120 && !failure; second++) {
      await clock.advance(1000);
      const [rs] = (await client.list<ReplicaSet>(ReplicaSets, "default")).items;
      failure = rs?.status?.conditions?.find((c) => c.type === "ReplicaFailure")?.message;
    }
    const refusal =
      /^pods "huge-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: kubelab-cluster-quota, requested: pods=1, used: pods=20, limited: pods=20$/;
    expect(failure).toMatch(refusal);
    // The system's pods (static, kube-proxy, CoreDNS) and the Deployment's fill the 20.
    expect((await client.list(Pods)).items).toHaveLength(20);
    const failedCreate = (await client.list<Event>(Events, "default")).items.filter((e) => e.reason === "FailedCreate");
    expect(failedCreate.length).toBeGreaterThan(0);
    expect(failedCreate[0].message?.replace(/^Error creating: /, "")).toMatch(refusal);
    expect(failedCreate[0].type).toBe("Warning");
    // The cluster stays usable: objects other than pods are still accepted.
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "small", namespace: "default" },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "small" } },
        template: { metadata: { labels: { app: "small" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    await started.stop();
  });

  it("holds no quota with quotas: false", async () => {
    const clock = new VirtualClock();
    const started = startCluster({ clock, speed: "fast", quotas: false });
    expect(started.cluster.store).not.toBeInstanceOf(QuotaStore);
    await started.stop();
  });

  it.each([
    { name: "defaults", flags: {}, quotas: STANDALONE_QUOTAS },
    {
      name: "raised",
      flags: { maxPods: 20_000, maxObjects: 100_000, maxStoreMb: 1024 },
      quotas: { ...STANDALONE_QUOTAS, pods: 20_000, objects: 100_000, storeBytes: 1024 * 1024 * 1024 },
    },
    { name: "disabled", flags: { noQuota: true }, quotas: false },
  ])("quotas from flags: $name", ({ flags, quotas }) => {
    expect(quotasFromFlags(flags)).toEqual(quotas);
  });

  it.each([
    { flags: { maxPods: 0 }, error: 'invalid argument "0" for "--max-pods" flag: must be a positive integer' },
    {
      flags: { maxStoreMb: 1.5 },
      error: 'invalid argument "1.5" for "--max-store-mb" flag: must be a positive integer',
    },
    { flags: { noQuota: true, maxObjects: 5 }, error: "--no-quota cannot be combined with --max-objects" },
  ])("refuses $error", ({ flags, error }) => {
    expect(() => quotasFromFlags(flags)).toThrow(error);
  });
});

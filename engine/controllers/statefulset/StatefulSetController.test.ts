import { afterEach, describe, expect, it } from "vitest";
import type { StatefulSet } from "../../api/apps";
import type { PersistentVolumeClaim, Pod } from "../../api/core";
import { PersistentVolumeClaims, Pods, StatefulSets } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function statefulSet(replicas: number, extra: Partial<NonNullable<StatefulSet["spec"]>> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "default" },
    spec: {
      replicas,
      serviceName: "db",
      selector: { matchLabels: { app: "db" } },
      template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres" }] } },
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      ],
      ...extra,
    },
  };
}

async function names(harness: Harness): Promise<string[]> {
  return (await harness.list<Pod>(Pods, "default", "app=db"))
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .map((pod) => pod.metadata.name ?? "")
    .sort();
}

describe("StatefulSetController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("OrderedReady creates db-0, db-1, db-2 one at a time with their claims and identities", async () => {
    harness = await createHarness({ controllers: ["statefulset"] });
    await harness.client.create(StatefulSets, statefulSet(3));
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0"]);
    const pod = await harness.client.get<Pod>(Pods, "default", "db-0");
    expect(pod.spec?.hostname).toBe("db-0");
    expect(pod.spec?.subdomain).toBe("db");
    expect(pod.metadata.labels?.["statefulset.kubernetes.io/pod-name"]).toBe("db-0");
    expect(pod.spec?.volumes?.find((v) => v.name === "data")?.persistentVolumeClaim?.claimName).toBe("data-db-0");
    expect(
      (await harness.client.get<PersistentVolumeClaim>(PersistentVolumeClaims, "default", "data-db-0")).spec?.resources
        ?.requests?.storage,
    ).toBe("1Gi");
    await harness.runPods();
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0", "db-1"]);
    await harness.runPods();
    await harness.settle();
    await harness.runPods();
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0", "db-1", "db-2"]);
    const set = await harness.client.get<StatefulSet>(StatefulSets, "default", "db");
    expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    // Scale down removes the highest ordinal first.
    await harness.client.patch(StatefulSets, "default", "db", "merge", { spec: { replicas: 1 } });
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0", "db-1"]);
    await harness.finishTerminating();
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0"]);
  });

  it("Parallel creates every pod at once; rolling update goes from the highest ordinal to the partition", async () => {
    harness = await createHarness({ controllers: ["statefulset"] });
    await harness.client.create(
      StatefulSets,
      statefulSet(3, {
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } },
      }),
    );
    await harness.settle();
    expect(await names(harness)).toEqual(["db-0", "db-1", "db-2"]);
    await harness.runPods();
    await harness.settle();
    await harness.client.patch(StatefulSets, "default", "db", "json", [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "postgres:17" },
    ]);
    for (let i = 0; i < 6; i++) {
      await harness.settle();
      await harness.finishTerminating();
      await harness.settle();
      await harness.runPods();
    }
    const images = Object.fromEntries(
      (await harness.list<Pod>(Pods, "default", "app=db")).map((pod) => [
        pod.metadata.name,
        pod.spec?.containers[0].image,
      ]),
    );
    expect(images).toEqual({ "db-0": "postgres", "db-1": "postgres:17", "db-2": "postgres:17" });
  });
  type Policy = "Retain" | "Delete";
  const retention: Array<{ whenScaled: Policy; whenDeleted: Policy; claims: string[]; ownedBySet: boolean }> = [
    { whenScaled: "Retain", whenDeleted: "Retain", claims: ["data-db-0", "data-db-1", "data-db-2"], ownedBySet: false },
    { whenScaled: "Retain", whenDeleted: "Delete", claims: ["data-db-0", "data-db-1", "data-db-2"], ownedBySet: true },
    { whenScaled: "Delete", whenDeleted: "Retain", claims: ["data-db-0"], ownedBySet: false },
    { whenScaled: "Delete", whenDeleted: "Delete", claims: ["data-db-0"], ownedBySet: true },
  ];
  for (const policy of retention) {
    it(`persistentVolumeClaimRetentionPolicy whenScaled ${policy.whenScaled}, whenDeleted ${policy.whenDeleted}: scaling 3 → 1 keeps ${policy.claims.length} claim(s)`, async () => {
      harness = await createHarness({ controllers: ["statefulset", "garbagecollector"] });
      const set = statefulSet(3, {
        podManagementPolicy: "Parallel",
        persistentVolumeClaimRetentionPolicy: { whenScaled: policy.whenScaled, whenDeleted: policy.whenDeleted },
      });
      const created = await harness.client.create<StatefulSet>(StatefulSets, set);
      await harness.settle();
      await harness.runPods();
      await harness.settle();
      await harness.client.patch(StatefulSets, "default", "db", "merge", { spec: { replicas: 1 } });
      for (let round = 0; round < 5; round++) {
        await harness.settle();
        await harness.finishTerminating();
      }
      await harness.settle();
      expect(await names(harness)).toEqual(["db-0"]);
      const claims = await harness.list<PersistentVolumeClaim>(PersistentVolumeClaims, "default");
      expect(claims.map((claim) => claim.metadata.name).sort()).toEqual(policy.claims);
      for (const claim of claims) {
        const setReference = { kind: "StatefulSet", name: "db", uid: created.metadata.uid, controller: true };
        expect(claim.metadata.ownerReferences ?? []).toEqual(
          policy.ownedBySet ? [expect.objectContaining(setReference)] : [],
        );
      }
      // Scaled back up, a retained claim of a scaled-down ordinal is the set's again (or nobody's).
      await harness.client.patch(StatefulSets, "default", "db", "merge", { spec: { replicas: 3 } });
      await harness.settle();
      await harness.runPods();
      await harness.settle();
      for (const claim of await harness.list<PersistentVolumeClaim>(PersistentVolumeClaims, "default")) {
        expect((claim.metadata.ownerReferences ?? []).map((reference) => reference.kind)).toEqual(
          policy.whenDeleted === "Delete" ? ["StatefulSet"] : [],
        );
      }
    });
  }
});

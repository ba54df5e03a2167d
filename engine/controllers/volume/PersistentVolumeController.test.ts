import { afterEach, describe, expect, it } from "vitest";
import type { PersistentVolume, PersistentVolumeClaim } from "../../api/core";
import { PersistentVolumeClaims, PersistentVolumes, StorageClasses } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function claim(name: string, storage: string, storageClassName?: string): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage } },
      ...(storageClassName !== undefined ? { storageClassName } : {}),
    },
  };
}

function volume(name: string, storage: string, storageClassName = "manual"): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: {
      capacity: { storage },
      accessModes: ["ReadWriteOnce"],
      storageClassName,
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: `/data/${name}` },
    },
  };
}

describe("PersistentVolumeController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("binds a claim to the smallest Available volume that fits, and releases it", async () => {
    harness = await createHarness({ controllers: ["persistentvolume-binder"] });
    await harness.client.create(PersistentVolumes, volume("big", "10Gi"));
    await harness.client.create(PersistentVolumes, volume("small", "2Gi"));
    await harness.client.create(PersistentVolumes, volume("tiny", "500Mi"));
    await harness.settle();
    expect((await harness.client.get<PersistentVolume>(PersistentVolumes, undefined, "small")).status?.phase).toBe(
      "Available",
    );
    await harness.client.create(PersistentVolumeClaims, claim("data", "1Gi", "manual"));
    await harness.settle();
    const bound = await harness.client.get<PersistentVolumeClaim>(PersistentVolumeClaims, "default", "data");
    expect(bound.spec?.volumeName).toBe("small");
    expect(bound.status).toMatchObject({ phase: "Bound", capacity: { storage: "2Gi" } });
    expect((await harness.client.get<PersistentVolume>(PersistentVolumes, undefined, "small")).status?.phase).toBe(
      "Bound",
    );
    await harness.client.delete(PersistentVolumeClaims, "default", "data");
    await harness.settle();
    expect((await harness.client.get<PersistentVolume>(PersistentVolumes, undefined, "small")).status?.phase).toBe(
      "Released",
    );
  });

  it("provisions pvc-<uid> through the default class once the scheduler picked a node", async () => {
    harness = await createHarness({ controllers: ["persistentvolume-binder"] });
    const classes = await harness.list(StorageClasses);
    expect(classes.map((c) => c.metadata.name)).toContain("standard");
    const created = await harness.client.create<PersistentVolumeClaim>(PersistentVolumeClaims, claim("data", "1Gi"));
    await harness.settle();
    expect(
      (await harness.client.get<PersistentVolumeClaim>(PersistentVolumeClaims, "default", "data")).status?.phase ??
        "Pending",
    ).toBe("Pending");
    await harness.client.patch(PersistentVolumeClaims, "default", "data", "merge", {
      metadata: { annotations: { "volume.kubernetes.io/selected-node": "node01" } },
    });
    await harness.settle();
    const bound = await harness.client.get<PersistentVolumeClaim>(PersistentVolumeClaims, "default", "data");
    expect(bound.spec?.volumeName).toBe(`pvc-${created.metadata.uid}`);
    expect(bound.status?.phase).toBe("Bound");
    const pv = await harness.client.get<PersistentVolume>(PersistentVolumes, undefined, `pvc-${created.metadata.uid}`);
    expect(pv.spec?.storageClassName).toBe("standard");
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0].values).toEqual(["node01"]);
    // Delete reclaim policy: the volume goes with the claim.
    await harness.client.delete(PersistentVolumeClaims, "default", "data");
    await harness.settle();
    expect(await harness.list(PersistentVolumes)).toEqual([]);
  });
});

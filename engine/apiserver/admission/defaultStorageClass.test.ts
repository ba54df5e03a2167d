import { describe, expect, it } from "vitest";
import { PersistentVolumeClaims, StorageClasses } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { createClient } from "../../client/createClient";
import { VirtualClock } from "../../clock/VirtualClock";
import { bootstrapCluster } from "../../cluster/bootstrap";
import { createApiServer } from "../ApiServer";
import { builtinResources } from "../resources";
import { seededRandom } from "../testing/testServer";

function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const apiServer = createApiServer({ clock, resources: builtinResources, random: seededRandom() });
  bootstrapCluster(apiServer);
  return { clock, client: createClient(apiServer) };
}

const claim = (name: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", annotations },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});

describe("DefaultStorageClass admission", () => {
  it.each([
    ["no class", {}, undefined, "standard"],
    ["an explicit class", { storageClassName: "fast" }, undefined, "fast"],
    ["an empty class (explicitly none)", { storageClassName: "" }, undefined, ""],
    ["the beta class annotation", {}, { "volume.beta.kubernetes.io/storage-class": "slow" }, undefined],
  ])("a claim with %s gets storageClassName %j", async (_name, spec, annotations, expected) => {
    const { client } = setup();
    const created = await client.create(PersistentVolumeClaims, claim("data", spec, annotations));
    expect(created.spec.storageClassName).toBe(expected);
  });

  it("picks the newest default class, and none when no class is default", async () => {
    const { clock, client } = setup();
    await clock.advance(1000);
    await client.create(StorageClasses, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "newer", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "example.com/disk",
    });
    expect((await client.create(PersistentVolumeClaims, claim("a"))).spec.storageClassName).toBe("newer");
    for (const name of ["newer", "standard"]) await client.delete(StorageClasses, undefined, name);
    expect((await client.create(PersistentVolumeClaims, claim("b"))).spec.storageClassName).toBeUndefined();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { ConfigMap, Namespace, Pod, ServiceAccount } from "../../api/core";
import { ConfigMaps, Namespaces, Pods, ServiceAccounts } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

async function getNamespace(harness: Harness, name: string): Promise<Namespace | undefined> {
  try {
    return await harness.client.get<Namespace>(Namespaces, undefined, name);
  } catch {
    return undefined;
  }
}

describe("NamespaceController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("gives a new namespace its default ServiceAccount and kube-root-ca.crt", async () => {
    harness = await createHarness({ controllers: ["serviceaccount", "root-ca-cert-publisher"] });
    await harness.client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    await harness.settle();
    const sa = await harness.client.get<ServiceAccount>(ServiceAccounts, "dev", "default");
    expect(sa.metadata.name).toBe("default");
    const ca = await harness.client.get<ConfigMap>(ConfigMaps, "dev", "kube-root-ca.crt");
    const source = await harness.client.get<ConfigMap>(ConfigMaps, "kube-system", "kube-root-ca.crt");
    expect(ca.data?.["ca.crt"]).toBe(source.data?.["ca.crt"]);
    // Deleted, they come back.
    await harness.client.delete(ServiceAccounts, "dev", "default");
    await harness.client.delete(ConfigMaps, "dev", "kube-root-ca.crt");
    await harness.settle();
    expect((await harness.client.get<ServiceAccount>(ServiceAccounts, "dev", "default")).metadata.uid).not.toBe(
      sa.metadata.uid,
    );
    expect((await harness.client.get<ConfigMap>(ConfigMaps, "dev", "kube-root-ca.crt")).data?.["ca.crt"]).toBe(
      source.data?.["ca.crt"],
    );
  });

  it("deletes the contents, reports what remains, then the namespace goes", async () => {
    harness = await createHarness({ controllers: ["namespace", "serviceaccount", "root-ca-cert-publisher"] });
    await harness.client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    await harness.client.create(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "held", namespace: "dev", finalizers: ["example.com/hold"] },
      data: {},
    });
    await harness.client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "dev" },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    });
    await harness.settle();
    await harness.client.delete(Namespaces, undefined, "dev");
    await harness.settle();
    const terminating = await getNamespace(harness, "dev");
    expect(terminating?.status?.phase).toBe("Terminating");
    const conditions = Object.fromEntries((terminating?.status?.conditions ?? []).map((c) => [c.type, c]));
    expect(conditions.NamespaceContentRemaining).toMatchObject({
      status: "True",
      reason: "SomeResourcesRemain",
      message: "Some resources are remaining: configmaps. has 1 resource instances",
    });
    expect(conditions.NamespaceFinalizersRemaining).toMatchObject({
      status: "True",
      reason: "SomeFinalizersRemain",
      message: "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
    });
    expect(conditions.NamespaceDeletionDiscoveryFailure).toMatchObject({
      status: "False",
      reason: "ResourcesDiscovered",
    });
    expect(conditions.NamespaceDeletionContentFailure).toMatchObject({ status: "False", reason: "ContentDeleted" });
    await harness.finishTerminating("dev");
    expect(await harness.list<Pod>(Pods, "dev")).toEqual([]);
    await harness.client.patch(ConfigMaps, "dev", "held", "merge", { metadata: { finalizers: null } });
    await harness.settle(1000);
    const left = await getNamespace(harness, "dev");
    if (left) console.log(JSON.stringify(left), harness.logs.join("\n"));
    expect(left).toBeUndefined();
  });
});

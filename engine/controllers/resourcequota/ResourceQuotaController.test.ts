import { afterEach, describe, expect, it } from "vitest";
import type { ResourceQuota } from "../../api/core";
import { ConfigMaps, Pods, ResourceQuotas } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

describe("ResourceQuotaController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("reports used counts and compute requests, following creations and deletions", async () => {
    harness = await createHarness({ controllers: ["resourcequota"] });
    await harness.client.create<ResourceQuota>(ResourceQuotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q", namespace: "default" },
      spec: { hard: { pods: "10", "requests.cpu": "2", "requests.memory": "2Gi", configmaps: "5" } },
    });
    for (const name of ["a", "b"]) {
      await harness.client.create(Pods, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default" },
        spec: {
          containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "250m", memory: "256Mi" } } }],
        },
      });
    }
    await harness.settle();
    let quota = await harness.client.get<ResourceQuota>(ResourceQuotas, "default", "q");
    expect(quota.status?.hard).toEqual({ pods: "10", "requests.cpu": "2", "requests.memory": "2Gi", configmaps: "5" });
    // kube-root-ca.crt is a ConfigMap in the namespace too.
    expect(quota.status?.used).toEqual({
      pods: "2",
      "requests.cpu": "500m",
      "requests.memory": "512Mi",
      configmaps: "1",
    });
    await harness.client.delete(Pods, "default", "a", { gracePeriodSeconds: 0 });
    await harness.client.delete(ConfigMaps, "default", "kube-root-ca.crt");
    await harness.settle();
    quota = await harness.client.get<ResourceQuota>(ResourceQuotas, "default", "q");
    expect(quota.status?.used).toEqual({
      pods: "1",
      "requests.cpu": "250m",
      "requests.memory": "256Mi",
      configmaps: "0",
    });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { Endpoints, Pod, Service } from "../../api/core";
import type { EndpointSlice } from "../../api/discovery";
import { EndpointSlices, Endpoints as EndpointsResource, Pods, Services } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function pod(name: string, labels: Record<string, string>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }] },
  };
}

function service(name: string, targetPort: number | string = "http"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", labels: { team: "a" } },
    spec: { selector: { app: "web" }, ports: [{ name: "web", port: 80, targetPort, protocol: "TCP" }] },
  };
}

describe("Endpoints and EndpointSlice controllers", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("publish ready and not-ready pods with named target ports resolved", async () => {
    harness = await createHarness({ controllers: ["endpoint", "endpointslice"] });
    await harness.client.create(Pods, pod("a", { app: "web" }));
    await harness.client.create(Pods, pod("b", { app: "web" }));
    await harness.client.create(Pods, pod("other", { app: "db" }));
    await harness.client.create(Services, service("web"));
    await harness.settle();
    // No pod has an IP yet: an empty Endpoints and a placeholder slice.
    let slices = await harness.list<EndpointSlice>(EndpointSlices, "default", "kubernetes.io/service-name=web");
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints ?? []).toEqual([]);
    await harness.runPods({ filter: (p) => p.metadata.name === "a" });
    await harness.runPods({ filter: (p) => p.metadata.name === "b", ready: false });
    await harness.settle();

    const endpoints = await harness.client.get<Endpoints>(EndpointsResource, "default", "web");
    expect(endpoints.subsets).toHaveLength(1);
    const [subset] = endpoints.subsets ?? [];
    expect(subset.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    expect(subset.addresses?.map((a) => a.targetRef?.name)).toEqual(["a"]);
    expect(subset.notReadyAddresses?.map((a) => a.targetRef?.name)).toEqual(["b"]);
    expect(subset.addresses?.[0]).toMatchObject({
      nodeName: expect.any(String),
      targetRef: { kind: "Pod", namespace: "default" },
    });
    expect(endpoints.metadata.labels).toEqual({ team: "a" });

    slices = await harness.list<EndpointSlice>(EndpointSlices, "default", "kubernetes.io/service-name=web");
    expect(slices).toHaveLength(1);
    const [slice] = slices;
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.addressType).toBe("IPv4");
    expect(slice.metadata.labels).toMatchObject({
      "kubernetes.io/service-name": "web",
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
      team: "a",
    });
    expect(slice.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Service", name: "web", controller: true });
    expect(slice.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    expect(slice.endpoints.map((e) => [e.targetRef?.name, e.conditions])).toEqual([
      ["a", { ready: true, serving: true, terminating: false }],
      ["b", { ready: false, serving: false, terminating: false }],
    ]);
  });

  it("leave services without a selector alone and remove what a deleted service had", async () => {
    harness = await createHarness({ controllers: ["endpoint", "endpointslice"] });
    const before = await harness.client.get<Endpoints>(EndpointsResource, "default", "kubernetes");
    await harness.client.create(Pods, pod("a", { app: "web" }));
    await harness.client.create(Services, service("web", 8080));
    await harness.runPods();
    await harness.settle();
    expect(
      (await harness.client.get<Endpoints>(EndpointsResource, "default", "kubernetes")).metadata.resourceVersion,
    ).toBe(before.metadata.resourceVersion);
    expect(
      (await harness.client.get<Endpoints>(EndpointsResource, "default", "web")).subsets?.[0].addresses,
    ).toHaveLength(1);
    await harness.client.delete(Services, "default", "web");
    await harness.settle();
    await expect(harness.client.get(EndpointsResource, "default", "web")).rejects.toMatchObject({ reason: "NotFound" });
    expect(await harness.list(EndpointSlices, "default", "kubernetes.io/service-name=web")).toEqual([]);
  });

  it("splits more than 100 endpoints across slices", async () => {
    harness = await createHarness({ controllers: ["endpointslice"] });
    for (let i = 0; i < 150; i++) await harness.client.create(Pods, pod(`p${i}`, { app: "web" }));
    await harness.client.create(Services, service("web"));
    await harness.runPods();
    await harness.settle();
    const slices = await harness.list<EndpointSlice>(EndpointSlices, "default", "kubernetes.io/service-name=web");
    expect(slices.map((s) => s.endpoints.length).sort((a, b) => a - b)).toEqual([50, 100]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { Service } from "../../api/core";
import { Services } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function service(name: string, type = "LoadBalancer"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { type, selector: { app: name }, ports: [{ port: 80, protocol: "TCP" }] },
  };
}

describe("ServiceLoadBalancerController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("assigns external IPs from the pool and releases them", async () => {
    harness = await createHarness({ controllers: ["service-lb-controller"] });
    await harness.client.create(Services, service("a"));
    await harness.client.create(Services, service("b"));
    await harness.client.create(Services, service("c", "ClusterIP"));
    await harness.settle();
    const ip = async (name: string) =>
      (await harness.client.get<Service>(Services, "default", name)).status?.loadBalancer?.ingress?.[0]?.ip;
    expect(await ip("a")).toBe("172.18.255.200");
    expect(await ip("b")).toBe("172.18.255.201");
    expect(await ip("c")).toBeUndefined();
    await harness.client.delete(Services, "default", "a");
    await harness.settle();
    await harness.client.create(Services, service("d"));
    await harness.settle();
    expect(await ip("d")).toBe("172.18.255.200");
    await harness.client.patch(Services, "default", "b", "merge", {
      spec: { type: "ClusterIP", externalTrafficPolicy: null, ports: [{ port: 80, protocol: "TCP" }] },
    });
    await harness.settle();
    expect(await ip("b")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "../api/core";
import { EndpointSlices, Endpoints as EndpointsResource, Services } from "../api/resources";
import { isApiError } from "../apiserver/ApiError";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "./createCluster";

describe("the kubernetes Service", () => {
  it("is recreated with its Endpoints and EndpointSlice within the API server's 10 s loop after deletion", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const cluster = createCluster({ clock, random: seededRandom(2), components: ["kube-apiserver"] });
    await clock.advance(0);
    await cluster.ready;
    const client = cluster.client();
    await clock.advance(3_000);
    const original = await client.get<Service>(Services, "default", "kubernetes");
    await client.delete(Services, "default", "kubernetes");
    await client.delete(EndpointsResource, "default", "kubernetes");
    await client.delete(EndpointSlices, "default", "kubernetes");
    const exists = async () => {
      try {
        await client.get(Services, "default", "kubernetes");
        return true;
      } catch (error) {
        if (isApiError(error, "NotFound")) return false;
        throw error;
      }
    };
    expect(await exists()).toBe(false);
    await clock.advance(7_000);
    const recreated = await client.get<Service>(Services, "default", "kubernetes");
    expect(recreated.metadata.uid).not.toBe(original.metadata.uid);
    expect(recreated.spec).toMatchObject({
      clusterIP: "10.96.0.1",
      ports: [{ name: "https", port: 443, targetPort: 6443 }],
    });
    const endpoints = await client.get<Endpoints>(EndpointsResource, "default", "kubernetes");
    expect(endpoints.subsets?.[0].addresses?.[0].ip).toBe("192.168.0.2");
    await client.get(EndpointSlices, "default", "kubernetes");
    // Edited endpoints are put back; otherwise nothing is armed.
    endpoints.subsets = [{ addresses: [{ ip: "10.0.0.9" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }];
    await client.update(EndpointsResource, endpoints);
    await clock.advance(10_000);
    const fixed = await client.get<Endpoints>(EndpointsResource, "default", "kubernetes");
    expect(fixed.subsets?.[0].addresses?.[0].ip).toBe("192.168.0.2");
    await clock.advance(60_000);
    expect(clock.pendingTimers).toBe(0);
    cluster.stop();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import type { Deployment } from "../../api/apps";
import type { HorizontalPodAutoscaler } from "../../api/autoscaling";
import type { Event } from "../../api/core";
import { Deployments, Events, HorizontalPodAutoscalers, Pods } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

describe("HorizontalPodAutoscalerController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("scales up on CPU utilization and holds scale-down for the stabilization window", async () => {
    let cpuMillis = 150;
    harness = await createHarness({
      controllers: ["horizontalpodautoscaling"],
      metrics: () => [{ name: "c", cpuNanoCores: cpuMillis * 1e6, memoryBytes: 64 * 1024 * 1024 }],
    });
    await harness.client.create<Deployment>(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    for (const name of ["web-a", "web-b"]) {
      await harness.client.create(Pods, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default", labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "100m" } } }] },
      });
    }
    await harness.runPods();
    await harness.client.create<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "default" },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
        ],
      },
    });
    await harness.settle();
    let d = await harness.client.get<Deployment>(Deployments, "default", "web");
    expect(d.spec?.replicas).toBe(6);
    const hpa = await harness.client.get<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, "default", "web");
    expect(hpa.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 6 });
    expect(hpa.status?.currentMetrics?.[0].resource?.current.averageUtilization).toBe(150);
    expect(hpa.status?.conditions?.find((c) => c.type === "ScalingActive")?.reason).toBe("ValidMetricFound");
    const events = (await harness.list<Event>(Events, "default")).filter((e) => e.reason === "SuccessfulRescale");
    expect(events.map((e) => e.message)).toEqual([
      "New size: 6; reason: cpu resource utilization (percentage of request) above target",
    ]);

    // Load drops: the recommendation falls, but scale-down waits out the 300 s window.
    cpuMillis = 10;
    await harness.settle(15_000);
    await harness.settle(15_000);
    d = await harness.client.get<Deployment>(Deployments, "default", "web");
    expect(d.spec?.replicas).toBe(6);
    const held = await harness.client.get<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, "default", "web");
    expect(held.status?.conditions?.find((c) => c.type === "AbleToScale")?.reason).toBe("ScaleDownStabilized");
    for (let i = 0; i < 20; i++) await harness.settle(15_000);
    d = await harness.client.get<Deployment>(Deployments, "default", "web");
    expect(d.spec?.replicas).toBe(1);
  });

  it("reports missing metrics as upstream does", async () => {
    harness = await createHarness({ controllers: ["horizontalpodautoscaling"] });
    await harness.client.create<Deployment>(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    await harness.client.create<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "default" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 3 },
    });
    await harness.settle();
    const hpa = await harness.client.get<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, "default", "web");
    expect(hpa.status?.conditions?.find((c) => c.type === "ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetResourceMetric",
    });
    const warning = (await harness.list<Event>(Events, "default")).find((e) => e.reason === "FailedGetResourceMetric");
    expect(warning?.message).toBe(
      "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API",
    );
  });
});

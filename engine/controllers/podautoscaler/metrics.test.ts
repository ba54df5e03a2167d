import { afterEach, describe, expect, it } from "vitest";
import type { Deployment } from "../../api/apps";
import type { HorizontalPodAutoscaler, MetricSpec } from "../../api/autoscaling";
import type { Event } from "../../api/core";
import { Deployments, Events, HorizontalPodAutoscalers, Pods } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";
import type { ContainerUsage } from "./HorizontalPodAutoscalerController";

const cpu = (target: number): MetricSpec => ({
  type: "Resource",
  resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } },
});
const podsMetric: MetricSpec = {
  type: "Pods",
  pods: { metric: { name: "packets-per-second" }, target: { type: "AverageValue", averageValue: "1k" } },
};
const NO_CUSTOM =
  "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";

/** A 2-replica Deployment `web` whose pods run `app` (100m) and `proxy` (100m), and an HPA on it. */
async function setUp(
  usage: () => ContainerUsage[],
  metrics: MetricSpec[],
  behavior?: NonNullable<HorizontalPodAutoscaler["spec"]>["behavior"],
): Promise<Harness> {
  const harness = await createHarness({ controllers: ["horizontalpodautoscaling"], metrics: usage });
  await harness.client.create<Deployment>(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }] } },
    },
  });
  for (const name of ["web-a", "web-b"]) {
    await harness.client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { app: "web" } },
      spec: {
        containers: [
          { name: "app", image: "nginx", resources: { requests: { cpu: "100m" } } },
          { name: "proxy", image: "envoy", resources: { requests: { cpu: "100m" } } },
        ],
      },
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
      metrics,
      behavior,
    },
  });
  await harness.settle();
  return harness;
}

const usage = (app: number, proxy: number) => (): ContainerUsage[] => [
  { name: "app", cpuNanoCores: app * 1e6, memoryBytes: 2 ** 20 },
  { name: "proxy", cpuNanoCores: proxy * 1e6, memoryBytes: 2 ** 20 },
];

async function state(harness: Harness) {
  const hpa = await harness.client.get<HorizontalPodAutoscaler>(HorizontalPodAutoscalers, "default", "web");
  const deployment = await harness.client.get<Deployment>(Deployments, "default", "web");
  const events = await harness.list<Event>(Events, "default");
  const condition = (type: string) => hpa.status?.conditions?.find((c) => c.type === type);
  return { hpa, replicas: deployment.spec?.replicas, events, condition };
}

describe("HPA metric types", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it.each([
    {
      name: "ContainerResource counts only the named container",
      metrics: [
        {
          type: "ContainerResource",
          containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 50 } },
        },
      ],
      // app at 150 % of its request (the busy proxy does not count): 2 × 150 / 50 = 6.
      replicas: 6,
      active: [
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu container resource utilization (percentage of request)",
      ],
      event: [
        "SuccessfulRescale",
        "New size: 6; reason: cpu container resource utilization (percentage of request) above target",
      ],
    },
    {
      name: "Resource counts the whole pod",
      metrics: [cpu(50)],
      // (150 + 900) / 200 = 525 % → 2 × 525 / 50 = 21, held to 6 by the default scale-up rate
      // (the larger of +4 pods and +100 % per 15 s).
      replicas: 6,
      active: [
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
      ],
      event: [
        "SuccessfulRescale",
        "New size: 6; reason: cpu resource utilization (percentage of request) above target",
      ],
    },
    {
      name: "Pods metrics need a custom metrics API",
      metrics: [podsMetric],
      replicas: 2,
      active: [
        "False",
        "FailedGetPodsMetric",
        `the HPA was unable to compute the replica count: unable to get metric packets-per-second: ${NO_CUSTOM}`,
      ],
      event: [
        "FailedComputeMetricsReplicas",
        `invalid metrics (1 invalid out of 1), first error is: unable to get metric packets-per-second: ${NO_CUSTOM}`,
      ],
    },
    {
      name: "Object metrics name the described object",
      metrics: [
        {
          type: "Object",
          object: {
            metric: { name: "requests-per-second" },
            describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main-route" },
            target: { type: "Value", value: "10k" },
          },
        },
      ],
      replicas: 2,
      active: [
        "False",
        "FailedGetObjectMetric",
        `the HPA was unable to compute the replica count: unable to get metric requests-per-second: Ingress on default main-route/${NO_CUSTOM}`,
      ],
      event: [
        "FailedGetObjectMetric",
        `unable to get metric requests-per-second: Ingress on default main-route/${NO_CUSTOM}`,
      ],
    },
    {
      name: "one invalid metric does not stop a scale-up the others ask for",
      metrics: [podsMetric, cpu(100)],
      replicas: 6,
      active: [
        "True",
        "ValidMetricFound",
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
      ],
      event: ["FailedGetPodsMetric", `unable to get metric packets-per-second: ${NO_CUSTOM}`],
    },
    {
      name: "but it stops a scale-down",
      metrics: [podsMetric, cpu(2000)],
      replicas: 2,
      active: [
        "False",
        "FailedGetPodsMetric",
        `the HPA was unable to compute the replica count: unable to get metric packets-per-second: ${NO_CUSTOM}`,
      ],
      event: [
        "FailedComputeMetricsReplicas",
        `invalid metrics (1 invalid out of 2), first error is: unable to get metric packets-per-second: ${NO_CUSTOM}`,
      ],
    },
  ])("$name", async ({ metrics, replicas, active, event }) => {
    harness = await setUp(usage(150, 900), metrics as MetricSpec[]);
    const { replicas: actual, condition, events } = await state(harness);
    expect(actual).toBe(replicas);
    const scalingActive = condition("ScalingActive");
    expect([scalingActive?.status, scalingActive?.reason, scalingActive?.message]).toEqual(active);
    expect(events.map((e) => [e.reason, e.message])).toContainEqual(event);
  });

  it.each([
    {
      name: "scaleUp Pods policy: one pod per minute",
      behavior: { scaleUp: { policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
      load: [150, 0],
      // 15 s syncs over 75 s: 2 → 3 at once, 4 a minute later.
      after: [3, 3, 3, 3, 4],
      limited: "ScaleUpLimit",
    },
    {
      name: "scaleDown selectPolicy Disabled: never down",
      behavior: { scaleDown: { selectPolicy: "Disabled", stabilizationWindowSeconds: 0 } },
      load: [5, 0],
      after: [2, 2, 2, 2, 2],
      limited: undefined,
    },
    {
      name: "scaleDown without a window, Percent 50 per 15 s",
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 50, periodSeconds: 15 }] },
      },
      load: [5, 0],
      after: [1, 1, 1, 1, 1],
      limited: undefined,
    },
  ])("behavior: $name", async ({ behavior, load, after, limited }) => {
    harness = await setUp(
      usage(load[0], load[1]),
      [
        {
          type: "ContainerResource",
          containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 50 } },
        },
      ],
      behavior,
    );
    const seen: Array<number | undefined> = [(await state(harness)).replicas];
    for (let i = 1; i < after.length; i++) {
      await harness.settle(15_000);
      seen.push((await state(harness)).replicas);
    }
    expect(seen).toEqual(after);
    const { events, condition } = await state(harness);
    if (limited) expect(condition("ScalingLimited")).toMatchObject({ status: "True", reason: limited });
    if (after[after.length - 1] < 2) {
      expect(events.map((e) => e.message)).toContain("New size: 1; reason: All metrics below target");
    }
  });
});

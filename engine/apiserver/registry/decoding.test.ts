import { describe, expect, it } from "vitest";
import { Deployments, HorizontalPodAutoscalers, Pods } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { VirtualClock } from "../../clock/VirtualClock";
import { bootstrapCluster } from "../../cluster/bootstrap";
import { createApiServer } from "../ApiServer";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest } from "../ResourceRequest";
import { builtinResources } from "../resources";
import { seededRandom } from "../testing/testServer";

function server(resources: ResourceDefinition[] = builtinResources) {
  const logged: string[] = [];
  const apiServer = createApiServer({
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    resources,
    random: seededRandom(),
    log: (line) => logged.push(line),
  });
  bootstrapCluster(apiServer);
  return { apiServer, logged };
}

const admin = { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };

function request(partial: Partial<ResourceRequest> & Pick<ResourceRequest, "verb" | "gvr">): ResourceRequest {
  return { namespace: "default", options: {}, user: admin, ...partial } as ResourceRequest;
}

const deployment = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    ...spec,
  },
});

describe("type errors at decode", () => {
  it.each([
    [
      "a pod whose containers are a string",
      Pods,
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: "nginx" } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      "replicas given as a string",
      Deployments,
      deployment({ replicas: "3" }),
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      "a container given as a string inside a list",
      Pods,
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: ["nginx"] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container',
    ],
  ])("answers 400 BadRequest for %s (create and update)", async (_name, gvr, body, message) => {
    const { apiServer, logged } = server();
    const created = await apiServer.handle(request({ verb: "create", gvr, body }));
    expect(created.status).toBe(400);
    expect((created.body as { reason: string; message: string }).reason).toBe("BadRequest");
    expect((created.body as { message: string }).message).toBe(message);
    const updated = await apiServer.handle(
      request({ verb: "update", gvr, name: (body.metadata as { name: string }).name, body }),
    );
    expect(updated.status).toBe(400);
    expect((updated.body as { message: string }).message).toBe(message);
    expect(logged).toEqual([]);
  });

  it("reports a patch that produces a wrongly typed object as upstream's Invalid patch (422), never a 500", async () => {
    const { apiServer, logged } = server();
    expect((await apiServer.handle(request({ verb: "create", gvr: Deployments, body: deployment({}) }))).status).toBe(
      201,
    );
    const response = await apiServer.handle(
      request({
        verb: "patch",
        gvr: Deployments,
        name: "web",
        patchType: "merge",
        body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "c", ports: "80" }] } } } }),
      }),
    );
    expect(response.status).toBe(422);
    expect((response.body as { message: string }).message).toContain(
      "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.ports of type []v1.ContainerPort",
    );
    const strategic = await apiServer.handle(
      request({
        verb: "patch",
        gvr: Deployments,
        name: "web",
        patchType: "strategic",
        body: JSON.stringify({ spec: { replicas: "2" } }),
      }),
    );
    expect(strategic.status).toBe(422);
    expect((strategic.body as { message: string }).message).toBe(
      ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:2]]": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    expect(logged).toEqual([]);
  });

  it("turns a strategy that throws on a well-typed body into a logged 500, and one on an ill-typed stored shape into 400", async () => {
    const pods = builtinResources.find((definition) => definition.resource === "pods" && definition.group === "");
    if (!pods) throw new Error("no pods definition");
    const crashing: ResourceDefinition = {
      ...pods,
      strategy: {
        ...pods.strategy,
        validate: () => {
          throw new TypeError("boom");
        },
      },
    };
    const { apiServer, logged } = server(
      builtinResources.map((definition) => (definition === pods ? crashing : definition)),
    );
    const response = await apiServer.handle(
      request({
        verb: "create",
        gvr: Pods,
        body: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { containers: [{ name: "c", image: "x" }] },
        },
      }),
    );
    expect(response.status).toBe(500);
    expect((response.body as { reason: string }).reason).toBe("InternalError");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^internal error serving create pods default: TypeError: boom/);
  });
});

describe("autoscaling/v1 HorizontalPodAutoscaler", () => {
  it("converts targetCPUUtilizationPercentage to a v2 cpu Utilization metric, without unknown-field warnings", async () => {
    const { apiServer } = server();
    const v1 = { ...HorizontalPodAutoscalers, version: "v1" };
    const response = await apiServer.handle(
      request({
        verb: "create",
        gvr: v1,
        body: {
          apiVersion: "autoscaling/v1",
          kind: "HorizontalPodAutoscaler",
          metadata: { name: "web" },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
            maxReplicas: 5,
            targetCPUUtilizationPercentage: 50,
          },
        },
      }),
    );
    expect(response.status).toBe(201);
    expect(response.warnings).toBeUndefined();
    expect((response.body as KubeObject).spec.targetCPUUtilizationPercentage).toBe(50);
    const stored = apiServer.getObject("autoscaling", "horizontalpodautoscalers", "default", "web");
    expect(stored?.spec.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
    ]);
  });

  it("checks v1 bodies against the v1 schema", async () => {
    const { apiServer } = server();
    const response = await apiServer.handle(
      request({
        verb: "create",
        gvr: { ...HorizontalPodAutoscalers, version: "v1" },
        body: {
          apiVersion: "autoscaling/v1",
          kind: "HorizontalPodAutoscaler",
          metadata: { name: "web" },
          spec: {
            scaleTargetRef: { kind: "Deployment", name: "web" },
            maxReplicas: 5,
            targetCPUUtilizationPercentage: "50",
          },
        },
      }),
    );
    expect(response.status).toBe(400);
    expect((response.body as { message: string }).message).toBe(
      'HorizontalPodAutoscaler in version "v1" cannot be handled as a HorizontalPodAutoscaler: json: cannot unmarshal string into Go struct field HorizontalPodAutoscalerSpec.spec.targetCPUUtilizationPercentage of type int32',
    );
  });
});

describe("autoscaling/v1 OpenAPI", () => {
  it("documents v1 with the v1 schema (targetCPUUtilizationPercentage) and v2 with metrics", async () => {
    const { kindSchema } = await import("../http/openapi");
    const hpa = builtinResources.find((definition) => definition.resource === "horizontalpodautoscalers");
    if (!hpa) throw new Error("no HPA definition");
    const specOf = (version: string) => {
      const reference = kindSchema(hpa, version)?.properties?.spec;
      const name = (reference?.$ref ?? reference?.allOf?.[0]?.$ref ?? "").replace("#/components/schemas/", "");
      return hpa.schemaComponents?.[name];
    };
    expect(Object.keys(specOf("v1")?.properties ?? {})).toContain("targetCPUUtilizationPercentage");
    expect(Object.keys(specOf("v2")?.properties ?? {})).toContain("metrics");
    expect(kindSchema(hpa, "v1")?.["x-kubernetes-group-version-kind"]).toEqual([
      { group: "autoscaling", kind: "HorizontalPodAutoscaler", version: "v1" },
    ]);
  });
});

describe("Scale status.selector", () => {
  it("is the string form of .spec.selector (labelSelectorString), set-based requirements included", async () => {
    const { apiServer } = server();
    const { labelSelectorString } = await import("../resources/support/printing");
    const selector = {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["front", "back"] },
        { key: "legacy", operator: "DoesNotExist" },
      ],
    };
    const body = deployment({ selector });
    body.spec.template.metadata.labels = { app: "web", tier: "front" };
    expect((await apiServer.handle(request({ verb: "create", gvr: Deployments, body }))).status).toBe(201);
    const scale = await apiServer.handle(request({ verb: "get", gvr: Deployments, name: "web", subresource: "scale" }));
    expect((scale.body as KubeObject).status.selector).toBe(
      labelSelectorString(selector as Parameters<typeof labelSelectorString>[0]),
    );
    expect((scale.body as KubeObject).status.selector).toBe("app=web,!legacy,tier in (back,front)");
  });
});

describe("strategic merge patch from the schema's patch extensions", () => {
  it("merges containers by name and their ports by containerPort, unions finalizers, replaces tolerations (no extension)", async () => {
    const { apiServer } = server();
    const body = deployment({});
    body.metadata.finalizers = ["a/b"];
    body.spec.template.spec = {
      containers: [
        { name: "a", image: "a:1", ports: [{ containerPort: 80 }] },
        { name: "b", image: "b:1" },
      ],
      tolerations: [{ key: "x", operator: "Exists" }],
    };
    expect((await apiServer.handle(request({ verb: "create", gvr: Deployments, body }))).status).toBe(201);
    const patch = {
      metadata: { finalizers: ["c/d"] },
      spec: {
        template: {
          spec: {
            containers: [{ name: "a", ports: [{ containerPort: 81 }] }],
            tolerations: [{ key: "y", operator: "Exists" }],
          },
        },
      },
    };
    const response = await apiServer.handle(
      request({ verb: "patch", gvr: Deployments, name: "web", patchType: "strategic", body: JSON.stringify(patch) }),
    );
    expect(response.status).toBe(200);
    const object = response.body as KubeObject;
    const spec = object.spec.template.spec;
    expect(object.metadata.finalizers).toEqual(["a/b", "c/d"]);
    expect(spec.containers.map((container: { name: string }) => container.name)).toEqual(["a", "b"]);
    expect(spec.containers[0].ports.map((port: { containerPort: number }) => port.containerPort)).toEqual([80, 81]);
    expect(spec.tolerations.map((toleration: { key: string }) => toleration.key)).toEqual(["y"]);
  });
});

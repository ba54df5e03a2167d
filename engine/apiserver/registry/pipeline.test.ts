import { describe, expect, it } from "vitest";
import {
  ConfigMaps,
  CustomResourceDefinitions,
  Deployments,
  LimitRanges,
  Pods,
  ResourceQuotas,
  Services,
} from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import { createTestServer } from "../testing/testServer";

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

const pod = (name: string, containers: unknown[] = [{ name: "c", image: "nginx" }]): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers },
});

describe("patch types through the pipeline", () => {
  it("applies JSON, merge and strategic patches, with a resourceVersion precondition when given", async () => {
    const { client } = createTestServer();
    await client.create(
      Pods,
      pod("p", [
        { name: "a", image: "a:1" },
        { name: "b", image: "b:1" },
      ]),
    );
    const json = await client.patch(Pods, "default", "p", "json", [
      { op: "add", path: "/metadata/labels", value: { x: "1" } },
    ]);
    expect(json.metadata.labels).toEqual({ x: "1" });
    const strategic = await client.patch(Pods, "default", "p", "strategic", {
      spec: { containers: [{ name: "b", image: "b:2" }] },
    });
    expect(strategic.spec.containers.map((container: { image: string }) => container.image)).toEqual(["a:1", "b:2"]);
    const merge = await client.patch(Pods, "default", "p", "merge", {
      spec: { containers: [{ name: "only", image: "o" }] },
    });
    expect(merge.spec.containers).toHaveLength(1);
    const stale = await failure(
      client.patch(Pods, "default", "p", "merge", { metadata: { resourceVersion: "1", labels: { y: "2" } } }),
    );
    expect(stale.reason).toBe("Conflict");
    const failedTest = await failure(
      client.patch(Pods, "default", "p", "json", [{ op: "test", path: "/metadata/name", value: "q" }]),
    );
    expect(failedTest.code).toBe(422);
    expect((await failure(client.patch(Pods, "default", "p", "merge", "{not json"))).code).toBe(400);
  });

  it("serves /scale for deployments and bumps generation only on spec changes", async () => {
    const { client, apiServer } = createTestServer();
    const created = await client.create<KubeObject>(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
      },
    });
    expect(created.metadata.generation).toBe(1);
    const scale = await client.patch(
      Deployments,
      "default",
      "web",
      "merge",
      { spec: { replicas: 4 } },
      { subresource: "scale" },
    );
    expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 4 } });
    const after = await client.get(Deployments, "default", "web");
    expect(after.spec.replicas).toBe(4);
    expect(after.metadata.generation).toBe(2);
    await client.patch(Deployments, "default", "web", "merge", { metadata: { labels: { a: "b" } } });
    expect((await client.get(Deployments, "default", "web")).metadata.generation).toBe(2);
    const latest = await client.get(Deployments, "default", "web");
    const statusWrite = await client.update(
      Deployments,
      { ...latest, status: { replicas: 4 } },
      { subresource: "status" },
    );
    expect(statusWrite.status.replicas).toBe(4);
    const get = apiServer.execute({
      verb: "get",
      gvr: Deployments,
      namespace: "default",
      name: "web",
      subresource: "scale",
      options: {},
      user: { username: "a", groups: ["system:masters"] },
    });
    expect((get.body as KubeObject).status).toEqual({ replicas: 4 });
  });

  it("binds pods once and refuses a second binding", async () => {
    const { client } = createTestServer();
    await client.create(Pods, pod("p"));
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "p" },
      target: { kind: "Node", name: "node01" },
    };
    await client.createSubresource(Pods, "default", "p", "binding", binding);
    const bound = await client.get(Pods, "default", "p");
    expect(bound.spec.nodeName).toBe("node01");
    expect(bound.status.conditions).toContainEqual(expect.objectContaining({ type: "PodScheduled", status: "True" }));
    const again = await failure(
      client.createSubresource(Pods, "default", "p", "binding", { ...binding, target: { name: "node02" } }),
    );
    expect(again.message).toBe(
      'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node01"',
    );
  });

  it("rejects unknown fields under fieldValidation=Strict and warns under Warn", async () => {
    const schemaResources = (await import("../testing/genericResources")).genericResources.map((definition) =>
      definition.resource === "configmaps"
        ? {
            ...definition,
            schema: {
              type: "object",
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                data: { type: "object", additionalProperties: { type: "string" } },
              },
            },
          }
        : definition,
    );
    const { apiServer } = createTestServer({ resources: schemaResources });
    const request = (fieldValidation: "Strict" | "Warn" | "Ignore", name: string) =>
      apiServer.handle({
        verb: "create",
        gvr: ConfigMaps,
        namespace: "default",
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, namespace: "default" },
          data: {},
          dta: {},
          metadata2: 1,
        },
        options: { fieldValidation },
        user: { username: "admin", groups: ["system:masters"] },
      });
    const strict = await request("Strict", "a");
    expect(strict.status).toBe(400);
    expect((strict.body as { message: string }).message).toBe(
      'strict decoding error: unknown field "dta", unknown field "metadata2"',
    );
    const warn = await request("Warn", "b");
    expect(warn.status).toBe(201);
    expect(warn.warnings).toEqual(['unknown field "dta"', 'unknown field "metadata2"']);
    expect((warn.body as KubeObject).dta).toBeUndefined();
  });

  it("deletecollection deletes what matches", async () => {
    const { client, apiServer } = createTestServer();
    for (const name of ["a", "b", "c"]) {
      await client.create<KubeObject>(ConfigMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: "default", labels: { group: name === "c" ? "keep" : "drop" } },
      });
    }
    apiServer.execute({
      verb: "deletecollection",
      gvr: ConfigMaps,
      namespace: "default",
      options: { labelSelector: "group=drop" },
      user: { username: "a", groups: ["system:masters"] },
    });
    expect(
      (await client.list(ConfigMaps, "default", { labelSelector: "group" })).items.map((item) => item.metadata.name),
    ).toEqual(["c"]);
  });

  it("allocates ClusterIPs and keeps 10.96.0.1 for kubernetes", async () => {
    const { client } = createTestServer();
    expect((await client.get(Services, "default", "kubernetes")).spec.clusterIP).toBe("10.96.0.1");
    const service = await client.create<KubeObject>(Services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s", namespace: "default" },
      spec: { ports: [{ port: 80 }] },
    });
    expect(service.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(service.spec.clusterIP).not.toBe("10.96.0.1");
  });
});

describe("admission", () => {
  it("mounts the service account token volume and adds default tolerations", async () => {
    const { client } = createTestServer();
    const created = await client.create(Pods, pod("p"));
    expect(created.spec.serviceAccountName).toBe("default");
    const volume = created.spec.volumes.find((item: { name: string }) => item.name.startsWith("kube-api-access-"));
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: "token" } });
    expect(created.spec.containers[0].volumeMounts).toEqual([
      { name: volume.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
    ]);
    expect(created.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    expect(created.spec.priority).toBe(0);
    const missing = await failure(
      client.create(Pods, { ...pod("q"), spec: { serviceAccountName: "robot", containers: [] } }),
    );
    expect(missing.message).toBe(
      'pods "q" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found',
    );
  });

  it("resolves priority classes", async () => {
    const { client } = createTestServer();
    const critical = await client.create<KubeObject>(Pods, {
      ...pod("p"),
      spec: { priorityClassName: "system-node-critical", containers: [] },
    });
    expect(critical.spec.priority).toBe(2000001000);
    const missing = await failure(
      client.create(Pods, { ...pod("q"), spec: { priorityClassName: "nope", containers: [] } }),
    );
    expect(missing.message).toBe('pods "q" is forbidden: no PriorityClass with name nope was found');
  });

  it("defaults container resources from a LimitRange and enforces its max", async () => {
    const { client } = createTestServer();
    await client.create<KubeObject>(LimitRanges, {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "limits", namespace: "default" },
      spec: {
        limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "250m" }, max: { cpu: "1" } }],
      },
    });
    const created = await client.create(Pods, pod("p"));
    expect(created.spec.containers[0].resources).toEqual({ limits: { cpu: "500m" }, requests: { cpu: "250m" } });
    expect(created.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe(
      "LimitRanger plugin set: cpu request for container c; cpu limit for container c",
    );
    const tooBig = await failure(
      client.create(Pods, pod("q", [{ name: "c", image: "x", resources: { limits: { cpu: "2" } } }])),
    );
    expect(tooBig.message).toBe('pods "q" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it("enforces ResourceQuota with upstream's message", async () => {
    const { client } = createTestServer();
    await client.create<KubeObject>(ResourceQuotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q", namespace: "default" },
      spec: { hard: { pods: "2" } },
    });
    await client.create(Pods, pod("a"));
    await client.create(Pods, pod("b"));
    const exceeded = await failure(client.create(Pods, pod("c")));
    expect(exceeded.message).toBe(
      'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect((await client.get(ResourceQuotas, "default", "q")).status.used).toEqual({ pods: "2" });
  });
});

describe("custom resources", () => {
  const crd: KubeObject = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
          },
          additionalPrinterColumns: [{ name: "Replicas", type: "integer", jsonPath: ".spec.replicas" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["size"],
                  properties: { size: { type: "string", enum: ["S", "M"] }, replicas: { type: "integer", minimum: 0 } },
                },
                status: { type: "object", properties: { replicas: { type: "integer" } } },
              },
            },
          },
        },
      ],
    },
  };
  const widgets = { group: "example.com", version: "v1", resource: "widgets" };

  it("serves a CRD's kind, validates with its schema, and removes it all on delete", async () => {
    const { client, apiServer } = createTestServer();
    const changes: number[] = [];
    apiServer.resources.onChange(() => changes.push(apiServer.resources.generation));
    const stored = await client.create(CustomResourceDefinitions, crd);
    expect(
      stored.status.conditions.map(
        (condition: { type: string; status: string }) => `${condition.type}=${condition.status}`,
      ),
    ).toEqual(["NamesAccepted=True", "Established=True"]);
    expect(changes).toHaveLength(1);
    const widget = await client.create<KubeObject>(widgets, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default" },
      spec: { size: "S", replicas: 1, extra: "pruned" },
    });
    expect(widget.metadata.generation).toBe(1);
    expect(widget.spec.extra).toBeUndefined();
    const invalid = await failure(
      client.create<KubeObject>(widgets, {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "x", namespace: "default" },
        spec: { size: "XL", replicas: "two" },
      }),
    );
    expect(invalid.message).toBe(
      'Widget.example.com "x" is invalid: [spec.size: Unsupported value: "XL": supported values: "S", "M", spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"]',
    );
    const scaled = await client.patch(
      widgets,
      "default",
      "w",
      "merge",
      { spec: { replicas: 3 } },
      { subresource: "scale" },
    );
    expect(scaled.spec.replicas).toBe(3);
    const unsupported = await failure(client.patch(widgets, "default", "w", "strategic", { spec: { replicas: 1 } }));
    expect(unsupported.code).toBe(415);
    const table = apiServer.resources.find(widgets)?.table;
    expect(table?.columns.map((column) => column.name)).toEqual(["Name", "Replicas"]);
    expect(table?.cells(await client.get(widgets, "default", "w"), 0)).toEqual(["w", 3]);
    await client.delete(CustomResourceDefinitions, undefined, "widgets.example.com");
    expect(apiServer.resources.find(widgets)).toBeUndefined();
    expect(apiServer.store.range("/registry/example.com/widgets/", { prefix: true }).count).toBe(0);
  });
});

describe("namespace finalization", () => {
  it("removes a terminating namespace once /finalize clears its finalizers, whatever the namespace strategy keeps", async () => {
    const { builtinResources } = await import("../resources");
    const { client } = createTestServer({ resources: builtinResources });
    await client.create<KubeObject>(
      { group: "", version: "v1", resource: "namespaces" },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } },
    );
    const terminating = (await client.delete(
      { group: "", version: "v1", resource: "namespaces" },
      undefined,
      "dev",
    )) as KubeObject;
    expect(terminating.spec.finalizers).toEqual(["kubernetes"]);
    await client.update(
      { group: "", version: "v1", resource: "namespaces" },
      { ...terminating, spec: { finalizers: [] } },
      { subresource: "finalize" },
    );
    expect(
      (await failure(client.get({ group: "", version: "v1", resource: "namespaces" }, undefined, "dev"))).reason,
    ).toBe("NotFound");
  });
});

import { describe, expect, it } from "vitest";
import type { GroupVersionResource, KubeObject } from "../api/types";
import type { PatchType } from "../client/Client";
import type { ResourceDefinition } from "./ResourceDefinition";
import type { ResourceRequest, Verb } from "./ResourceRequest";
import { createTestServer, seededRandom } from "./testing/testServer";

const resources: GroupVersionResource[] = [
  { group: "", version: "v1", resource: "pods" },
  { group: "", version: "v1", resource: "configmaps" },
  { group: "", version: "v1", resource: "namespaces" },
  { group: "", version: "v1", resource: "services" },
  { group: "apps", version: "v1", resource: "deployments" },
  { group: "", version: "v1", resource: "nodes" },
  { group: "nope", version: "v1", resource: "things" },
];
const verbs: Verb[] = ["get", "list", "create", "update", "patch", "delete", "deletecollection"];
const patchTypes: PatchType[] = ["json", "merge", "strategic", "apply"];
const names = ["a", "b", "web", "", "UPPER", "x".repeat(300), "a/b", "..", "kube-system", "default"];
const namespaces = ["default", "dev", undefined, "kube-system", "Bad_NS"];
const junk: unknown[] = [null, 0, -1, 1.5, "", "x", true, [], {}, [1, "a"], { $patch: "delete" }, { "": null }];

/** Feeds random and mutated requests into the pipeline: nothing may crash or corrupt the store. */
describe("request fuzzing", () => {
  it("answers every request with a Status or an object, never an internal error, and keeps the store consistent (generic resources)", async () => {
    await fuzz(undefined);
  });
  it("does the same with the built-in resource strategies", async () => {
    const { builtinResources } = await import("./resources");
    await fuzz(builtinResources);
  });
});

async function fuzz(definitions: ResourceDefinition[] | undefined): Promise<void> {
  {
    const random = seededRandom(12345);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const { apiServer, store } = createTestServer({ resources: definitions });
    const mutate = (value: unknown, depth = 0): unknown => {
      if (depth > 4 || random() < 0.15) return pick(junk);
      if (Array.isArray(value)) return value.map((item) => mutate(item, depth + 1));
      if (value && typeof value === "object") {
        const result: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) {
          const roll = random();
          if (roll < 0.1) continue;
          result[roll < 0.15 ? `${key}x` : key] = roll < 0.5 ? mutate(item, depth + 1) : item;
        }
        if (random() < 0.1) result[pick(["spec", "status", "metadata", "data", "extra"])] = pick(junk);
        return result;
      }
      return random() < 0.3 ? pick(junk) : value;
    };
    const objectFor = (gvr: GroupVersionResource, name: string, namespace?: string): KubeObject => ({
      apiVersion: gvr.group ? `${gvr.group}/v1` : "v1",
      kind:
        {
          pods: "Pod",
          configmaps: "ConfigMap",
          namespaces: "Namespace",
          services: "Service",
          deployments: "Deployment",
          nodes: "Node",
        }[gvr.resource] ?? "Thing",
      metadata: {
        name,
        namespace,
        labels: { app: name.slice(0, 10) || "x" },
        finalizers: random() < 0.1 ? ["example.com/f"] : undefined,
      },
      spec:
        gvr.resource === "pods"
          ? { containers: [{ name: "c", image: "nginx" }], nodeName: random() < 0.5 ? "node01" : undefined }
          : { replicas: 1, ports: [{ port: 80 }] },
      data: { key: "value" },
    });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let step = 0; step < 1500; step++) {
      const gvr = pick(resources);
      const verb = pick(verbs);
      const name = pick(names);
      const namespace = pick(namespaces);
      const base = objectFor(gvr, name, namespace);
      const patchType = pick(patchTypes);
      let body: unknown = random() < 0.6 ? base : mutate(base);
      if (verb === "patch") {
        const document =
          patchType === "json"
            ? random() < 0.5
              ? [
                  {
                    op: pick(["add", "replace", "remove", "test", "move", "bogus"]),
                    path: pick(["/metadata/labels/x", "/spec", "/nope/deep", "", "/metadata/name"]),
                    value: pick(junk),
                  },
                ]
              : mutate([{ op: "add", path: "/data/k", value: "v" }])
            : random() < 0.5
              ? mutate(base)
              : pick(junk);
        body =
          random() < 0.1 ? "{not json" : patchType === "apply" && random() < 0.3 ? "kind: [" : JSON.stringify(document);
      }
      const request: ResourceRequest = {
        verb,
        gvr,
        namespace,
        name:
          verb === "list" || verb === "deletecollection" || (verb === "create" && random() < 0.8) ? undefined : name,
        body,
        patchType: verb === "patch" ? patchType : undefined,
        subresource: random() < 0.1 ? pick(["status", "scale", "binding", "eviction", "log", "bogus"]) : undefined,
        options: {
          dryRun: random() < 0.1,
          fieldManager: random() < 0.8 ? "fuzz" : undefined,
          force: random() < 0.2,
          labelSelector: random() < 0.1 ? pick(["app=a", "a in (", "!!", "x notin (y)", "=="]) : undefined,
          fieldSelector: random() < 0.1 ? pick(["metadata.name=a", "spec.nodeName=node01", "bogus=1", "a"]) : undefined,
          limit: random() < 0.1 ? Math.floor(random() * 3) : undefined,
          continue:
            random() < 0.05 ? pick(["garbage", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJhIn0="]) : undefined,
          resourceVersion: random() < 0.1 ? pick(["0", "1", "abc", "999999", String(store.revision)]) : undefined,
          resourceVersionMatch: random() < 0.05 ? "Exact" : undefined,
          gracePeriodSeconds: random() < 0.1 ? pick([0, 5, -1]) : undefined,
          propagationPolicy:
            random() < 0.1 ? pick(["Orphan", "Foreground", "Background", "Weird" as "Orphan"]) : undefined,
          fieldValidation: random() < 0.2 ? pick(["Strict", "Warn", "Ignore"] as const) : undefined,
        },
        user: { username: "fuzzer", groups: random() < 0.9 ? ["system:masters"] : [] },
      };
      const response = await apiServer.handle(request);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500 && response.status !== 504) {
        failures.push(
          `${JSON.stringify({ ...request, user: undefined })} → ${JSON.stringify(response.body).slice(0, 300)}`,
        );
      }
      expect(response.body).toBeTypeOf("object");
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // The fuzzer must reach both successes and the various rejections.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 201, 400, 404, 409, 422]));
    if (process.env.FUZZ_REPORT) console.log(Object.fromEntries(statuses));
    // Every stored object decodes, sits under its own key and holds no resourceVersion.
    for (const kv of store.range("/registry/", { prefix: true }).kvs) {
      const object = JSON.parse(kv.value) as KubeObject;
      expect(object.metadata.resourceVersion).toBeUndefined();
      expect(kv.key.endsWith(`/${object.metadata.name}`)).toBe(true);
      if (object.metadata.namespace) expect(kv.key).toContain(`/${object.metadata.namespace}/`);
      expect(object.metadata.uid).toBeTypeOf("string");
    }
  }
}

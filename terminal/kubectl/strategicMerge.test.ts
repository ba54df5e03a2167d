import { describe, expect, it } from "vitest";
import { applyStrategicPatch, threeWayMergePatch } from "./strategicMerge";

describe("threeWayMergePatch", () => {
  const original = {
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: "web", image: "nginx:1" },
            { name: "side", image: "busybox" },
          ],
        },
      },
    },
    metadata: { labels: { a: "1", b: "2" } },
  };
  const live = { ...structuredClone(original), status: { replicas: 1 } };
  it("changes fields, deletes what the new configuration dropped, and merges containers by name", () => {
    const modified = {
      spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } },
      metadata: { labels: { a: "1" } },
    };
    const patch = threeWayMergePatch(original, modified, live);
    expect(patch).toEqual({
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { image: "nginx:2", name: "web" },
              { name: "side", $patch: "delete" },
            ],
            "$setElementOrder/containers": [{ name: "web" }],
          },
        },
      },
      metadata: { labels: { b: null } },
    });
    const result = applyStrategicPatch(live, patch) as typeof live;
    expect(result.spec.template.spec.containers).toEqual([{ name: "web", image: "nginx:2" }]);
    expect(result.metadata.labels).toEqual({ a: "1" });
    expect(result.status).toEqual({ replicas: 1 });
  });
  it("is empty when nothing changed", () => {
    expect(threeWayMergePatch(original, original, live)).toEqual({});
  });
});

import { describe, expect, it } from "vitest";
import { ApiError } from "../ApiError";
import { applyMergePatch } from "./mergePatch";
import { applyStrategicMergePatch } from "./strategicMergePatch";

const podSpec = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ spec: { containers, ...extra } });

describe("applyStrategicMergePatch", () => {
  const cases: Array<{ name: string; original: unknown; patch: unknown; expected: unknown }> = [
    {
      name: "merges containers by name and keeps the others",
      original: podSpec([
        { name: "a", image: "a:1" },
        { name: "b", image: "b:1" },
      ]),
      patch: podSpec([{ name: "b", image: "b:2" }]),
      expected: podSpec([
        { name: "a", image: "a:1" },
        { name: "b", image: "b:2" },
      ]),
    },
    {
      name: "appends a container with a new name",
      original: podSpec([{ name: "a", image: "a:1" }]),
      patch: podSpec([{ name: "c", image: "c:1" }]),
      expected: podSpec([
        { name: "a", image: "a:1" },
        { name: "c", image: "c:1" },
      ]),
    },
    {
      name: "deletes a list item with $patch: delete",
      original: podSpec([
        { name: "a", image: "a:1" },
        { name: "b", image: "b:1" },
      ]),
      patch: podSpec([{ name: "a", $patch: "delete" }]),
      expected: podSpec([{ name: "b", image: "b:1" }]),
    },
    {
      name: "replaces the list with $patch: replace",
      original: podSpec([
        { name: "a", image: "a:1" },
        { name: "b", image: "b:1" },
      ]),
      patch: podSpec([{ $patch: "replace" }, { name: "z", image: "z:1" }]),
      expected: podSpec([{ name: "z", image: "z:1" }]),
    },
    {
      name: "merges container ports by containerPort and env by name",
      original: podSpec([
        {
          name: "a",
          ports: [{ containerPort: 80 }],
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "2" },
          ],
        },
      ]),
      patch: podSpec([{ name: "a", ports: [{ containerPort: 443 }], env: [{ name: "Y", value: "3" }] }]),
      expected: podSpec([
        {
          name: "a",
          ports: [{ containerPort: 80 }, { containerPort: 443 }],
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "3" },
          ],
        },
      ]),
    },
    {
      name: "replaces atomic lists (tolerations, args)",
      original: podSpec([{ name: "a", args: ["x", "y"] }], { tolerations: [{ key: "a" }] }),
      patch: podSpec([{ name: "a", args: ["z"] }], { tolerations: [{ key: "b" }] }),
      expected: podSpec([{ name: "a", args: ["z"] }], { tolerations: [{ key: "b" }] }),
    },
    {
      name: "unions finalizers and removes with $deleteFromPrimitiveList",
      original: { metadata: { finalizers: ["a", "b"] } },
      patch: { metadata: { finalizers: ["c"], "$deleteFromPrimitiveList/finalizers": ["a"] } },
      expected: { metadata: { finalizers: ["b", "c"] } },
    },
    {
      name: "null deletes a key; $patch: delete on a map deletes it",
      original: { metadata: { labels: { a: "1", b: "2" } }, spec: { strategy: { type: "Recreate" } } },
      patch: { metadata: { labels: { a: null } }, spec: { strategy: { $patch: "delete" } } },
      expected: { metadata: { labels: { b: "2" } }, spec: {} },
    },
    {
      name: "$retainKeys clears keys not listed (deployment strategy)",
      original: { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
      expected: { spec: { strategy: { type: "Recreate" } } },
    },
    {
      name: "$setElementOrder orders merged items",
      original: podSpec([{ name: "a" }, { name: "b" }]),
      patch: {
        spec: {
          "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
          containers: [{ name: "a", image: "x" }],
        },
      },
      expected: podSpec([{ name: "b" }, { name: "a", image: "x" }]),
    },
    {
      name: "service ports merge by port",
      original: { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      patch: { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
      expected: { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(applyStrategicMergePatch(testCase.original, testCase.patch)).toEqual(testCase.expected);
    });
  }

  it("rejects an item without its merge key", () => {
    expect(() => applyStrategicMergePatch(podSpec([{ name: "a" }]), podSpec([{ image: "x" }]))).toThrow(ApiError);
  });
});

describe("applyMergePatch (RFC 7386)", () => {
  const cases = [
    { original: { a: "b" }, patch: { a: "c" }, expected: { a: "c" } },
    { original: { a: "b" }, patch: { b: "c" }, expected: { a: "b", b: "c" } },
    { original: { a: "b" }, patch: { a: null }, expected: {} },
    { original: { a: ["b"] }, patch: { a: "c" }, expected: { a: "c" } },
    { original: { a: { b: "c" } }, patch: { a: { b: "d", c: null } }, expected: { a: { b: "d" } } },
    { original: { a: [{ b: "c" }] }, patch: { a: [1] }, expected: { a: [1] } },
    { original: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
  ];
  for (const [index, testCase] of cases.entries()) {
    it(`RFC 7386 example ${index + 1}`, () =>
      expect(applyMergePatch(testCase.original, testCase.patch)).toEqual(testCase.expected));
  }
});

describe("atomic lists from upstream's tags", () => {
  it("replaces node taints whole, so kubectl taint can remove one", () => {
    const original = {
      spec: {
        taints: [
          { key: "a", effect: "NoSchedule" },
          { key: "b", effect: "NoSchedule" },
        ],
      },
    };
    const patch = { spec: { taints: [{ key: "b", effect: "NoSchedule" }] } };
    expect(applyStrategicMergePatch(original, patch)).toEqual(patch);
  });
});

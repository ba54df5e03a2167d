import { describe, expect, it } from "vitest";
import { deepFreeze } from "../registry/objects";
import { encode, encodeWatchEvent, warningHeader } from "./responses";

const text = (bytes: string | Uint8Array) => (typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes));

describe("encode", () => {
  it("encodes lists exactly as JSON.stringify does, reusing the JSON of frozen (shared) objects", () => {
    const pod = (name: string, resourceVersion: string, image: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, uid: `uid-${name}`, resourceVersion },
      spec: { containers: [{ name: "web", image }] },
    });
    const first = {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "7" },
      items: [deepFreeze(pod("a", "5", "nginx")), pod("b", "6", "nginx")],
    };
    expect(text(encode(first, "json"))).toBe(`${JSON.stringify(first)}\n`);
    expect(text(encode(first, "json"))).toBe(`${JSON.stringify(first)}\n`);
    // An object that is not frozen may change between encodings: it is serialized again.
    first.items[1].spec.containers[0].image = "nginx:1.27";
    expect(text(encode(first, "json"))).toContain('"image":"nginx:1.27"');
    expect(text(encode(first, "json"))).toBe(`${JSON.stringify(first)}\n`);
    const bare = { items: [{ kind: "X", text: "é ✓" }] };
    expect(text(encode(bare, "json"))).toBe(`${JSON.stringify(bare)}\n`);
    expect(text(encode({ kind: "Status" }, "json"))).toBe('{"kind":"Status"}\n');
  });

  it("encodes Tables exactly as JSON.stringify does, splicing the JSON of frozen row objects", () => {
    const meta = (name: string) =>
      deepFreeze({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name } });
    const loose = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: "c" } };
    const table = {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata: { resourceVersion: "9" },
      columnDefinitions: [{ name: "Name", type: "string", format: "name", description: "é", priority: 0 }],
      rows: [
        { cells: ["a", "1/1", 0], object: meta("a") },
        { cells: ["b", "0/1", 2], conditions: [{ type: "Completed", status: "True" }], object: meta("b") },
        { cells: ["c", null, true], object: loose },
        { object: meta("d"), cells: ["d"] },
      ],
    };
    expect(text(encode(table, "json"))).toBe(`${JSON.stringify(table)}\n`);
    loose.metadata.name = "changed";
    expect(text(encode(table, "json"))).toBe(`${JSON.stringify(table)}\n`);
    const empty = { ...table, rows: [] };
    expect(text(encode(empty, "json"))).toBe(`${JSON.stringify(empty)}\n`);
  });

  it("encodes watch events as JSON lines", () => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "u", resourceVersion: "3" } };
    expect(text(encodeWatchEvent("ADDED", object))).toBe(`${JSON.stringify({ type: "ADDED", object })}\n`);
    const frozen = deepFreeze({ ...object, data: { ünïcode: "✓" } });
    for (const type of ["ADDED", "MODIFIED"]) {
      expect(text(encodeWatchEvent(type, frozen))).toBe(`${JSON.stringify({ type, object: frozen })}\n`);
    }
  });

  it("writes warnings as upstream's 299 headers", () => {
    expect(warningHeader('unknown field "spec.x"')).toBe('299 - "unknown field \\"spec.x\\""');
  });
});

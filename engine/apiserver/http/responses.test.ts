import { describe, expect, it } from "vitest";
import { encode, encodeWatchEvent, warningHeader } from "./responses";

describe("encode", () => {
  it("encodes lists exactly as JSON.stringify does, reusing the JSON of unchanged stored objects", () => {
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
      items: [pod("a", "5", "nginx"), pod("b", "6", "nginx")],
    };
    expect(encode(first, "json")).toBe(`${JSON.stringify(first)}\n`);
    // A write gives a new resourceVersion, so the new content is encoded, never the cached one.
    const second = { ...first, items: [pod("a", "8", "nginx:1.27"), pod("b", "6", "nginx")] };
    expect(encode(second, "json")).toBe(`${JSON.stringify(second)}\n`);
    const bare = { items: [{ kind: "X" }] };
    expect(encode(bare, "json")).toBe(`${JSON.stringify(bare)}\n`);
  });

  it("encodes watch events as JSON lines", () => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "u", resourceVersion: "3" } };
    expect(encodeWatchEvent("ADDED", object)).toBe(`${JSON.stringify({ type: "ADDED", object })}\n`);
  });

  it("writes warnings as upstream's 299 headers", () => {
    expect(warningHeader('unknown field "spec.x"')).toBe('299 - "unknown field \\"spec.x\\""');
  });
});

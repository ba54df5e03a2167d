import { describe, expect, it } from "vitest";
import { encode, warningHeader } from "./responses";

describe("encode", () => {
  it("encodes lists of frozen items exactly as JSON.stringify does", () => {
    const item = (name: string) => Object.freeze({ kind: "Pod", metadata: Object.freeze({ name }) });
    const list = {
      kind: "PodList",
      apiVersion: "v1",
      metadata: { resourceVersion: "7" },
      items: [item("a"), item("b")],
    };
    expect(encode(list, "json")).toBe(`${JSON.stringify(list)}\n`);
    expect(encode(list, "json")).toBe(`${JSON.stringify(list)}\n`);
    const bare = { items: [item("c")] };
    expect(encode(bare, "json")).toBe(`${JSON.stringify(bare)}\n`);
  });

  it("writes warnings as upstream's 299 headers", () => {
    expect(warningHeader('unknown field "spec.x"')).toBe('299 - "unknown field \\"spec.x\\""');
  });
});

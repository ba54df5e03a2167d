import { describe, expect, it } from "vitest";
import { DecodedObjects } from "./DecodedObjects";

const value = (name: string, image = "nginx") =>
  JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image }] } });

describe("DecodedObjects", () => {
  it("decodes a key's revision once and shares the frozen object", () => {
    const decoded = new DecodedObjects();
    const first = decoded.decode("/registry/pods/default/a", 5, value("a"), "v1");
    const again = decoded.decode("/registry/pods/default/a", 5, value("a"), "v1");
    expect(again).toBe(first);
    expect(first.metadata.resourceVersion).toBe("5");
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first as unknown as { spec: { containers: object[] } }).spec.containers[0])).toBe(true);
    expect(() => {
      (first.metadata as { name: string }).name = "b";
    }).toThrow();
  });

  it("keeps revisions, versions and shown resourceVersions apart", () => {
    const decoded = new DecodedObjects();
    const key = "/registry/pods/default/a";
    const old = decoded.decode(key, 5, value("a"), "v1");
    const next = decoded.decode(key, 9, value("a", "nginx:1.27"), "v1");
    expect(next).not.toBe(old);
    expect(JSON.stringify(next)).toContain("nginx:1.27");
    // The previous revision is still there for the watchers of the same change.
    expect(decoded.decode(key, 5, value("a"), "v1")).toBe(old);
    const beta = decoded.decode(key, 9, value("a", "nginx:1.27"), "v1beta1");
    expect(beta.apiVersion).toBe("v1beta1");
    expect(next.apiVersion).toBe("v1");
    const deleted = decoded.decode(key, 9, value("a", "nginx:1.27"), "v1", undefined, 12);
    expect(deleted.metadata.resourceVersion).toBe("12");
    expect(next.metadata.resourceVersion).toBe("9");
    const presented = decoded.decode(key, 9, value("a", "nginx:1.27"), "v1", (object) => ({
      ...object,
      apiVersion: "example.com/v2",
    }));
    expect(presented.apiVersion).toBe("example.com/v2");
    expect(decoded.decode(key, 9, value("a", "nginx:1.27"), "v1")).toBe(next);
  });

  it("drops the keys decoded longest ago beyond its byte budget", () => {
    const decoded = new DecodedObjects(value("pod-00").length * 10);
    const first = decoded.decode("/registry/pods/default/pod-00", 1, value("pod-00"), "v1");
    for (let index = 1; index < 40; index++) {
      const name = `pod-${String(index).padStart(2, "0")}`;
      decoded.decode(`/registry/pods/default/${name}`, index + 1, value(name), "v1");
    }
    expect(decoded.size).toBeLessThan(10);
    expect(decoded.decode("/registry/pods/default/pod-00", 1, value("pod-00"), "v1")).not.toBe(first);
  });

  it("keeps a bounded number of revisions of one key", () => {
    const decoded = new DecodedObjects();
    for (let revision = 1; revision <= 50; revision++) {
      decoded.decode("/registry/pods/default/a", revision, value("a", `nginx:${revision}`), "v1");
    }
    expect(decoded.size).toBeLessThanOrEqual(6);
  });
});

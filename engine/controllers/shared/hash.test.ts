import { describe, expect, it } from "vitest";
import { computeHash, fnv32a, safeEncodeString } from "./hash";

const encode = (text: string) => new TextEncoder().encode(text);

describe("pod-template-hash", () => {
  it.each([
    // Published FNV-1a 32-bit test vectors.
    { input: "", hash: 0x811c9dc5 },
    { input: "a", hash: 0xe40c292c },
    { input: "foobar", hash: 0xbf9cf968 },
  ])("fnv32a($input)", ({ input, hash }) => {
    expect(fnv32a(encode(input))).toBe(hash);
  });

  it.each([
    // rand.SafeEncodeString maps each byte onto "bcdfghjklmnpqrstvwxz2456789" by value modulo 27,
    // so the decimal digits 0-9 become 4 5 6 7 8 9 b c d f (as in real hashes like 7d4b9c8f5).
    { input: "0", encoded: "4" },
    { input: "1234567890", encoded: "56789bcdf4" },
  ])("safeEncodeString($input) = $encoded", ({ input, encoded }) => {
    expect(safeEncodeString(input)).toBe(encoded);
  });

  it("is the safe encoding of a uint32 in decimal, stable across key order, changed by collisionCount", () => {
    const template = {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    };
    const reordered = {
      spec: { containers: [{ image: "nginx", name: "nginx" }] },
      metadata: { labels: { app: "web" } },
    };
    const hash = computeHash(template);
    expect(hash).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computeHash(reordered)).toBe(hash);
    expect(computeHash(template, 1)).not.toBe(hash);
    expect(computeHash(template, 1)).toBe(computeHash(reordered, 1));
  });
});

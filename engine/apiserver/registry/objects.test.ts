import { describe, expect, it } from "vitest";
import { clone, cloneDroppingNulls, deepFreeze } from "./objects";

describe("clone", () => {
  const cases: Array<{ name: string; value: unknown }> = [
    { name: "nested objects and arrays", value: { a: [1, "x", true, null, { b: [[]] }], c: {} } },
    {
      name: "undefined, functions and symbols",
      value: { a: undefined, f: () => 1, s: Symbol("s"), l: [undefined, () => 1] },
    },
    { name: "non-finite numbers", value: { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0, l: [Number.NaN] } },
    { name: "dates through toJSON", value: { when: new Date(Date.UTC(2026, 0, 1)) } },
    { name: "a __proto__ key from JSON", value: JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') },
    { name: "maps and sets", value: { m: new Map([[1, 2]]), s: new Set([1]) } },
    { name: "a string", value: "s" },
  ];
  for (const { name, value } of cases) {
    it(`copies ${name} as a JSON round trip does`, () => {
      const copied = clone(value);
      expect(JSON.stringify(copied)).toBe(JSON.stringify(value));
      expect(copied).toEqual(JSON.parse(JSON.stringify(value)));
      expect(Object.getPrototypeOf(copied)).toBe(Object.getPrototypeOf(JSON.parse(JSON.stringify(value))));
    });
  }

  it("shares nothing with the original", () => {
    const original = { a: { b: [{ c: 1 }] } };
    const copied = clone(original);
    copied.a.b[0].c = 2;
    expect(original.a.b[0].c).toBe(1);
  });
});

describe("deepFreeze", () => {
  it("freezes every object and array inside, leaving scalars alone", () => {
    const value = deepFreeze({ a: [{ b: { c: 1 } }, "s", null], d: { e: [] as unknown[] } });
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen((value.a[0] as { b: object }).b)).toBe(true);
    expect(Object.isFrozen(value.d.e)).toBe(true);
    expect(() => value.d.e.push(1)).toThrow();
  });
});

describe("cloneDroppingNulls", () => {
  it("copies as clone does, without the null members of nested objects", () => {
    const value = {
      top: null,
      a: { b: null, c: [null, { d: null, e: 1 }], n: Number.NaN, u: undefined },
      when: { at: new Date(Date.UTC(2026, 0, 1)) },
    };
    expect(cloneDroppingNulls(value)).toEqual({
      top: null,
      a: { c: [null, { e: 1 }] },
      when: { at: "2026-01-01T00:00:00.000Z" },
    });
    expect(value.a.b).toBeNull();
  });
});

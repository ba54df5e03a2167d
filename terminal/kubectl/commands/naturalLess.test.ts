import { describe, expect, it } from "vitest";
import { naturalLess } from "./get";

describe("naturalLess (sortorder.NaturalLess, used by get --sort-by for strings)", () => {
  it.each([
    { name: "numbers compare by value", a: "web-2", b: "web-10", less: true },
    { name: "and not the other way", a: "web-10", b: "web-2", less: false },
    { name: "fewer leading zeros first", a: "v2", b: "v02", less: true },
    { name: "digits before other bytes", a: "1a", b: "a1", less: true },
    { name: "other bytes byte by byte", a: "Zeta", b: "alpha", less: true },
    { name: "a prefix first", a: "pod", b: "pod-a", less: true },
    { name: "equal strings are not less", a: "db-0", b: "db-0", less: false },
    {
      name: "long numbers by length, then digits",
      a: "n99999999999999999999",
      b: "n100000000000000000000",
      less: true,
    },
    { name: "UTF-8 bytes, not UTF-16 units", a: "\uff5e", b: "\u{1f600}", less: true },
  ])("$name", ({ a, b, less }) => {
    expect(naturalLess(a, b)).toBe(less);
  });
});

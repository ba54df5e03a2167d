import { describe, expect, it } from "vitest";
import { quantityAmount } from "../describe/quantity";
import { goStringLess } from "./sortBy";

describe("goStringLess (Go's string <, used by get --sort-by for non-quantity strings since kubectl 1.31)", () => {
  it.each([
    // What kubectl 1.32 prints for pods web-2 and web-10 sorted by name: web-10 first.
    { name: "digits compare byte by byte, not as numbers", a: "web-10", b: "web-2", less: true },
    { name: "and not the other way", a: "web-2", b: "web-10", less: false },
    { name: "leading zeros are bytes too", a: "v02", b: "v2", less: true },
    { name: "digits before letters (ASCII)", a: "1a", b: "a1", less: true },
    { name: "upper case before lower case", a: "Zeta", b: "alpha", less: true },
    { name: "a prefix first", a: "pod", b: "pod-a", less: true },
    { name: "equal strings are not less", a: "db-0", b: "db-0", less: false },
    { name: "UTF-8 bytes, not UTF-16 units", a: "\uff5e", b: "\u{1f600}", less: true },
  ])("$name", ({ a, b, less }) => {
    expect(goStringLess(a, b)).toBe(less);
  });
});

describe("quantityAmount (resource.ParseQuantity's grammar, for get --sort-by)", () => {
  it.each([
    { text: "500m", amount: 0.5 },
    { text: "2Gi", amount: 2 * 1024 ** 3 },
    { text: "1.5k", amount: 1500 },
    { text: "1e3", amount: 1000 },
    { text: "1E", amount: 1e18 },
    { text: "-2", amount: -2 },
    { text: ".5", amount: 0.5 },
    { text: "10.244.1.5", amount: undefined },
    { text: "1e", amount: undefined },
    { text: "web-1", amount: undefined },
    { text: "", amount: undefined },
  ])("$text", ({ text, amount }) => {
    expect(quantityAmount(text)).toBe(amount);
  });
});

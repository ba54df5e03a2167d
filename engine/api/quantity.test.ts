import { describe, expect, it } from "vitest";
import { canonicalQuantity, compareQuantities, isQuantity, quantityToMilli, quantityToNumber } from "./quantity";

// Expectations from apimachinery's quantity_test.go (TestQuantityParse / TestQuantityString).
describe("canonicalQuantity", () => {
  const cases: Array<[string, string]> = [
    ["0", "0"],
    ["0n", "0"],
    ["1", "1"],
    ["1.5", "1500m"],
    ["0.1", "100m"],
    ["100m", "100m"],
    ["1000m", "1"],
    ["1000", "1k"],
    ["1500", "1500"],
    ["1e3", "1e3"],
    ["1E6", "1e6"],
    ["1e-3", "1e-3"],
    ["1Ki", "1Ki"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["0.5Gi", "512Mi"],
    ["0.5Ki", "512"],
    ["1.5Gi", "1536Mi"],
    ["128974848", "128974848"],
    ["129e6", "129e6"],
    ["123Mi", "123Mi"],
    ["5G", "5G"],
    ["-1", "-1"],
    ["-100m", "-100m"],
    ["0.0000000001", "1n"],
    ["1.0001Ki", "1024102400u"],
  ];
  it.each(cases)("%s → %s", (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });
});

describe("parsing", () => {
  it.each(["", " 1", "1Gb", "abc", "1.2.3", "Ki", "1 Gi", "1ii"])("rejects %j", (input) => {
    expect(isQuantity(input)).toBe(false);
  });
  it("converts to numbers", () => {
    expect(quantityToNumber("100m")).toBe(0.1);
    expect(quantityToNumber("1Gi")).toBe(1073741824);
    expect(quantityToNumber(2)).toBe(2);
    expect(quantityToMilli("1")).toBe(1000);
    expect(quantityToMilli("0.1m")).toBe(1);
    expect(compareQuantities("1Gi", "1G")).toBe(1);
    expect(compareQuantities("1000m", "1")).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { parseFieldSelector } from "./FieldSelector";
import { parseLabelSelector, selectorFromObject } from "./LabelSelector";

describe("parseLabelSelector", () => {
  const labels = { app: "web", tier: "front", version: "3" };
  const cases: Array<[string, boolean]> = [
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app in (web,api)", true],
    ["app notin (web)", false],
    ["tier", true],
    ["!tier", false],
    ["!missing", true],
    ["missing notin (x)", true],
    ["app=web,tier=back", false],
    ["version>2", true],
    ["version<3", false],
    ["x in (in, notin)", false],
  ];
  for (const [selector, expected] of cases) {
    it(`${JSON.stringify(selector)} → ${expected}`, () =>
      expect(parseLabelSelector(selector).matches(labels)).toBe(expected));
  }

  const errors: Array<[string, string]> = [
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["a=b,", "found '', expected: identifier after ','"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["a in (b", "unable to parse requirement: found '', expected: ',' or ')'"],
  ];
  for (const [selector, message] of errors) {
    it(`rejects ${JSON.stringify(selector)}`, () => expect(() => parseLabelSelector(selector)).toThrow(message));
  }

  it("rejects invalid label values with upstream's validation message", () => {
    expect(() => parseLabelSelector("a=-x")).toThrow(
      /a valid label must be an empty string or consist of alphanumeric characters/,
    );
  });

  it("converts metav1.LabelSelector objects", () => {
    const selector = selectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }],
    });
    expect(selector.matches(labels)).toBe(true);
    expect(selector.toString()).toBe("app=web,tier in (front)");
    expect(selectorFromObject(undefined).matches(labels)).toBe(false);
    expect(selectorFromObject({}).matches(labels)).toBe(true);
  });
});

describe("parseFieldSelector", () => {
  it("parses =, == and != with escapes", () => {
    expect(parseFieldSelector("spec.nodeName=n1,status.phase!=Failed,metadata.name==a\\,b")).toEqual([
      { field: "spec.nodeName", operator: "=", value: "n1" },
      { field: "status.phase", operator: "!=", value: "Failed" },
      { field: "metadata.name", operator: "=", value: "a,b" },
    ]);
  });
  it("rejects a term without an operator", () => {
    expect(() => parseFieldSelector("spec.nodeName")).toThrow(
      "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    );
  });
});

import { describe, expect, it } from "vitest";
import { toGoYaml } from "./goYaml";

describe("toGoYaml", () => {
  const cases: { name: string; value: unknown; expected: string }[] = [
    {
      name: "sorts keys and nests maps",
      value: { kind: "Pod", apiVersion: "v1", metadata: { name: "a" } },
      expected: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n",
    },
    {
      name: "indentless sequences under keys",
      value: { items: [{ b: 1, a: 2 }, "x"] },
      expected: "items:\n- a: 2\n  b: 1\n- x\n",
    },
    {
      name: "quotes strings that resolve to other types",
      value: { a: "true", b: "123", c: "", d: "2024-01-01T00:00:00Z", e: "1:20", f: "null", g: "0x1F" },
      expected: 'a: "true"\nb: "123"\nc: ""\nd: "2024-01-01T00:00:00Z"\ne: "1:20"\nf: "null"\ng: "0x1F"\n',
    },
    {
      name: "single-quotes strings with indicators",
      value: { a: "a: b", b: "- x", c: "*star", d: "it's" },
      expected: "a: 'a: b'\nb: '- x'\nc: '*star'\nd: it's\n",
    },
    {
      name: "literal blocks with chomping",
      value: { a: "l1\nl2", b: "l1\nl2\n", c: "x\n\n" },
      expected: "a: |-\n  l1\n  l2\nb: |\n  l1\n  l2\nc: |+\n  x\n\n",
    },
    { name: "empty containers and null", value: { a: {}, b: [], c: null }, expected: "a: {}\nb: []\nc: null\n" },
    { name: "double quotes for control characters", value: { a: "tab\there" }, expected: 'a: "tab\\there"\n' },
    {
      name: "folds long plain scalars at column 80",
      value: { message: `ReplicaSet "nginx-deployment-7d9c8f8f9" has successfully progressed and more words here` },
      expected: 'message: ReplicaSet "nginx-deployment-7d9c8f8f9" has successfully progressed and more\n  words here\n',
    },
    { name: "sequence of sequences", value: [["a"], []], expected: "- - a\n- []\n" },
    { name: "numbers and booleans", value: { i: 3, f: 0.5, t: true }, expected: "f: 0.5\ni: 3\nt: true\n" },
  ];
  it.each(cases)("$name", ({ value, expected }) => {
    expect(toGoYaml(value)).toBe(expected);
  });
});

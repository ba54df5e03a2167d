import { describe, expect, it } from "vitest";
import { expandAliases } from "./aliases";

describe("expandAliases", () => {
  const aliases = new Map([
    ["k", "kubectl"],
    ["ll", "ls -la"],
  ]);
  const cases: { name: string; line: string; expected: string }[] = [
    { name: "first word", line: "k get pods", expected: "kubectl get pods" },
    {
      name: "after pipes and separators",
      line: "k get pods | grep x && ll; k version",
      expected: "kubectl get pods | grep x && ls -la; kubectl version",
    },
    { name: "not as an argument", line: "echo k", expected: "echo k" },
    { name: "not inside quotes", line: "echo 'k get' \"k\"", expected: "echo 'k get' \"k\"" },
    { name: "in command substitution", line: "echo $(k get ns)", expected: "echo $(kubectl get ns)" },
    { name: "after an assignment", line: "A=1 k get pods", expected: "A=1 kubectl get pods" },
  ];
  it.each(cases)("$name", ({ line, expected }) => {
    expect(expandAliases(line, aliases)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import { expandReplacement, parseSubstitution, vimRegExp } from "./vimPattern";

describe("vimRegExp", () => {
  it.each([
    { name: "a plain word", pattern: "replicas", text: "  replicas: 1", match: "replicas" },
    { name: "bare parentheses are literal", pattern: "f(x)", text: "f(x)", match: "f(x)" },
    { name: "bare + is literal", pattern: "a+", text: "aa+", match: "a+" },
    { name: "\\+ repeats", pattern: "a\\+", text: "baa", match: "aa" },
    {
      name: "\\( \\) group and \\| alternates",
      pattern: "\\(nginx\\|redis\\):",
      text: "image: redis:7",
      match: "redis:",
    },
    { name: "\\< \\> are word edges", pattern: "\\<name\\>", text: "hostname: x; name: y", match: "name" },
    { name: "brackets pass through", pattern: "[0-9]\\+", text: "port: 8080", match: "8080" },
    { name: "\\/ is a slash", pattern: "apps\\/v1", text: "apiVersion: apps/v1", match: "apps/v1" },
    { name: "\\c ignores case", pattern: "\\cKIND", text: "kind: Pod", match: "kind" },
  ])("$name", ({ pattern, text, match }) => {
    expect(text.match(vimRegExp(pattern))?.[0]).toBe(match);
  });
});

describe("parseSubstitution", () => {
  it.each([
    { name: "s///g", command: "s/a/b/g", parts: { pattern: "a", replacement: "b", flags: "g" } },
    { name: "no trailing delimiter", command: "s/a/b", parts: { pattern: "a", replacement: "b", flags: "" } },
    { name: "another delimiter", command: "s#a/b#c#", parts: { pattern: "a/b", replacement: "c", flags: "" } },
    {
      name: "an escaped delimiter",
      command: "s/a\\/b/c\\/d/",
      parts: { pattern: "a\\/b", replacement: "c/d", flags: "" },
    },
    { name: "the long name", command: "substitute/a/b/", parts: { pattern: "a", replacement: "b", flags: "" } },
  ])("$name", ({ command, parts }) => {
    expect(parseSubstitution(command)).toEqual(parts);
  });

  it("is undefined for other commands", () => {
    expect(parseSubstitution("set paste")).toBeUndefined();
  });
});

describe("expandReplacement", () => {
  it("expands & and groups", () => {
    const match = "image: nginx".match(/(\w+): (\w+)/) as RegExpMatchArray;
    expect(expandReplacement("\\2=\\1 [&] \\&", match)).toBe("nginx=image [image: nginx] &");
  });
});

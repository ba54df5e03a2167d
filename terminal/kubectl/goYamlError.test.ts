import { describe, expect, it } from "vitest";
import { goYamlError } from "./goYamlError";

/** Expected texts are kubectl 1.32's (`create -f` of the same text, after "error converting YAML to JSON: "). */
describe("goYamlError", () => {
  it.each([
    { name: "valid YAML", text: "a: 1\nb:\n  c: 2\n", error: undefined },
    {
      name: "a value that is a mapping on one line",
      text: "a: 1\nspec: : :\n  x: 1\n",
      error: "yaml: line 2: mapping values are not allowed in this context",
    },
    {
      name: "a tab as indentation",
      text: "a:\n\tb: 1\n",
      error: "yaml: line 2: found character that cannot start any token",
    },
    { name: "an unclosed quote", text: 'a: "abc\nb: 2\n', error: "yaml: line 3: found unexpected end of stream" },
  ])("$name", ({ text, error }) => {
    expect(goYamlError(text)).toBe(error);
  });
});

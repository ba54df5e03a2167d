import { describe, expect, it } from "vitest";
import { GoUnquoteError, unquoteBody } from "./goUnquote";

describe("unquoteBody (strconv.UnquoteChar over a string's body)", () => {
  it("decodes Go's escapes", () => {
    expect(unquoteBody(String.raw`a\tb\n\\ \x41\u00e9\U0001F600 \101`, '"')).toBe("a\tb\n\\ Aé😀 A");
  });

  it("takes an escaped quote only for the string's own quote", () => {
    expect(unquoteBody(String.raw`it\'s`, "'")).toBe("it's");
    expect(unquoteBody(String.raw`say \"hi\"`, '"')).toBe('say "hi"');
    expect(() => unquoteBody(String.raw`it\'s`, '"')).toThrow(GoUnquoteError);
    expect(() => unquoteBody(String.raw`say \"hi\"`, "'")).toThrow(GoUnquoteError);
  });

  it("refuses an unescaped quote, unknown escapes and short hex or octal", () => {
    for (const [body, quote] of [
      ["it's", "'"],
      [String.raw`\q`, '"'],
      [String.raw`\x4`, '"'],
      [String.raw`\18`, '"'],
      ["\\", '"'],
    ])
      expect(() => unquoteBody(body as string, quote as string), body).toThrow("invalid syntax");
  });
});

import { describe, expect, it } from "vitest";
import { decodeJson } from "./decodeJson";

describe("decodeJson", () => {
  const errors: Array<{ name: string; text: string; message: string }> = [
    { name: "empty", text: "", message: "unexpected end of JSON input" },
    { name: "truncated object", text: '{"a":', message: "unexpected end of JSON input" },
    { name: "bad start", text: "x", message: "invalid character 'x' looking for beginning of value" },
    { name: "bad key", text: "{a:1}", message: "invalid character 'a' looking for beginning of object key string" },
    { name: "missing colon", text: '{"a" 1}', message: "invalid character '1' after object key" },
    { name: "missing comma", text: '{"a":1 "b":2}', message: "invalid character '\"' after object key:value pair" },
    { name: "array", text: "[1 2]", message: "invalid character '2' after array element" },
    { name: "trailing", text: "{} x", message: "invalid character 'x' after top-level value" },
    { name: "literal", text: "tru", message: "unexpected end of JSON input" },
    { name: "bad literal", text: "trux", message: "invalid character 'x' in literal true (expecting 'e')" },
    { name: "newline in string", text: '"a\nb"', message: "invalid character '\\n' in string literal" },
    { name: "bad escape", text: '"\\q"', message: "invalid character 'q' in string escape code" },
    { name: "number", text: "-x", message: "invalid character 'x' in numeric literal" },
    { name: "decimal", text: "1.x", message: "invalid character 'x' after decimal point in numeric literal" },
    {
      name: "trailing comma",
      text: '{"a":1,}',
      message: "invalid character '}' looking for beginning of object key string",
    },
  ];
  it.each(errors)("$name: Go's wording", ({ text, message }) => {
    expect(() => decodeJson(text)).toThrow(message);
  });

  it("parses values like JSON.parse", () => {
    const text = '{"a":[1,-2.5e3,"x\\u00e9\\n",true,false,null],"b":{"c":{}}}';
    expect(decodeJson(text).value).toEqual(JSON.parse(text));
  });

  it("reports duplicate fields with their paths", () => {
    const text =
      '{"spec":{"replicas":2,"replicas":3,"template":{"spec":{"containers":[{"name":"a","name":"b"}]}}},"kind":"x","kind":"y"}';
    expect(decodeJson(text).duplicates).toEqual(["spec.replicas", "spec.template.spec.containers[0].name", "kind"]);
  });

  it("keeps the last duplicate, as Go's decoder does", () => {
    expect(decodeJson('{"a":1,"a":2}').value).toEqual({ a: 2 });
  });

  it("does not let __proto__ reach the prototype", () => {
    const value = decodeJson('{"__proto__":{"polluted":true}}').value as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });
});

import { describe, expect, it } from "vitest";
import { JsonPath } from "./jsonpath";

const data = {
  kind: "List",
  items: [
    { metadata: { name: "a", labels: { app: "web" } }, spec: { replicas: 2 }, status: { phase: "Running" } },
    { metadata: { name: "b", labels: { app: "db" } }, spec: { replicas: 1 }, status: { phase: "Pending" } },
  ],
};

describe("JsonPath", () => {
  const cases: { name: string; template: string; expected: string }[] = [
    { name: "wildcard over items", template: "{.items[*].metadata.name}", expected: "a b" },
    { name: "index", template: "{.items[0].spec.replicas}", expected: "2" },
    { name: "negative index", template: "{.items[-1].metadata.name}", expected: "b" },
    { name: "filter", template: '{.items[?(@.status.phase=="Pending")].metadata.name}', expected: "b" },
    {
      name: "range with literals",
      template: '{range .items[*]}{.metadata.name}{"\\t"}{.spec.replicas}{"\\n"}{end}',
      expected: "a\t2\nb\t1\n",
    },
    { name: "range without space", template: "{range.items[*]}[{.metadata.name}]{end}", expected: "[a][b]" },
    { name: "maps print as JSON", template: "{.items[0].metadata.labels}", expected: '{"app":"web"}' },
    { name: "recursive descent", template: "{..name}", expected: "a b" },
    { name: "quoted keys", template: "{.items[0].metadata.labels['app']}", expected: "web" },
    { name: "text around actions", template: "kind={.kind}", expected: "kind=List" },
    { name: "missing keys print nothing", template: "{.nope}", expected: "" },
  ];
  it.each(cases)("$name", ({ template, expected }) => {
    expect(new JsonPath(template).execute(data)).toBe(expected);
  });
});

describe("JsonPath escaped field names", () => {
  const pod = {
    metadata: { annotations: { "kubernetes.io/config.source": "file", "a.b": "dotted" } },
  };
  it("a backslash escapes the dots of an annotation key with a slash", () => {
    expect(new JsonPath("{.metadata.annotations.kubernetes\\.io/config\\.source}").execute(pod)).toBe("file");
  });
  it("an unescaped dot still separates fields", () => {
    expect(new JsonPath("{.metadata.annotations.a.b}").execute(pod)).toBe("");
    expect(new JsonPath("{.metadata.annotations.a\\.b}").execute(pod)).toBe("dotted");
  });
});

describe("JsonPath as client-go's parser and engine", () => {
  const results: { name: string; template: string; expected: string }[] = [
    {
      name: "@ outside a filter is the current object",
      template: "{range .items[*]}{@.metadata.name};{end}",
      expected: "a;b;",
    },
    { name: "{@} is the whole object", template: "{.items[0].spec}{@.kind}", expected: '{"replicas":2}List' },
    { name: "union of indexes", template: "{.items[0,1].metadata.name}", expected: "a b" },
    { name: "union of quoted keys", template: "{.items[0].metadata['name','labels']}", expected: 'a {"app":"web"}' },
    { name: "string ordering in a filter", template: '{.items[?(@.metadata.name<"b")].metadata.name}', expected: "a" },
    { name: "int against an int literal", template: "{.items[?(@.spec.replicas>=2)].metadata.name}", expected: "a" },
    { name: "an unclosed range runs to the end", template: "{range .items[*]}{.metadata.name}", expected: "ab" },
    { name: "null prints as null", template: "[{.nothing}]", expected: "[null]" },
    { name: "empty slice within bounds", template: "{.items[1:1]}", expected: "" },
  ];
  const withNull = { ...data, nothing: null };
  it.each(results)("$name", ({ template, expected }) => {
    expect(new JsonPath(template).execute(withNull)).toBe(expected);
  });

  it("jsonpath-as-json prints each range iteration's results as an indented array", () => {
    expect(new JsonPath("{range .items[*]}{.metadata.name}{end}").execute(data, true)).toBe(
      '[\n    "a"\n]\n[\n    "b"\n]\n',
    );
  });

  const executionErrors: { name: string; template: string; message: string }[] = [
    {
      name: "slice past the end",
      template: "{.items[0:100]}",
      message: "array index out of bounds: index 99, length 2",
    },
    {
      name: "slice before the start",
      template: "{.items[-100:2]}",
      message: "array index out of bounds: index -98, length 2",
    },
    { name: "reversed slice", template: "{.items[1:0]}", message: "starting index 1 is greater than ending index 0" },
    {
      name: "int against a string",
      template: '{.items[?(@.spec.replicas=="2")]}',
      message: "incompatible types for comparison",
    },
    {
      name: "int against a float",
      template: "{.items[?(@.spec.replicas>1.5)]}",
      message: "incompatible types for comparison",
    },
    { name: "unquoted name", template: "{.items[?(@.metadata.name==a)]}", message: "unrecognized identifier a" },
    {
      name: "several values",
      template: '{.items[?(@.metadata.*=="a")]}',
      message: "can only compare one element at a time",
    },
    { name: "end outside a range", template: "{.kind}{end}", message: "not in range, nothing to end" },
    {
      name: "index of a map",
      template: "{.items[0].metadata[0]}",
      message: "map[string]interface {} is not array or slice",
    },
  ];
  it.each(executionErrors)("execution error: $name", ({ template, message }) => {
    expect(() => new JsonPath(template).execute(data)).toThrow(message);
  });

  const parseErrors: { name: string; template: string; message: string }[] = [
    {
      name: "operator without right side",
      template: "{.items[?(@.x==)]}",
      message: "unrecognized character in action: U+003D '='",
    },
    {
      name: "&&",
      template: '{.items[?(@.a=="x" && @.b=="y")]}',
      message: "unrecognized character in action: U+0026 '&'",
    },
    { name: "=~", template: '{.items[?(@.a=~"x")]}', message: "unrecognized character in action: U+007E '~'" },
    { name: "double-quoted key", template: '{.metadata.labels["app"]}', message: 'invalid array index "app"' },
    { name: "unterminated array", template: "{.items[*", message: "unterminated array" },
    { name: "unclosed action", template: "{.items", message: "unclosed action" },
  ];
  it.each(parseErrors)("parse error: $name", ({ template, message }) => {
    expect(() => new JsonPath(template)).toThrow(message);
  });
});

describe("JsonPath with --allow-missing-template-keys=false", () => {
  it("a missing field is an error", () => {
    const path = new JsonPath("{.items[0].metadata.nope}");
    path.allowMissingKeys = false;
    expect(() => path.execute(data)).toThrow("nope is not found");
  });
});

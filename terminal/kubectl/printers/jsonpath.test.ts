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

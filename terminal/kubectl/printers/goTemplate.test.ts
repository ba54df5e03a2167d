import { describe, expect, it } from "vitest";
import { GoTemplate } from "./goTemplate";

const pod = {
  metadata: { name: "web", labels: { app: "web", tier: "front" } },
  spec: {
    containers: [
      { name: "a", image: "nginx" },
      { name: "b", image: "redis" },
    ],
    replicas: 0,
  },
  data: { password: "czNjcmV0" },
};

describe("go-template", () => {
  it.each([
    { name: "field", template: "{{.metadata.name}}", out: "web" },
    {
      name: "range over a list",
      template: '{{range .spec.containers}}{{.name}}={{.image}}{{"\\n"}}{{end}}',
      out: "a=nginx\nb=redis\n",
    },
    { name: "map as Go prints it", template: "{{.metadata.labels}}", out: "map[app:web tier:front]" },
    { name: "index", template: '{{index .metadata.labels "tier"}}', out: "front" },
    { name: "missing key", template: "{{.metadata.nope}}", out: "<no value>" },
    { name: "if/else on zero", template: "{{if .spec.replicas}}some{{else}}none{{end}}", out: "none" },
    {
      name: "len and root",
      template: "{{range .spec.containers}}{{$.metadata.name}}{{end}} {{len .spec.containers}}",
      out: "webweb 2",
    },
    { name: "pipe into base64decode", template: "{{.data.password | base64decode}}", out: "s3cret" },
    { name: "trim markers", template: "a {{- .metadata.name -}} b", out: "awebb" },
  ])("renders $name", ({ template, out }) => {
    expect(new GoTemplate(template).execute(pod)).toBe(out);
  });

  it("rejects an unclosed range", () => {
    expect(() => new GoTemplate("{{range .items}}x")).toThrow("unexpected EOF");
  });
});

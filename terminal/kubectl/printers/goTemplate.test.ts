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
    // Values reported by kubectl 1.32 (Go 1.23) for the same template and object.
    {
      name: "printf %d of an int64",
      template: '{{printf "%d|%5.1f" .spec.replicas .spec.replicas}}',
      out: "0|%!f(int64=    0)",
    },
    {
      name: "printf padding and quoting",
      template: '{{printf "%-6s|%q|%x" .metadata.name "a\\n" "hi"}}',
      out: 'web   |"a\\n"|6869',
    },
    { name: "print spacing", template: '{{print 1 2 "a" "b" 3}}', out: "1 2ab3" },
    {
      name: "missing and extra arguments",
      template: '{{printf "%s"}} {{printf "%s" 1 2}}',
      out: "%!s(MISSING) %!s(int=1)%!(EXTRA int=2)",
    },
    {
      name: "floats as Go prints them",
      template: "{{1e6}} {{3.0}} {{123456789.0}} {{0.00001}}",
      out: "1e+06 3 1.23456789e+08 1e-05",
    },
    {
      name: "comparisons",
      template: '{{eq .metadata.name "web"}} {{lt 1 2}} {{ge 1.5 2.5}} {{ne "a" "b"}}',
      out: "true true false true",
    },
    { name: "and/or return operands", template: '{{and 1 0 2}} {{or 0 "" "x"}} {{not .nope}}', out: "0 x true" },
    {
      name: "range with variables and else",
      template: "{{range $i, $c := .spec.containers}}{{$i}}:{{$c.name}} {{end}}{{range .nope}}x{{else}}none{{end}}",
      out: "0:a 1:b none",
    },
    {
      name: "with and else if",
      template: "{{with .metadata.labels}}{{.app}}{{end}} {{if .nope}}a{{else if .spec}}b{{end}}",
      out: "web b",
    },
    {
      name: "define and template",
      template: '{{define "c"}}[{{.name}}]{{end}}{{range .spec.containers}}{{template "c" .}}{{end}}',
      out: "[a][b]",
    },
    {
      name: "break",
      template: '{{range .spec.containers}}{{if eq .name "b"}}{{break}}{{end}}{{.name}}{{end}}',
      out: "a",
    },
    {
      name: "exists and index of a missing key",
      template: '{{exists . "data" "password"}} {{index .metadata.labels "nope"}}',
      out: "true <no value>",
    },
  ])("renders $name", ({ template, out }) => {
    expect(new GoTemplate(template).execute(pod)).toBe(out);
  });

  it.each([
    { template: "{{range .items}}x", error: "template: output:1: unexpected EOF" },
    { template: "{{foo .x}}", error: 'template: output:1: function "foo" not defined' },
    { template: "{{$x}}", error: 'template: output:1: undefined variable "$x"' },
    { template: "{{.metadata.name", error: "template: output:1: unclosed action" },
    { template: "{{if}}x{{end}}", error: "template: output:1: missing value for if" },
  ])("rejects $template", ({ template, error }) => {
    expect(() => new GoTemplate(template)).toThrow(error);
  });

  it.each([
    {
      template: "{{eq .spec.replicas 3.0}}",
      error:
        'template: output:1:2: executing "output" at <eq .spec.replicas 3.0>: error calling eq: incompatible types for comparison',
    },
    {
      template: "{{.metadata.name.x}}",
      error:
        'template: output:1:11: executing "output" at <.metadata.name.x>: can\'t evaluate field x in type interface {}',
    },
    {
      template: "{{index .spec.containers 5}}",
      error:
        'template: output:1:2: executing "output" at <index .spec.containers 5>: error calling index: index out of range: 5',
    },
    {
      template: '{{"!!!" | base64decode}}',
      error:
        'template: output:1:10: executing "output" at <base64decode>: error calling base64decode: base64 decode failed: illegal base64 data at input byte 0',
    },
  ])("fails executing $template as text/template does", ({ template, error }) => {
    expect(() => new GoTemplate(template).execute(pod)).toThrow(error);
  });
});

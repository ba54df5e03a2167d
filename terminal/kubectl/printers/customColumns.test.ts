import { describe, expect, it } from "vitest";
import { parseOutputFormat, printCustomColumns } from "./output";

describe("printCustomColumns prints values with Go's fmt.Sprint, as kubectl's CustomColumnsPrinter", () => {
  const node = {
    metadata: { name: "cp", labels: { app: "web", tier: "a" } },
    spec: { taints: [{ key: "k", effect: "NoSchedule" }], unschedulable: true, count: 3, ratio: 1.5, gone: null },
    data: { "app.properties": "a=1\nb=2\n" },
    status: { message: "x\x1by\rz" },
  };
  it.each([
    { name: "a map", column: "L:.metadata.labels", want: "map[app:web tier:a]" },
    { name: "a slice of maps", column: "T:.spec.taints", want: "[map[effect:NoSchedule key:k]]" },
    { name: "scalars", column: "U:.spec.unschedulable,C:.spec.count,R:.spec.ratio", want: "true   3     1.5" },
    { name: "null", column: "G:.spec.gone", want: "<nil>" },
    { name: "missing", column: "M:.spec.nope", want: "<none>" },
    { name: "raw newlines stay", column: "D:.data", want: "map[app.properties:a=1\nb=2\n]" },
    { name: "ESC and CR escaped", column: "S:.status.message", want: "x^[y\\rz" },
  ])("$name", ({ column, want }) => {
    expect(printCustomColumns([node], column, true)).toBe(`${want}\n`);
  });
});

describe("parseOutputFormat for commands without get's printers", () => {
  it("refuses custom columns and leaves them out of the allowed formats", () => {
    expect(() => parseOutputFormat("custom-columns=N:.metadata.name", { tableAllowed: false })).toThrow(
      'error: unable to match a printer suitable for the output format "custom-columns=N:.metadata.name", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml',
    );
  });
  it("accepts them for get", () => {
    expect(parseOutputFormat("custom-columns=N:.metadata.name")).toEqual({
      type: "custom-columns",
      spec: "N:.metadata.name",
    });
  });
});

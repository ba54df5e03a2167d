import { describe, expect, it } from "vitest";
import { printCustomColumns } from "./output";

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

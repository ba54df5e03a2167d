import { describe, expect, it } from "vitest";
import { asTable, printTable } from "./table";

const age = (timestamp: string | undefined) => (timestamp ? "5s" : "<unknown>");

describe("asTable", () => {
  it("keeps a server Table", () => {
    const table = { kind: "Table", columnDefinitions: [{ name: "Name", type: "string" }], rows: [{ cells: ["a"] }] };
    expect(asTable(table, age)).toEqual(table);
  });

  it.each([
    {
      name: "a list the server sent without a Table (metrics.k8s.io)",
      response: {
        kind: "NodeMetricsList",
        items: [
          { metadata: { name: "controlplane", creationTimestamp: "2026-12-01T10:00:00Z" } },
          { metadata: { name: "node01" } },
        ],
      },
      want: "NAME           AGE\ncontrolplane   5s\nnode01         <unknown>\n",
    },
    {
      name: "a single object",
      response: { kind: "NodeMetrics", metadata: { name: "node01", creationTimestamp: "2026-12-01T10:00:00Z" } },
      want: "NAME     AGE\nnode01   5s\n",
    },
  ])("prints kubectl's NAME/AGE table for $name", ({ response, want }) => {
    expect(printTable(asTable(response, age), {})).toBe(want);
  });
});

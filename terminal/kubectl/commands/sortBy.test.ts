import { describe, expect, it } from "vitest";
import { KubectlError } from "../errors";
import type { Table } from "../printers/table";
import { klogFatalHeader, sortObjects, sortRows, sortValueLess } from "./sortBy";

/** A fixed local time and process, so klog's header is known. */
const source = { now: () => new Date(2026, 11, 1, 0, 43, 56, 84), pid: 4074 };
const header = (site: string) => `F1201 00:43:56.084000    4074 ${site}] `;

const things = (values: unknown[]) =>
  values.map((value, index) => ({ metadata: { name: `t${index}` }, v: value === undefined ? {} : { x: value } }));
const names = (objects: { metadata: { name: string } }[]) => objects.map((object) => object.metadata.name);

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KubectlError);
    expect((error as KubectlError).exitCode).toBe(1);
    return (error as KubectlError).message;
  }
  throw new Error("no error");
}

describe("sortValueLess (sorter.go's isLess on unstructured values)", () => {
  it.each([
    { name: "int64s", a: 2, b: 10, less: true },
    { name: "float64s", a: 2.5, b: 1.5, less: false },
    { name: "quantities by amount", a: "500m", b: "2", less: true },
    { name: "strings byte by byte (kubectl 1.31+)", a: "web-10", b: "web-2", less: true },
    { name: "RFC 3339 times as strings", a: "2026-11-01T10:00:04Z", b: "2026-11-01T10:00:05Z", less: true },
    { name: "nil first", a: null, b: true, less: true },
    { name: "nothing after nil", a: { m: 1 }, b: null, less: false },
    { name: "nil not before nil", a: null, b: null, less: false },
  ])("compares $name", ({ a, b, less }) => {
    expect(sortValueLess(a, b)).toBe(less);
  });

  it.each([
    { name: "a bool", a: true, b: false, error: "unsortable type: bool" },
    { name: "a map", a: { x: 1 }, b: { x: 2 }, error: "unsortable type: map[string]interface {}" },
    { name: "an array", a: [1], b: [0, 1], error: "unsortable type: []interface {}" },
    { name: "an int64 against a float64", a: 1, b: 1.5, error: "unsortable interface: interface" },
    { name: "a float64 against an int64", a: 2.5, b: 3, error: "unsortable interface: interface" },
    { name: "a string against a bool", a: "s", b: true, error: "unsortable interface: interface" },
    { name: "a bool against a string", a: true, b: "s", error: "unsortable type: bool" },
    { name: "beyond int64 as float64", a: 2 ** 64, b: 1, error: "unsortable interface: interface" },
  ])("refuses $name", ({ a, b, error }) => {
    expect(() => sortValueLess(a, b)).toThrow(error);
  });
});

describe("sortObjects (RuntimeSort)", () => {
  it("sorts numbers, with objects missing the field first", () => {
    expect(names(sortObjects(things([3, undefined, 1, 2]), ".v.x", source))).toEqual(["t1", "t2", "t3", "t0"]);
  });

  it("ends the run with klog's fatal line on an unsortable pair", () => {
    expect(failure(() => sortObjects(things([true, false, true]), ".v.x", source))).toBe(
      `${header("sorter.go:329")}Field {.v.x} in *unstructured.Unstructured is an unsortable type: interface, err: unsortable type: bool`,
    );
  });

  it("reports the first pair the sort compares, in its order", () => {
    // Insertion sort compares (t1, t0) first: i is the bool.
    expect(failure(() => sortObjects(things(["s", true, 4]), "v.x", source))).toContain("err: unsortable type: bool");
    expect(failure(() => sortObjects(things([2.5, 1.5, 3]), "{.v.x}", source))).toContain(
      "err: unsortable interface: interface",
    );
  });

  it("compares nothing for one object, or when the other lacks the field", () => {
    expect(names(sortObjects(things([{ m: 1 }]), ".v.x", source))).toEqual(["t0"]);
    expect(names(sortObjects(things([undefined, [1]]), ".v.x", source))).toEqual(["t0", "t1"]);
  });

  it("fails when no object has the field", () => {
    expect(failure(() => sortObjects(things([1, 2]), ".v.nope", source))).toBe(
      'error: couldn\'t find any field with path "{.v.nope}" in the list of objects',
    );
    expect(sortObjects([], ".v.nope", source)).toEqual([]);
  });
});

describe("sortRows (TableSorter)", () => {
  const table = (values: unknown[]): Table =>
    ({
      columnDefinitions: [],
      rows: things(values).map((object) => ({ cells: [object.metadata.name], object })),
    }) as unknown as Table;

  it("sorts rows by the field of their object", () => {
    const rows = sortRows(table(["b", "a"]), ".v.x", source);
    expect(rows.map((row) => row.cells[0])).toEqual(["t1", "t0"]);
  });

  it("names the table sorter's line and type", () => {
    expect(failure(() => sortRows(table([{ a: 1 }, { a: 2 }]), ".v.x", source))).toBe(
      `${header("sorter.go:375")}Field {.v.x} in [][][]reflect.Value is an unsortable type: interface, err: unsortable type: map[string]interface {}`,
    );
  });

  it("prints a single row unsorted, and no rows when none of several has the field", () => {
    expect(sortRows(table([undefined]), ".v.x", source)).toHaveLength(1);
    expect(sortRows(table([undefined, undefined]), ".v.x", source)).toEqual([]);
  });
});

describe("klogFatalHeader", () => {
  it("pads the pid to 7 columns and names 1 without a process", () => {
    expect(klogFatalHeader({ now: source.now }, "sorter.go:329")).toBe("F1201 00:43:56.084000       1 sorter.go:329] ");
  });
});

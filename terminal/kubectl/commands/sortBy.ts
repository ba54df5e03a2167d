import { quantityAmount } from "../describe/quantity";
import { KubectlError } from "../errors";
import { goSort } from "../goSort";
import type { KubectlIO } from "../KubectlIO";
import { JsonPath } from "../printers/jsonpath";
import type { Table } from "../printers/table";

/**
 * `kubectl get --sort-by` (kubectl/pkg/cmd/get/sorter.go). kubectl reads the objects as
 * unstructured JSON, so every found value is a Go interface holding nil, bool, int64, float64,
 * string, []interface{} or map[string]interface{}; isLess compares two of the same kind and gives
 * up on anything else, and the sorter's Less then ends kubectl with klog.Exitf.
 */

/** Why isLess could not compare two values: the `err` of sorter.go's fatal message. */
class Unsortable extends Error {}

/**
 * The Go type a decoded JSON value has in kubectl: a number is an int64 when its JSON text parses
 * as one (the server writes integral numbers below 1e21 without a fraction, as JavaScript does),
 * else a float64.
 */
function goType(value: unknown): string {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? "int64" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

/**
 * isLess for two found values: nil before anything; int64s, float64s and strings (quantities by
 * amount, others byte by byte) against their own type only; any other pairing throws Go's error.
 */
export function sortValueLess(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a == null && b != null;
  const type = goType(a);
  if (type !== "int64" && type !== "float64" && type !== "string") throw new Unsortable(`unsortable type: ${type}`);
  if (goType(b) !== type) throw new Unsortable("unsortable interface: interface");
  if (typeof a === "string" && typeof b === "string") {
    const left = quantityAmount(a);
    const right = quantityAmount(b);
    if (left !== undefined && right !== undefined) return left < right;
    return goStringLess(a, b);
  }
  return (a as number) < (b as number);
}

/**
 * Go's `<` on strings, which kubectl 1.31 and later use for --sort-by on non-quantity strings
 * (kubernetes#124514 replaced sortorder.NaturalLess: "web-10" now sorts before "web-2"): byte by
 * byte in UTF-8, which orders some characters differently from JavaScript's UTF-16 `<`.
 */
export function goStringLess(first: string, second: string): boolean {
  if (first === second) return false;
  const a = encoder.encode(first);
  const b = encoder.encode(second);
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    if (a[index] !== b[index]) return (a[index] as number) < (b[index] as number);
  }
  return a.length < b.length;
}

const encoder = new TextEncoder();

/** Where kubectl 1.32's sorter.go ends the run, and the `%T` its message names. */
const sorters = {
  /** RuntimeSort.Less: lists printed as JSON, YAML, names, custom columns. */
  objects: { site: "sorter.go:329", holder: "*unstructured.Unstructured" },
  /** TableSorter.Less: the server's tables. */
  rows: { site: "sorter.go:375", holder: "[][][]reflect.Value" },
} as const;

/** The time and process a klog line names. */
export type LogSource = Pick<KubectlIO, "now" | "pid">;

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/**
 * klog's header for a fatal line: `Fmmdd hh:mm:ss.uuuuuu pid file:line] ` in local time. A run
 * without a process id (the learner's shell has none) names 1.
 */
export function klogFatalHeader(source: LogSource, site: string): string {
  const time = source.now?.() ?? new Date();
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  const micros = pad(time.getMilliseconds() * 1000, 6);
  return `F${pad(time.getMonth() + 1)}${pad(time.getDate())} ${clock}.${micros} ${String(source.pid ?? 1).padStart(7)} ${site}] `;
}

/**
 * RuntimeSort.Less and TableSorter.Less: an object without the field sorts before anything (even
 * before another without it), then the first values compare. kubectl sorts with sort.Sort, so
 * goSort puts ties (and the missing fields' inconsistent order) where kubectl does, and the first
 * pair isLess refuses is the one kubectl reports.
 */
function sortLess<T>(
  sorter: (typeof sorters)[keyof typeof sorters],
  path: JsonPath,
  field: string,
  source: LogSource,
  objectOf: (item: T) => unknown,
): (a: T, b: T) => boolean {
  return (a, b) => {
    const left = path.values(objectOf(a));
    if (left.length === 0) return true;
    const right = path.values(objectOf(b));
    if (right.length === 0) return false;
    try {
      return sortValueLess(left[0], right[0]);
    } catch (error) {
      if (!(error instanceof Unsortable)) throw error;
      throw new KubectlError(
        `${klogFatalHeader(source, sorter.site)}Field ${field} in ${sorter.holder} is an unsortable type: interface, err: ${error.message}`,
      );
    }
  };
}

/** RelaxedJSONPathExpression: `.a.b`, `a.b` and `{.a.b}` all mean `{.a.b}`. */
function sortExpression(sortBy: string): string {
  if (sortBy.startsWith("{")) return sortBy;
  return `{${sortBy.startsWith(".") ? "" : "."}${sortBy}}`;
}

/**
 * SortObjects: the items in kubectl's order, sorted by the field of `objectOf(item)`. An error
 * when no object has the field, a KubectlError with klog's fatal line when two values cannot be
 * compared.
 */
export function sortObjects<T>(
  items: T[],
  sortBy: string,
  source: LogSource,
  objectOf: (item: T) => unknown = (item) => item,
): T[] {
  if (items.length === 0) return items;
  const field = sortExpression(sortBy);
  const path = new JsonPath(field);
  if (!items.some((item) => path.values(objectOf(item)).length > 0))
    throw new KubectlError(`error: couldn't find any field with path "${field}" in the list of objects`);
  return goSort([...items], sortLess(sorters.objects, path, field, source, objectOf));
}

/**
 * SortingPrinter on a table: one row is printed as it is; more are sorted by TableSorter. When no
 * row has the field, NewTableSorter fails and kubectl 1.32 prints no rows at all ("No resources
 * found"), and so does Kubelab.
 */
export function sortRows(table: Table, sortBy: string, source: LogSource): Table["rows"] {
  if (table.rows.length <= 1) return table.rows;
  const field = sortExpression(sortBy);
  const path = new JsonPath(field);
  if (!table.rows.some((row) => path.values(row.object).length > 0)) return [];
  return goSort(
    [...table.rows],
    sortLess(sorters.rows, path, field, source, (row: Table["rows"][number]) => row.object),
  );
}

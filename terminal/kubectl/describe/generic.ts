import type { KubeObject } from "../commands/common";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import { DescribeWriter, printAnnotations, printLabels } from "./format";

/** github.com/fatih/camelcase's Split: runs of lower, upper, digit and other characters, "PDFLoader" → PDF Loader. */
function camelcaseSplit(text: string): string[] {
  const classOf = (ch: string) => (/\p{Ll}/u.test(ch) ? 1 : /\p{Lu}/u.test(ch) ? 2 : /\p{Nd}/u.test(ch) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const ch of text) {
    const current = classOf(ch);
    if (current === last) runs[runs.length - 1]?.push(ch);
    else runs.push([ch]);
    last = current;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const run = runs[i] as string[];
    const next = runs[i + 1] as string[];
    if (/\p{Lu}/u.test(run[0] as string) && /\p{Ll}/u.test(next[0] as string)) {
      next.unshift(run.pop() as string);
    }
  }
  return runs.filter((run) => run.length > 0).map((run) => run.join(""));
}

const commonAcronyms = new Set(["API", "URL", "UID", "OSB", "GUID"]);

/** smartLabelFor: `apiVersion` → `API Version`; names with characters other than letters and `-` stay as they are. */
export function smartLabelFor(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  return camelcaseSplit(field)
    .filter((part) => part !== "_")
    .map((part) => {
      if (commonAcronyms.has(part.toUpperCase())) return part.toUpperCase();
      // strings.Title: the first letter of each word upper-cased.
      return part.charAt(0).toUpperCase() + part.slice(1);
    })
    .join(" ");
}

/** Go's %v for a JSON value decoded into interface{}. */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(" ")}]`;
  }
  if (typeof value === "number" && !Number.isInteger(value)) {
    // float64's %v is %g: exponents from 1e21 and below 1e-4.
    const text = String(value);
    return text.replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(value);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** printUnstructuredContent: fields sorted, maps and lists indented, skipped paths left out. */
function printUnstructuredContent(
  w: DescribeWriter,
  level: number,
  content: Record<string, unknown>,
  skipPrefix: string,
  skip: Set<string>,
): void {
  for (const field of Object.keys(content).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = content[field];
    const path = `${skipPrefix}.${field}`;
    if (skip.has(path)) continue;
    if (isMap(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructuredContent(w, level + 1, value, path, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of value) {
        if (isMap(child)) printUnstructuredContent(w, level + 1, child, path, skip);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else {
      w.write(level, `${smartLabelFor(field)}:\t${goValue(value)}\n`);
    }
  }
}

const skipped = new Set([
  ".metadata.managedFields",
  ".metadata.name",
  ".metadata.namespace",
  ".metadata.labels",
  ".metadata.annotations",
]);

/** genericDescriber: for kinds without a describer of their own (CRDs, Leases, Events …). */
export async function describeGeneric(context: DescribeContext, object: KubeObject): Promise<string> {
  const events = await searchEvents(context, object);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${object.metadata?.namespace ?? ""}\n`);
  printLabels(w, "Labels", object.metadata?.labels);
  printAnnotations(w, "Annotations", object.metadata?.annotations);
  printUnstructuredContent(w, 0, object as Any, "", skipped);
  describeEvents(w, events, context.now);
  return w.toString();
}

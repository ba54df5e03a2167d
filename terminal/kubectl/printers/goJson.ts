/**
 * JSON the way Go's encoding/json writes kubectl's `-o json`: `MarshalIndent(obj, "", "    ")`
 * with HTML-safe escaping (<, >, & and U+2028/U+2029 as \u escapes). Unstructured objects are Go
 * maps, whose keys encoding/json sorts; pass `sortKeys: false` for typed objects whose field order
 * is the struct's.
 */
export function toGoJson(value: unknown, options: { sortKeys?: boolean; indent?: string } = {}): string {
  const sortKeys = options.sortKeys ?? true;
  const indentUnit = options.indent ?? "    ";
  const write = (node: unknown, indent: string): string => {
    if (node === null || node === undefined) return "null";
    if (typeof node === "string") return quoteGoString(node);
    if (typeof node === "number") return formatGoNumber(node);
    if (typeof node === "boolean") return node ? "true" : "false";
    if (Array.isArray(node)) {
      if (node.length === 0) return "[]";
      const inner = indent + indentUnit;
      return `[\n${node.map((item) => inner + write(item, inner)).join(",\n")}\n${indent}]`;
    }
    const entries = Object.entries(node as Record<string, unknown>).filter(([, entry]) => entry !== undefined);
    if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return "{}";
    const inner = indent + indentUnit;
    return `{\n${entries.map(([key, entry]) => `${inner}${quoteGoString(key)}: ${write(entry, inner)}`).join(",\n")}\n${indent}}`;
  };
  return `${write(value, "")}\n`;
}

/** Compact JSON as Go's json.Marshal writes it (sorted keys, HTML-safe escapes). */
export function toGoJsonCompact(value: unknown): string {
  const write = (node: unknown): string => {
    if (node === null || node === undefined) return "null";
    if (typeof node === "string") return quoteGoString(node);
    if (typeof node === "number") return formatGoNumber(node);
    if (typeof node === "boolean") return node ? "true" : "false";
    if (Array.isArray(node)) return `[${node.map(write).join(",")}]`;
    const entries = Object.entries(node as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${quoteGoString(key)}:${write(entry)}`).join(",")}}`;
  };
  return write(value);
}

function formatGoNumber(value: number): string {
  if (!Number.isFinite(value)) return "null";
  return String(value);
}

/** Quotes a string as Go's encoding/json does with HTML escaping on. */
export function quoteGoString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "<":
      case ">":
      case "&":
      case "\u2028":
      case "\u2029":
        out += `\\u${code.toString(16).padStart(4, "0")}`;
        continue;
    }
    if (code < 0x20) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
      continue;
    }
    out += ch;
  }
  return `${out}"`;
}

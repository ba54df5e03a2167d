import { toGoJsonCompact } from "./goJson";

/**
 * Kubernetes' JSONPath dialect (k8s.io/client-go/util/jsonpath): text with `{…}` actions holding
 * field paths (`.a.b`, `['a.b']`), wildcards (`[*]`, `.*`), indexes and slices (`[0]`, `[-1]`,
 * `[1:3]`), recursive descent (`..name`), filters (`[?(@.x=="y")]`), unions (`[a,b]`), quoted
 * literals (`{"\n"}`) and `{range …}…{end}`.
 */
type Segment =
  | { type: "field"; name: string }
  | { type: "wildcard" }
  | { type: "recursive"; then: Segment }
  | { type: "index"; start?: number; end?: number; step?: number; single: boolean }
  | {
      type: "filter";
      left: Segment[] | string | number | boolean;
      operator?: string;
      right?: Segment[] | string | number | boolean;
    }
  | { type: "union"; names: string[] };

type Node =
  | { type: "text"; text: string }
  | { type: "path"; segments: Segment[] }
  | { type: "literal"; text: string }
  | { type: "range"; segments: Segment[]; body: Node[] };

/** A jsonpath template parse error with kubectl's wording. */
export class JsonPathError extends Error {}

/** Compiles a template; `execute` renders it against data. */
export class JsonPath {
  private readonly nodes: Node[];
  allowMissingKeys = true;

  constructor(template: string) {
    this.nodes = parseTemplate(template);
  }

  /** Renders the template. Missing keys render nothing (kubectl's --allow-missing-template-keys). */
  execute(data: unknown): string {
    return renderNodes(this.nodes, data, data);
  }

  /** Evaluates a template consisting of one path and returns the raw values (used by custom columns and sort). */
  values(data: unknown): unknown[] {
    const results: unknown[] = [];
    for (const node of this.nodes) {
      if (node.type === "path") results.push(...evaluate(node.segments, [data], data));
    }
    return results;
  }
}

function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let index = 0;
  while (index < template.length) {
    const open = template.indexOf("{", index);
    if (open < 0) {
      (stack[stack.length - 1] as Node[]).push({ type: "text", text: template.slice(index) });
      break;
    }
    if (open > index) (stack[stack.length - 1] as Node[]).push({ type: "text", text: template.slice(index, open) });
    const close = findClose(template, open);
    if (close < 0) throw new JsonPathError(`unclosed action`);
    const action = template.slice(open + 1, close).trim();
    index = close + 1;
    const current = stack[stack.length - 1] as Node[];
    if (/^range[\s.[@$]/.test(action)) {
      const node: Node = { type: "range", segments: parsePath(action.slice(5).trim()), body: [] };
      current.push(node);
      stack.push(node.body);
    } else if (action === "end") {
      if (stack.length === 1) throw new JsonPathError("not in range, nothing to end");
      stack.pop();
    } else if (action.startsWith('"') || action.startsWith("'")) {
      current.push({ type: "literal", text: unquote(action) });
    } else if (action === "") {
      // An empty action renders nothing.
    } else {
      current.push({ type: "path", segments: parsePath(action) });
    }
  }
  if (stack.length > 1) throw new JsonPathError("unclosed range");
  return root;
}

function findClose(template: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < template.length; i++) {
    const ch = template[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "}") return i;
  }
  return -1;
}

function unquote(text: string): string {
  const body = text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => {
    switch (ch) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      default:
        return ch;
    }
  });
}

/** Parses `.a.b[0]['c'][?(@.x=="y")]..d`; a leading `$` is allowed. */
function parsePath(text: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  if (text.startsWith("$")) i = 1;
  const readName = (): string => {
    let name = "";
    while (i < text.length && !".[".includes(text[i] as string)) {
      // As in upstream's parser, a backslash escapes the next character
      // (`kubernetes\.io/config\.source`) and is itself dropped.
      if (text[i] === "\\" && i + 1 < text.length) i++;
      name += text[i++];
    }
    return name;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === "." && text[i + 1] === ".") {
      i += 2;
      let then: Segment;
      if (text[i] === "[") then = parseBracket();
      else {
        const name = readName();
        then = name === "*" ? { type: "wildcard" } : { type: "field", name };
      }
      segments.push({ type: "recursive", then });
    } else if (ch === ".") {
      i++;
      if (text[i] === "[") continue;
      const name = readName();
      if (name === "*") segments.push({ type: "wildcard" });
      else if (name !== "") segments.push({ type: "field", name });
    } else if (ch === "[") {
      segments.push(parseBracket());
    } else if (ch === " ") {
      i++;
    } else {
      const name = readName();
      if (name === "") throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(ch)}`);
      segments.push(name === "*" ? { type: "wildcard" } : { type: "field", name });
    }
  }
  return segments;

  function parseBracket(): Segment {
    let depth = 0;
    let quote: string | undefined;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) quote = undefined;
        continue;
      }
      if (c === "'" || c === '"') quote = c;
      else if (c === "[") depth++;
      else if (c === "]") {
        depth--;
        if (depth === 0) break;
      }
    }
    if (i >= text.length) throw new Error("unterminated array");
    const inner = text.slice(start + 1, i).trim();
    i++;
    if (inner === "*") return { type: "wildcard" };
    if (inner.startsWith("?(") && inner.endsWith(")")) return parseFilter(inner.slice(2, -1).trim());
    if (/^['"]/.test(inner)) {
      const names = inner.split(",").map((part) => unquote(part.trim()));
      return names.length === 1 ? { type: "field", name: names[0] as string } : { type: "union", names };
    }
    if (/^-?[0-9]*(:-?[0-9]*)?(:-?[0-9]*)?$/.test(inner)) {
      const parts = inner.split(":");
      const toNumber = (part: string | undefined) => (part === undefined || part === "" ? undefined : Number(part));
      if (parts.length === 1) return { type: "index", start: Number(parts[0]), single: true };
      return {
        type: "index",
        start: toNumber(parts[0]),
        end: toNumber(parts[1]),
        step: toNumber(parts[2]),
        single: false,
      };
    }
    if (inner.includes(",")) return { type: "union", names: inner.split(",").map((part) => part.trim()) };
    return { type: "field", name: inner };
  }
}

function parseOperand(text: string): Segment[] | string | number | boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith("@")) return parsePath(trimmed.slice(1));
  if (/^['"]/.test(trimmed)) return unquote(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  if (/^-?[0-9.]+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

function parseFilter(text: string): Segment {
  const match = /^(.*?)\s*(==|!=|<=|>=|<|>|=~)\s*(.*)$/.exec(text);
  if (!match) return { type: "filter", left: parseOperand(text) };
  return {
    type: "filter",
    left: parseOperand(match[1] as string),
    operator: match[2],
    right: parseOperand(match[3] as string),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function evaluate(segments: Segment[], inputs: unknown[], root: unknown): unknown[] {
  let current = inputs;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) next.push(...applySegment(segment, value, root));
    current = next;
  }
  return current;
}

function applySegment(segment: Segment, value: unknown, root: unknown): unknown[] {
  switch (segment.type) {
    case "field":
      if (isObject(value) && segment.name in value) return [value[segment.name]];
      return [];
    case "union":
      if (isObject(value)) return segment.names.filter((name) => name in value).map((name) => value[name]);
      return [];
    case "wildcard":
      if (Array.isArray(value)) return value;
      if (isObject(value))
        return Object.keys(value)
          .sort()
          .map((key) => value[key]);
      return [];
    case "recursive": {
      const out: unknown[] = [];
      const visit = (node: unknown) => {
        out.push(...applySegment(segment.then, node, root));
        if (Array.isArray(node)) node.forEach(visit);
        else if (isObject(node)) for (const key of Object.keys(node).sort()) visit(node[key]);
      };
      visit(value);
      return out;
    }
    case "index": {
      if (!Array.isArray(value)) return [];
      const length = value.length;
      if (segment.single) {
        let index = segment.start ?? 0;
        if (index < 0) index += length;
        if (index < 0 || index >= length)
          throw new JsonPathError(`array index out of bounds: index ${segment.start}, length ${length}`);
        return [value[index]];
      }
      let start = segment.start ?? 0;
      let end = segment.end ?? length;
      if (start < 0) start += length;
      if (end < 0) end += length;
      start = Math.max(0, Math.min(start, length));
      end = Math.max(0, Math.min(end, length));
      const step = segment.step ?? 1;
      const out: unknown[] = [];
      for (let i = start; i < end; i += step) out.push(value[i]);
      return out;
    }
    case "filter": {
      const items = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
      return items.filter((item) => {
        const resolve = (operand: Segment[] | string | number | boolean | undefined): unknown[] =>
          Array.isArray(operand) ? evaluate(operand, [item], root) : [operand];
        const left = resolve(segment.left);
        if (!segment.operator) return left.length > 0 && left[0] !== undefined;
        const right = resolve(segment.right);
        if (left.length === 0 || right.length === 0) return false;
        return compare(left[0], segment.operator, right[0]);
      });
    }
  }
}

function compare(left: unknown, operator: string, right: unknown): boolean {
  switch (operator) {
    case "==":
      return String(left) === String(right) && typeof left !== "object";
    case "!=":
      return String(left) !== String(right);
    case "<":
      return Number(left) < Number(right);
    case ">":
      return Number(left) > Number(right);
    case "<=":
      return Number(left) <= Number(right);
    case ">=":
      return Number(left) >= Number(right);
    case "=~":
      return new RegExp(String(right)).test(String(left));
    default:
      return false;
  }
}

/** Prints a value as kubectl's jsonpath printer does (strings raw, structures as compact JSON). */
export function formatJsonPathValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return toGoJsonCompact(value);
}

function renderNodes(nodes: Node[], data: unknown, root: unknown): string {
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out += node.text;
        break;
      case "literal":
        out += node.text;
        break;
      case "path": {
        const values = node.segments.length === 0 ? [data] : evaluate(node.segments, [data], root);
        out += values.map(formatJsonPathValue).join(" ");
        break;
      }
      case "range": {
        const values = evaluate(node.segments, [data], root);
        const items = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
        for (const item of items) out += renderNodes(node.body, item, root);
        break;
      }
    }
  }
  return out;
}

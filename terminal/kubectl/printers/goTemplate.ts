/**
 * kubectl's go-template printer for what learners write: text, `{{.field.path}}`, `{{range …}}`,
 * `{{if …}}`/`{{else}}`, `{{end}}`, string literals, `index`, `len`, `base64decode` and pipes
 * into them, over the object's JSON as text/template sees an unstructured object. A missing map key
 * prints `<no value>`, as Go's default. Other actions are a parse error naming the function.
 */

type Node =
  | { type: "text"; text: string }
  | { type: "action"; pipeline: string }
  | { type: "range"; pipeline: string; body: Node[]; otherwise: Node[] }
  | { type: "if"; pipeline: string; body: Node[]; otherwise: Node[] };

const noValue = Symbol("no value");

function tokenizeActions(template: string): { text: string; action?: string }[] {
  const parts: { text: string; action?: string }[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf("{{");
    if (open < 0) {
      parts.push({ text: rest });
      return parts;
    }
    const close = rest.indexOf("}}", open + 2);
    if (close < 0) throw new Error("unclosed action");
    let text = rest.slice(0, open);
    let action = rest.slice(open + 2, close);
    if (action.startsWith("- ")) {
      text = text.trimEnd();
      action = action.slice(1);
    }
    let after = rest.slice(close + 2);
    if (action.endsWith(" -")) {
      action = action.slice(0, -1);
      after = after.trimStart();
    }
    parts.push({ text, action: action.trim() });
    rest = after;
  }
}

function parse(template: string): Node[] {
  const parts = tokenizeActions(template);
  let index = 0;
  const block = (closers: string[]): { nodes: Node[]; closer?: string } => {
    const nodes: Node[] = [];
    while (index < parts.length) {
      const part = parts[index++] as { text: string; action?: string };
      if (part.text) nodes.push({ type: "text", text: part.text });
      const action = part.action;
      if (action === undefined) continue;
      if (action.startsWith("/*")) continue;
      if (closers.includes(action)) return { nodes, closer: action };
      const keyword = /^(range|if)\s+(.*)$/.exec(action);
      if (keyword) {
        const body = block(["end", "else"]);
        const otherwise = body.closer === "else" ? block(["end"]).nodes : [];
        nodes.push({ type: keyword[1] as "range" | "if", pipeline: keyword[2] as string, body: body.nodes, otherwise });
      } else if (action === "end" || action === "else") {
        throw new Error(`unexpected {{${action}}}`);
      } else nodes.push({ type: "action", pipeline: action });
    }
    if (closers.length > 0) throw new Error("unexpected EOF");
    return { nodes };
  };
  return block([]).nodes;
}

function splitWords(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g) ?? [];
}

function fieldOf(value: unknown, path: string): unknown {
  let current = value;
  for (const name of path.split(".").filter(Boolean)) {
    if (current === noValue || current === null || current === undefined) return noValue;
    if (typeof current !== "object" || Array.isArray(current))
      throw new Error(
        `can't evaluate field ${name} in type ${Array.isArray(current) ? "[]interface {}" : typeof current}`,
      );
    const record = current as Record<string, unknown>;
    current = name in record ? record[name] : noValue;
  }
  return current;
}

function argument(word: string, dot: unknown, root: unknown): unknown {
  if (word.startsWith('"')) return JSON.parse(word);
  if (word.startsWith("`")) return word.slice(1, -1);
  if (/^-?[0-9]+$/.test(word)) return Number(word);
  if (word === ".") return dot;
  if (word.startsWith("$.")) return fieldOf(root, word.slice(1));
  if (word === "$") return root;
  if (word.startsWith(".")) return fieldOf(dot, word);
  throw new Error(`function "${word}" not defined`);
}

const functions: Record<string, (...args: unknown[]) => unknown> = {
  index: (collection, ...keys) => {
    let current = collection;
    for (const key of keys) {
      if (current === noValue || current === null || current === undefined) return noValue;
      current = (current as Record<string, unknown>)[String(key)] ?? noValue;
    }
    return current;
  },
  len: (value) =>
    Array.isArray(value) ? value.length : typeof value === "string" ? value.length : Object.keys(value ?? {}).length,
  base64decode: (value) => Buffer.from(String(value), "base64").toString("utf8"),
  base64encode: (value) => Buffer.from(String(value), "utf8").toString("base64"),
};

function evaluate(pipeline: string, dot: unknown, root: unknown): unknown {
  let result: unknown;
  let first = true;
  for (const command of pipeline.split("|").map((part) => part.trim())) {
    const words = splitWords(command);
    const name = words[0] as string;
    const fn = functions[name];
    if (fn) {
      const args = words.slice(1).map((word) => argument(word, dot, root));
      result = first ? fn(...args) : fn(...args, result);
    } else if (words.length === 1) result = argument(name, dot, root);
    else throw new Error(`function "${name}" not defined`);
    first = false;
  }
  return result;
}

/** fmt's %v for a value decoded from JSON into interface{}. */
function print(value: unknown): string {
  if (value === noValue) return "<no value>";
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(print).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${key}:${print((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

function truthy(value: unknown): boolean {
  if (value === noValue || value === null || value === undefined || value === false || value === 0 || value === "")
    return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

function run(nodes: Node[], dot: unknown, root: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "action") out += print(evaluate(node.pipeline, dot, root));
    else if (node.type === "if")
      out += truthy(evaluate(node.pipeline, dot, root)) ? run(node.body, dot, root) : run(node.otherwise, dot, root);
    else {
      const value = evaluate(node.pipeline, dot, root);
      const items = Array.isArray(value)
        ? value
        : value && typeof value === "object"
          ? Object.keys(value)
              .sort()
              .map((key) => (value as Record<string, unknown>)[key])
          : [];
      if (items.length === 0) out += run(node.otherwise, dot, root);
      for (const item of items) out += run(node.body, item, root);
    }
  }
  return out;
}

/** A parsed go-template; `execute` renders an object. Parse errors throw with text/template's wording where it matters. */
export class GoTemplate {
  private readonly nodes: Node[];

  constructor(readonly source: string) {
    this.nodes = parse(source);
  }

  execute(object: unknown): string {
    return run(this.nodes, object, object);
  }
}

import { GoNumber, goPrint, goSprintf, goTypeName } from "./goFmt";
import { toGoJson, toGoJsonCompact } from "./goJson";
import { GoUnquoteError, unquoteBody } from "./goUnquote";

/**
 * Kubernetes' JSONPath dialect, ported from k8s.io/client-go/util/jsonpath (parser.go and
 * jsonpath.go) step for step, so that what kubectl accepts, prints and refuses (with its wording)
 * is what this accepts, prints and refuses: text with `{…}` actions holding fields (`.a.b`,
 * `['a.b']`), `@`/`$` (the current object), wildcards, indexes and slices with upstream's bounds
 * errors, recursive descent, filters (`[?(@.x=="y")]`, compared as text/template's `eq`/`lt`
 * compare: int against float is an error), unions (`[0,1]`, `['a','b']`), quoted text, numbers,
 * booleans and `{range …}…{end}`.
 */
type ListNode = { type: "list"; nodes: JsonPathNode[] };
interface Param {
  value: number;
  known: boolean;
  derived: boolean;
}
type JsonPathNode =
  | ListNode
  | { type: "text"; text: string }
  | { type: "field"; name: string }
  | { type: "array"; params: [Param, Param, Param] }
  | { type: "filter"; left: ListNode; right: ListNode; operator: string }
  | { type: "int"; value: number }
  | { type: "float"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "wildcard" }
  | { type: "recursive" }
  | { type: "union"; nodes: ListNode[] }
  | { type: "identifier"; name: string };

/** A jsonpath parse or execution error with upstream's wording. */
export class JsonPathError extends Error {}

const eof = "";

/** parser.go's Parser: a recursive-descent scanner over the template's runes. */
class Parser {
  root: ListNode = { type: "list", nodes: [] };
  private input = "";
  private pos = 0;
  private start = 0;
  private width = 0;

  parse(text: string): ListNode {
    this.input = text;
    this.root = { type: "list", nodes: [] };
    this.pos = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const value = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return value;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return eof;
    }
    const ch = String.fromCodePoint(this.input.codePointAt(this.pos) as number);
    this.width = ch.length;
    this.pos += this.width;
    return ch;
  }

  private peek(): string {
    const ch = this.next();
    this.backup();
    return ch;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.rest().startsWith("{")) {
        if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
        this.parseLeftDelim(cur);
        return;
      }
      if (this.next() === eof) break;
    }
    if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const node: ListNode = { type: "list", nodes: [] };
    cur.nodes.push(node);
    this.parseInsideAction(node);
  }

  private parseInsideAction(cur: ListNode): void {
    // Iterative where upstream recurses after each element, to keep long templates off the stack.
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith("}")) {
        this.pos += 1;
        this.consumeText();
        this.parseText(this.root);
        return;
      }
      if (rest.startsWith("[?(")) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith("..")) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === eof || isEndOfLine(r)) throw new JsonPathError("unclosed action");
      if (r === " ") this.consumeText();
      else if (r === "@" || r === "$") this.consumeText();
      else if (r === "[") this.parseArray(cur);
      else if (r === '"' || r === "'") this.parseQuote(cur, r);
      else if (r === ".") this.parseField(cur);
      else if (r === "+" || r === "-" || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else throw new JsonPathError(`unrecognized character in action: ${formatRune(r)}`);
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      if (isTerminator(this.next())) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === "true" || value === "false") cur.nodes.push({ type: "bool", value: value === "true" });
    else cur.nodes.push({ type: "identifier", name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes[cur.nodes.length - 1]?.type === "recursive")
      throw new JsonPathError("invalid multiple recursive descent");
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ type: "recursive" });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const sign = this.peek();
    if (sign === "+" || sign === "-") this.next();
    for (;;) {
      const r = this.next();
      if (r !== "." && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?[0-9]+$/.test(value)) {
      cur.nodes.push({ type: "int", value: Number(value) });
      return;
    }
    if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(value)) {
      cur.nodes.push({ type: "float", value: Number(value) });
      return;
    }
    throw new JsonPathError(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === eof || r === "\n") throw new JsonPathError("unterminated array");
      if (r === "]") break;
    }
    let text = this.consumeText().slice(1, -1);
    if (text === "*") text = ":";
    const parts = text.split(",");
    if (parts.length > 1) {
      cur.nodes.push({ type: "union", nodes: parts.map((part) => parseAction(`[${part.trim()}]`)) });
      return;
    }
    const dictKey = /^'([^']*)'$/.exec(text);
    if (dictKey) {
      cur.nodes.push(...parseAction(`.${dictKey[1]}`).nodes);
      return;
    }
    const slice = /^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$/.exec(text);
    if (!slice) throw new JsonPathError(`invalid array index ${text}`);
    const params: [Param, Param, Param] = [
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
      { value: 0, known: false, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      let value = slice[i + 1] ?? "";
      const param = params[i] as Param;
      if (value !== "") {
        if (i > 0) value = value.slice(1);
        if (i > 0 && value === "") param.known = false;
        else {
          if (!/^[+-]?[0-9]+$/.test(value)) throw new JsonPathError(`array index ${value} is not a number`);
          param.known = true;
          param.value = Number(value);
        }
      } else if (i === 1) {
        param.known = true;
        param.value = params[0].value + 1;
        param.derived = true;
      }
    }
    cur.nodes.push({ type: "array", params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = "";
    for (;;) {
      const r = this.next();
      if (r === eof || r === "\n") throw new JsonPathError("unterminated filter");
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== "\\" && r === pair) end = true;
      } else if (r === ")" && begin === end) break;
    }
    if (this.next() !== "]") throw new JsonPathError("unclosed array expect ]");
    const text = this.consumeText().slice(0, -2);
    const match = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (!match) {
      cur.nodes.push({
        type: "filter",
        left: parseAction(text),
        right: { type: "list", nodes: [] },
        operator: "exists",
      });
      return;
    }
    cur.nodes.push({
      type: "filter",
      left: parseAction(match[1] as string),
      right: parseAction(match[3] as string),
      operator: match[2] as string,
    });
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next();
      if (r === eof || r === "\n") throw new JsonPathError("unterminated quoted string");
      if (r === "\\") {
        const escaped = this.next();
        if (escaped === eof || escaped === "\n") throw new JsonPathError("unterminated quoted string");
      } else if (r === end) break;
    }
    const value = this.consumeText();
    cur.nodes.push({ type: "text", text: unquoteExtend(value) });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance()) {
      // advance until the next unescaped terminator
    }
    const value = this.consumeText();
    if (value === "*") cur.nodes.push({ type: "wildcard" });
    else cur.nodes.push({ type: "field", name: value.replaceAll("\\", "") });
  }

  private advance(): boolean {
    const r = this.next();
    if (r === "\\") this.next();
    else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

/** parseAction: a sub-expression parsed as `{text}`, its one action's list. */
function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

function isTerminator(r: string): boolean {
  return r === eof || " \t\r\n.,[]$@{}".includes(r);
}

function isEndOfLine(r: string): boolean {
  return r === "\r" || r === "\n";
}

function isDigit(r: string): boolean {
  return /^\p{Nd}$/u.test(r);
}

function isAlphaNumeric(r: string): boolean {
  return r === "_" || /^[\p{L}\p{Nd}]$/u.test(r);
}

/** Go's `%#U`: `U+003D '='`. */
function formatRune(r: string): string {
  const code = (r.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(r) ? `U+${code} '${r}'` : `U+${code}`;
}

/** UnquoteExtend: strconv.Unquote that also takes single-quoted strings. */
function unquoteExtend(text: string): string {
  try {
    return unquoteBody(text.slice(1, -1), text[0] as string);
  } catch (error) {
    if (error instanceof GoUnquoteError) throw new JsonPathError(`unquote string ${text} error invalid syntax`);
    throw error;
  }
}

/** A value as the jsonpath engine holds it: data (JSON) or a literal of the template (Go int/float64). */
type Value = unknown;

type Kind = "bool" | "int" | "float" | "string" | "invalid";

/** text/template's basicKind over a decoded JSON value: integral numbers are int64. */
function basicKind(value: Value): Kind {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (value instanceof GoNumber) return value.isInteger ? "int" : "float";
  return "invalid";
}

function numberOf(value: Value): number {
  return value instanceof GoNumber ? value.value : (value as number);
}

/** text/template's eq and lt (client-go's fork): the same kinds only, else its errors. */
function compareValues(left: Value, right: Value): { equal: boolean; less: () => boolean } {
  const leftKind = basicKind(left);
  const rightKind = basicKind(right);
  if (leftKind === "invalid" || rightKind === "invalid") throw new JsonPathError("invalid type for comparison");
  if (leftKind !== rightKind) throw new JsonPathError("incompatible types for comparison");
  const a = leftKind === "int" || leftKind === "float" ? numberOf(left) : left;
  const b = leftKind === "int" || leftKind === "float" ? numberOf(right) : right;
  return {
    equal: a === b,
    less: () => {
      if (leftKind === "bool") throw new JsonPathError("invalid type for comparison");
      if (leftKind === "string") return goStringLess(a as string, b as string);
      return (a as number) < (b as number);
    },
  };
}

/** Go compares strings byte by byte (UTF-8), not by UTF-16 code unit. */
function goStringLess(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")) < 0;
}

function isMap(value: Value): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof GoNumber);
}

/** Go's type of a value as `%v` names it in errors. */
function typeName(value: Value): string {
  if (value instanceof GoNumber) return value.type;
  return goTypeName(value);
}

/** The children a wildcard or recursive descent visits: a map's values, a slice's items, a string's bytes. */
function childrenOf(value: Value): Value[] | undefined {
  if (Array.isArray(value)) return value;
  // Go ranges over a map in random order; sorted keys keep the output stable.
  if (isMap(value))
    return Object.keys(value)
      .sort()
      .map((key) => value[key]);
  if (typeof value === "string") return [...Buffer.from(value, "utf8")].map((byte) => new GoNumber("uint8", byte));
  return undefined;
}

/** Compiles a template; `execute` renders it against data as kubectl's JSONPath printer does. */
export class JsonPath {
  private readonly root: ListNode;
  allowMissingKeys = true;
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode: JsonPathNode | undefined;

  constructor(template: string) {
    this.root = new Parser().parse(template);
  }

  /** Renders the template (JSONPath.Execute); `asJson` is jsonpath-as-json. */
  execute(data: unknown, asJson = false): string {
    const results = this.findResults(data);
    return results.map((values) => printResults(values, asJson)).join("");
  }

  /** Every result of the template, flattened (what custom columns, --sort-by and wait read). */
  values(data: unknown): unknown[] {
    return this.findResults(data).flat();
  }

  /** JSONPath.FindResults: one list of values per printed action (per range iteration). */
  findResults(data: unknown): unknown[][] {
    this.beginRange = 0;
    this.inRange = 0;
    this.endRange = 0;
    this.lastEndNode = undefined;
    return this.find(this.root.nodes, data);
  }

  private find(nodes: JsonPathNode[], data: unknown): unknown[][] {
    const full: unknown[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as JsonPathNode;
      const results = this.walk([data], node);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = node;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        const body = nodes.slice(i + 1);
        if (results.length > 0) for (const value of results) full.push(...this.find(body, value));
        else this.find(body, undefined);
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: Value[], node: JsonPathNode): Value[] {
    switch (node.type) {
      case "list":
        return this.evalList(input, node);
      case "text":
        return [node.text];
      case "field":
        return this.evalField(input, node.name);
      case "array":
        return evalArray(input, node.params);
      case "filter":
        return this.evalFilter(input, node);
      case "int":
        return input.map(() => new GoNumber("int", node.value));
      case "float":
        return input.map(() => new GoNumber("float64", node.value));
      case "bool":
        return input.map(() => node.value);
      case "wildcard":
        return input.flatMap((value) => (value === null || value === undefined ? [] : (childrenOf(value) ?? [])));
      case "recursive":
        return evalRecursive(input);
      case "union":
        return node.nodes.flatMap((list) => this.evalList(input, list));
      case "identifier":
        return this.evalIdentifier(input, node.name);
    }
  }

  private evalList(input: Value[], list: ListNode): Value[] {
    let current = input;
    for (const node of list.nodes) current = this.walk(current, node);
    return current;
  }

  private evalField(input: Value[], name: string): Value[] {
    const results: Value[] = [];
    for (const value of input) {
      if (isMap(value) && Object.hasOwn(value, name)) results.push(value[name]);
    }
    if (results.length === 0 && input.length > 0 && !this.allowMissingKeys)
      throw new JsonPathError(`${name} is not found`);
    return results;
  }

  private evalIdentifier(input: Value[], name: string): Value[] {
    if (name === "range") {
      this.beginRange++;
      return input;
    }
    if (name === "end") {
      if (this.inRange > 0) {
        this.endRange++;
        return [];
      }
      throw new JsonPathError("not in range, nothing to end");
    }
    throw new JsonPathError(`unrecognized identifier ${name}`);
  }

  private evalFilter(input: Value[], node: Extract<JsonPathNode, { type: "filter" }>): Value[] {
    const results: Value[] = [];
    for (const value of input) {
      if (!Array.isArray(value))
        throw new JsonPathError(`${goPrint(value ?? null)} is not array or slice and cannot be filtered`);
      for (const item of value) {
        let lefts: Value[];
        try {
          lefts = this.evalList([item], node.left);
        } catch (error) {
          if (node.operator === "exists") continue;
          throw error;
        }
        if (node.operator === "exists") {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JsonPathError("can only compare one element at a time");
        const rights = this.evalList([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JsonPathError("can only compare one element at a time");
        const comparison = compareValues(lefts[0], rights[0]);
        let pass: boolean;
        switch (node.operator) {
          case "<":
            pass = comparison.less();
            break;
          case ">":
            pass = !comparison.less() && !comparison.equal;
            break;
          case "==":
            pass = comparison.equal;
            break;
          case "!=":
            pass = !comparison.equal;
            break;
          case "<=":
            pass = comparison.less() || comparison.equal;
            break;
          case ">=":
            pass = !comparison.less();
            break;
          default:
            throw new JsonPathError(`unrecognized filter operator ${node.operator}`);
        }
        if (pass) results.push(item);
      }
    }
    return results;
  }
}

function evalArray(input: Value[], nodeParams: [Param, Param, Param]): Value[] {
  const result: Value[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw new JsonPathError(`${typeName(value)} is not array or slice`);
    const params = nodeParams.map((param) => ({ ...param })) as [Param, Param, Param];
    const length = value.length;
    if (!params[0].known) params[0].value = 0;
    if (params[0].value < 0) params[0].value += length;
    if (!params[1].known) params[1].value = length;
    if (params[1].value < 0 || (params[1].value === 0 && params[1].derived)) params[1].value += length;
    if (params[1].value === params[0].value) return result;
    if (params[0].value >= length || params[0].value < 0)
      throw new JsonPathError(`array index out of bounds: index ${params[0].value}, length ${length}`);
    if (params[1].value > length || params[1].value < 0)
      throw new JsonPathError(`array index out of bounds: index ${params[1].value - 1}, length ${length}`);
    if (params[0].value > params[1].value)
      throw new JsonPathError(`starting index ${params[0].value} is greater than ending index ${params[1].value}`);
    const slice = value.slice(params[0].value, params[1].value);
    let step = 1;
    if (params[2].known) {
      if (params[2].value <= 0) throw new JsonPathError("step must be > 0");
      step = params[2].value;
    }
    for (let i = 0; i < slice.length; i += step) result.push(slice[i]);
  }
  return result;
}

function evalRecursive(input: Value[]): Value[] {
  const result: Value[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    const children = childrenOf(value) ?? [];
    if (children.length > 0) {
      result.push(value);
      result.push(...evalRecursive(children));
    }
  }
  return result;
}

/** JSONPath.PrintResults: maps and slices as compact JSON, the rest with fmt.Print, a space between. */
function printResults(results: Value[], asJson: boolean): string {
  if (asJson) return `${toGoJson(results.map(toJson)).trimEnd()}\n`;
  return results.map((value) => formatJsonPathValue(value)).join(" ");
}

function toJson(value: Value): unknown {
  if (value instanceof GoNumber) return value.value;
  if (value === undefined) return null;
  return value;
}

/** One jsonpath result as kubectl prints it (strings raw, maps and slices as compact JSON, nil as `null`). */
export function formatJsonPathValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value) || isMap(value)) return toGoJsonCompact(value);
  return goPrint(value);
}

/** Go's `%#v` of the object kubectl gave the jsonpath engine (its debugging dump). */
export function jsonPathDebugDump(object: unknown): string {
  return goSprintf("%#v", [object]);
}

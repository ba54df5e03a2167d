/**
 * kubectl's go-template printer: Go's text/template (go1.23, as kubectl 1.32 is built) over the
 * object decoded into `map[string]interface{}`, with kubectl's own functions `exists` and
 * `base64decode`. Lexer, parser and executor follow text/template/parse and text/template's
 * exec.go: actions, pipelines, parenthesised pipelines, variables (`$x := …`, `$x = …`, `$`),
 * `if`/`else if`/`with`/`else with`/`range` (with `$i, $v :=`, `else`, `break`, `continue`),
 * comments and trim markers; the builtins and, or, not, len, index, slice, print, printf, println,
 * eq, ne, lt, le, gt, ge, html, js, urlquery (fmt in goFmt.ts). Errors carry text/template's
 * wording and `output:LINE:COL` positions, which kubectl prints.
 */

import {
  fromJson,
  GoNumber,
  type GoValue,
  goFormat,
  goPrint,
  goQuote,
  goSprint,
  goSprintf,
  goSprintln,
  goTypeName,
} from "./goFmt";
import { GoUnquoteError, unquoteBody } from "./goUnquote";

/** A parse or execution error, worded as text/template's. */
export class GoTemplateError extends Error {}

// ---------------------------------------------------------------------------------------------
// Lexer (text/template/parse/lex.go)

type ItemType =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "field"
  | "variable"
  | "identifier"
  | "keyword"
  | "bool"
  | "nil"
  | "dot"
  | "number"
  | "charConstant"
  | "string"
  | "rawString"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "declare"
  | "assign"
  | "char"
  | "comment"
  | "eof"
  | "error";

interface Item {
  type: ItemType;
  value: string;
  pos: number;
  line: number;
}

const keywords = new Set(["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"]);
const isSpace = (ch: string | undefined) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isAlphaNumeric = (ch: string | undefined) => ch !== undefined && /^[\p{L}\p{Nd}_]$/u.test(ch);

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  const emit = (type: ItemType, value = input.slice(start, pos)) => {
    items.push({ type, value, pos: start, line: startLine });
    start = pos;
    startLine = line;
  };
  const advance = (count: number) => {
    for (let index = 0; index < count; index++) if (input[pos + index] === "\n") line++;
    pos += count;
  };
  const ignore = () => {
    start = pos;
    startLine = line;
  };
  const fail = (message: string) => {
    items.push({ type: "error", value: message, pos: start, line: startLine });
  };

  for (;;) {
    // Text up to the next left delimiter.
    const open = input.indexOf("{{", pos);
    if (open < 0) {
      advance(input.length - pos);
      if (pos > start) emit("text");
      emit("eof", "");
      return items;
    }
    const trimLeft = input[open + 2] === "-" && isSpace(input[open + 3]);
    advance(open - pos);
    if (pos > start) {
      let text = input.slice(start, pos);
      if (trimLeft) text = text.replace(/[ \t\r\n]+$/, "");
      emit("text", text);
    }
    advance(2 + (trimLeft ? 2 : 0));
    if (input.startsWith("/*", pos)) {
      // A comment: {{/* … */}} with optional trim markers.
      const close = input.indexOf("*/", pos + 2);
      if (close < 0) {
        fail("unclosed comment");
        return items;
      }
      advance(close + 2 - pos);
      const trimRight = input.startsWith(" -}}", pos);
      if (!trimRight && !input.startsWith("}}", pos)) {
        fail("comment ends before closing delimiter");
        return items;
      }
      advance(trimRight ? 4 : 2);
      if (trimRight) while (isSpace(input[pos])) advance(1);
      ignore();
      continue;
    }
    emit("leftDelim", "{{");
    let parenDepth = 0;
    // Inside the action.
    for (;;) {
      if (input.startsWith(" -}}", pos) || input.startsWith("}}", pos)) {
        const trimRight = input[pos] === " ";
        if (trimRight) advance(2);
        if (parenDepth > 0) {
          fail("unclosed left paren");
          return items;
        }
        ignore();
        advance(2);
        emit("rightDelim", "}}");
        if (trimRight) {
          while (isSpace(input[pos])) advance(1);
          ignore();
        }
        break;
      }
      const ch = input[pos];
      if (ch === undefined) {
        fail("unclosed action");
        return items;
      }
      if (isSpace(ch)) {
        while (isSpace(input[pos])) advance(1);
        if (input.startsWith("-}}", pos) && isSpace(input[pos - 1])) {
          // The space belongs to a trim-marked closing delimiter.
          pos--;
          if (pos > start) emit("space");
          continue;
        }
        emit("space");
        continue;
      }
      if (ch === "=") {
        advance(1);
        emit("assign");
      } else if (ch === ":") {
        if (input[pos + 1] !== "=") {
          fail("expected :=");
          return items;
        }
        advance(2);
        emit("declare");
      } else if (ch === "|") {
        advance(1);
        emit("pipe");
      } else if (ch === '"') {
        advance(1);
        for (;;) {
          const next = input[pos];
          if (next === "\\") {
            advance(1);
            if (input[pos] === undefined || input[pos] === "\n") {
              fail("unterminated quoted string");
              return items;
            }
            advance(1);
            continue;
          }
          if (next === undefined || next === "\n") {
            fail("unterminated quoted string");
            return items;
          }
          advance(1);
          if (next === '"') break;
        }
        emit("string");
      } else if (ch === "`") {
        const close = input.indexOf("`", pos + 1);
        if (close < 0) {
          fail("unterminated raw quoted string");
          return items;
        }
        advance(close + 1 - pos);
        emit("rawString");
      } else if (ch === "'") {
        advance(1);
        for (;;) {
          const next = input[pos];
          if (next === "\\") {
            advance(2);
            continue;
          }
          if (next === undefined || next === "\n") {
            fail("unterminated character constant");
            return items;
          }
          advance(1);
          if (next === "'") break;
        }
        emit("charConstant");
      } else if (ch === "$" || (ch === "." && !/[0-9]/.test(input[pos + 1] ?? ""))) {
        advance(1);
        while (isAlphaNumeric(input[pos])) advance(1);
        const value = input.slice(start, pos);
        if (!atTerminator(input, pos)) {
          fail(`bad character ${goRune(input[pos] ?? "")}`);
          return items;
        }
        emit(ch === "$" ? "variable" : value === "." ? "dot" : "field");
      } else if (ch === "+" || ch === "-" || /[0-9.]/.test(ch)) {
        const match =
          /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)i?/.exec(
            input.slice(pos),
          );
        const text = match?.[0] ?? "";
        advance(Math.max(text.length, 1));
        if (isAlphaNumeric(input[pos]) || !/[0-9]/.test(text)) {
          advance(1);
          fail(`bad number syntax: "${input.slice(start, pos)}"`);
          return items;
        }
        emit("number");
      } else if (isAlphaNumeric(ch)) {
        while (isAlphaNumeric(input[pos])) advance(1);
        const word = input.slice(start, pos);
        if (!atTerminator(input, pos)) {
          fail(`bad character ${goRune(input[pos] ?? "")}`);
          return items;
        }
        if (keywords.has(word)) emit("keyword");
        else if (word === "true" || word === "false") emit("bool");
        else if (word === "nil") emit("nil");
        else emit("identifier");
      } else if (ch === "(") {
        advance(1);
        emit("leftParen");
        parenDepth++;
      } else if (ch === ")") {
        advance(1);
        parenDepth--;
        if (parenDepth < 0) {
          fail("unexpected right paren");
          return items;
        }
        emit("rightParen");
      } else if (ch === ",") {
        advance(1);
        emit("char");
      } else {
        fail(`unrecognized character in action: ${goRune(ch)}`);
        return items;
      }
    }
  }
}

function atTerminator(input: string, pos: number): boolean {
  const ch = input[pos];
  if (ch === undefined || isSpace(ch) || ". ,|:)(=".includes(ch)) return true;
  return input.startsWith("}}", pos);
}

/** fmt's %#U of a character: U+0023 '#'. */
function goRune(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} '${ch}'`;
}

// ---------------------------------------------------------------------------------------------
// Parse tree (text/template/parse/node.go)

type Operand =
  | { type: "field"; pos: number; ident: string[] }
  | { type: "variable"; pos: number; ident: string[] }
  | { type: "dot"; pos: number }
  | { type: "nil"; pos: number }
  | { type: "bool"; pos: number; value: boolean }
  | { type: "number"; pos: number; text: string; number: ParsedNumber }
  | { type: "string"; pos: number; quoted: string; text: string }
  | { type: "identifier"; pos: number; name: string }
  | { type: "pipe"; pos: number; pipe: Pipe }
  | { type: "chain"; pos: number; node: Operand; fields: string[] };

interface Command {
  pos: number;
  args: Operand[];
}

interface Pipe {
  pos: number;
  isAssign: boolean;
  decl: string[];
  cmds: Command[];
}

type TemplateNode =
  | { type: "text"; pos: number; text: string }
  | { type: "action"; pos: number; pipe: Pipe }
  | ControlNode
  | { type: "break" | "continue"; pos: number }
  | { type: "template"; pos: number; name: string; pipe?: Pipe };

/** if, with and range: a pipeline, a body and an else branch. */
interface ControlNode {
  type: "if" | "with" | "range";
  pos: number;
  pipe: Pipe;
  list: TemplateNode[];
  elseList?: TemplateNode[];
}

interface ParsedNumber {
  isInt: boolean;
  isFloat: boolean;
  int: number;
  float: number;
}

function operandString(node: Operand): string {
  switch (node.type) {
    case "field":
      return `.${node.ident.join(".")}`;
    case "variable":
      return node.ident.join(".");
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return node.value ? "true" : "false";
    case "number":
      return node.text;
    case "string":
      return node.quoted;
    case "identifier":
      return node.name;
    case "pipe":
      return `(${pipeString(node.pipe)})`;
    case "chain": {
      const head = node.node.type === "pipe" ? operandString(node.node) : operandString(node.node);
      return `${head}.${node.fields.join(".")}`;
    }
  }
}

function commandString(command: Command): string {
  return command.args.map(operandString).join(" ");
}

function pipeString(pipe: Pipe): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(", ")} ${pipe.isAssign ? "=" : ":="} ` : "";
  return decl + pipe.cmds.map(commandString).join(" | ");
}

/** strconv.Unquote for a template string literal. */
function unquote(quoted: string): string {
  if (quoted.startsWith("`")) return quoted.slice(1, -1);
  try {
    return unquoteBody(quoted.slice(1, -1), '"');
  } catch (error) {
    if (error instanceof GoUnquoteError) throw new GoTemplateError("invalid syntax");
    throw error;
  }
}

/** parse.newNumber: integer, float and character constants. */
function parseNumber(text: string, type: ItemType): ParsedNumber {
  if (type === "charConstant") {
    const value = unquote(`"${text.slice(1, -1).replace(/"/g, '\\"')}"`);
    const code = value.codePointAt(0) ?? 0;
    return { isInt: true, isFloat: true, int: code, float: code };
  }
  if (text.endsWith("i")) throw new GoTemplateError(`complex constants are not supported: ${text}`);
  const clean = text.replace(/_/g, "");
  const sign = clean.startsWith("-") ? -1 : 1;
  const unsigned = clean.replace(/^[+-]/, "");
  let integer: number | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(unsigned)) integer = Number.parseInt(unsigned.slice(2), 16);
  else if (/^0[bB][01]+$/.test(unsigned)) integer = Number.parseInt(unsigned.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(unsigned)) integer = Number.parseInt(unsigned.slice(2), 8);
  else if (/^0[0-7]*$/.test(unsigned)) integer = Number.parseInt(unsigned, 8);
  else if (/^[0-9]+$/.test(unsigned)) integer = Number(unsigned);
  if (integer !== undefined) return { isInt: true, isFloat: true, int: sign * integer, float: sign * integer };
  const float = Number(unsigned);
  if (Number.isNaN(float)) throw new GoTemplateError(`illegal number syntax: "${text}"`);
  const value = sign * float;
  return { isInt: Number.isInteger(value), isFloat: true, int: value, float: value };
}

const builtinNames = new Set([
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "print",
  "printf",
  "println",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "html",
  "js",
  "urlquery",
  "call",
  // kubectl's own (cli-runtime printers/template.go).
  "exists",
  "base64decode",
]);

class Parser {
  private index = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  /** Templates named by {{define}} and {{block}}. */
  readonly definitions = new Map<string, TemplateNode[]>();

  constructor(private readonly items: Item[]) {}

  parse(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    while (this.peek().type !== "eof") {
      const start = this.index;
      if (this.next().type === "leftDelim") {
        const keyword = this.nextNonSpace();
        if (keyword.type === "keyword" && keyword.value === "define") {
          this.definition();
          continue;
        }
      }
      this.index = start;
      const node = this.textOrAction();
      if (node.type === "end" || node.type === "else") this.error(`unexpected {{${node.type}}}`);
      else nodes.push(node as TemplateNode);
    }
    return nodes;
  }

  /** {{define "name"}}…{{end}}: a template of its own, with its own variables. */
  private definition() {
    const context = "define clause";
    const item = this.nextNonSpace();
    if (item.type !== "string" && item.type !== "rawString") this.unexpected(item, context);
    const name = this.unquoted(item);
    this.expect("rightDelim", context);
    this.definitions.set(name, this.ownList(context));
  }

  /** A list parsed as a separate template (no outer variables, no enclosing range), up to {{end}}. */
  private ownList(context: string): TemplateNode[] {
    const [vars, rangeDepth] = [this.vars, this.rangeDepth];
    this.vars = ["$"];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.type !== "end") this.error(`unexpected {{else}} in ${context}`);
    [this.vars, this.rangeDepth] = [vars, rangeDepth];
    return list;
  }

  private templateName(item: Item, context: string): string {
    if (item.type !== "string" && item.type !== "rawString") this.unexpected(item, context);
    return this.unquoted(item);
  }

  private error(message: string): never {
    const line = this.items[Math.max(this.index - 1, 0)]?.line ?? 1;
    throw new GoTemplateError(`template: output:${line}: ${message}`);
  }

  private next(): Item {
    const item = this.items[Math.min(this.index, this.items.length - 1)] as Item;
    this.index++;
    if (item.type === "error") {
      this.index = this.items.indexOf(item) + 1;
      this.error(item.value);
    }
    return item;
  }

  private peek(): Item {
    const item = this.items[Math.min(this.index, this.items.length - 1)] as Item;
    if (item.type === "error") {
      this.index = this.items.indexOf(item) + 1;
      this.error(item.value);
    }
    return item;
  }

  private backup(count = 1) {
    this.index -= count;
  }

  private nextNonSpace(): Item {
    let item = this.next();
    while (item.type === "space") item = this.next();
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  private unexpected(item: Item, context: string): never {
    let shown: string;
    if (item.type === "eof") shown = "EOF";
    else if (item.type === "keyword") shown = `<${item.value}>`;
    else if (item.value.length > 10) shown = `${goQuote(item.value.slice(0, 10))}...`;
    else shown = goQuote(item.value);
    this.error(`unexpected ${shown} in ${context}`);
  }

  private expect(type: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) this.unexpected(item, context);
    return item;
  }

  private textOrAction(): TemplateNode | { type: "end" | "else"; pos: number } {
    const item = this.nextNonSpace();
    if (item.type === "text") return { type: "text", pos: item.pos, text: item.value };
    if (item.type === "leftDelim") return this.action();
    return this.unexpected(item, "input");
  }

  private itemList(): { list: TemplateNode[]; next: { type: "end" | "else"; pos: number } } {
    const list: TemplateNode[] = [];
    while (this.peekNonSpace().type !== "eof") {
      const node = this.textOrAction();
      if (node.type === "end" || node.type === "else")
        return { list, next: node as { type: "end" | "else"; pos: number } };
      list.push(node as TemplateNode);
    }
    this.error("unexpected EOF");
  }

  private action(): TemplateNode | { type: "end" | "else"; pos: number } {
    const item = this.nextNonSpace();
    if (item.type === "keyword") {
      switch (item.value) {
        case "break":
        case "continue": {
          const next = this.nextNonSpace();
          if (next.type !== "rightDelim") this.unexpected(next, `{{${item.value}}}`);
          if (this.rangeDepth === 0) this.error(`{{${item.value}}} outside {{range}}`);
          return { type: item.value, pos: item.pos };
        }
        case "else": {
          const peek = this.peekNonSpace();
          if (peek.type === "keyword" && (peek.value === "if" || peek.value === "with"))
            return { type: "else", pos: peek.pos };
          const close = this.expect("rightDelim", "else");
          return { type: "else", pos: close.pos };
        }
        case "end":
          return { type: "end", pos: this.expect("rightDelim", "end").pos };
        case "if":
        case "with":
        case "range":
          return this.control(item.value);
        case "template": {
          const nameItem = this.nextNonSpace();
          const name = this.templateName(nameItem, "template clause");
          let pipe: Pipe | undefined;
          if (this.nextNonSpace().type !== "rightDelim") {
            this.backup();
            pipe = this.pipeline("template clause", "rightDelim");
          }
          return { type: "template", pos: nameItem.pos, name, pipe };
        }
        case "block": {
          const nameItem = this.nextNonSpace();
          const name = this.templateName(nameItem, "block clause");
          const pipe = this.pipeline("block clause", "rightDelim");
          this.definitions.set(name, this.ownList("block clause"));
          return { type: "template", pos: nameItem.pos, name, pipe };
        }
      }
    }
    this.backup();
    const pipe = this.pipeline("command", "rightDelim");
    return { type: "action", pos: this.items[this.index - 1]?.pos ?? 0, pipe };
  }

  private control(context: "if" | "with" | "range"): TemplateNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, "rightDelim");
    if (context === "range") this.rangeDepth++;
    const body = this.itemList();
    if (context === "range") this.rangeDepth--;
    let elseList: TemplateNode[] | undefined;
    if (body.next.type === "else") {
      const peek = this.peek();
      if ((context === "if" || context === "with") && peek.type === "keyword" && peek.value === context) {
        this.next();
        elseList = [this.control(context)];
      } else {
        const rest = this.itemList();
        if (rest.next.type !== "end") this.error(`expected end; found {{else}}`);
        elseList = rest.list;
      }
    }
    this.vars.length = mark;
    return { type: context, pos: pipe.pos, pipe, list: body.list, elseList };
  }

  private pipeline(context: string, end: ItemType): Pipe {
    const pipe: Pipe = { pos: this.peekNonSpace().pos, isAssign: false, decl: [], cmds: [] };
    for (;;) {
      const variable = this.peekNonSpace();
      if (variable.type !== "variable") break;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.nextNonSpace();
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        break;
      }
      if (next.type === "char" && next.value === ",") {
        this.nextNonSpace();
        pipe.decl.push(variable.value);
        this.vars.push(variable.value);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === "variable" || after === "rightDelim" || after === "rightParen") continue;
          this.error("range can only initialize variables");
        }
        this.error(`too many declarations in ${context}`);
      }
      // An argument, not a declaration: read it again as an operand.
      this.index = this.items.indexOf(variable);
      break;
    }
    for (;;) {
      const item = this.nextNonSpace();
      if (item.type === end) {
        if (pipe.cmds.length === 0) this.error(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((command, index) => {
          const first = command.args[0]?.type;
          if (first === "bool" || first === "dot" || first === "nil" || first === "number" || first === "string")
            this.error(`non executable command in pipeline stage ${index + 2}`);
        });
        return pipe;
      }
      switch (item.type) {
        case "bool":
        case "charConstant":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(item, context);
      }
    }
  }

  private command(): Command {
    const command: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) command.args.push(operand);
      const item = this.next();
      if (item.type === "space") continue;
      if (item.type === "rightDelim" || item.type === "rightParen") this.backup();
      else if (item.type !== "pipe") this.unexpected(item, "operand");
      break;
    }
    if (command.args.length === 0) this.error("empty command");
    return command;
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== "field") return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().value.slice(1));
    switch (node.type) {
      case "field":
        return { type: "field", pos: chainPos, ident: [...node.ident, ...fields] };
      case "variable":
        return { type: "variable", pos: chainPos, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        return this.error(`unexpected . after term ${goQuote(operandString(node))}`);
      default:
        return { type: "chain", pos: chainPos, node, fields };
    }
  }

  private term(): Operand | undefined {
    const item = this.nextNonSpace();
    switch (item.type) {
      case "identifier":
        if (!builtinNames.has(item.value)) this.error(`function ${goQuote(item.value)} not defined`);
        return { type: "identifier", pos: item.pos, name: item.value };
      case "dot":
        return { type: "dot", pos: item.pos };
      case "nil":
        return { type: "nil", pos: item.pos };
      case "variable": {
        if (!this.vars.includes(item.value)) this.error(`undefined variable ${goQuote(item.value)}`);
        return { type: "variable", pos: item.pos, ident: [item.value] };
      }
      case "field":
        return { type: "field", pos: item.pos, ident: [item.value.slice(1)] };
      case "bool":
        return { type: "bool", pos: item.pos, value: item.value === "true" };
      case "charConstant":
      case "number":
        return { type: "number", pos: item.pos, text: item.value, number: this.number(item) };
      case "leftParen":
        return { type: "pipe", pos: item.pos, pipe: this.pipeline("parenthesized pipeline", "rightParen") };
      case "string":
      case "rawString":
        return { type: "string", pos: item.pos, quoted: item.value, text: this.unquoted(item) };
    }
    this.backup();
    return undefined;
  }

  private number(item: Item): ParsedNumber {
    try {
      return parseNumber(item.value, item.type);
    } catch (error) {
      return this.error((error as Error).message);
    }
  }

  private unquoted(item: Item): string {
    try {
      return unquote(item.value);
    } catch (error) {
      return this.error((error as Error).message);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Execution (text/template/exec.go)

const invalid = Symbol("invalid reflect.Value");
const missing = Symbol("missing final value");

/**
 * A reflect.Value as the executor sees it: `boxed` when it was read out of a map or slice (an
 * `interface {}` holding the value, or nil), plain after a pipeline stage unwraps it.
 */
interface Value {
  value: GoValue | typeof invalid;
  boxed: boolean;
}

const concrete = (value: GoValue | typeof invalid): Value => ({ value, boxed: false });
const boxed = (raw: unknown): Value => ({ value: fromJson(raw), boxed: true });
const invalidValue: Value = { value: invalid, boxed: false };

function typeOf(value: Value): string {
  if (value.boxed) return "interface {}";
  return goTypeName(value.value);
}

/** indirectInterface: the concrete value inside an interface, invalid for nil. */
function unbox(value: Value): Value {
  if (value.boxed) return value.value === null ? invalidValue : concrete(value.value);
  return value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof GoNumber);
}

/** isTrue; `ok` is false for values that have no truth (none here but invalid values' siblings). */
function truth(value: Value): boolean {
  const inner = unbox(value).value;
  if (inner === invalid || inner === null) return false;
  if (typeof inner === "string") return inner.length > 0;
  if (typeof inner === "boolean") return inner;
  if (inner instanceof GoNumber) return inner.value !== 0;
  if (Array.isArray(inner)) return inner.length > 0;
  return Object.keys(inner).length > 0;
}

type Kind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(value: Value): Kind {
  const inner = value.value;
  if (typeof inner === "boolean") return "bool";
  if (typeof inner === "string") return "string";
  if (inner instanceof GoNumber) return inner.isInteger ? "int" : "float";
  return "invalid";
}

class ExecError extends Error {}
class Break {}
class Continue {}

type Builtin = (state: State, args: Value[]) => Value;

/** Converts a value to an interface{} argument (validateType with interface{}): nil for invalid. */
function asInterface(value: Value): unknown {
  return value.value === invalid ? null : value.value;
}

function compare(name: string, left: Value, right: Value): number {
  const a = unbox(left);
  const b = unbox(right);
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === "invalid" || kb === "invalid" || ka === "bool" || kb === "bool") {
    if (ka === "invalid" || ka === "bool") throw new CallError(name, "invalid type for comparison");
    throw new CallError(name, "invalid type for comparison");
  }
  if (ka !== kb) throw new CallError(name, "incompatible types for comparison");
  const x = a.value instanceof GoNumber ? a.value.value : (a.value as string);
  const y = b.value instanceof GoNumber ? b.value.value : (b.value as string);
  return x < y ? -1 : x > y ? 1 : 0;
}

function equal(left: Value, right: Value): boolean {
  const a = unbox(left);
  const b = unbox(right);
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (a.value !== invalid && b.value !== invalid) throw new CallError("eq", "incompatible types for comparison");
    return false;
  }
  if (ka === "invalid") {
    if (a.value === invalid || b.value === invalid) return a.value === b.value;
    if (goTypeName(a.value) !== goTypeName(b.value))
      throw new CallError(
        "eq",
        `non-comparable types ${goFormat(a.value, "s")}: ${typeOf(a)}, ${typeOf(b)}: ${goPrint(b.value)}`,
      );
    throw new CallError("eq", `non-comparable type ${goFormat(b.value, "s")}: ${typeOf(b)}`);
  }
  const x = a.value instanceof GoNumber ? a.value.value : a.value;
  const y = b.value instanceof GoNumber ? b.value.value : b.value;
  return x === y;
}

/** An error a function returned: `error calling NAME: …`. */
class CallError extends Error {
  constructor(
    readonly functionName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Go's base64.StdEncoding.DecodeString, with its CorruptInputError offsets. */
function decodeBase64(input: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const corrupt = (offset: number) =>
    new CallError("base64decode", `base64 decode failed: illegal base64 data at input byte ${offset}`);
  const bytes = Buffer.from(input, "latin1");
  const out: number[] = [];
  let si = 0;
  while (si < bytes.length) {
    const quantum: number[] = [];
    let length = 4;
    for (let j = 0; j < 4; j++) {
      if (si === bytes.length) {
        if (j === 0) return Buffer.from(out).toString("utf8");
        throw corrupt(si - j);
      }
      const byte = bytes[si++] as number;
      const digit = alphabet.indexOf(String.fromCharCode(byte));
      if (digit >= 0) {
        quantum.push(digit);
        continue;
      }
      if (byte === 10 || byte === 13) {
        j--;
        continue;
      }
      if (byte !== 61) throw corrupt(si - 1);
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < bytes.length && (bytes[si] === 10 || bytes[si] === 13)) si++;
        if (si === bytes.length) throw corrupt(bytes.length);
        if (bytes[si] !== 61) throw corrupt(si - 1);
        si++;
      }
      while (si < bytes.length && (bytes[si] === 10 || bytes[si] === 13)) si++;
      if (si < bytes.length) throw corrupt(si);
      length = j;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const value = (a << 18) | (b << 12) | (c << 6) | d;
    out.push((value >> 16) & 0xff);
    if (length > 2) out.push((value >> 8) & 0xff);
    if (length > 3) out.push(value & 0xff);
    if (length < 4) break;
  }
  return Buffer.from(out).toString("utf8");
}

function lengthOf(value: Value): number {
  if (value.value === invalid) throw new CallError("len", "reflect: call of reflect.Value.Type on zero Value");
  if (value.boxed && value.value === null) throw new CallError("len", "len of nil pointer");
  const inner = value.value;
  if (typeof inner === "string") return Buffer.byteLength(inner, "utf8");
  if (Array.isArray(inner)) return inner.length;
  if (isMap(inner)) return Object.keys(inner).length;
  throw new CallError("len", `len of type ${goTypeName(inner)}`);
}

function indexArgument(name: string, index: Value, size: number, allowEnd: boolean): number {
  const inner = unbox(index).value;
  if (inner === invalid) throw new CallError(name, "cannot index slice/array with nil");
  if (!(inner instanceof GoNumber) || !inner.isInteger)
    throw new CallError(name, `cannot index slice/array with type ${goTypeName(inner)}`);
  const x = inner.value;
  if (x < 0 || x > size) throw new CallError(name, `index out of range: ${x}`);
  if (!allowEnd && x === size) throw new CallError(name, "reflect: slice index out of range");
  return x;
}

const builtins: Record<string, Builtin> = {
  not: (_state, [value]) => concrete(!truth(value as Value)),
  len: (_state, [value]) => concrete(new GoNumber("int", lengthOf(value as Value))),
  index: (_state, [item, ...indexes]) => {
    let current = unbox(item as Value);
    if (current.value === invalid) throw new CallError("index", "index of untyped nil");
    for (const key of indexes) {
      if (current.value === null) throw new CallError("index", "index of nil pointer");
      const inner = current.value;
      if (typeof inner === "string") {
        const bytes = Buffer.from(inner, "utf8");
        const x = indexArgument("index", key, bytes.length, false);
        current = concrete(new GoNumber("uint8", bytes[x] as number));
      } else if (Array.isArray(inner)) {
        current = boxed(inner[indexArgument("index", key, inner.length, false)]);
      } else if (isMap(inner)) {
        const name = unbox(key).value;
        if (name === invalid) throw new CallError("index", "value is nil; should be of type string");
        if (typeof name !== "string")
          throw new CallError("index", `value has type ${goTypeName(name)}; should be string`);
        current = Object.hasOwn(inner, name) ? boxed(inner[name]) : { value: null, boxed: true };
      } else throw new CallError("index", `can't index item of type ${goTypeName(inner)}`);
    }
    return current;
  },
  slice: (_state, [item, ...indexes]) => {
    const current = unbox(item as Value);
    if (current.value === invalid) throw new CallError("slice", "slice of untyped nil");
    if (indexes.length > 3) throw new CallError("slice", `too many slice indexes: ${indexes.length}`);
    const inner = current.value;
    if (typeof inner === "string") {
      if (indexes.length === 3) throw new CallError("slice", "cannot 3-index slice a string");
      const bytes = Buffer.from(inner, "utf8");
      const bounds = [0, bytes.length];
      indexes.forEach((index, position) => {
        bounds[position] = indexArgument("slice", index, bytes.length, true);
      });
      if ((bounds[0] as number) > (bounds[1] as number))
        throw new CallError("slice", `invalid slice index: ${bounds[0]} > ${bounds[1]}`);
      return concrete(bytes.subarray(bounds[0], bounds[1]).toString("utf8"));
    }
    if (Array.isArray(inner)) {
      const bounds = [0, inner.length];
      indexes.slice(0, 2).forEach((index, position) => {
        bounds[position] = indexArgument("slice", index, inner.length, true);
      });
      if ((bounds[0] as number) > (bounds[1] as number))
        throw new CallError("slice", `invalid slice index: ${bounds[0]} > ${bounds[1]}`);
      return concrete(inner.slice(bounds[0], bounds[1]));
    }
    throw new CallError("slice", `can't slice item of type ${typeOf(current)}`);
  },
  print: (_state, args) => concrete(goSprint(args.map(asInterface))),
  println: (_state, args) => concrete(goSprintln(args.map(asInterface))),
  printf: (_state, [format, ...args]) => concrete(goSprintf(format?.value as string, args.map(asInterface))),
  eq: (_state, [first, ...others]) => {
    if (others.length === 0) throw new CallError("eq", "missing argument for comparison");
    return concrete(others.some((other) => equal(first as Value, other)));
  },
  ne: (_state, [a, b]) => concrete(!equal(a as Value, b as Value)),
  lt: (_state, [a, b]) => concrete(compare("lt", a as Value, b as Value) < 0),
  le: (_state, [a, b]) => concrete(compare("le", a as Value, b as Value) <= 0),
  gt: (_state, [a, b]) => concrete(compare("gt", a as Value, b as Value) > 0),
  ge: (_state, [a, b]) => concrete(compare("ge", a as Value, b as Value) >= 0),
  html: (_state, args) => concrete(escapeHtml(evalArgs(args))),
  js: (_state, args) => concrete(escapeJs(evalArgs(args))),
  urlquery: (_state, args) =>
    concrete(
      encodeURIComponent(evalArgs(args))
        .replace(/%20/g, "+")
        .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`),
    ),
  exists: (_state, [item, ...indices]) => {
    let current: unknown = asInterface(item as Value);
    for (const index of indices) {
      const key = asInterface(index);
      const value = fromJson(current);
      if (value === null) return concrete(false);
      if (typeof value === "string" || Array.isArray(value)) {
        const keyValue = fromJson(key);
        if (!(keyValue instanceof GoNumber) || !keyValue.isInteger) return concrete(false);
        const length = typeof value === "string" ? Buffer.byteLength(value) : value.length;
        if (keyValue.value < 0 || keyValue.value >= length) return concrete(false);
        current = typeof value === "string" ? Buffer.from(value)[keyValue.value] : value[keyValue.value];
      } else if (isMap(value)) {
        if (typeof key !== "string") return concrete(false);
        current = Object.hasOwn(value, key) ? value[key] : null;
      } else return concrete(false);
    }
    return concrete(fromJson(current) !== null);
  },
  base64decode: (_state, [value]) => concrete(decodeBase64(value?.value as string)),
};

/** Parameter shapes of the functions, for text/template's argument count and type checks. */
const signatures: Record<string, { fixed: number; variadic: boolean; stringParams?: number[] }> = {
  and: { fixed: 1, variadic: true },
  or: { fixed: 1, variadic: true },
  not: { fixed: 1, variadic: false },
  len: { fixed: 1, variadic: false },
  index: { fixed: 1, variadic: true },
  slice: { fixed: 1, variadic: true },
  print: { fixed: 0, variadic: true },
  println: { fixed: 0, variadic: true },
  printf: { fixed: 1, variadic: true, stringParams: [0] },
  eq: { fixed: 1, variadic: true },
  ne: { fixed: 2, variadic: false },
  lt: { fixed: 2, variadic: false },
  le: { fixed: 2, variadic: false },
  gt: { fixed: 2, variadic: false },
  ge: { fixed: 2, variadic: false },
  html: { fixed: 0, variadic: true },
  js: { fixed: 0, variadic: true },
  urlquery: { fixed: 0, variadic: true },
  exists: { fixed: 1, variadic: true },
  base64decode: { fixed: 1, variadic: false, stringParams: [0] },
  call: { fixed: 1, variadic: true },
};

/** text/template's evalArgs for html/js/urlquery: a lone string as is, else fmt.Sprint. */
function evalArgs(args: Value[]): string {
  if (args.length === 1) {
    const value = asInterface(args[0] as Value);
    if (typeof value === "string") return value;
  }
  return goSprint(args.map(asInterface));
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&'"\0]/g, (ch) =>
    ch === "<"
      ? "&lt;"
      : ch === ">"
        ? "&gt;"
        : ch === "&"
          ? "&amp;"
          : ch === "'"
            ? "&#39;"
            : ch === '"'
              ? "&#34;"
              : "\uFFFD",
  );
}

function escapeJs(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "<" || ch === ">" || ch === "&" || ch === "=")
      out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

interface Variable {
  name: string;
  value: Value;
}

class State {
  out = "";
  node: { pos: number; context: string } | undefined;
  vars: Variable[];
  /** The template being executed: "output", or a {{define}}d one. */
  name = "output";
  private depth = 0;

  constructor(
    readonly source: string,
    root: Value,
    private readonly definitions: Map<string, TemplateNode[]>,
  ) {
    this.vars = [{ name: "$", value: root }];
  }

  at(pos: number, context: string) {
    this.node = { pos, context };
  }

  error(message: string): never {
    if (!this.node) throw new ExecError(`template: output: ${message}`);
    const before = this.source.slice(0, this.node.pos);
    const newline = before.lastIndexOf("\n");
    const column = newline < 0 ? this.node.pos : this.node.pos - newline - 1;
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    throw new ExecError(
      `template: output:${line}:${column}: executing ${goQuote(this.name)} at <${this.node.context}>: ${message}`,
    );
  }

  variable(name: string): Value {
    for (let index = this.vars.length - 1; index >= 0; index--) {
      const variable = this.vars[index] as Variable;
      if (variable.name === name) return variable.value;
    }
    return this.error(`undefined variable: ${name}`);
  }

  setVariable(name: string, value: Value) {
    for (let index = this.vars.length - 1; index >= 0; index--) {
      const variable = this.vars[index] as Variable;
      if (variable.name === name) {
        variable.value = value;
        return;
      }
    }
    this.error(`undefined variable: ${name}`);
  }

  walk(dot: Value, nodes: TemplateNode[]) {
    for (const node of nodes) {
      switch (node.type) {
        case "text":
          this.out += node.text;
          break;
        case "action": {
          const value = this.pipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) this.out += value.value === invalid ? "<no value>" : goPrint(value.value);
          break;
        }
        case "if":
        case "with": {
          const mark = this.vars.length;
          const value = this.pipeline(dot, node.pipe);
          if (truth(value)) this.walk(node.type === "with" ? value : dot, node.list);
          else if (node.elseList) this.walk(dot, node.elseList);
          this.vars.length = mark;
          break;
        }
        case "range":
          this.range(dot, node);
          break;
        case "template": {
          const context = `{{template ${goQuote(node.name)}${node.pipe ? ` ${pipeString(node.pipe)}` : ""}}}`;
          this.at(node.pos, context);
          const body = this.definitions.get(node.name);
          if (!body) this.error(`template ${goQuote(node.name)} not defined`);
          if (this.depth >= 100000) this.error("exceeded maximum template depth (100000)");
          const value = node.pipe ? this.pipeline(dot, node.pipe) : invalidValue;
          const saved = { vars: this.vars, name: this.name };
          this.vars = [{ name: "$", value }];
          this.name = node.name;
          this.depth++;
          try {
            this.walk(value, body);
          } finally {
            this.vars = saved.vars;
            this.name = saved.name;
            this.depth--;
          }
          break;
        }
        case "break":
          throw new Break();
        case "continue":
          throw new Continue();
      }
    }
  }

  private range(dot: Value, node: ControlNode) {
    const outerMark = this.vars.length;
    const value = this.pipeline(dot, node.pipe);
    const mark = this.vars.length;
    const iterate = (index: Value, element: Value): boolean => {
      const decl = node.pipe.decl;
      if (decl.length > 0) {
        if (node.pipe.isAssign) this.setVariable(decl[0] as string, decl.length > 1 ? index : element);
        else (this.vars[this.vars.length - 1] as Variable).value = element;
      }
      if (decl.length > 1) {
        if (node.pipe.isAssign) this.setVariable(decl[1] as string, element);
        else (this.vars[this.vars.length - 2] as Variable).value = index;
      }
      try {
        this.walk(element, node.list);
      } catch (error) {
        if (error instanceof Break) return false;
        if (!(error instanceof Continue)) throw error;
      } finally {
        this.vars.length = mark;
      }
      return true;
    };
    const inner = value.value;
    let iterated = false;
    if (Array.isArray(inner)) {
      iterated = inner.length > 0;
      for (let index = 0; index < inner.length; index++) {
        if (!iterate(concrete(new GoNumber("int", index)), boxed(inner[index]))) break;
      }
    } else if (isMap(inner)) {
      const keys = Object.keys(inner).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      iterated = keys.length > 0;
      for (const key of keys) if (!iterate(concrete(key), boxed(inner[key]))) break;
    } else if (inner !== invalid) {
      this.error(`range can't iterate over ${goPrint(inner)}`);
    }
    if (!iterated && node.elseList) this.walk(dot, node.elseList);
    this.vars.length = outerMark;
  }

  pipeline(dot: Value, pipe: Pipe): Value {
    this.at(pipe.pos, pipeString(pipe));
    let value: Value | typeof missing = missing;
    for (const command of pipe.cmds) {
      value = this.command(dot, command, value);
      // An interface{} result is unwrapped to the value inside it (nil: an invalid value).
      value = unbox(value);
    }
    const result = value as Value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVariable(name, result);
      else this.vars.push({ name, value: result });
    }
    return result;
  }

  private notAFunction(args: Operand[], final: Value | typeof missing) {
    if (args.length > 1 || final !== missing)
      this.error(`can't give argument to non-function ${operandString(args[0] as Operand)}`);
  }

  private command(dot: Value, command: Command, final: Value | typeof missing): Value {
    const first = command.args[0] as Operand;
    switch (first.type) {
      case "field":
        this.at(first.pos, operandString(first));
        return this.fieldChain(dot, dot, first.ident, command.args, final);
      case "chain": {
        this.at(first.pos, operandString(first));
        if (first.node.type === "nil") this.error(`indirection through explicit nil in ${operandString(first)}`);
        const receiver = this.argument(dot, first.node);
        return this.fieldChain(dot, receiver, first.fields, command.args, final);
      }
      case "identifier":
        return this.call(dot, first, command, command.args, final);
      case "pipe":
        this.notAFunction(command.args, final);
        return this.pipeline(dot, first.pipe);
      case "variable":
        return this.variableNode(dot, first, command.args, final);
    }
    this.at(first.pos, operandString(first));
    this.notAFunction(command.args, final);
    switch (first.type) {
      case "bool":
        return concrete(first.value);
      case "dot":
        return dot;
      case "nil":
        return this.error("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return concrete(first.text);
    }
  }

  private idealConstant(node: Extract<Operand, { type: "number" }>): Value {
    this.at(node.pos, node.text);
    const isHexInt = /^[+-]?0[xX][0-9a-fA-F_]+$/.test(node.text);
    if (node.number.isFloat && !isHexInt && !node.text.startsWith("'") && /[.eEpP]/.test(node.text))
      return concrete(new GoNumber("float64", node.number.float));
    if (node.number.isInt) return concrete(new GoNumber("int", node.number.int));
    return invalidValue;
  }

  private variableNode(
    dot: Value,
    node: Extract<Operand, { type: "variable" }>,
    args: Operand[],
    final: Value | typeof missing,
  ): Value {
    this.at(node.pos, operandString(node));
    const value = this.variable(node.ident[0] as string);
    if (node.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.fieldChain(dot, value, node.ident.slice(1), args, final);
  }

  private fieldChain(
    dot: Value,
    receiver: Value,
    ident: string[],
    args: Operand[],
    final: Value | typeof missing,
  ): Value {
    let current = receiver;
    ident.forEach((name, index) => {
      const last = index === ident.length - 1;
      current = this.field(name, last ? args : [], last ? final : missing, current);
    });
    void dot;
    return current;
  }

  private field(name: string, args: Operand[], final: Value | typeof missing, receiver: Value): Value {
    if (receiver.value === invalid) return invalidValue;
    const type = typeOf(receiver);
    if (receiver.value === null) this.error(`nil pointer evaluating ${type}.${name}`);
    const inner = receiver.value;
    if (isMap(inner)) {
      if (args.length > 1 || final !== missing) this.error(`${name} is not a method but has arguments`);
      return Object.hasOwn(inner, name) ? boxed(inner[name]) : invalidValue;
    }
    return this.error(`can't evaluate field ${name} in type ${type}`);
  }

  /** evalArg for an interface{} or reflect.Value parameter. */
  private argument(dot: Value, node: Operand): Value {
    this.at(node.pos, operandString(node));
    switch (node.type) {
      case "dot":
        return dot;
      case "nil":
        return invalidValue;
      case "field":
        return this.fieldChain(dot, dot, node.ident, [node], missing);
      case "variable":
        return this.variableNode(dot, node, [], missing);
      case "pipe":
        return this.pipeline(dot, node.pipe);
      case "identifier":
        return this.call(dot, node, node, [node], missing);
      case "chain":
        return this.command(dot, { pos: node.pos, args: [node] }, missing);
      case "bool":
        return concrete(node.value);
      case "number":
        return this.idealConstant(node);
      case "string":
        return concrete(node.text);
    }
  }

  /** evalArg for a string parameter (printf's format, base64decode's input). */
  private stringArgument(dot: Value, node: Operand): Value {
    if (node.type === "number" || node.type === "bool") {
      this.at(node.pos, operandString(node));
      this.error(`expected string; found ${operandString(node)}`);
    }
    if (node.type === "nil") {
      this.at(node.pos, operandString(node));
      this.error("cannot assign nil to string");
    }
    return this.validateString(this.argument(dot, node));
  }

  private validateString(value: Value): Value {
    if (value.value === invalid) this.error("invalid value; expected string");
    if (typeof value.value === "string") return concrete(value.value);
    this.error(
      `wrong type for value; expected string; got ${value.boxed && value.value === null ? "interface {}" : goTypeName(value.value)}`,
    );
  }

  private call(
    dot: Value,
    identifier: Extract<Operand, { type: "identifier" }>,
    command: Command | Operand,
    args: Operand[],
    final: Value | typeof missing,
  ): Value {
    this.at(identifier.pos, identifier.name);
    const name = identifier.name;
    const signature = signatures[name] as { fixed: number; variadic: boolean; stringParams?: number[] };
    const given = args.slice(1);
    const count = given.length + (final === missing ? 0 : 1);
    if (signature.variadic) {
      if (count < signature.fixed)
        this.error(`wrong number of args for ${name}: want at least ${signature.fixed} got ${given.length}`);
    } else if (count !== signature.fixed)
      this.error(`wrong number of args for ${name}: want ${signature.fixed} got ${count}`);
    if (name === "call") this.error("error calling call: call of nil");
    const isString = (position: number) => signature.stringParams?.includes(position) ?? false;
    if (name === "and" || name === "or") {
      let value: Value = invalidValue;
      for (const arg of given) {
        value = this.argument(dot, arg);
        if (truth(value) === (name === "or")) return value;
      }
      if (final !== missing) value = final;
      return value;
    }
    const values = given.map((arg, position) =>
      isString(position) ? this.stringArgument(dot, arg) : this.argument(dot, arg),
    );
    if (final !== missing) {
      this.at(identifier.pos, identifier.name);
      values.push(isString(values.length) ? this.validateString(final) : final);
    }
    try {
      return (builtins[name] as Builtin)(this, values);
    } catch (error) {
      if (!(error instanceof CallError)) throw error;
      const context = "args" in command ? commandString(command) : operandString(command);
      this.at(command.pos, context);
      return this.error(`error calling ${name}: ${error.message}`);
    }
  }
}

/** An execution failure; `output` is what the template wrote before it (kubectl prints it). */
export class GoTemplateExecError extends GoTemplateError {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** A parsed go-template; `execute` renders an object. Errors throw GoTemplateError with text/template's wording. */
export class GoTemplate {
  private readonly nodes: TemplateNode[];
  private readonly definitions: Map<string, TemplateNode[]>;

  constructor(readonly source: string) {
    const parser = new Parser(lex(source));
    this.nodes = parser.parse();
    this.definitions = parser.definitions;
  }

  execute(object: unknown): string {
    const root = concrete(fromJson(object));
    const state = new State(this.source, root, this.definitions);
    try {
      state.walk(root, this.nodes);
    } catch (error) {
      if (error instanceof ExecError) throw new GoTemplateExecError(error.message, state.out);
      throw error;
    }
    return state.out;
  }
}

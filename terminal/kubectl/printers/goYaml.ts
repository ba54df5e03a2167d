/**
 * A YAML emitter that writes JSON-shaped values exactly as kubectl does: kubectl marshals through
 * sigs.k8s.io/yaml, which sorts map keys and hands them to go-yaml v2's emitter. The quoting
 * rules (resolve + analyze_scalar + select_scalar_style), the indentless sequences inside
 * mappings, literal blocks for multi-line strings and the folding of long scalars at column 80
 * all follow go-yaml v2's emitterc.go, so `-o yaml` matches byte for byte.
 */

const bestIndent = 2;
const bestWidth = 80;

type ScalarStyle = "plain" | "single" | "double" | "literal";

const nullWords = new Set(["", "~", "null", "Null", "NULL"]);
const boolWords = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "on",
  "On",
  "ON",
  "true",
  "True",
  "TRUE",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "off",
  "Off",
  "OFF",
  "false",
  "False",
  "FALSE",
]);
const floatWords = new Set([
  ".nan",
  ".NaN",
  ".NAN",
  ".inf",
  ".Inf",
  ".INF",
  "+.inf",
  "+.Inf",
  "+.INF",
  "-.inf",
  "-.Inf",
  "-.INF",
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const timestampPattern =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[+-][0-9]{2}:[0-9]{2}))|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?))?$/;

/** Go's strconv.ParseInt(s, 0, 64) (and ParseUint) acceptance, without range checks beyond syntax. */
function parsesAsGoInt(text: string): boolean {
  let body = text;
  if (body.startsWith("+") || body.startsWith("-")) body = body.slice(1);
  if (body === "") return false;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) return true;
  if (/^0[bB][01]+$/.test(body)) return true;
  if (/^0[oO][0-7]+$/.test(body)) return true;
  if (/^0[0-7]*$/.test(body)) return true;
  return /^[1-9][0-9]*$/.test(body);
}

/** True when go-yaml v2 would resolve this plain text to something other than a string. */
function resolvesToNonString(text: string): boolean {
  if (nullWords.has(text) || boolWords.has(text) || floatWords.has(text) || text === "<<") return true;
  const hint = text.charAt(0);
  if (hint === "+" || hint === "-" || hint === "." || (hint >= "0" && hint <= "9")) {
    const plain = text.replaceAll("_", "");
    if (parsesAsGoInt(plain)) return true;
    if (yamlStyleFloat.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
    if (hint >= "0" && hint <= "9" && timestampPattern.test(text)) return true;
  }
  return false;
}

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function isPrintable(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

const isBreakChar = (ch: string | undefined): boolean =>
  ch === "\n" || ch === "\r" || ch === "\u0085" || ch === "\u2028" || ch === "\u2029";
const isBlankOrEnd = (ch: string | undefined): boolean =>
  ch === undefined || ch === " " || ch === "\t" || isBreakChar(ch);

function analyzeScalar(value: string): ScalarAnalysis {
  const chars = Array.from(value);
  if (chars.length === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith("---") || value.startsWith("...")) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = isBlankOrEnd(chars[1]);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === "?" || ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (",?[]{}".includes(ch)) {
      flowIndicators = true;
    } else if (ch === ":") {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === "#" && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    const code = ch.codePointAt(0) ?? 0;
    if (!isPrintable(code)) specialCharacters = true;
    if (isBreakChar(ch)) lineBreaks = true;
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakChar(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(ch);
    followedByWhitespace = isBlankOrEnd(chars[i + 2]);
  }
  const analysis: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    analysis.flowPlainAllowed = false;
    analysis.blockPlainAllowed = false;
  }
  if (trailingSpace) analysis.blockAllowed = false;
  if (breakSpace) {
    analysis.flowPlainAllowed = false;
    analysis.blockPlainAllowed = false;
    analysis.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    analysis.flowPlainAllowed = false;
    analysis.blockPlainAllowed = false;
    analysis.singleQuotedAllowed = false;
    analysis.blockAllowed = false;
  }
  if (lineBreaks) {
    analysis.flowPlainAllowed = false;
    analysis.blockPlainAllowed = false;
  }
  if (flowIndicators) analysis.flowPlainAllowed = false;
  if (blockIndicators) analysis.blockPlainAllowed = false;
  return analysis;
}

function chooseStyle(value: string, simpleKey: boolean): ScalarStyle {
  const canUsePlain = !resolvesToNonString(value) && !base60Float.test(value);
  let style: ScalarStyle;
  if (value.includes("\n")) style = "literal";
  else if (canUsePlain) style = "plain";
  else style = "double";
  const analysis = analyzeScalar(value);
  if (style === "literal" && (!analysis.blockAllowed || simpleKey)) style = "double";
  if (style === "plain") {
    if (!analysis.blockPlainAllowed) style = "single";
    if (value.length === 0 && simpleKey) style = "single";
  }
  if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
  return style;
}

/** Emitter state mirroring go-yaml's column tracking, which decides where long scalars fold. */
class Writer {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;

  put(text: string): void {
    this.out += text;
    this.column += Array.from(text).length;
  }

  newline(): void {
    this.out += "\n";
    this.column = 0;
  }

  writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.newline();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

function escapeDoubleQuoted(ch: string): string | undefined {
  const code = ch.codePointAt(0) ?? 0;
  switch (ch) {
    case "\0":
      return "\\0";
    case "\x07":
      return "\\a";
    case "\b":
      return "\\b";
    case "\t":
      return "\\t";
    case "\n":
      return "\\n";
    case "\x0b":
      return "\\v";
    case "\f":
      return "\\f";
    case "\r":
      return "\\r";
    case "\x1b":
      return "\\e";
    case '"':
      return '\\"';
    case "\\":
      return "\\\\";
    case "\u0085":
      return "\\N";
    case "\u00a0":
      return "\\_";
    case "\u2028":
      return "\\L";
    case "\u2029":
      return "\\P";
  }
  if (!isPrintable(code) || code === 0xfeff) {
    if (code <= 0xff) return `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    if (code <= 0xffff) return `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    return `\\U${code.toString(16).toUpperCase().padStart(8, "0")}`;
  }
  return undefined;
}

function writeScalar(writer: Writer, value: string, indent: number, simpleKey: boolean): void {
  const style = chooseStyle(value, simpleKey);
  const allowBreaks = !simpleKey;
  const chars = Array.from(value);
  if (style === "plain") {
    if (chars.length === 0) return;
    if (!writer.whitespace) writer.put(" ");
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      if (ch === " ") {
        if (allowBreaks && !spaces && writer.column > bestWidth && chars[i + 1] !== " ") {
          writer.writeIndent(indent);
        } else {
          writer.put(ch);
        }
        spaces = true;
      } else {
        writer.put(ch);
        writer.indention = false;
        spaces = false;
      }
    }
    writer.whitespace = false;
    writer.indention = false;
    return;
  }
  if (style === "single") {
    writer.indicator("'", true, false, false);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      if (ch === " ") {
        if (
          allowBreaks &&
          !spaces &&
          writer.column > bestWidth &&
          i !== 0 &&
          i !== chars.length - 1 &&
          chars[i + 1] !== " "
        ) {
          writer.writeIndent(indent);
        } else {
          writer.put(ch);
        }
        spaces = true;
      } else {
        writer.put(ch === "'" ? "''" : ch);
        writer.indention = false;
        spaces = false;
      }
    }
    writer.indicator("'", false, false, false);
    return;
  }
  if (style === "double") {
    writer.indicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      const escaped = escapeDoubleQuoted(ch);
      if (escaped !== undefined) {
        writer.put(escaped);
        spaces = false;
      } else if (ch === " ") {
        if (allowBreaks && !spaces && writer.column > bestWidth && i !== 0 && i !== chars.length - 1) {
          writer.writeIndent(indent);
          if (chars[i + 1] === " ") writer.put("\\");
        } else {
          writer.put(ch);
        }
        spaces = true;
      } else {
        writer.put(ch);
        spaces = false;
      }
    }
    writer.indicator('"', false, false, false);
    return;
  }
  // Literal block scalar with go-yaml's indentation and chomping hints.
  let hints = "";
  if (chars[0] === " " || isBreakChar(chars[0])) hints += String(bestIndent);
  const last = chars[chars.length - 1];
  if (!isBreakChar(last)) hints += "-";
  else if (chars.length === 1 || isBreakChar(chars[chars.length - 2])) hints += "+";
  writer.indicator(`|${hints}`, true, false, false);
  writer.newline();
  writer.indention = true;
  writer.whitespace = true;
  let breaks = true;
  for (const ch of chars) {
    if (isBreakChar(ch)) {
      writer.newline();
      writer.indention = true;
      breaks = true;
    } else {
      if (breaks) writer.writeIndent(indent);
      writer.put(ch);
      writer.indention = false;
      breaks = false;
    }
  }
}

/** Formats a Go float64 the way go-yaml does (strconv 'g' with the shortest representation). */
function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  if (Number.isNaN(value)) return ".nan";
  if (!Number.isFinite(value)) return value > 0 ? "+.inf" : "-.inf";
  const text = String(value);
  const exp = /^(-?[0-9.]+)e([+-])([0-9]+)$/.exec(text);
  if (exp) return `${exp[1]}e${exp[2]}${(exp[3] as string).padStart(2, "0")}`;
  return text;
}

function isEmptyContainer(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

function writeNode(writer: Writer, value: unknown, indent: number, inMappingValue: boolean): void {
  if (value === null || value === undefined) {
    writer.indicator("null", true, false, false);
    return;
  }
  if (typeof value === "boolean") {
    writer.indicator(value ? "true" : "false", true, false, false);
    return;
  }
  if (typeof value === "number") {
    writer.indicator(formatNumber(value), true, false, false);
    return;
  }
  if (typeof value === "bigint") {
    writer.indicator(value.toString(), true, false, false);
    return;
  }
  if (typeof value === "string") {
    writeScalar(writer, value, indent + bestIndent, false);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      writer.indicator("[]", true, false, false);
      return;
    }
    // Sequences directly under a mapping key are indentless, as go-yaml writes them.
    const sequenceIndent = inMappingValue ? indent : indent + bestIndent;
    for (const item of value) {
      writer.writeIndent(sequenceIndent);
      writer.indicator("-", true, false, true);
      writeNode(writer, item, sequenceIndent, false);
    }
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    writer.indicator("{}", true, false, false);
    return;
  }
  const mappingIndent = indent < 0 ? 0 : indent + bestIndent;
  for (const [key, entry] of entries) {
    writer.writeIndent(mappingIndent);
    writeScalar(writer, key, mappingIndent, true);
    writer.indicator(":", false, false, false);
    if (typeof entry === "object" && entry !== null && !isEmptyContainer(entry)) {
      writeNode(writer, entry, mappingIndent, true);
    } else {
      writeNode(writer, entry, mappingIndent, true);
    }
  }
}

/**
 * Serializes a JSON-shaped value as kubectl's `-o yaml` does (sorted keys, go-yaml v2 style).
 * The result always ends with a newline.
 */
export function toGoYaml(value: unknown): string {
  const writer = new Writer();
  if (typeof value !== "object" || value === null) {
    writeNode(writer, value, -bestIndent, false);
  } else if (Array.isArray(value)) {
    writeNode(writer, value, -bestIndent, false);
  } else {
    writeNode(writer, value, -bestIndent, false);
  }
  // The document ends with a line break unless a block scalar already left the cursor at column 0.
  return writer.column === 0 && writer.out.endsWith("\n") ? writer.out : `${writer.out}\n`;
}

/**
 * Go's fmt package for the values kubectl's go-template sees (a JSON object decoded into Go's
 * `interface{}`: strings, int64s, float64s, bools, nil, `map[string]interface {}`,
 * `[]interface {}`), for `printf`, `print`, `println` and printing an action's value: verbs, flags,
 * width and precision, `%!verb(type=value)` for a verb that does not fit, `%!d(MISSING)` and
 * `%!(EXTRA …)`. Numbers from the object are int64 when integral (apimachinery's JSON decoder
 * converts them), float64 otherwise; template literals are int or float64.
 */

/** A Go number with its type: a JSON number of the object, a template literal, or a result of `len`. */
export class GoNumber {
  constructor(
    readonly type: "int" | "int64" | "uint8" | "float64",
    readonly value: number,
  ) {}

  get isInteger(): boolean {
    return this.type !== "float64";
  }
}

/** A Go value as fmt sees it; JS numbers inside maps and slices are int64 when integral, else float64. */
export type GoValue = string | boolean | GoNumber | null | unknown[] | { [key: string]: unknown };

/** The Go value of a decoded JSON value: integral numbers are int64, others float64. */
export function fromJson(value: unknown): GoValue {
  if (typeof value === "number") return new GoNumber(Number.isInteger(value) ? "int64" : "float64", value);
  if (value === undefined) return null;
  return value as GoValue;
}

/** Go's type name (`%T`, `%!verb(type=…)`). */
export function goTypeName(value: unknown): string {
  const go = fromJson(value);
  if (go === null) return "<nil>";
  if (typeof go === "string") return "string";
  if (typeof go === "boolean") return "bool";
  if (go instanceof GoNumber) return go.type;
  if (Array.isArray(go)) return "[]interface {}";
  return "map[string]interface {}";
}

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

const noFlags = (): Flags => ({ plus: false, minus: false, sharp: false, space: false, zero: false });

function runeCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** fmt's padding: to the width with spaces (or zeros with the 0 flag), left-justified with `-`. */
function pad(text: string, flags: Flags): string {
  if (flags.width === undefined) return text;
  const missing = flags.width - runeCount(text);
  if (missing <= 0) return text;
  if (flags.minus) return text + " ".repeat(missing);
  return (flags.zero ? "0" : " ").repeat(missing) + text;
}

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return ch === " " || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

/** strconv.Quote (`asciiOnly`: QuoteToASCII). */
export function goQuote(text: string, asciiOnly = false, quote = '"'): string {
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") {
      out += `\\${ch}`;
      continue;
    }
    if (asciiOnly ? code < 0x80 && isPrint(ch) : isPrint(ch)) {
      out += ch;
      continue;
    }
    const escapes: Record<string, string> = {
      "\x07": "\\a",
      "\b": "\\b",
      "\f": "\\f",
      "\n": "\\n",
      "\r": "\\r",
      "\t": "\\t",
      "\v": "\\v",
    };
    const escaped = escapes[ch];
    if (escaped) out += escaped;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

/** strconv.CanBackquote. */
function canBackquote(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "`" || ch === "\uFEFF" || (code < 0x20 && ch !== "\t") || code === 0x7f) return false;
  }
  return true;
}

function formatString(text: string, verb: string, flags: Flags): string | undefined {
  switch (verb) {
    case "v":
    case "s": {
      let shown = text;
      if (flags.precision !== undefined) shown = Array.from(text).slice(0, flags.precision).join("");
      return pad(shown, flags);
    }
    case "q":
      if (flags.sharp && canBackquote(text)) return pad(`\`${text}\``, flags);
      return pad(goQuote(text, flags.plus), flags);
    case "x":
    case "X": {
      let bytes = Buffer.from(text, "utf8");
      if (flags.precision !== undefined) bytes = bytes.subarray(0, flags.precision);
      const digits = (byte: number) => {
        const hex = byte.toString(16).padStart(2, "0");
        return verb === "X" ? hex.toUpperCase() : hex;
      };
      const prefix = verb === "X" ? "0X" : "0x";
      let out = "";
      bytes.forEach((byte, index) => {
        if (flags.space && index > 0) out += " ";
        if (flags.sharp && (flags.space || index === 0)) out += prefix;
        out += digits(byte);
      });
      return pad(out, flags);
    }
  }
  return undefined;
}

/** fmt's integer formatting (fmtInteger) for %d %b %o %O %x %X %c %q %U. */
function formatInteger(value: number, verb: string, flags: Flags): string | undefined {
  const negative = value < 0;
  const magnitude = BigInt(Math.abs(value));
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "v":
    case "d":
      digits = magnitude.toString(10);
      break;
    case "b":
      digits = magnitude.toString(2);
      if (flags.sharp) prefix = "0b";
      break;
    case "o":
    case "O":
      digits = magnitude.toString(8);
      if (verb === "O") prefix = "0o";
      else if (flags.sharp && digits !== "0") prefix = "0";
      break;
    case "x":
      digits = magnitude.toString(16);
      if (flags.sharp) prefix = "0x";
      break;
    case "X":
      digits = magnitude.toString(16).toUpperCase();
      if (flags.sharp) prefix = "0X";
      break;
    case "c":
      return pad(String.fromCodePoint(value >= 0 && value <= 0x10ffff ? value : 0xfffd), flags);
    case "q": {
      const ch = String.fromCodePoint(value >= 0 && value <= 0x10ffff ? value : 0xfffd);
      if (flags.sharp && canBackquote(ch) && ch !== "'") return pad(`\`${ch}\``, flags);
      return pad(goQuote(ch, flags.plus, "'").replace(/^'\\"'$/, `'"'`), flags);
    }
    case "U": {
      let out = `U+${magnitude.toString(16).toUpperCase().padStart(4, "0")}`;
      if (flags.sharp && value >= 0 && value <= 0x10ffff && isPrint(String.fromCodePoint(value)))
        out += ` '${String.fromCodePoint(value)}'`;
      return pad(out, flags);
    }
    default:
      return undefined;
  }
  if (flags.precision !== undefined) {
    if (flags.precision === 0 && value === 0) digits = "";
    else digits = digits.padStart(flags.precision, "0");
  }
  const sign = negative ? "-" : flags.plus ? "+" : flags.space ? " " : "";
  if (flags.zero && !flags.minus && flags.precision === undefined && flags.width !== undefined) {
    const width = flags.width - sign.length - prefix.length;
    digits = digits.padStart(width, "0");
  }
  return pad(sign + prefix + digits, { ...flags, zero: false });
}

/** The shortest decimal digits of |value| and its decimal point position (strconv's decimal). */
function shortestDigits(value: number): { digits: string; point: number } {
  const [mantissa, exponent] = Math.abs(value).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
  return { digits, point: Number(exponent) + 1 };
}

/** Digits of |value| rounded to `count` significant digits, trailing zeros dropped. */
function roundedDigits(value: number, count: number): { digits: string; point: number } {
  const [mantissa, exponent] = Math.abs(value)
    .toExponential(Math.min(Math.max(count - 1, 0), 100))
    .split("e") as [string, string];
  const digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
  return { digits, point: Number(exponent) + 1 };
}

/** strconv's %e from digits: d.ddde±XX with `precision` digits after the point. */
function exponentForm(digits: string, point: number, precision: number, upper: boolean, isZero: boolean): string {
  let out = digits[0] ?? "0";
  if (precision > 0) out += `.${digits.slice(1, precision + 1).padEnd(precision, "0")}`;
  const exponent = isZero ? 0 : point - 1;
  const magnitude = String(Math.abs(exponent)).padStart(2, "0");
  return `${out}${upper ? "E" : "e"}${exponent < 0 ? "-" : "+"}${magnitude}`;
}

/** strconv's %f from digits with `precision` digits after the point. */
function fixedForm(digits: string, point: number, precision: number): string {
  let integer: string;
  if (point <= 0) integer = "0";
  else integer = digits.slice(0, point).padEnd(point, "0");
  if (precision <= 0) return integer;
  let fraction = "";
  for (let index = 0; index < precision; index++) {
    const position = point + index;
    fraction += position >= 0 && position < digits.length ? digits[position] : "0";
  }
  return `${integer}.${fraction}`;
}

/** strconv.FormatFloat(value, verb, precision, 64) for e, E, f, F, g, G (precision -1: shortest). */
export function formatFloatDigits(value: number, verb: string, precision: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? "-" : "";
  const isZero = value === 0;
  const shortest = precision < 0;
  switch (verb) {
    case "e":
    case "E": {
      if (shortest) {
        const { digits, point } = shortestDigits(value);
        return sign + exponentForm(digits, point, digits.length - 1, verb === "E", isZero);
      }
      const [mantissa, exponent] = Math.abs(value).toExponential(Math.min(precision, 100)).split("e") as [
        string,
        string,
      ];
      return sign + exponentForm(mantissa.replace(".", ""), Number(exponent) + 1, precision, verb === "E", isZero);
    }
    case "f":
    case "F": {
      if (shortest) {
        const { digits, point } = shortestDigits(value);
        return sign + fixedForm(digits, point, Math.max(digits.length - point, 0));
      }
      const fixed = Math.abs(value).toFixed(Math.min(precision, 100));
      if (!/e/.test(fixed)) return sign + fixed;
      const { digits, point } = shortestDigits(value);
      return sign + fixedForm(digits, point, precision);
    }
    default: {
      // g, G
      let prec = precision;
      let { digits, point } = shortest ? shortestDigits(value) : roundedDigits(value, prec === 0 ? 1 : prec);
      if (isZero) {
        digits = "0";
        point = 1;
      }
      if (shortest) prec = digits.length;
      else if (prec === 0) prec = 1;
      let eprec = prec;
      if (eprec > digits.length && digits.length >= point) eprec = digits.length;
      if (shortest) eprec = 6;
      const exponent = point - 1;
      if (exponent < -4 || exponent >= eprec) {
        if (prec > digits.length) prec = digits.length;
        return sign + exponentForm(digits, point, prec - 1, verb === "G", isZero);
      }
      if (prec > point) prec = digits.length;
      return sign + fixedForm(digits, point, Math.max(prec - point, 0));
    }
  }
}

/** strconv's %x for a float64: -0x1.cp+01, shortest hexadecimal mantissa. */
function hexFloat(value: number, upper: boolean): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  let exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let out: string;
  if (exponent === 0 && mantissa === 0n) out = "0x0p+00";
  else {
    if (exponent === 0) {
      // Subnormal: normalise so the leading digit is 1.
      exponent = 1;
      while ((mantissa & (1n << 52n)) === 0n) {
        mantissa <<= 1n;
        exponent--;
      }
      mantissa &= (1n << 52n) - 1n;
    }
    const fraction = mantissa.toString(16).padStart(13, "0").replace(/0+$/, "");
    const power = exponent - 1023;
    out = `0x1${fraction ? `.${fraction}` : ""}p${power < 0 ? "-" : "+"}${String(Math.abs(power)).padStart(2, "0")}`;
  }
  if (upper) out = out.toUpperCase();
  return (negative ? "-" : "") + out;
}

/** fmt's float formatting (fmtFloat) for %v %e %E %f %F %g %G %x %X. */
function formatFloat(value: number, verb: string, flags: Flags): string | undefined {
  let body: string;
  switch (verb) {
    case "v":
      body = formatFloatDigits(value, "g", flags.precision ?? -1);
      break;
    case "e":
    case "E":
    case "f":
    case "F":
      body = formatFloatDigits(value, verb, flags.precision ?? 6);
      break;
    case "g":
    case "G":
      body = formatFloatDigits(value, verb, flags.precision ?? -1);
      break;
    case "x":
    case "X":
      body = Number.isFinite(value) ? hexFloat(value, verb === "X") : formatFloatDigits(value, "g", -1);
      break;
    default:
      return undefined;
  }
  if (flags.sharp && !/[.eE]|Inf|NaN/.test(body)) body += ".";
  let sign = "";
  if (body.startsWith("-") || body.startsWith("+")) {
    sign = body[0] as string;
    body = body.slice(1);
  }
  if (sign === "+" && !flags.plus) sign = "";
  else if (sign === "" && flags.plus) sign = "+";
  else if (sign === "" && flags.space) sign = " ";
  if (body === "Inf" && sign === "") sign = flags.space ? " " : "+";
  if (flags.zero && !flags.minus && flags.width !== undefined && Number.isFinite(value)) {
    body = body.padStart(flags.width - sign.length, "0");
  }
  return pad(sign + body, { ...flags, zero: false });
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

/** p.printValue/printArg: formats one operand for a verb; nested nil values print `<nil>`. */
function formatOperand(raw: unknown, verb: string, flags: Flags, depth: number): string {
  const value = fromJson(raw);
  if (verb === "T") return pad(goTypeName(value), flags);
  if (verb === "v" && flags.sharp) return pad(goSyntax(value, depth), flags);
  if (value === null) {
    if (depth > 0 || verb === "v") return pad("<nil>", flags);
    return badVerb(value, verb, flags);
  }
  if (typeof value === "boolean") {
    if (verb === "v" || verb === "t") return pad(value ? "true" : "false", flags);
    return badVerb(value, verb, flags);
  }
  if (isString(value)) return formatString(value, verb, flags) ?? badVerb(value, verb, flags);
  if (value instanceof GoNumber) {
    const out = value.isInteger ? formatInteger(value.value, verb, flags) : formatFloat(value.value, verb, flags);
    return out ?? badVerb(value, verb, flags);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => formatOperand(item, verb, flags, depth + 1)).join(" ")}]`;
  }
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${keys
    .map((key) => `${formatOperand(key, verb, flags, depth + 1)}:${formatOperand(value[key], verb, flags, depth + 1)}`)
    .join(" ")}]`;
}

/** %#v: the value in Go syntax. */
function goSyntax(value: GoValue, depth: number): string {
  if (value === null) return depth > 0 ? "interface {}(nil)" : "<nil>";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof GoNumber) return value.isInteger ? String(value.value) : formatFloatDigits(value.value, "g", -1);
  if (Array.isArray(value))
    return `[]interface {}{${value.map((item) => goSyntax(fromJson(item), depth + 1)).join(", ")}}`;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]interface {}{${keys.map((key) => `${goQuote(key)}:${goSyntax(fromJson(value[key]), depth + 1)}`).join(", ")}}`;
}

function badVerb(value: GoValue, verb: string, flags: Flags): string {
  if (value === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatOperand(value, "v", flags, 0)})`;
}

/** One value formatted with a verb and no flags (`fmt.Sprintf("%s", value)`). */
export function goFormat(value: unknown, verb: string): string {
  return formatOperand(value, verb, noFlags(), 0);
}

/** fmt.Sprint of one value (what a template action prints). */
export function goPrint(value: unknown): string {
  return formatOperand(value, "v", noFlags(), 0);
}

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function goSprint(args: unknown[]): string {
  let out = "";
  args.forEach((arg, index) => {
    if (index > 0 && !isString(arg) && !isString(args[index - 1])) out += " ";
    out += goPrint(arg);
  });
  return out;
}

/** fmt.Sprintln: operands with spaces between them and a newline. */
export function goSprintln(args: unknown[]): string {
  return `${args.map(goPrint).join(" ")}\n`;
}

/** fmt.Sprintf. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = "";
  let argIndex = 0;
  let reordered = false;
  let index = 0;
  const length = format.length;
  const intArgument = (): number | undefined => {
    const arg = fromJson(args[argIndex]);
    if (argIndex >= args.length) return undefined;
    argIndex++;
    if (arg instanceof GoNumber && arg.isInteger) return arg.value;
    return undefined;
  };
  /** `[n]` argument index; returns whether it was valid. */
  const argumentIndex = (): boolean => {
    if (format[index] !== "[") return true;
    reordered = true;
    const close = format.indexOf("]", index);
    const number = close < 0 ? Number.NaN : Number(format.slice(index + 1, close));
    if (close < 0 || !Number.isInteger(number) || number < 1 || number > args.length) {
      index = close < 0 ? length : close + 1;
      return false;
    }
    argIndex = number - 1;
    index = close + 1;
    return true;
  };
  while (index < length) {
    const percent = format.indexOf("%", index);
    if (percent < 0) {
      out += format.slice(index);
      break;
    }
    out += format.slice(index, percent);
    index = percent + 1;
    const flags = noFlags();
    for (; index < length; index++) {
      const ch = format[index];
      if (ch === "+") flags.plus = true;
      else if (ch === "-") {
        flags.minus = true;
        flags.zero = false;
      } else if (ch === "#") flags.sharp = true;
      else if (ch === " ") flags.space = true;
      else if (ch === "0") flags.zero = !flags.minus;
      else break;
    }
    let goodIndex = argumentIndex();
    if (format[index] === "*") {
      index++;
      const width = intArgument();
      if (width === undefined) out += "%!(BADWIDTH)";
      else if (width < 0) {
        flags.minus = true;
        flags.zero = false;
        flags.width = -width;
      } else flags.width = width;
    } else {
      const match = /^\d+/.exec(format.slice(index));
      if (match) {
        flags.width = Number(match[0]);
        index += match[0].length;
      }
    }
    if (format[index] === ".") {
      index++;
      goodIndex = argumentIndex() && goodIndex;
      if (format[index] === "*") {
        index++;
        const precision = intArgument();
        if (precision === undefined || precision < 0) out += "%!(BADPREC)";
        else flags.precision = precision;
      } else {
        const match = /^\d+/.exec(format.slice(index));
        flags.precision = match ? Number(match[0]) : 0;
        if (match) index += match[0].length;
      }
    }
    goodIndex = argumentIndex() && goodIndex;
    if (index >= length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(index) ?? 0);
    index += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argIndex++];
    if (verb === "w") {
      out += badVerb(fromJson(arg), verb, flags);
      continue;
    }
    out += formatOperand(arg, verb, flags, 0);
  }
  if (!reordered && argIndex < args.length) {
    out += `%!(EXTRA ${args
      .slice(argIndex)
      .map((arg) => (fromJson(arg) === null ? "<nil>" : `${goTypeName(arg)}=${goPrint(arg)}`))
      .join(", ")})`;
  }
  return out;
}

/** strconv.ErrSyntax, for callers to word as their Go counterparts do. */
export class GoUnquoteError extends Error {
  constructor() {
    super("invalid syntax");
  }
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/**
 * The body of a quoted Go string (without its quotes) decoded as strconv.UnquoteChar decodes it,
 * one character after another: \a \b \f \n \r \t \v \\, \xHH, \uHHHH, \UHHHHHHHH, \ooo octal, and
 * an escaped quote only for the string's own quote character. An unescaped quote character or any
 * other escape is strconv.ErrSyntax (GoUnquoteError). Shared by text/template's string literals
 * (strconv.Unquote) and jsonpath's (client-go's UnquoteExtend, which also takes single quotes).
 */
export function unquoteBody(body: string, quote: string): string {
  let out = "";
  for (let index = 0; index < body.length; index++) {
    const ch = body[index] as string;
    if (ch === quote && (quote === '"' || quote === "'")) throw new GoUnquoteError();
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[++index];
    if (next === undefined) throw new GoUnquoteError();
    if (next in simpleEscapes) {
      out += simpleEscapes[next];
      continue;
    }
    if (next === "'" || next === '"') {
      if (next !== quote) throw new GoUnquoteError();
      out += next;
      continue;
    }
    const hex = (count: number) => {
      const digits = body.slice(index + 1, index + 1 + count);
      if (!new RegExp(`^[0-9a-fA-F]{${count}}$`).test(digits)) throw new GoUnquoteError();
      index += count;
      return Number.parseInt(digits, 16);
    };
    if (next === "x") out += String.fromCharCode(hex(2));
    else if (next === "u") out += String.fromCodePoint(hex(4));
    else if (next === "U") out += String.fromCodePoint(hex(8));
    else if (/[0-7]/.test(next)) {
      const digits = body.slice(index, index + 3);
      if (!/^[0-7]{3}$/.test(digits)) throw new GoUnquoteError();
      index += 2;
      out += String.fromCharCode(Number.parseInt(digits, 8));
    } else throw new GoUnquoteError();
  }
  return out;
}

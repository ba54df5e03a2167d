/**
 * A JSON parser that reports what upstream's decoders report: syntax errors worded as Go's
 * `encoding/json` words them (`invalid character 'x' looking for beginning of value`,
 * `unexpected end of JSON input`), and the paths of duplicate fields (`spec.replicas`) as
 * sigs.k8s.io/json's strict mode collects them, so that `fieldValidation=Strict` can reject them.
 */

/** A syntax error with Go's wording. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

export interface DecodedJson {
  value: unknown;
  /** Field paths that appeared more than once in one object, in order of appearance (`spec.replicas`). */
  duplicates: string[];
}

/** Parses `text` as one JSON value; throws {@link JsonSyntaxError}. */
export function decodeJson(text: string): DecodedJson {
  const parser = new Parser(text);
  parser.skipSpace();
  if (parser.position >= text.length) throw new JsonSyntaxError("unexpected end of JSON input", parser.position);
  const value = parser.parseValue("");
  parser.skipSpace();
  if (parser.position < text.length) {
    throw new JsonSyntaxError(
      `invalid character ${quoteChar(text[parser.position])} after top-level value`,
      parser.position,
    );
  }
  return { value, duplicates: parser.duplicates };
}

/** Go's quoteChar: `'x'`, `'\''`, `'"'`, `'\n'`. */
export function quoteChar(char: string): string {
  if (char === "'") return `'\\''`;
  if (char === '"') return `'"'`;
  const quoted = JSON.stringify(char);
  return `'${quoted.slice(1, -1)}'`;
}

function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class Parser {
  position = 0;
  duplicates: string[] = [];

  constructor(private readonly text: string) {}

  skipSpace(): void {
    const text = this.text;
    let position = this.position;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === 32 || code === 10 || code === 13 || code === 9) position++;
      else break;
    }
    this.position = position;
  }

  private end(): never {
    throw new JsonSyntaxError("unexpected end of JSON input", this.position);
  }

  private invalid(context: string): never {
    throw new JsonSyntaxError(`invalid character ${quoteChar(this.text[this.position])} ${context}`, this.position);
  }

  parseValue(path: string): unknown {
    this.skipSpace();
    if (this.position >= this.text.length) this.end();
    const char = this.text[this.position];
    switch (char) {
      case "{":
        return this.parseObject(path);
      case "[":
        return this.parseArray(path);
      case '"':
        return this.parseString();
      case "t":
        return this.parseLiteral("true", true);
      case "f":
        return this.parseLiteral("false", false);
      case "n":
        return this.parseLiteral("null", null);
      default:
        if (char === "-" || (char >= "0" && char <= "9")) return this.parseNumber();
        this.invalid("looking for beginning of value");
    }
  }

  private parseObject(path: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    let seen: Set<string> | undefined;
    this.position++; // {
    this.skipSpace();
    if (this.position >= this.text.length) this.end();
    if (this.text[this.position] === "}") {
      this.position++;
      return result;
    }
    for (;;) {
      this.skipSpace();
      if (this.position >= this.text.length) this.end();
      if (this.text[this.position] !== '"') this.invalid("looking for beginning of object key string");
      const key = this.parseString();
      this.skipSpace();
      if (this.position >= this.text.length) this.end();
      if (this.text[this.position] !== ":") this.invalid("after object key");
      this.position++;
      const fieldPath = joinPath(path, key);
      const value = this.parseValue(fieldPath);
      seen ??= new Set();
      if (seen.has(key)) this.duplicates.push(fieldPath);
      else seen.add(key);
      if (key === "__proto__")
        Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.skipSpace();
      if (this.position >= this.text.length) this.end();
      const next = this.text[this.position];
      if (next === ",") {
        this.position++;
        continue;
      }
      if (next === "}") {
        this.position++;
        return result;
      }
      this.invalid("after object key:value pair");
    }
  }

  private parseArray(path: string): unknown[] {
    const result: unknown[] = [];
    this.position++; // [
    this.skipSpace();
    if (this.position >= this.text.length) this.end();
    if (this.text[this.position] === "]") {
      this.position++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(`${path}[${result.length}]`));
      this.skipSpace();
      if (this.position >= this.text.length) this.end();
      const next = this.text[this.position];
      if (next === ",") {
        this.position++;
        continue;
      }
      if (next === "]") {
        this.position++;
        return result;
      }
      this.invalid("after array element");
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = ++this.position; // opening quote
    // Fast path: no escapes.
    let position = start;
    while (position < text.length) {
      const code = text.charCodeAt(position);
      if (code === 34) {
        this.position = position + 1;
        return text.slice(start, position);
      }
      if (code === 92 || code < 32) break;
      position++;
    }
    let result = text.slice(start, position);
    this.position = position;
    while (this.position < text.length) {
      const char = text[this.position];
      const code = char.charCodeAt(0);
      if (char === '"') {
        this.position++;
        return result;
      }
      if (code < 32) this.invalid("in string literal");
      if (char === "\\") {
        this.position++;
        if (this.position >= text.length) this.end();
        const escaped = text[this.position];
        switch (escaped) {
          case '"':
          case "\\":
          case "/":
            result += escaped;
            break;
          case "b":
            result += "\b";
            break;
          case "f":
            result += "\f";
            break;
          case "n":
            result += "\n";
            break;
          case "r":
            result += "\r";
            break;
          case "t":
            result += "\t";
            break;
          case "u": {
            let hex = "";
            for (let index = 0; index < 4; index++) {
              this.position++;
              if (this.position >= text.length) this.end();
              const digit = text[this.position];
              if (!/[0-9a-fA-F]/.test(digit)) this.invalid("in \\u hexadecimal character escape");
              hex += digit;
            }
            result += String.fromCharCode(Number.parseInt(hex, 16));
            break;
          }
          default:
            this.invalid("in string escape code");
        }
        this.position++;
        continue;
      }
      result += char;
      this.position++;
    }
    this.end();
  }

  private parseLiteral(word: string, literal: unknown): unknown {
    for (let index = 0; index < word.length; index++) {
      if (this.position >= this.text.length) this.end();
      if (this.text[this.position] !== word[index]) {
        this.invalid(`in literal ${word} (expecting ${quoteChar(word[index])})`);
      }
      this.position++;
    }
    return literal;
  }

  private parseNumber(): number {
    const text = this.text;
    const start = this.position;
    const isDigit = (char: string | undefined) => char !== undefined && char >= "0" && char <= "9";
    if (text[this.position] === "-") {
      this.position++;
      if (this.position >= text.length) this.end();
      if (!isDigit(text[this.position])) this.invalid("in numeric literal");
    }
    if (text[this.position] === "0") this.position++;
    else while (isDigit(text[this.position])) this.position++;
    if (text[this.position] === ".") {
      this.position++;
      if (this.position >= text.length) this.end();
      if (!isDigit(text[this.position])) this.invalid("after decimal point in numeric literal");
      while (isDigit(text[this.position])) this.position++;
    }
    if (text[this.position] === "e" || text[this.position] === "E") {
      this.position++;
      if (text[this.position] === "+" || text[this.position] === "-") this.position++;
      if (this.position >= text.length) this.end();
      if (!isDigit(text[this.position])) this.invalid("in exponent of numeric literal");
      while (isDigit(text[this.position])) this.position++;
    }
    return Number(text.slice(start, this.position));
  }
}

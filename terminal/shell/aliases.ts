const commandStarters = new Set([
  "",
  ";",
  "|",
  "&&",
  "||",
  "&",
  "(",
  "$(",
  "`",
  "\n",
  "then",
  "do",
  "else",
  "elif",
  "{",
  "!",
]);

/**
 * Expands aliases in command position (bash's rule: the first word of a simple command),
 * leaving quoted text alone. One level, and an alias is not expanded inside its own expansion.
 */
export function expandAliases(line: string, aliases: Map<string, string>): string {
  if (aliases.size === 0) return line;
  let out = "";
  let index = 0;
  let previousToken = "";
  while (index < line.length) {
    const ch = line[index] as string;
    if (ch === "'" || ch === '"') {
      const end = findQuoteEnd(line, index);
      out += line.slice(index, end);
      previousToken = "word";
      index = end;
      continue;
    }
    if (/\s/.test(ch) && ch !== "\n") {
      out += ch;
      index++;
      continue;
    }
    const operator = /^(\$\(|&&|\|\||[;|&()`\n{!])/.exec(line.slice(index));
    if (operator) {
      out += operator[0];
      previousToken = operator[0];
      index += operator[0].length;
      continue;
    }
    const word = /^[^\s;|&()`'"]+/.exec(line.slice(index));
    const text = word ? word[0] : ch;
    const inCommandPosition = commandStarters.has(previousToken) || previousToken === "";
    const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/.test(text);
    if (inCommandPosition && !assignment && aliases.has(text)) {
      out += aliases.get(text);
      previousToken = "word";
    } else {
      out += text;
      previousToken =
        inCommandPosition && assignment
          ? previousToken
          : ["then", "do", "else", "elif"].includes(text) && inCommandPosition
            ? text
            : "word";
    }
    index += text.length;
  }
  return out;
}

function findQuoteEnd(line: string, start: number): number {
  const quote = line[start];
  let index = start + 1;
  while (index < line.length) {
    if (line[index] === "\\" && quote === '"') index += 2;
    else if (line[index] === quote) return index + 1;
    else index++;
  }
  return line.length;
}

/** Parses `alias` arguments (`k=kubectl`, `ll='ls -l'` after shell quoting) into name/value pairs. */
export function parseAliasArguments(args: string[]): { name: string; value?: string }[] {
  return args.map((arg) => {
    const equals = arg.indexOf("=");
    if (equals < 0) return { name: arg };
    return { name: arg.slice(0, equals), value: arg.slice(equals + 1) };
  });
}

/** `alias` output line: `alias k='kubectl'`. */
export function formatAlias(name: string, value: string): string {
  return `alias ${name}='${value.replace(/'/g, "'\\''")}'`;
}

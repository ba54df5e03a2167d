/**
 * Vim's search patterns and `:s` as the shell's vi needs them: a 'magic' pattern turned into a
 * JavaScript RegExp, the `:[range]s/pattern/replacement/[flags]` command split into its parts, and
 * the replacement string's `&`, `\1`…`\9` and `\r` expanded.
 */

/**
 * A vim pattern ('magic', the default) as a RegExp source: `\(` `\)` `\|` `\+` `\?` `\=` `\{`
 * `\<` `\>` are vim's groups, alternation, repeats and word edges, while a bare `( ) | + ? { }` is a
 * literal character. `\v` (very magic) takes the rest as it is. `\c`/`\C` anywhere ask for case
 * (in)sensitivity. Throws when the result is no valid RegExp.
 */
export function vimRegExp(pattern: string, ignoreCase = false): RegExp {
  let source = "";
  let caseless = ignoreCase;
  let index = 0;
  let veryMagic = false;
  while (index < pattern.length) {
    const ch = pattern[index] as string;
    if (veryMagic) {
      source += ch;
      index++;
      continue;
    }
    if (ch === "\\") {
      const next = pattern[index + 1];
      index += 2;
      if (next === undefined) source += "\\\\";
      else if (next === "v") veryMagic = true;
      else if (next === "c") caseless = true;
      else if (next === "C") caseless = false;
      else if ("()|+?{".includes(next)) source += next;
      else if (next === "=") source += "?";
      else if (next === "}") source += "}";
      else if (next === "<" || next === ">") source += "\\b";
      else if (next === "/") source += "/";
      else if ("sSdDwWtnb.*[]^$~\\".includes(next)) source += `\\${next}`;
      else source += next.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      continue;
    }
    if (ch === "[") {
      // A bracket expression is the same in both; copy it through to its closing bracket.
      let end = index + 1;
      if (pattern[end] === "^") end++;
      if (pattern[end] === "]") end++;
      while (end < pattern.length && pattern[end] !== "]") end += pattern[end] === "\\" ? 2 : 1;
      if (end < pattern.length) {
        source += pattern.slice(index, end + 1);
        index = end + 1;
        continue;
      }
      source += "\\[";
      index++;
      continue;
    }
    if ("()|+?{}~/".includes(ch)) source += `\\${ch}`;
    else source += ch;
    index++;
  }
  return new RegExp(source, caseless ? "gi" : "g");
}

/** The parts of a `:s` command after its range. */
export interface Substitution {
  /** The pattern, empty for "the last search pattern". */
  pattern: string;
  replacement: string;
  flags: string;
}

/**
 * Splits `s/pattern/replacement/flags` (also `substitute`, another delimiter such as `#`, and the
 * trailing delimiter left out). Returns undefined when `command` is no substitution.
 */
export function parseSubstitution(command: string): Substitution | undefined {
  const match = /^s(?:u(?:b(?:s(?:t(?:i(?:t(?:u(?:t(?:e)?)?)?)?)?)?)?)?)?([^A-Za-z0-9\s\\"|])/.exec(command);
  if (!match) return undefined;
  const delimiter = match[1] as string;
  let index = match[0].length;
  const part = (): string => {
    let text = "";
    while (index < command.length && command[index] !== delimiter) {
      if (command[index] === "\\" && command[index + 1] === delimiter) {
        // `\/` in a pattern stays escaped (vimRegExp reads it as the character), in a
        // replacement it is the character.
        text += delimiter === "/" ? "\\/" : delimiter;
        index += 2;
      } else if (command[index] === "\\" && index + 1 < command.length) {
        text += command.slice(index, index + 2);
        index += 2;
      } else text += command[index++];
    }
    index++;
    return text;
  };
  const pattern = part();
  const replacement = part().replace(/\\\//g, "/");
  const flags = command.slice(index).trim();
  return { pattern, replacement, flags };
}

/** The replacement for one match: `&` and `\0` the match, `\1`…`\9` its groups, `\r` a line break, `\t` a tab. */
export function expandReplacement(replacement: string, match: RegExpMatchArray): string {
  let out = "";
  for (let index = 0; index < replacement.length; index++) {
    const ch = replacement[index] as string;
    if (ch === "&") out += match[0];
    else if (ch === "\\" && index + 1 < replacement.length) {
      const next = replacement[++index] as string;
      if (/[0-9]/.test(next)) out += match[Number(next)] ?? "";
      else if (next === "r" || next === "n") out += "\n";
      else if (next === "t") out += "\t";
      else out += next;
    } else out += ch;
  }
  return out;
}

/** The result of {@link expandHistory}: the line to run, or the event bash could not find. */
export type HistoryExpansion = { line: string; expanded: boolean } | { error: string };

/**
 * An interactive bash's history expansion of a typed line, before it is parsed: `!!` (the previous
 * line), `!$` (its last word), `!*` (its words after the first), `!N` and `!-N` (by number),
 * `!prefix` (the last line starting with it). As in bash, nothing is expanded inside single quotes
 * or after a backslash, and a `!` followed by a blank, `=`, `(` or `"` — or in `$!` and `${!name}` —
 * stays as it is (and, unlike bash, `#!`). Modifiers (`:s/a/b/`, `:h`) and `^old^new` are not supported.
 */
export function expandHistory(line: string, history: readonly string[]): HistoryExpansion {
  let out = "";
  let expanded = false;
  let single = false;
  let double = false;
  for (let at = 0; at < line.length; at++) {
    const char = line[at] as string;
    if (single) {
      if (char === "'") single = false;
      out += char;
      continue;
    }
    if (char === "\\") {
      out += line.slice(at, at + 2);
      at++;
      continue;
    }
    if (char === "'" && !double) single = true;
    if (char === '"') double = !double;
    if (char !== "!") {
      out += char;
      continue;
    }
    const next = line[at + 1];
    const previous = line[at - 1];
    if (
      next === undefined ||
      /[\s=("]/.test(next) ||
      previous === "$" ||
      // A script's `#!/bin/sh` (pasted into a here-document) is kept: bash would say event not found.
      previous === "#" ||
      (previous === "{" && line[at - 2] === "$")
    ) {
      out += char;
      continue;
    }
    const last = history[history.length - 1];
    let event: string | undefined;
    let length: number;
    let replacement: string | undefined;
    if (next === "!" || next === "$" || next === "*") {
      length = 2;
      event = `!${next}`;
      if (last !== undefined)
        replacement = next === "!" ? last : next === "$" ? (words(last).at(-1) ?? "") : words(last).slice(1).join(" ");
    } else {
      const designator = /^-?\d+|^[^\s;&|<>()'"`]+/.exec(line.slice(at + 1))?.[0] ?? "";
      length = 1 + designator.length;
      event = `!${designator}`;
      if (/^-?\d+$/.test(designator)) {
        const number = Number(designator);
        replacement = number < 0 ? history[history.length + number] : history[number - 1];
      } else {
        for (let index = history.length - 1; index >= 0 && replacement === undefined; index--)
          if ((history[index] as string).startsWith(designator)) replacement = history[index];
      }
    }
    if (replacement === undefined) return { error: `${event}: event not found` };
    out += replacement;
    expanded = true;
    at += length - 1;
  }
  return { line: out, expanded };
}

/** A line's words as bash's history library splits them: at blanks, quotes kept together. */
function words(line: string): string[] {
  return line.match(/(?:[^\s'"]+|'[^']*'|"(?:\\.|[^"\\])*")+/g) ?? [];
}

/**
 * True when `text` has a here-document whose terminator line has not arrived yet, so bash would
 * read more lines (`cat <<EOF` waits for `EOF`).
 *
 * Only real here-document operators count, as bash's tokenizer sees them: `<<` and `<<-` outside
 * quotes, comments and arithmetic, not the here-string `<<<` nor a shift in `$((1<<x))` or
 * `((x <<= 1))`. The lines after the one with the operator are the body, up to the terminator.
 */
export function hasOpenHereDocument(text: string): boolean {
  const pending: { terminator: string; stripTabs: boolean }[] = [];
  let quote: "'" | '"' | "$'" | undefined;
  /** Open parentheses of `$((…))` or `((…))`; a `<<` inside is a shift. */
  let arithmetic = 0;
  for (const line of text.split("\n")) {
    const heredoc = pending[0];
    if (heredoc) {
      if ((heredoc.stripTabs ? line.replace(/^\t+/, "") : line) === heredoc.terminator) pending.shift();
      continue;
    }
    for (let at = 0; at < line.length; at++) {
      const char = line[at] as string;
      if (quote === "'") {
        if (char === "'") quote = undefined;
        continue;
      }
      if (char === "\\") {
        at++;
        continue;
      }
      if (quote !== undefined) {
        if (char === quote || (quote === "$'" && char === "'")) quote = undefined;
        continue;
      }
      if (char === "'" || char === '"') {
        quote = char;
        continue;
      }
      if (char === "$" && line[at + 1] === "'") {
        quote = "$'";
        at++;
        continue;
      }
      if (char === "#" && (at === 0 || /[\s;&|()]/.test(line[at - 1] as string))) break;
      if (arithmetic === 0 && line.startsWith("((", at)) {
        arithmetic = 2;
        at++;
        continue;
      }
      if (arithmetic > 0) {
        if (char === "(") arithmetic++;
        else if (char === ")") arithmetic--;
        continue;
      }
      if (char !== "<" || line[at + 1] !== "<") continue;
      if (line[at + 2] === "<") {
        // A here-string: its word is on this line.
        at += 2;
        continue;
      }
      at += 2;
      const stripTabs = line[at] === "-";
      if (stripTabs) at++;
      while (line[at] === " " || line[at] === "\t") at++;
      const word = /^(?:[^\s;&|<>()]|\\.)+/.exec(line.slice(at))?.[0] ?? "";
      at += word.length - 1;
      // Quoting any part of the word only stops expansion in the body; the terminator is the word unquoted.
      const terminator = word.replace(/\\(.)|["']/g, "$1");
      if (terminator !== "") pending.push({ terminator, stripTabs });
    }
  }
  return pending.length > 0;
}

import { parse, type ScriptNode, serialize } from "just-bash";

/** One part of a command line: a statement to run in the background (`… &`) or in the foreground. */
export interface LinePart {
  text: string;
  background: boolean;
  /** How `jobs` shows a background part: bash's one-line form (`sleep 1 | cat`), else as typed. */
  display?: string;
}

/**
 * Splits a line whose top-level statements include `cmd &` into its parts, in order
 * (`sleep 30 & echo next` → `sleep 30` in the background, then `echo next`); consecutive
 * foreground statements stay one part. Undefined when the line has no top-level `&` (or does not
 * parse): it runs as it is. `&` inside a loop or a group stays with just-bash, which runs it in
 * the foreground.
 */
export function splitBackground(line: string): LinePart[] | undefined {
  if (!line.includes("&")) return undefined;
  let script: ScriptNode;
  try {
    script = parse(line);
  } catch {
    return undefined;
  }
  if (!script.statements.some((statement) => statement.background)) return undefined;
  const parts: LinePart[] = [];
  let foreground: ScriptNode["statements"] = [];
  const flush = () => {
    if (foreground.length === 0) return;
    parts.push({ text: serialize({ ...script, statements: foreground }), background: false });
    foreground = [];
  };
  for (const statement of script.statements) {
    if (!statement.background) {
      foreground.push(statement);
      continue;
    }
    flush();
    const text = serialize({ ...script, statements: [{ ...statement, background: false }] });
    const typed = statement.sourceText?.replace(/\s*&\s*$/, "") ?? text;
    // serialize writes `2>&1` as `2>& 1`; bash shows it whole.
    const display = text.includes("\n") ? typed : text.replace(/>& (\d)\b/g, ">&$1");
    parts.push({ text, background: true, display });
  }
  flush();
  return parts;
}

/** A place in the buffer: a line and a character index in it. */
export interface Position {
  row: number;
  column: number;
}

/**
 * A character's class for vim's word motions: 0 blank, 1 punctuation, 2 a keyword character
 * (letters, digits, `_`). For WORD motions (`W`, `B`, `E`) every non-blank is one class.
 */
function charClass(ch: string | undefined, bigWord: boolean): number {
  if (ch === undefined || ch === " " || ch === "\t") return 0;
  if (bigWord) return 1;
  return /\w/.test(ch) ? 2 : 1;
}

/**
 * `w`: the start of the next word, across lines (an empty line is a word). At the buffer's last
 * word it is the end of the last line (column = its length), the end a `dw` deletes to.
 */
export function wordForward(lines: string[], from: Position, bigWord = false): Position {
  let { row, column } = from;
  let line = lines[row] ?? "";
  const start = charClass(line[column], bigWord);
  if (start !== 0) while (column < line.length && charClass(line[column], bigWord) === start) column++;
  for (;;) {
    while (column < line.length && charClass(line[column], bigWord) === 0) column++;
    if (column < line.length) return { row, column };
    if (row >= lines.length - 1) return { row, column: line.length };
    row++;
    column = 0;
    line = lines[row] ?? "";
    if (line.length === 0) return { row, column: 0 };
  }
}

/** `e`: the last character of this word, or of the next one when already there. */
export function wordEnd(lines: string[], from: Position, bigWord = false): Position {
  let { row, column } = from;
  let line = lines[row] ?? "";
  column++;
  for (;;) {
    while (column < line.length && charClass(line[column], bigWord) === 0) column++;
    if (column < line.length) break;
    if (row >= lines.length - 1) return { row, column: Math.max(0, line.length - 1) };
    row++;
    column = 0;
    line = lines[row] ?? "";
  }
  const kind = charClass(line[column], bigWord);
  while (column + 1 < line.length && charClass(line[column + 1], bigWord) === kind) column++;
  return { row, column };
}

/** `b`: the start of this word, or of the previous one when already there. */
export function wordBackward(lines: string[], from: Position, bigWord = false): Position {
  let { row, column } = from;
  let line = lines[row] ?? "";
  for (;;) {
    column--;
    while (column >= 0 && charClass(line[column], bigWord) === 0) column--;
    if (column >= 0) break;
    if (row === 0) return { row: 0, column: 0 };
    row--;
    line = lines[row] ?? "";
    column = line.length;
    if (line.length === 0) return { row, column: 0 };
  }
  const kind = charClass(line[column], bigWord);
  while (column > 0 && charClass(line[column - 1], bigWord) === kind) column--;
  return { row, column };
}

/**
 * `iw` / `aw`: the columns [start, end) of the word (or run of blanks) under the cursor; `aw`
 * adds the blanks after it, or before it when there are none after.
 */
export function wordObject(line: string, column: number, around: boolean): { start: number; end: number } {
  if (line.length === 0) return { start: 0, end: 0 };
  const at = Math.min(column, line.length - 1);
  const kind = charClass(line[at], false);
  let start = at;
  let end = at + 1;
  while (start > 0 && charClass(line[start - 1], false) === kind) start--;
  while (end < line.length && charClass(line[end], false) === kind) end++;
  if (around && kind !== 0) {
    const before = end;
    while (end < line.length && charClass(line[end], false) === 0) end++;
    if (end === before) while (start > 0 && charClass(line[start - 1], false) === 0) start--;
  }
  return { start, end };
}

/**
 * Go's text/tabwriter. The defaults are kubectl's printers (`printers.GetNewTabWriter`:
 * minwidth 6, tabwidth 4, padding 3, padchar ' '), which tables, `top`, `api-resources` and
 * `config get-contexts` use; describe's `tabbedString` is minwidth 0, padding 2. Cells are
 * tab-terminated; the text after a line's last tab is not part of any column. Column blocks follow
 * Go's rule: a column's width is shared by consecutive lines that have that cell, and is never
 * below minwidth (which is why `get deploy --no-headers` still spaces `2     2`).
 */
export function formatTabbed(text: string, padding = 3, minWidth = 6): string {
  const lines = text.split("\n");
  const trailingNewline = text.endsWith("\n");
  if (trailingNewline) lines.pop();
  const cells = lines.map((line) => line.split("\t"));
  const widths: number[][] = cells.map((row) => new Array(Math.max(0, row.length - 1)).fill(0));
  formatBlock(cells, widths, 0, 0, cells.length, padding, minWidth);
  const out = cells.map((row, lineIndex) => {
    let line = "";
    for (let column = 0; column < row.length; column++) {
      const cell = row[column] as string;
      if (column < row.length - 1) line += cell.padEnd(widths[lineIndex]?.[column] ?? 0, " ");
      else line += cell;
    }
    return line;
  });
  return out.join("\n") + (trailingNewline ? "\n" : "");
}

function cellWidth(cell: string): number {
  return Buffer.byteLength(cell, "utf8") === cell.length ? cell.length : Array.from(cell).length;
}

function formatBlock(
  cells: string[][],
  widths: number[][],
  column: number,
  start: number,
  end: number,
  padding: number,
  minWidth: number,
): void {
  let line = start;
  while (line < end) {
    if ((cells[line]?.length ?? 0) - 1 <= column) {
      line++;
      continue;
    }
    const blockStart = line;
    let width = minWidth;
    for (; line < end; line++) {
      const row = cells[line] as string[];
      if (row.length - 1 <= column) break;
      const w = cellWidth(row[column] as string) + padding;
      if (w > width) width = w;
    }
    for (let i = blockStart; i < line; i++) (widths[i] as number[])[column] = width;
    formatBlock(cells, widths, column + 1, blockStart, line, padding, minWidth);
  }
}

/**
 * kubectl's printers' tabwriter (minwidth 6, padding 3) with remembered widths, for output that is
 * flushed piece by piece (`get -w`, `events -w`): columns only grow between flushes
 * (liggitt/tabwriter's RememberWidths).
 */
export function formatRememberingWidths(text: string, remembered: number[]): { text: string; widths: number[] } {
  const lines = text.split("\n").filter((line, index, all) => index < all.length - 1 || line !== "");
  const rows = lines.map((line) => line.split("\t"));
  const widths = [...remembered];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 6, cellWidth(cell) + 3);
    });
  }
  const out = rows.map((row) =>
    row.map((cell, index) => (index < row.length - 1 ? cell.padEnd(widths[index] ?? 0) : cell)).join(""),
  );
  return { text: `${out.join("\n")}\n`, widths };
}

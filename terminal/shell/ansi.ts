/** Terminal control sequences the shell writes (VT100/xterm). */
export const ansi = {
  clearLineRight: "\x1b[K",
  clearScreenDown: "\x1b[J",
  clearScreen: "\x1b[H\x1b[2J",
  hideCursor: "\x1b[?25l",
  showCursor: "\x1b[?25h",
  alternateScreen: "\x1b[?1049h",
  mainScreen: "\x1b[?1049l",
  reverse: "\x1b[7m",
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  up: (n: number) => (n > 0 ? `\x1b[${n}A` : ""),
  down: (n: number) => (n > 0 ? `\x1b[${n}B` : ""),
  right: (n: number) => (n > 0 ? `\x1b[${n}C` : ""),
  left: (n: number) => (n > 0 ? `\x1b[${n}D` : ""),
  moveTo: (row: number, column: number) => `\x1b[${row};${column}H`,
};

/** Removes escape sequences to measure what the terminal shows. */
export function visibleWidth(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what we strip
  return Array.from(text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")).length;
}

/**
 * Output newline handling. libuv's raw mode keeps the pty's ONLCR, so the kernel turns LF into
 * CRLF for us and text passes unchanged.
 */
export function toCrlf(text: string): string {
  return text;
}

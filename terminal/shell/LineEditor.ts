import { ansi, visibleWidth } from "./ansi";
import type { Key } from "./keys";

/** What the completer answers for the text before the cursor. */
export interface Completion {
  /** Index in the line where the completed word starts. */
  from: number;
  candidates: string[];
  /** Candidates that are directories get no trailing space. */
  noSpace?: boolean;
}

/** Options of a line editor. */
export interface LineEditorOptions {
  write(text: string): void;
  columns(): number;
  complete?(line: string, cursor: number): Promise<Completion>;
  history: string[];
}

/**
 * A small readline: editing keys, history, reverse search and tab completion, redrawing a
 * possibly wrapped line in place.
 */
export class LineEditor {
  private buffer = "";
  private cursor = 0;
  private prompt = "";
  private cursorRow = 0;
  /** Column where the prompt starts: output without a final newline stays before it, as in bash. */
  private origin = 0;
  private historyIndex = -1;
  private pendingLine = "";
  private lastKeyWasTab = false;
  private searching: { query: string; match: number } | undefined;
  private active = false;

  constructor(private readonly options: LineEditorOptions) {}

  /**
   * Starts editing a new line after printing the prompt at `column` of the cursor's row (where the
   * previous output stopped; that output is left in place).
   */
  start(prompt: string, initial = "", column = 0): void {
    this.prompt = prompt;
    this.origin = Math.max(0, Math.floor(column)) % Math.max(1, this.options.columns());
    this.buffer = initial;
    this.cursor = initial.length;
    this.cursorRow = 0;
    this.historyIndex = -1;
    this.searching = undefined;
    this.active = true;
    this.render();
  }

  get line(): string {
    return this.buffer;
  }

  get isActive(): boolean {
    return this.active;
  }

  private render(): void {
    const columns = Math.max(1, this.options.columns());
    const prompt = this.searching ? `(reverse-i-search)\`${this.searching.query}': ` : this.prompt;
    const shown = this.buffer;
    let out = `${ansi.up(this.cursorRow)}\r${ansi.right(this.origin)}${ansi.clearScreenDown}${prompt}${shown}`;
    const promptWidth = this.origin + visibleWidth(prompt);
    const total = promptWidth + Array.from(shown).length;
    if (total > 0 && total % columns === 0) out += " \r";
    const endRow = Math.floor(total / columns);
    const target = promptWidth + Array.from(shown.slice(0, this.cursor)).length;
    const targetRow = Math.floor(target / columns);
    const targetColumn = target % columns;
    out += `${ansi.up(endRow - targetRow)}\r${ansi.right(targetColumn)}`;
    this.cursorRow = targetRow;
    this.options.write(out);
  }

  /** Moves the terminal cursor below the line (before output or a new prompt). */
  finish(): void {
    const columns = Math.max(1, this.options.columns());
    const total = this.origin + visibleWidth(this.prompt) + Array.from(this.buffer).length;
    const endRow = Math.floor(total / columns);
    this.options.write(`${ansi.down(endRow - this.cursorRow)}\r\n`);
    this.cursorRow = 0;
    this.origin = 0;
    this.active = false;
  }

  /** Handles one key; returns the entered line on Enter, "\x04" on Ctrl-D at an empty line, "\x03" on Ctrl-C. */
  async handle(key: Key): Promise<string | undefined> {
    const wasTab = this.lastKeyWasTab;
    this.lastKeyWasTab = false;
    if (this.searching) {
      const result = this.handleSearch(key);
      if (result !== "continue") return result;
    }
    switch (key.type) {
      case "text":
      case "paste":
        this.insert(key.text.replace(/\r\n?/g, "\n"));
        break;
      case "enter": {
        const line = this.buffer;
        this.finish();
        return line;
      }
      case "backspace":
        if (this.cursor > 0) {
          this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor);
          this.cursor--;
        }
        break;
      case "delete":
        this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
        break;
      case "left":
        this.cursor = Math.max(0, this.cursor - 1);
        break;
      case "right":
        this.cursor = Math.min(this.buffer.length, this.cursor + 1);
        break;
      case "home":
        this.cursor = 0;
        break;
      case "end":
        this.cursor = this.buffer.length;
        break;
      case "wordLeft":
        this.cursor = this.previousWordStart();
        break;
      case "wordRight":
        this.cursor = this.nextWordEnd();
        break;
      case "up":
        this.historyMove(1);
        break;
      case "down":
        this.historyMove(-1);
        break;
      case "tab":
        await this.completeAtCursor(wasTab);
        this.lastKeyWasTab = true;
        return undefined;
      case "alt":
        if (key.letter === "b") this.cursor = this.previousWordStart();
        else if (key.letter === "f") this.cursor = this.nextWordEnd();
        else if (key.letter === "d")
          this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.nextWordEnd());
        break;
      case "ctrl":
        switch (key.letter) {
          case "a":
            this.cursor = 0;
            break;
          case "e":
            this.cursor = this.buffer.length;
            break;
          case "b":
            this.cursor = Math.max(0, this.cursor - 1);
            break;
          case "f":
            this.cursor = Math.min(this.buffer.length, this.cursor + 1);
            break;
          case "k":
            this.buffer = this.buffer.slice(0, this.cursor);
            break;
          case "u":
            this.buffer = this.buffer.slice(this.cursor);
            this.cursor = 0;
            break;
          case "w": {
            const start = this.previousWordStart();
            this.buffer = this.buffer.slice(0, start) + this.buffer.slice(this.cursor);
            this.cursor = start;
            break;
          }
          case "h":
            return this.handle({ type: "backspace" });
          case "p":
            this.historyMove(1);
            break;
          case "n":
            this.historyMove(-1);
            break;
          case "l":
            this.options.write(ansi.clearScreen);
            this.cursorRow = 0;
            this.origin = 0;
            break;
          case "r":
            this.searching = { query: "", match: -1 };
            break;
          case "c":
            this.options.write("^C");
            this.finish();
            return "\x03";
          case "d":
            if (this.buffer === "") {
              this.finish();
              return "\x04";
            }
            this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1);
            break;
          default:
            return undefined;
        }
        break;
      default:
        return undefined;
    }
    this.render();
    return undefined;
  }

  private handleSearch(key: Key): string | undefined | "continue" {
    const search = this.searching as { query: string; match: number };
    const history = this.options.history;
    const find = (from: number) => {
      for (let index = from; index >= 0; index--) if ((history[index] as string).includes(search.query)) return index;
      return -1;
    };
    if (key.type === "text") {
      search.query += key.text;
      search.match = find(history.length - 1);
    } else if (key.type === "backspace") {
      search.query = search.query.slice(0, -1);
      search.match = find(history.length - 1);
    } else if (key.type === "ctrl" && key.letter === "r") {
      search.match = find(search.match - 1);
    } else if (key.type === "ctrl" && (key.letter === "g" || key.letter === "c")) {
      this.searching = undefined;
      this.buffer = "";
      this.cursor = 0;
    } else {
      this.searching = undefined;
      this.render();
      return "continue";
    }
    if (this.searching) {
      if (search.match >= 0) {
        this.buffer = history[search.match] as string;
        this.cursor = this.buffer.indexOf(search.query);
      }
    }
    this.render();
    return undefined;
  }

  private insert(text: string): void {
    this.buffer = this.buffer.slice(0, this.cursor) + text + this.buffer.slice(this.cursor);
    this.cursor += text.length;
  }

  private previousWordStart(): number {
    let index = this.cursor;
    while (index > 0 && /\s/.test(this.buffer[index - 1] as string)) index--;
    while (index > 0 && !/[\s/]/.test(this.buffer[index - 1] as string)) index--;
    return index;
  }

  private nextWordEnd(): number {
    let index = this.cursor;
    while (index < this.buffer.length && /\s/.test(this.buffer[index] as string)) index++;
    while (index < this.buffer.length && !/\s/.test(this.buffer[index] as string)) index++;
    return index;
  }

  private historyMove(direction: 1 | -1): void {
    const history = this.options.history;
    if (this.historyIndex === -1) {
      if (direction === -1) return;
      this.pendingLine = this.buffer;
    }
    const next = this.historyIndex + direction;
    if (next < -1 || next >= history.length) return;
    this.historyIndex = next;
    this.buffer = next === -1 ? this.pendingLine : (history[history.length - 1 - next] as string);
    this.cursor = this.buffer.length;
  }

  private async completeAtCursor(listIfAmbiguous: boolean): Promise<void> {
    if (!this.options.complete) return;
    const completion = await this.options.complete(this.buffer, this.cursor);
    const word = this.buffer.slice(completion.from, this.cursor);
    const candidates = [...new Set(completion.candidates)].filter((candidate) => candidate.startsWith(word)).sort();
    if (candidates.length === 0) {
      this.options.write("\x07");
      return;
    }
    if (candidates.length === 1) {
      const only = candidates[0] as string;
      const suffix = only.endsWith("/") || only.endsWith("=") || completion.noSpace ? "" : " ";
      this.buffer = this.buffer.slice(0, completion.from) + only + suffix + this.buffer.slice(this.cursor);
      this.cursor = completion.from + only.length + suffix.length;
      this.render();
      return;
    }
    let common = candidates[0] as string;
    for (const candidate of candidates) {
      while (!candidate.startsWith(common)) common = common.slice(0, -1);
    }
    if (common.length > word.length) {
      this.buffer = this.buffer.slice(0, completion.from) + common + this.buffer.slice(this.cursor);
      this.cursor = completion.from + common.length;
      this.render();
      return;
    }
    if (!listIfAmbiguous) {
      this.options.write("\x07");
      return;
    }
    const columns = Math.max(1, this.options.columns());
    const display = candidates.map(
      (candidate) => candidate.replace(/\/$/, "/").split("/").filter(Boolean).pop() ?? candidate,
    );
    const width = Math.max(...display.map((text) => text.length)) + 2;
    const perRow = Math.max(1, Math.floor(columns / width));
    const rows = Math.ceil(display.length / perRow);
    let listing = "";
    for (let row = 0; row < rows; row++) {
      let line = "";
      for (let column = 0; column < perRow; column++) {
        const item = display[column * rows + row];
        if (item !== undefined) line += item.padEnd(width);
      }
      listing += `${line.trimEnd()}\r\n`;
    }
    const saved = { buffer: this.buffer, cursor: this.cursor };
    this.finish();
    this.options.write(listing);
    this.active = true;
    this.buffer = saved.buffer;
    this.cursor = saved.cursor;
    this.render();
  }
}

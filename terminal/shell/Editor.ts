import { ansi } from "./ansi";
import type { Key } from "./keys";

/** How an editing session ended. */
export interface EditorResult {
  /** The text written (the last save), or undefined when nothing was saved. */
  saved: string | undefined;
}

type Mode = "normal" | "insert" | "command" | "confirm-exit";

/**
 * A small full-screen editor inside the terminal, used for vi/vim/nano and `kubectl edit`.
 * vi flavour: normal mode (h j k l, w b, 0 $, gg G, x, dd, yy, p, o O, i a A I, u, :w :q :wq :x
 * :q!, ZZ); nano flavour: always inserting, ^O save, ^X exit, ^K cut, ^U paste. Both accept
 * arrows, Home/End, PgUp/PgDn and Ctrl-S to save.
 */
export class Editor {
  private lines: string[];
  private row = 0;
  private column = 0;
  private top = 0;
  private left = 0;
  private mode: Mode;
  private commandLine = "";
  private message = "";
  private modified = false;
  private savedText: string | undefined;
  private pendingOperator = "";
  private clipboard: string[] = [];
  private undoStack: { lines: string[]; row: number; column: number }[] = [];

  constructor(
    text: string,
    private readonly fileName: string,
    private readonly flavour: "vi" | "nano",
    private readonly write: (text: string) => void,
    private size: { columns: number; rows: number },
    private readonly save: (text: string) => Promise<string | undefined>,
  ) {
    this.lines = text.replace(/\n$/, "").split("\n");
    if (this.lines.length === 0) this.lines = [""];
    this.mode = flavour === "vi" ? "normal" : "insert";
    const lineCount = text === "" ? 0 : this.lines.length;
    this.message = flavour === "vi" ? `"${fileName}" ${lineCount}L, ${text.length}B` : `[ Read ${lineCount} lines ]`;
  }

  /** Enters the alternate screen and draws. */
  open(): void {
    this.write(ansi.alternateScreen);
    this.render();
  }

  resize(columns: number, rows: number): void {
    this.size = { columns, rows };
    this.render();
  }

  private get text(): string {
    return `${this.lines.join("\n")}\n`;
  }

  private get textRows(): number {
    return Math.max(1, this.size.rows - (this.flavour === "nano" ? 3 : 1));
  }

  private render(): void {
    const { columns } = this.size;
    const rows = this.textRows;
    if (this.row < this.top) this.top = this.row;
    if (this.row >= this.top + rows) this.top = this.row - rows + 1;
    const lineLength = (this.lines[this.row] ?? "").length;
    const maxColumn = this.mode === "insert" ? lineLength : Math.max(0, lineLength - 1);
    this.column = Math.min(this.column, maxColumn);
    if (this.column < this.left) this.left = this.column;
    if (this.column >= this.left + columns) this.left = this.column - columns + 1;
    let out = ansi.hideCursor + ansi.moveTo(1, 1);
    let firstRow = 1;
    if (this.flavour === "nano") {
      const title = `  Kubelab nano   ${this.fileName}${this.modified ? "   Modified" : ""}`;
      out += `${ansi.reverse}${title.padEnd(columns).slice(0, columns)}${ansi.reset}\r\n`;
      firstRow = 2;
    }
    for (let index = 0; index < rows; index++) {
      const line = this.lines[this.top + index];
      const shown =
        line === undefined
          ? this.flavour === "vi"
            ? "~"
            : ""
          : line.replace(/\t/g, " ").slice(this.left, this.left + columns);
      out += `${shown}${ansi.clearLineRight}\r\n`;
    }
    if (this.flavour === "nano") {
      out += `${this.message.slice(0, columns)}${ansi.clearLineRight}\r\n`;
      out += `${ansi.reverse}^O${ansi.reset} Write Out  ${ansi.reverse}^X${ansi.reset} Exit  ${ansi.reverse}^K${ansi.reset} Cut  ${ansi.reverse}^U${ansi.reset} Paste${ansi.clearLineRight}`;
    } else if (this.mode === "command") {
      out += `:${this.commandLine}${ansi.clearLineRight}`;
    } else {
      const status = this.mode === "insert" ? "-- INSERT --" : this.message;
      const position = `${this.row + 1},${this.column + 1}`;
      out += `${status.slice(0, Math.max(0, columns - 20)).padEnd(Math.max(0, columns - 18))}${position}${ansi.clearLineRight}`;
    }
    if (this.mode === "command") out += ansi.moveTo(this.size.rows, this.commandLine.length + 2);
    else out += ansi.moveTo(firstRow + this.row - this.top, this.column - this.left + 1);
    out += ansi.showCursor;
    this.write(out);
  }

  private snapshot(): void {
    this.undoStack.push({ lines: [...this.lines], row: this.row, column: this.column });
    if (this.undoStack.length > 200) this.undoStack.shift();
  }

  private insertText(text: string): void {
    this.snapshot();
    for (const ch of text) {
      const line = this.lines[this.row] ?? "";
      if (ch === "\n" || ch === "\r") {
        const indent = /^\s*/.exec(line)?.[0] ?? "";
        this.lines[this.row] = line.slice(0, this.column);
        this.lines.splice(this.row + 1, 0, line.slice(this.column));
        this.row++;
        this.column = 0;
        void indent;
      } else {
        this.lines[this.row] = line.slice(0, this.column) + ch + line.slice(this.column);
        this.column++;
      }
    }
    this.modified = true;
  }

  private backspace(): void {
    const line = this.lines[this.row] ?? "";
    if (this.column > 0) {
      this.snapshot();
      this.lines[this.row] = line.slice(0, this.column - 1) + line.slice(this.column);
      this.column--;
      this.modified = true;
    } else if (this.row > 0) {
      this.snapshot();
      const previous = this.lines[this.row - 1] ?? "";
      this.lines[this.row - 1] = previous + line;
      this.lines.splice(this.row, 1);
      this.row--;
      this.column = previous.length;
      this.modified = true;
    }
  }

  private deleteChar(): void {
    const line = this.lines[this.row] ?? "";
    if (this.column < line.length) {
      this.snapshot();
      this.lines[this.row] = line.slice(0, this.column) + line.slice(this.column + 1);
      this.modified = true;
    } else if (this.mode === "insert" && this.row < this.lines.length - 1) {
      this.snapshot();
      this.lines[this.row] = line + (this.lines[this.row + 1] ?? "");
      this.lines.splice(this.row + 1, 1);
      this.modified = true;
    }
  }

  private move(key: Key): boolean {
    switch (key.type) {
      case "up":
        this.row = Math.max(0, this.row - 1);
        return true;
      case "down":
        this.row = Math.min(this.lines.length - 1, this.row + 1);
        return true;
      case "left":
        this.column = Math.max(0, this.column - 1);
        return true;
      case "right":
        this.column = Math.min((this.lines[this.row] ?? "").length, this.column + 1);
        return true;
      case "home":
        this.column = 0;
        return true;
      case "end":
        this.column = (this.lines[this.row] ?? "").length;
        return true;
      case "pageUp":
        this.row = Math.max(0, this.row - this.textRows);
        return true;
      case "pageDown":
        this.row = Math.min(this.lines.length - 1, this.row + this.textRows);
        return true;
      default:
        return false;
    }
  }

  private async doSave(): Promise<boolean> {
    const error = await this.save(this.text);
    if (error) {
      this.message = error;
      return false;
    }
    this.savedText = this.text;
    this.modified = false;
    this.message =
      this.flavour === "vi"
        ? `"${this.fileName}" ${this.lines.length}L, ${this.text.length}B written`
        : `[ Wrote ${this.lines.length} lines ]`;
    return true;
  }

  private close(): EditorResult {
    this.write(ansi.mainScreen);
    return { saved: this.savedText };
  }

  /** Handles a key; returns a result when the editor closes. */
  async handle(key: Key): Promise<EditorResult | undefined> {
    const result = this.flavour === "nano" ? await this.handleNano(key) : await this.handleVi(key);
    if (result) return result;
    this.render();
    return undefined;
  }

  private async handleNano(key: Key): Promise<EditorResult | undefined> {
    if (this.mode === "confirm-exit") {
      if (key.type === "text" && /^[yY]/.test(key.text)) {
        if (await this.doSave()) return this.close();
        this.mode = "insert";
      } else if (key.type === "text" && /^[nN]/.test(key.text)) return this.close();
      else if (key.type === "ctrl" && key.letter === "c") {
        this.mode = "insert";
        this.message = "[ Cancelled ]";
      }
      return undefined;
    }
    if (this.move(key)) return undefined;
    switch (key.type) {
      case "text":
      case "paste":
        this.insertText(key.text);
        return undefined;
      case "enter":
        this.insertText("\n");
        return undefined;
      case "tab":
        this.insertText("  ");
        return undefined;
      case "backspace":
        this.backspace();
        return undefined;
      case "delete":
        this.deleteChar();
        return undefined;
      case "ctrl":
        if (key.letter === "o" || key.letter === "s") await this.doSave();
        else if (key.letter === "x") {
          if (!this.modified) return this.close();
          this.mode = "confirm-exit";
          this.message = "Save modified buffer?  Y Yes  N No  ^C Cancel";
        } else if (key.letter === "k") {
          this.snapshot();
          this.clipboard = this.lines.splice(this.row, 1);
          if (this.lines.length === 0) this.lines = [""];
          this.row = Math.min(this.row, this.lines.length - 1);
          this.modified = true;
        } else if (key.letter === "u") {
          this.snapshot();
          this.lines.splice(this.row, 0, ...this.clipboard);
          this.modified = true;
        } else if (key.letter === "a") this.column = 0;
        else if (key.letter === "e") this.column = (this.lines[this.row] ?? "").length;
        return undefined;
      default:
        return undefined;
    }
  }

  private async runCommand(command: string): Promise<EditorResult | undefined> {
    const trimmed = command.trim();
    if (trimmed === "q") {
      if (this.modified) {
        this.message = "E37: No write since last change (add ! to override)";
        return undefined;
      }
      return this.close();
    }
    if (trimmed === "q!") return this.close();
    if (trimmed === "w") {
      await this.doSave();
      return undefined;
    }
    if (trimmed === "wq" || trimmed === "x" || trimmed === "wq!") {
      if (!this.modified && trimmed === "x") return this.close();
      if (await this.doSave()) return this.close();
      return undefined;
    }
    if (/^[0-9]+$/.test(trimmed)) {
      this.row = Math.min(this.lines.length - 1, Math.max(0, Number(trimmed) - 1));
      return undefined;
    }
    if (trimmed === "$") {
      this.row = this.lines.length - 1;
      return undefined;
    }
    this.message = `E492: Not an editor command: ${trimmed}`;
    return undefined;
  }

  private async handleVi(key: Key): Promise<EditorResult | undefined> {
    if (this.mode === "command") {
      if (key.type === "enter") {
        this.mode = "normal";
        const command = this.commandLine;
        this.commandLine = "";
        return this.runCommand(command);
      }
      if (key.type === "escape" || (key.type === "ctrl" && key.letter === "c")) {
        this.mode = "normal";
        this.commandLine = "";
      } else if (key.type === "backspace") {
        if (this.commandLine === "") this.mode = "normal";
        this.commandLine = this.commandLine.slice(0, -1);
      } else if (key.type === "text") this.commandLine += key.text;
      return undefined;
    }
    if (this.move(key)) return undefined;
    if (key.type === "ctrl" && key.letter === "s") {
      await this.doSave();
      return undefined;
    }
    if (this.mode === "insert") {
      switch (key.type) {
        case "escape":
          this.mode = "normal";
          this.column = Math.max(0, this.column - 1);
          this.message = "";
          return undefined;
        case "ctrl":
          if (key.letter === "c" || key.letter === "[") {
            this.mode = "normal";
            this.message = "";
          }
          return undefined;
        case "text":
        case "paste":
          this.insertText(key.text);
          return undefined;
        case "enter":
          this.insertText("\n");
          return undefined;
        case "tab":
          this.insertText("  ");
          return undefined;
        case "backspace":
          this.backspace();
          return undefined;
        case "delete":
          this.deleteChar();
          return undefined;
        default:
          return undefined;
      }
    }
    if (key.type === "paste") {
      this.insertText(key.text);
      return undefined;
    }
    if (key.type === "enter") {
      this.row = Math.min(this.lines.length - 1, this.row + 1);
      this.column = 0;
      return undefined;
    }
    if (key.type === "backspace") {
      this.column = Math.max(0, this.column - 1);
      return undefined;
    }
    if (key.type !== "text") return undefined;
    for (const ch of key.text) {
      const result = await this.normalKey(ch);
      if (result) return result;
      const mode = this.mode as Mode;
      if (mode !== "normal") {
        const rest = key.text.slice(key.text.indexOf(ch) + 1);
        if (rest && mode === "insert") this.insertText(rest);
        else if (rest && mode === "command") this.commandLine += rest;
        break;
      }
    }
    return undefined;
  }

  private async normalKey(ch: string): Promise<EditorResult | undefined> {
    const line = this.lines[this.row] ?? "";
    const operator = this.pendingOperator;
    this.pendingOperator = "";
    if (operator === "d" && ch === "d") {
      this.snapshot();
      this.clipboard = this.lines.splice(this.row, 1);
      if (this.lines.length === 0) this.lines = [""];
      this.row = Math.min(this.row, this.lines.length - 1);
      this.modified = true;
      return undefined;
    }
    if (operator === "y" && ch === "y") {
      this.clipboard = [line];
      return undefined;
    }
    if (operator === "g" && ch === "g") {
      this.row = 0;
      return undefined;
    }
    if (operator === "Z" && ch === "Z") return this.runCommand("x");
    if (operator === "Z" && ch === "Q") return this.runCommand("q!");
    if (operator === "r") {
      this.snapshot();
      this.lines[this.row] = line.slice(0, this.column) + ch + line.slice(this.column + 1);
      this.modified = true;
      return undefined;
    }
    switch (ch) {
      case "i":
        this.mode = "insert";
        break;
      case "a":
        this.mode = "insert";
        this.column = Math.min(line.length, this.column + 1);
        break;
      case "A":
        this.mode = "insert";
        this.column = line.length;
        break;
      case "I":
        this.mode = "insert";
        this.column = (/^\s*/.exec(line)?.[0] ?? "").length;
        break;
      case "o":
      case "O": {
        this.snapshot();
        const indent = /^\s*/.exec(line)?.[0] ?? "";
        const at = ch === "o" ? this.row + 1 : this.row;
        this.lines.splice(at, 0, indent);
        this.row = at;
        this.column = indent.length;
        this.mode = "insert";
        this.modified = true;
        break;
      }
      case "h":
        this.column = Math.max(0, this.column - 1);
        break;
      case "l":
        this.column = Math.min(Math.max(0, line.length - 1), this.column + 1);
        break;
      case "j":
        this.row = Math.min(this.lines.length - 1, this.row + 1);
        break;
      case "k":
        this.row = Math.max(0, this.row - 1);
        break;
      case "0":
        this.column = 0;
        break;
      case "^":
        this.column = (/^\s*/.exec(line)?.[0] ?? "").length;
        break;
      case "$":
        this.column = Math.max(0, line.length - 1);
        break;
      case "w": {
        const match = /\s+\S/.exec(line.slice(this.column));
        if (match) this.column += match.index + match[0].length - 1;
        else if (this.row < this.lines.length - 1) {
          this.row++;
          this.column = 0;
        }
        break;
      }
      case "b": {
        const before = line.slice(0, this.column);
        const match = /\S+\s*$/.exec(before);
        this.column = match ? match.index : 0;
        break;
      }
      case "G":
        this.row = this.lines.length - 1;
        break;
      case "x":
        this.deleteChar();
        break;
      case "p":
        this.snapshot();
        this.lines.splice(this.row + 1, 0, ...this.clipboard);
        if (this.clipboard.length > 0) this.row++;
        this.modified = true;
        break;
      case "P":
        this.snapshot();
        this.lines.splice(this.row, 0, ...this.clipboard);
        this.modified = true;
        break;
      case "u": {
        const previous = this.undoStack.pop();
        if (previous) {
          this.lines = previous.lines;
          this.row = previous.row;
          this.column = previous.column;
          this.modified = true;
        } else this.message = "Already at oldest change";
        break;
      }
      case "D":
        this.snapshot();
        this.lines[this.row] = line.slice(0, this.column);
        this.modified = true;
        break;
      case "d":
      case "y":
      case "g":
      case "Z":
      case "r":
        this.pendingOperator = ch;
        break;
      case ":":
        this.mode = "command";
        this.commandLine = "";
        break;
      default:
        break;
    }
    return undefined;
  }
}

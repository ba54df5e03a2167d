import { ansi } from "./ansi";
import type { Key } from "./keys";
import { type Position, wordBackward, wordEnd, wordForward, wordObject } from "./viMotions";
import { expandReplacement, parseSubstitution, vimRegExp } from "./vimPattern";

/** How an editing session ended. */
export interface EditorResult {
  /** The text written (the last save), or undefined when nothing was saved. */
  saved: string | undefined;
}

/**
 * Writes the buffer; `fileName` is the name the learner confirmed (nano's Write Out may change
 * it). Resolves with an error message to show, or undefined when written.
 */
export type SaveText = (text: string, fileName: string) => Promise<string | undefined>;

type Mode = "normal" | "insert" | "command" | "prompt";

/** nano's questions at the bottom of the screen. */
type Prompt = "write" | "write-then-exit" | "save-modified" | "search";

/** What `yy`, `dd`, `dw`, nano's ^K … put aside: whole lines, or text inside a line. */
interface Register {
  text: string;
  linewise: boolean;
}

/** A motion's target and how an operator takes it (vim's linewise / inclusive motions). */
interface Motion extends Position {
  linewise?: boolean;
  inclusive?: boolean;
}

/** `:set` options the editor knows (with vim's short names); only some change what it does. */
const knownOptions = new Map<string, string>([
  ["paste", "paste"],
  ["number", "number"],
  ["nu", "number"],
  ["relativenumber", "relativenumber"],
  ["rnu", "relativenumber"],
  ["ignorecase", "ignorecase"],
  ["ic", "ignorecase"],
  ["smartcase", "smartcase"],
  ["scs", "smartcase"],
  ["autoindent", "autoindent"],
  ["ai", "autoindent"],
  ["smartindent", "smartindent"],
  ["si", "smartindent"],
  ["expandtab", "expandtab"],
  ["et", "expandtab"],
  ["tabstop", "tabstop"],
  ["ts", "tabstop"],
  ["shiftwidth", "shiftwidth"],
  ["sw", "shiftwidth"],
  ["softtabstop", "softtabstop"],
  ["sts", "softtabstop"],
  ["hlsearch", "hlsearch"],
  ["hls", "hlsearch"],
  ["incsearch", "incsearch"],
  ["is", "incsearch"],
  ["list", "list"],
  ["wrap", "wrap"],
  ["ruler", "ruler"],
  ["ru", "ruler"],
  ["showmode", "showmode"],
  ["smd", "showmode"],
  ["cursorline", "cursorline"],
  ["cul", "cursorline"],
  ["cursorcolumn", "cursorcolumn"],
  ["cuc", "cursorcolumn"],
  ["syntax", "syntax"],
  ["syn", "syntax"],
  ["filetype", "filetype"],
  ["ft", "filetype"],
  ["textwidth", "textwidth"],
  ["tw", "textwidth"],
  ["mouse", "mouse"],
  ["background", "background"],
  ["bg", "background"],
  ["fileformat", "fileformat"],
  ["ff", "fileformat"],
  ["encoding", "encoding"],
  ["enc", "encoding"],
  ["compatible", "compatible"],
  ["cp", "compatible"],
]);

/**
 * A small full-screen editor inside the terminal, used for vi/vim/nano and `kubectl edit`.
 *
 * vi flavour: normal mode with counts (`3j`, `2dd`, `5x`, `10G`), motions (h j k l w b e W B E 0 ^
 * $ gg G), operators d c y with motions and `iw`/`aw` (`dw`, `cw`, `d2w`, `ciw`), x X D C s S J r
 * ~ p P, o O i a A I, `.`, u and Ctrl-R, v and V (Visual: d x y c s > < and :'<,'>), `/` `?` `n`
 * `N` searches (wrapping with vim's messages), the ex commands :w :q :q! :wq :x :e! :N :$
 * :[range]s/…/…/[g] :[range]d :set, and Ctrl-W / Ctrl-U while inserting. A key it does not know
 * does nothing. nano flavour: always inserting; ^O asks for the file name, ^X asks whether to save
 * a modified buffer, ^W (and M-W again) searches, ^K cuts lines and ^U pastes them, M-U and M-E
 * undo and redo, ^C tells the cursor's position.
 * Both accept arrows, Home/End, PgUp/PgDn and Ctrl-S to save.
 */
export class Editor {
  private lines: string[];
  private row = 0;
  private column = 0;
  private top = 0;
  private left = 0;
  private mode: Mode;
  private commandLine = "";
  /** What the command line started with: `:` for ex commands, `/` or `?` for searches. */
  private commandPrefix = ":";
  private message = "";
  private modified = false;
  private savedText: string | undefined;
  /** The text as last read or written, to tell whether undo went back to it. */
  private baseline: string;
  private fileName: string;
  private pendingCount = "";
  private pendingOperator = "";
  private operatorCount = 1;
  private register: Register = { text: "", linewise: true };
  private undoStack: { lines: string[]; row: number; column: number }[] = [];
  private redoStack: { lines: string[]; row: number; column: number }[] = [];
  private lastSearch: { pattern: string; forward: boolean } | undefined;
  private readonly options = new Set<string>();
  private prompt: Prompt = "write";
  /** vi's Visual mode: where the selection started, and whether it takes whole lines (`V`). */
  private visual: (Position & { linewise: boolean }) | undefined;
  /** The rows of the last Visual selection, for the `'<,'>` range. */
  private lastVisual = { first: 0, last: 0 };
  /** Changes made so far (one per snapshot), to tell whether a command changed the buffer. */
  private changes = 0;
  /** The keys of the command being typed, from its count to the end of its insert. */
  private recording: { keys: Key[]; changes: number } | undefined;
  /** The keys of the last change, for `.`. */
  private lastChange: Key[] = [];
  private replaying = false;
  /** The column up and down aim for; set by the last key that moved sideways. */
  private wantedColumn = 0;
  /** The last key moved up or down (the column it had is kept). */
  private vertical = false;
  /** The last key was `$`: up and down go to the ends of lines. */
  private toEnd = false;
  /** The file did not exist (vim says `[New]` until it is first written). */
  private isNew: boolean;
  /** nano: the kind of change the last key made, and the key before it (for undo steps). */
  private nanoAction = "";
  private previousAction = "";
  /** nano: Esc was pressed; the next key is a Meta key (M-U undo, M-E redo, M-W search again). */
  private meta = false;
  /** nano: consecutive ^K cuts add to the cut buffer. */
  private cutting = false;

  constructor(
    text: string,
    fileName: string,
    private readonly flavour: "vi" | "nano",
    private readonly write: (text: string) => void,
    private size: { columns: number; rows: number },
    private readonly save: SaveText,
  ) {
    this.fileName = fileName;
    this.lines = text.replace(/\n$/, "").split("\n");
    if (this.lines.length === 0) this.lines = [""];
    this.baseline = this.text;
    this.isNew = text === "";
    this.mode = flavour === "vi" ? "normal" : "insert";
    const lineCount = text === "" ? 0 : this.lines.length;
    this.message =
      flavour === "vi"
        ? text === ""
          ? `"${fileName}" [New]`
          : `"${fileName}" ${lineCount}L, ${text.length}B`
        : text === ""
          ? "[ New File ]"
          : `[ Read ${lineCount} line${lineCount === 1 ? "" : "s"} ]`;
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

  /** The buffer's text, for tests and saving. */
  get text(): string {
    return `${this.lines.join("\n")}\n`;
  }

  /** The cursor (0-based), for tests. */
  get cursor(): Position {
    return { row: this.row, column: this.column };
  }

  /** The message line's text (vim's last message, nano's status bar), for tests. */
  get status(): string {
    if (this.mode === "command") return `${this.commandPrefix}${this.commandLine}`;
    if (this.mode === "prompt") return this.promptText();
    return this.message;
  }

  private get textRows(): number {
    return Math.max(1, this.size.rows - (this.flavour === "nano" ? 3 : 1));
  }

  /** Columns taken by `:set number`'s line numbers (vim's 'numberwidth' 4, wider for long files). */
  private get gutter(): number {
    return this.options.has("number") ? Math.max(3, String(this.lines.length).length) + 1 : 0;
  }

  private promptText(): string {
    switch (this.prompt) {
      case "save-modified":
        return "Save modified buffer? ";
      case "search":
        return `Search${this.lastSearch ? ` [${this.lastSearch.pattern}]` : ""}: ${this.commandLine}`;
      default:
        return `File Name to Write: ${this.commandLine}`;
    }
  }

  private render(): void {
    const columns = Math.max(1, this.size.columns - this.gutter);
    const rows = this.textRows;
    if (this.row < this.top) this.top = this.row;
    if (this.row >= this.top + rows) this.top = this.row - rows + 1;
    const lineLength = (this.lines[this.row] ?? "").length;
    const maxColumn = this.mode === "normal" ? Math.max(0, lineLength - 1) : lineLength;
    this.column = Math.max(0, Math.min(this.column, maxColumn));
    if (this.column < this.left) this.left = this.column;
    if (this.column >= this.left + columns) this.left = this.column - columns + 1;
    let out = ansi.hideCursor + ansi.moveTo(1, 1);
    let firstRow = 1;
    if (this.flavour === "nano") {
      const title = `  Kubelab nano   ${this.fileName}${this.modified ? "   Modified" : ""}`;
      out += `${ansi.reverse}${title.padEnd(this.size.columns).slice(0, this.size.columns)}${ansi.reset}\r\n`;
      firstRow = 2;
    }
    for (let index = 0; index < rows; index++) {
      const line = this.lines[this.top + index];
      const number =
        this.gutter > 0 && line !== undefined ? `${String(this.top + index + 1).padStart(this.gutter - 1)} ` : "";
      const shown =
        line === undefined
          ? this.flavour === "vi"
            ? "~"
            : ""
          : this.visibleLine(this.top + index, line.replace(/\t/g, " "), columns);
      out += `${number}${shown}${ansi.clearLineRight}\r\n`;
    }
    const width = this.size.columns;
    if (this.flavour === "nano") {
      if (this.mode === "prompt") {
        out += `${ansi.reverse}${this.promptText().padEnd(width).slice(0, width)}${ansi.reset}\r\n`;
        out +=
          this.prompt === "save-modified"
            ? `${ansi.reverse} Y${ansi.reset} Yes${ansi.clearLineRight}\r\n${ansi.reverse} N${ansi.reset} No           ${ansi.reverse}^C${ansi.reset} Cancel${ansi.clearLineRight}`
            : `${ansi.reverse}^C${ansi.reset} Cancel${ansi.clearLineRight}`;
      } else {
        out += `${this.message.slice(0, width)}${ansi.clearLineRight}\r\n`;
        out += `${ansi.reverse}^O${ansi.reset} Write Out  ${ansi.reverse}^W${ansi.reset} Where Is  ${ansi.reverse}^X${ansi.reset} Exit  ${ansi.reverse}^K${ansi.reset} Cut  ${ansi.reverse}^U${ansi.reset} Paste${ansi.clearLineRight}`;
      }
    } else if (this.mode === "command") {
      out += `${this.commandPrefix}${this.commandLine}${ansi.clearLineRight}`;
    } else {
      const status =
        this.mode === "insert"
          ? this.options.has("paste")
            ? "-- INSERT (paste) --"
            : "-- INSERT --"
          : this.visual
            ? this.visual.linewise
              ? "-- VISUAL LINE --"
              : "-- VISUAL --"
            : this.message;
      const position = `${this.row + 1},${this.column + 1}`;
      out += `${status.slice(0, Math.max(0, width - 20)).padEnd(Math.max(0, width - 18))}${position}${ansi.clearLineRight}`;
    }
    if (this.mode === "command") out += ansi.moveTo(this.size.rows, this.commandLine.length + 2);
    else if (this.mode === "prompt")
      out += ansi.moveTo(this.size.rows - 2, Math.min(width, this.promptText().length + 1));
    else out += ansi.moveTo(firstRow + this.row - this.top, this.gutter + this.column - this.left + 1);
    out += ansi.showCursor;
    this.write(out);
  }

  /** The Visual selection in buffer order: its first and last positions (the last one included). */
  private selection(): { start: Position; end: Position; linewise: boolean } | undefined {
    const visual = this.visual;
    if (!visual) return undefined;
    const cursor = { row: this.row, column: this.column };
    const before = visual.row < cursor.row || (visual.row === cursor.row && visual.column <= cursor.column);
    const start = before ? { row: visual.row, column: visual.column } : cursor;
    const end = before ? cursor : { row: visual.row, column: visual.column };
    return { start, end, linewise: visual.linewise };
  }

  /** The visible part of a line, the Visual selection in it in reverse video. */
  private visibleLine(row: number, line: string, columns: number): string {
    const shown = line.slice(this.left, this.left + columns);
    const selection = this.selection();
    if (!selection || row < selection.start.row || row > selection.end.row) return shown;
    const from = selection.linewise || row > selection.start.row ? 0 : selection.start.column;
    const to = selection.linewise || row < selection.end.row ? line.length : selection.end.column + 1;
    const start = Math.max(0, Math.min(shown.length, from - this.left));
    const end = Math.max(0, Math.min(shown.length, to - this.left));
    const marked = shown.slice(start, end) || (line.length === 0 ? " " : "");
    return `${shown.slice(0, start)}${ansi.reverse}${marked}${ansi.reset}${shown.slice(end)}`;
  }

  /** d, x, y, c, s, >, < on the Visual selection. */
  private visualOperator(ch: string): void {
    const selection = this.selection();
    if (!selection) return;
    this.visual = undefined;
    this.lastVisual = { first: selection.start.row, last: selection.end.row };
    const operator = ch === "x" ? "d" : ch === "s" ? "c" : ch;
    if (selection.linewise || operator === ">" || operator === "<")
      this.applyOperator(
        operator,
        { row: selection.end.row, column: 0, linewise: true },
        { row: selection.start.row, column: 0 },
      );
    else this.applyOperator(operator, { ...selection.end, inclusive: true }, selection.start);
  }

  /** Up and down keep the column the cursor had (vim's curswant, nano's placewewant), `$` the end. */
  private settleColumn(): void {
    if (this.vertical) {
      const length = (this.lines[this.row] ?? "").length;
      this.column = Math.min(this.wantedColumn, this.mode === "normal" ? Math.max(0, length - 1) : length);
    } else this.wantedColumn = this.toEnd ? Number.MAX_SAFE_INTEGER : this.column;
  }

  /** Remembers the buffer before a change, for `u`. */
  private snapshot(): void {
    this.changes++;
    this.undoStack.push({ lines: [...this.lines], row: this.row, column: this.column });
    if (this.undoStack.length > 200) this.undoStack.shift();
    this.redoStack = [];
  }

  private undo(from: typeof this.undoStack, to: typeof this.undoStack, empty: string): void {
    const previous = from.pop();
    if (!previous) {
      this.message = empty;
      return;
    }
    to.push({ lines: [...this.lines], row: this.row, column: this.column });
    this.lines = previous.lines;
    this.row = previous.row;
    this.column = previous.column;
    this.modified = this.text !== this.baseline;
    this.message = "";
  }

  /**
   * nano: a change of this kind begins, and with it an undo step, unless the key before made the
   * same kind of change (nano undoes a run of typing at once).
   */
  private nanoChange(kind: "add" | "delete"): void {
    if (this.flavour !== "nano") return;
    if (this.previousAction !== kind) this.snapshot();
    this.previousAction = kind;
    this.nanoAction = kind;
  }

  private insertText(text: string): void {
    // vi: the change began when insert mode began (one `u` undoes the whole insert).
    this.nanoChange("add");
    const [first = "", ...rest] = text.replace(/\r\n?/g, "\n").split("\n");
    const line = this.lines[this.row] ?? "";
    const before = line.slice(0, this.column);
    const after = line.slice(this.column);
    if (rest.length === 0) {
      this.lines[this.row] = before + first + after;
      this.column += first.length;
    } else {
      const last = rest.pop() as string;
      this.lines.splice(this.row, 1, before + first, ...rest, last + after);
      this.row += rest.length + 1;
      this.column = last.length;
    }
    this.modified = true;
  }

  private backspace(): void {
    const line = this.lines[this.row] ?? "";
    this.nanoChange("delete");
    if (this.column > 0) {
      this.lines[this.row] = line.slice(0, this.column - 1) + line.slice(this.column);
      this.column--;
      this.modified = true;
    } else if (this.row > 0) {
      const previous = this.lines[this.row - 1] ?? "";
      this.lines[this.row - 1] = previous + line;
      this.lines.splice(this.row, 1);
      this.row--;
      this.column = previous.length;
      this.modified = true;
    }
  }

  /** The Delete key: the character under the cursor, or (inserting) the line break after it. */
  private deleteKey(): void {
    const line = this.lines[this.row] ?? "";
    if (this.column < line.length) {
      if (this.flavour === "nano") this.nanoChange("delete");
      else if (this.mode !== "insert") this.snapshot();
      this.lines[this.row] = line.slice(0, this.column) + line.slice(this.column + 1);
      this.modified = true;
    } else if (this.mode === "insert" && this.row < this.lines.length - 1) {
      this.nanoChange("delete");
      this.lines[this.row] = line + (this.lines[this.row + 1] ?? "");
      this.lines.splice(this.row + 1, 1);
      this.modified = true;
    }
  }

  private move(key: Key): boolean {
    switch (key.type) {
      case "up":
        this.vertical = true;
        this.row = Math.max(0, this.row - 1);
        return true;
      case "down":
        this.vertical = true;
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
        this.vertical = true;
        this.row = Math.max(0, this.row - this.textRows);
        return true;
      case "pageDown":
        this.vertical = true;
        this.row = Math.min(this.lines.length - 1, this.row + this.textRows);
        return true;
      default:
        return false;
    }
  }

  private async doSave(): Promise<boolean> {
    const text = this.text;
    const error = await this.save(text, this.fileName);
    if (error) {
      this.message = error;
      return false;
    }
    this.savedText = text;
    this.baseline = text;
    this.modified = false;
    const count = this.lines.length;
    this.message =
      this.flavour === "vi"
        ? `"${this.fileName}"${this.isNew ? " [New]" : ""} ${count}L, ${text.length}B written`
        : `[ Wrote ${count} line${count === 1 ? "" : "s"} ]`;
    this.isNew = false;
    return true;
  }

  private close(): EditorResult {
    this.write(ansi.mainScreen);
    return { saved: this.savedText };
  }

  /** Handles a key; returns a result when the editor closes. */
  async handle(key: Key): Promise<EditorResult | undefined> {
    this.vertical = false;
    this.toEnd = false;
    const result = this.flavour === "nano" ? await this.handleNano(key) : await this.handleVi(key);
    if (result) return result;
    this.settleColumn();
    this.render();
    return undefined;
  }

  // ---- nano ----

  private async handleNano(key: Key): Promise<EditorResult | undefined> {
    if (this.mode === "prompt") return this.handleNanoPrompt(key);
    const cutting = this.cutting;
    this.cutting = false;
    this.previousAction = this.nanoAction;
    this.nanoAction = "";
    if (key.type === "escape") {
      this.meta = true;
      return undefined;
    }
    if (this.meta) {
      this.meta = false;
      if (key.type === "text") {
        const letter = key.text[0]?.toLowerCase();
        if (letter === "u") this.undo(this.undoStack, this.redoStack, "[ Nothing to undo ]");
        else if (letter === "e") this.undo(this.redoStack, this.undoStack, "[ Nothing to redo ]");
        else if (letter === "w") this.nanoSearch("");
        return undefined;
      }
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
        this.deleteKey();
        return undefined;
      case "ctrl":
        switch (key.letter) {
          case "o":
            this.openPrompt("write", this.fileName === "[No Name]" ? "" : this.fileName);
            break;
          case "s":
            await this.doSave();
            break;
          case "x":
            if (!this.modified) return this.close();
            this.openPrompt("save-modified", "");
            break;
          case "w":
            this.openPrompt("search", "");
            break;
          case "k": {
            this.snapshot();
            const [cut = ""] = this.lines.splice(this.row, 1);
            this.register = {
              text: cutting && this.register.linewise ? `${this.register.text}${cut}\n` : `${cut}\n`,
              linewise: true,
            };
            if (this.lines.length === 0) this.lines = [""];
            this.row = Math.min(this.row, this.lines.length - 1);
            this.column = 0;
            this.modified = true;
            this.cutting = true;
            break;
          }
          case "u":
            if (this.register.text === "") break;
            this.snapshot();
            this.previousAction = "paste";
            this.column = 0;
            this.insertText(this.register.text);
            break;
          case "a":
            this.column = 0;
            break;
          case "e":
            this.column = (this.lines[this.row] ?? "").length;
            break;
          case "c":
            this.message = this.nanoPosition();
            break;
          default:
            break;
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private openPrompt(prompt: Prompt, text: string): void {
    this.mode = "prompt";
    this.prompt = prompt;
    this.commandLine = text;
  }

  private async handleNanoPrompt(key: Key): Promise<EditorResult | undefined> {
    const cancel = () => {
      this.mode = "insert";
      this.commandLine = "";
      this.message = "[ Cancelled ]";
    };
    if (key.type === "ctrl" && key.letter === "c") {
      cancel();
      return undefined;
    }
    if (this.prompt === "save-modified") {
      if (key.type === "text" && /^[yY]/.test(key.text))
        this.openPrompt("write-then-exit", this.fileName === "[No Name]" ? "" : this.fileName);
      else if (key.type === "text" && /^[nN]/.test(key.text)) return this.close();
      return undefined;
    }
    if (key.type === "enter") {
      const answer = this.commandLine;
      this.mode = "insert";
      this.commandLine = "";
      if (this.prompt === "search") {
        this.nanoSearch(answer);
        return undefined;
      }
      if (answer.trim() === "") {
        this.message = "[ Cancelled ]";
        return undefined;
      }
      this.fileName = answer;
      const saved = await this.doSave();
      if (saved && this.prompt === "write-then-exit") return this.close();
      return undefined;
    }
    if (key.type === "backspace") this.commandLine = this.commandLine.slice(0, -1);
    else if (key.type === "text" || key.type === "paste") this.commandLine += key.text.replace(/[\r\n]/g, "");
    return undefined;
  }

  /** ^C: where the cursor is, as nano reports it. */
  private nanoPosition(): string {
    const lines = this.lines.length;
    const length = (this.lines[this.row] ?? "").length;
    const total = this.text.length;
    const before = this.lines.slice(0, this.row).reduce((sum, line) => sum + line.length + 1, 0) + this.column;
    const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.floor((100 * part) / whole));
    return `[ line ${this.row + 1}/${lines} (${percent(this.row + 1, lines)}%), col ${this.column + 1}/${length + 1} (${percent(this.column + 1, length + 1)}%), char ${before}/${total} (${percent(before, total)}%) ]`;
  }

  /** ^W: the next match after the cursor, case-insensitive, wrapping round as nano does. */
  private nanoSearch(answer: string): void {
    const pattern = answer || this.lastSearch?.pattern;
    if (!pattern) {
      this.message = "[ Cancelled ]";
      return;
    }
    this.lastSearch = { pattern, forward: true };
    const needle = pattern.toLowerCase();
    const count = this.lines.length;
    for (let step = 0; step <= count; step++) {
      const row = (this.row + step) % count;
      const line = (this.lines[row] ?? "").toLowerCase();
      const from = step === 0 ? this.column + 1 : 0;
      const found =
        step === count ? line.slice(0, this.column + needle.length).indexOf(needle) : line.indexOf(needle, from);
      if (found < 0) continue;
      const wrapped = this.row + step >= count;
      const same = row === this.row && found === this.column;
      this.row = row;
      this.column = found;
      this.message = same ? "[ This is the only occurrence ]" : wrapped ? "[ Search Wrapped ]" : "";
      return;
    }
    this.message = `[ "${pattern}" not found ]`;
  }

  // ---- vi ----

  private async handleVi(key: Key): Promise<EditorResult | undefined> {
    if (this.mode === "command") return this.handleCommandLine(key);
    if (this.mode === "insert") {
      if (this.move(key)) {
        // vim too starts a new change when the cursor moves in insert mode.
        this.recording = undefined;
        return undefined;
      }
      if (!this.replaying) this.recording?.keys.push(key);
      switch (key.type) {
        case "escape":
          this.leaveInsert();
          return undefined;
        case "ctrl":
          if (key.letter === "c" || key.letter === "[") this.leaveInsert();
          else if (key.letter === "s") await this.doSave();
          else if (key.letter === "w" || key.letter === "u") {
            // Ctrl-W: the word before the cursor; Ctrl-U: all before it on the line.
            const line = this.lines[this.row] ?? "";
            const from =
              key.letter === "u"
                ? 0
                : this.column === 0
                  ? 0
                  : wordBackward([line], { row: 0, column: this.column }).column;
            this.lines[this.row] = line.slice(0, from) + line.slice(this.column);
            this.column = from;
            this.modified = true;
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
          this.deleteKey();
          return undefined;
        default:
          return undefined;
      }
    }
    if (key.type !== "text") this.clearPending();
    if (key.type === "escape" || (key.type === "ctrl" && (key.letter === "c" || key.letter === "["))) {
      if (this.visual) {
        this.lastVisual = { first: Math.min(this.visual.row, this.row), last: Math.max(this.visual.row, this.row) };
        this.visual = undefined;
        return undefined;
      }
    }
    if (this.move(key)) {
      this.column = Math.min(this.column, Math.max(0, (this.lines[this.row] ?? "").length - 1));
      return undefined;
    }
    switch (key.type) {
      case "paste":
        this.snapshot();
        this.insertText(key.text);
        return undefined;
      case "enter":
        this.row = Math.min(this.lines.length - 1, this.row + 1);
        this.column = this.firstNonBlank(this.row);
        return undefined;
      case "backspace":
        this.column = Math.max(0, this.column - 1);
        return undefined;
      case "ctrl":
        return this.normalCtrl(key.letter);
      case "text":
        break;
      default:
        return undefined;
    }
    const text = key.text;
    for (let index = 0; index < text.length; index++) {
      this.vertical = false;
      this.toEnd = false;
      const ch = text[index] as string;
      const idle = this.pendingCount === "" && this.pendingOperator === "";
      if (ch === "." && this.pendingOperator === "" && !this.visual) {
        const count = Number(this.pendingCount || "1");
        this.pendingCount = "";
        await this.repeatChange(count);
        continue;
      }
      if (!this.replaying) {
        if (idle) this.recording = this.visual ? undefined : { keys: [], changes: this.changes };
        this.recording?.keys.push({ type: "text", text: ch });
      }
      const result = await this.normalKey(ch);
      if (result) return result;
      this.settleColumn();
      const done = this.mode === "normal" && this.pendingCount === "" && this.pendingOperator === "";
      if (done && this.recording && !this.replaying) {
        if (this.changes > this.recording.changes) this.lastChange = this.recording.keys;
        this.recording = undefined;
      }
      if (this.mode !== "normal") {
        const rest = text.slice(index + 1);
        if (rest) await this.handleVi({ type: "text", text: rest });
        break;
      }
    }
    return undefined;
  }

  /** `.`: the keys of the last change again, count times. */
  private async repeatChange(count: number): Promise<void> {
    if (this.lastChange.length === 0 || this.replaying) return;
    this.replaying = true;
    try {
      for (let time = 0; time < Math.min(count, 1000); time++)
        for (const key of this.lastChange) await this.handleVi(key);
    } finally {
      this.replaying = false;
    }
  }

  private leaveInsert(): void {
    if (this.recording && !this.replaying) this.lastChange = this.recording.keys;
    this.recording = undefined;
    this.mode = "normal";
    this.column = Math.max(0, this.column - 1);
    this.message = "";
  }

  private clearPending(): void {
    this.pendingCount = "";
    this.pendingOperator = "";
    this.operatorCount = 1;
  }

  private async normalCtrl(letter: string): Promise<EditorResult | undefined> {
    const half = Math.max(1, Math.floor(this.textRows / 2));
    this.vertical = "dufb".includes(letter);
    switch (letter) {
      case "s":
        await this.doSave();
        break;
      case "r":
        this.undo(this.redoStack, this.undoStack, "Already at newest change");
        break;
      case "d":
        this.row = Math.min(this.lines.length - 1, this.row + half);
        break;
      case "u":
        this.row = Math.max(0, this.row - half);
        break;
      case "f":
        this.row = Math.min(this.lines.length - 1, this.row + this.textRows);
        break;
      case "b":
        this.row = Math.max(0, this.row - this.textRows);
        break;
      case "g":
        this.message = `"${this.fileName}"${this.modified ? " [Modified]" : ""} ${this.lines.length} line${this.lines.length === 1 ? "" : "s"} --${Math.round(((this.row + 1) * 100) / this.lines.length)}%--`;
        break;
      case "c":
        this.message = "Type  :qa!  and press <Enter> to abandon all changes and exit Vim";
        break;
      default:
        break;
    }
    return undefined;
  }

  private async handleCommandLine(key: Key): Promise<EditorResult | undefined> {
    if (key.type === "enter") {
      this.mode = "normal";
      const command = this.commandLine;
      this.commandLine = "";
      if (this.commandPrefix === ":") return this.runCommand(command);
      this.searchCommand(command, this.commandPrefix === "/");
      return undefined;
    }
    if (key.type === "escape" || (key.type === "ctrl" && key.letter === "c")) {
      this.mode = "normal";
      this.commandLine = "";
      this.message = "";
    } else if (key.type === "backspace") {
      if (this.commandLine === "") {
        this.mode = "normal";
        this.message = "";
      }
      this.commandLine = this.commandLine.slice(0, -1);
    } else if (key.type === "text" || key.type === "paste") this.commandLine += key.text.replace(/[\r\n]/g, "");
    return undefined;
  }

  private firstNonBlank(row: number): number {
    return (/^\s*/.exec(this.lines[row] ?? "")?.[0] ?? "").length;
  }

  /** `/pattern` or `?pattern` typed and Enter: an empty pattern repeats the last search. */
  private searchCommand(pattern: string, forward: boolean): void {
    if (pattern === "") {
      if (!this.lastSearch) {
        this.message = "E35: No previous regular expression";
        return;
      }
      this.lastSearch = { pattern: this.lastSearch.pattern, forward };
    } else this.lastSearch = { pattern, forward };
    this.search(forward, 1);
  }

  /** Moves to the count'th match of the last search pattern, forward or backward, wrapping round. */
  private search(forward: boolean, count: number): void {
    const last = this.lastSearch;
    if (!last) {
      this.message = "E35: No previous regular expression";
      return;
    }
    let regex: RegExp;
    try {
      regex = vimRegExp(last.pattern, this.ignoreCase(last.pattern));
    } catch {
      this.message = `E486: Pattern not found: ${last.pattern}`;
      return;
    }
    const matchesIn = (line: string): number[] => {
      const found: number[] = [];
      for (const match of line.matchAll(regex)) found.push(match.index ?? 0);
      return found;
    };
    let row = this.row;
    let column = this.column;
    let wrapped = false;
    for (let step = 0; step < count; step++) {
      let found: { row: number; column: number } | undefined;
      const total = this.lines.length;
      for (let offset = 0; offset <= total && !found; offset++) {
        const rawRow = forward ? row + offset : row - offset;
        const at = ((rawRow % total) + total) % total;
        if (rawRow >= total || rawRow < 0) wrapped = true;
        const columns = matchesIn(this.lines[at] ?? "");
        const candidates =
          offset === 0
            ? columns.filter((value) => (forward ? value > column : value < column))
            : offset === total
              ? columns.filter((value) => (forward ? value <= column : value >= column))
              : columns;
        const pick = forward ? candidates[0] : candidates[candidates.length - 1];
        if (pick !== undefined) found = { row: at, column: pick };
      }
      if (!found) {
        this.message = `E486: Pattern not found: ${last.pattern}`;
        return;
      }
      row = found.row;
      column = found.column;
    }
    this.row = row;
    this.column = column;
    this.message = wrapped
      ? forward
        ? "search hit BOTTOM, continuing at TOP"
        : "search hit TOP, continuing at BOTTOM"
      : `${forward ? "/" : "?"}${last.pattern}`;
  }

  /** 'ignorecase', with 'smartcase' when the pattern has a capital. */
  private ignoreCase(pattern: string): boolean {
    if (!this.options.has("ignorecase")) return false;
    return !(this.options.has("smartcase") && /[A-Z]/.test(pattern));
  }

  private async runCommand(command: string): Promise<EditorResult | undefined> {
    const trimmed = command.trim().replace(/^:+/, "");
    this.message = "";
    if (trimmed === "") return undefined;
    if (trimmed === "q" || trimmed === "quit" || trimmed === "qa" || trimmed === "qall") {
      if (this.modified) {
        this.message = "E37: No write since last change (add ! to override)";
        return undefined;
      }
      return this.close();
    }
    if (trimmed === "q!" || trimmed === "qa!" || trimmed === "quit!" || trimmed === "cq") return this.close();
    if (trimmed === "w" || trimmed === "w!" || trimmed === "write") {
      await this.doSave();
      return undefined;
    }
    if (["wq", "x", "wq!", "x!", "xit", "exit", "wqa", "xa"].includes(trimmed)) {
      if (!this.modified && trimmed.startsWith("x")) return this.close();
      if (await this.doSave()) return this.close();
      return undefined;
    }
    if (/^(noh|nohl|nohlsearch)$/.test(trimmed)) return undefined;
    if (trimmed === "e!" || trimmed === "edit!") {
      // Back to the file as last read or written.
      this.snapshot();
      this.lines = this.baseline.replace(/\n$/, "").split("\n");
      this.row = Math.min(this.row, this.lines.length - 1);
      this.modified = false;
      this.message = `"${this.fileName}" ${this.lines.length}L, ${this.baseline.length}B`;
      return undefined;
    }
    if (/^(syntax|syn|filetype)(\s|$)/.test(trimmed)) return undefined;
    if (/^(set|se)(\s|$)/.test(trimmed)) {
      this.setOptions(trimmed.replace(/^\S+\s*/, ""));
      return undefined;
    }
    const address = String.raw`(?:[.$]|\d+|'[<>])?(?:[+-]\d*)?`;
    const range = new RegExp(`^(%|${address})(?:,(${address}))?`).exec(trimmed);
    const rangeText = range?.[0] ?? "";
    const rest = trimmed.slice(rangeText.length).trim();
    const line = (spec: string | undefined, fallback: number) => {
      if (spec === undefined || spec === "") return fallback;
      const [, base = "", offset = ""] = /^([.$]|\d+|'[<>])?([+-]\d*)?$/.exec(spec) ?? [];
      const at =
        base === "" || base === "."
          ? this.row
          : base === "$"
            ? this.lines.length - 1
            : base === "'<"
              ? this.lastVisual.first
              : base === "'>"
                ? this.lastVisual.last
                : Number(base) - 1;
      return at + (offset === "" ? 0 : offset.length === 1 ? (offset === "+" ? 1 : -1) : Number(offset));
    };
    let first = this.row;
    let last = this.row;
    if (range?.[1] === "%") {
      first = 0;
      last = this.lines.length - 1;
    } else if (range?.[1]) {
      first = line(range[1], this.row);
      last = line(range[2], first);
    }
    first = Math.max(0, Math.min(first, this.lines.length - 1));
    last = Math.max(0, Math.min(last, this.lines.length - 1));
    if (first > last) [first, last] = [last, first];
    if (rest === "" && rangeText !== "") {
      this.row = last;
      this.column = this.firstNonBlank(this.row);
      return undefined;
    }
    const substitution = parseSubstitution(rest);
    if (substitution) {
      this.substitute(first, last, substitution.pattern, substitution.replacement, substitution.flags, trimmed);
      return undefined;
    }
    if (/^d(e(l(e(t(e)?)?)?)?)?$/.test(rest)) {
      this.snapshot();
      this.register = { text: `${this.lines.slice(first, last + 1).join("\n")}\n`, linewise: true };
      this.lines.splice(first, last - first + 1);
      if (this.lines.length === 0) this.lines = [""];
      this.row = Math.min(first, this.lines.length - 1);
      this.column = this.firstNonBlank(this.row);
      this.modified = true;
      const count = last - first + 1;
      if (count > 2) this.message = `${count} fewer lines`;
      return undefined;
    }
    this.message = `E492: Not an editor command: ${trimmed}`;
    return undefined;
  }

  /** `:set` with vim's forms: `opt`, `noopt`, `invopt`, `opt!`, `opt=value`, `opt?`. */
  private setOptions(args: string): void {
    for (const word of args.split(/\s+/).filter(Boolean)) {
      const match = /^(no|inv)?([a-z]+)(!|\?|[:=+^-]+.*)?$/.exec(word);
      const name = match?.[2] ? knownOptions.get(match[2]) : undefined;
      if (!match || !name) {
        this.message = `E518: Unknown option: ${word}`;
        return;
      }
      const prefix = match[1];
      if (match[3] === "?") {
        this.message = `${this.options.has(name) ? "  " : "no"}${name}`;
        continue;
      }
      if (match[3]?.startsWith("=") || match[3]?.startsWith(":")) continue;
      const on = prefix === "inv" || match[3] === "!" ? !this.options.has(name) : prefix !== "no";
      if (on) this.options.add(name);
      else this.options.delete(name);
    }
  }

  private substitute(
    first: number,
    last: number,
    pattern: string,
    replacement: string,
    flags: string,
    command: string,
  ): void {
    const source = pattern || this.lastSearch?.pattern;
    if (!source) {
      this.message = "E35: No previous regular expression";
      return;
    }
    this.lastSearch = { pattern: source, forward: true };
    let regex: RegExp;
    try {
      regex = vimRegExp(source, flags.includes("i") || (!flags.includes("I") && this.ignoreCase(source)));
    } catch {
      this.message = `E486: Pattern not found: ${source}`;
      return;
    }
    const global = flags.includes("g");
    let substitutions = 0;
    let changedLines = 0;
    let lastChanged = -1;
    const updated: string[] = [];
    for (let row = first; row <= last; row++) {
      const line = this.lines[row] ?? "";
      let count = 0;
      let out = "";
      let from = 0;
      for (const match of line.matchAll(regex)) {
        const at = match.index ?? 0;
        out += line.slice(from, at) + expandReplacement(replacement, match);
        from = at + match[0].length;
        count++;
        if (!global) break;
      }
      if (count === 0) {
        updated.push(line);
        continue;
      }
      out += line.slice(from);
      substitutions += count;
      changedLines++;
      lastChanged = row;
      updated.push(out);
    }
    if (substitutions === 0) {
      this.message = flags.includes("e") ? "" : `E486: Pattern not found: ${source}`;
      return;
    }
    this.snapshot();
    // A `\r` in the replacement splits lines; the last changed line moves down accordingly.
    const split = updated.map((text) => text.split("\n"));
    const added = split.slice(0, lastChanged - first + 1).reduce((sum, parts) => sum + parts.length - 1, 0);
    this.lines.splice(first, last - first + 1, ...split.flat());
    this.modified = true;
    this.row = lastChanged + added;
    this.column = this.firstNonBlank(this.row);
    // vim reports only more substitutions than 'report' (2); otherwise the command stays shown.
    this.message =
      substitutions > 2
        ? `${substitutions} substitution${substitutions === 1 ? "" : "s"} on ${changedLines} line${changedLines === 1 ? "" : "s"}`
        : `:${command}`;
  }

  /** One normal-mode character: a count digit, an operator, a motion or a command. */
  private async normalKey(ch: string): Promise<EditorResult | undefined> {
    if (this.pendingOperator === "r") {
      // `r` takes the next character as it is, digits too.
      const count = Math.min(Number(this.pendingCount || "1"), 100_000);
      this.clearPending();
      const line = this.lines[this.row] ?? "";
      if (this.column + count > line.length) return undefined;
      this.snapshot();
      this.lines[this.row] = line.slice(0, this.column) + ch.repeat(count) + line.slice(this.column + count);
      this.column += count - 1;
      this.modified = true;
      return undefined;
    }
    if (/[1-9]/.test(ch) || (ch === "0" && this.pendingCount !== "")) {
      this.pendingCount += ch;
      return undefined;
    }
    const hasCount = this.pendingCount !== "";
    const count = Math.min(Number(this.pendingCount || "1"), 100_000);
    this.pendingCount = "";
    const operator = this.pendingOperator;
    this.pendingOperator = "";
    const line = this.lines[this.row] ?? "";
    if (this.visual && operator === "") {
      if ("dxycs><".includes(ch)) {
        this.visualOperator(ch);
        return undefined;
      }
      if (ch === "v" || ch === "V") {
        const linewise = ch === "V";
        if (this.visual.linewise === linewise) this.visual = undefined;
        else this.visual.linewise = linewise;
        return undefined;
      }
      if (ch === ":") {
        const selection = this.selection();
        if (selection) this.lastVisual = { first: selection.start.row, last: selection.end.row };
        this.visual = undefined;
        this.mode = "command";
        this.commandPrefix = ":";
        this.commandLine = "'<,'>";
        return undefined;
      }
      if ("iaAIoOpPrJuDCSXY~".includes(ch)) return undefined;
    }

    if (operator === "Z") {
      if (ch === "Z") return this.runCommand("x");
      if (ch === "Q") return this.runCommand("q!");
      return undefined;
    }
    if (operator === "g" || operator.endsWith("g")) {
      if (ch !== "g") return undefined;
      const target: Motion = { row: hasCount ? Math.min(count, this.lines.length) - 1 : 0, column: 0, linewise: true };
      if (operator === "g") {
        this.row = target.row;
        this.column = this.firstNonBlank(this.row);
      } else this.applyOperator(operator[0] as string, target);
      return undefined;
    }
    if (operator.length === 2) {
      // An operator waiting for a text object after `i` or `a` (`ciw`, `daw`).
      if (ch !== "w" && ch !== "W") return undefined;
      const { start, end } = wordObject(line, this.column, operator[1] === "a");
      this.applyOperator(operator[0] as string, { row: this.row, column: end }, { row: this.row, column: start });
      return undefined;
    }
    if (operator === "d" || operator === "c" || operator === "y" || operator === ">" || operator === "<") {
      const total = count * this.operatorCount;
      const counted = hasCount || this.operatorCount > 1;
      this.operatorCount = 1;
      if (ch === operator) {
        const last = Math.min(this.lines.length - 1, this.row + total - 1);
        this.applyOperator(operator, { row: last, column: 0, linewise: true });
        return undefined;
      }
      if (ch === "i" || ch === "a") {
        this.pendingOperator = operator + ch;
        return undefined;
      }
      if (ch === "g") {
        this.pendingOperator = `${operator}g`;
        return undefined;
      }
      let target = this.motion(ch, total, counted);
      if (!target) return undefined;
      if (operator === "c" && (ch === "w" || ch === "W") && /\S/.test(line[this.column] ?? "")) {
        // vim: `cw` on a word changes to its end, like `ce`.
        target = { ...this.repeat(total, (at) => wordEnd(this.lines, at, ch === "W")), inclusive: true };
      } else if (
        (ch === "w" || ch === "W") &&
        target.row > this.row &&
        target.column <= this.firstNonBlank(target.row)
      ) {
        // vim: a `w` that ends on the next line stops at the end of the line before it.
        const row = target.row - 1;
        target = { row, column: (this.lines[row] ?? "").length };
      }
      this.applyOperator(operator, target);
      return undefined;
    }

    const motion = this.motion(ch, count, hasCount);
    if (motion) {
      this.row = motion.row;
      this.column = motion.column;
      this.vertical = ch === "j" || ch === "k";
      this.toEnd = ch === "$";
      return undefined;
    }
    switch (ch) {
      case "i":
        this.startInsert();
        break;
      case "a":
        this.startInsert();
        this.column = Math.min(line.length, this.column + 1);
        break;
      case "A":
        this.startInsert();
        this.column = line.length;
        break;
      case "I":
        this.startInsert();
        this.column = this.firstNonBlank(this.row);
        break;
      case "o":
      case "O": {
        this.startInsert();
        const indent = /^\s*/.exec(line)?.[0] ?? "";
        const at = ch === "o" ? this.row + 1 : this.row;
        this.lines.splice(at, 0, indent);
        this.row = at;
        this.column = indent.length;
        this.modified = true;
        break;
      }
      case "x":
        if (line.length > 0)
          this.applyOperator("d", { row: this.row, column: Math.min(line.length, this.column + count) });
        break;
      case "X":
        if (this.column > 0) this.applyOperator("d", { row: this.row, column: Math.max(0, this.column - count) });
        break;
      case "s":
        this.applyOperator("c", { row: this.row, column: Math.min(line.length, this.column + count) });
        break;
      case "S":
        this.applyOperator("c", {
          row: Math.min(this.lines.length - 1, this.row + count - 1),
          column: 0,
          linewise: true,
        });
        break;
      case "D":
      case "C": {
        const row = Math.min(this.lines.length - 1, this.row + count - 1);
        this.applyOperator(ch === "D" ? "d" : "c", { row, column: (this.lines[row] ?? "").length });
        break;
      }
      case "Y":
        this.applyOperator("y", {
          row: Math.min(this.lines.length - 1, this.row + count - 1),
          column: 0,
          linewise: true,
        });
        break;
      case "J":
        this.join(Math.max(2, count));
        break;
      case "~": {
        if (line.length === 0) break;
        this.snapshot();
        const end = Math.min(line.length, this.column + count);
        const toggled = [...line.slice(this.column, end)]
          .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
          .join("");
        this.lines[this.row] = line.slice(0, this.column) + toggled + line.slice(end);
        this.column = end;
        this.modified = true;
        break;
      }
      case "p":
      case "P":
        this.put(ch === "p", count);
        break;
      case "u":
        for (let step = 0; step < count; step++) this.undo(this.undoStack, this.redoStack, "Already at oldest change");
        break;
      case "n":
      case "N":
        if (this.lastSearch) this.search(ch === "n" ? this.lastSearch.forward : !this.lastSearch.forward, count);
        else this.message = "E35: No previous regular expression";
        break;
      case "*":
      case "#": {
        const { start, end } = wordObject(line, this.column, false);
        const word = line.slice(start, end);
        if (!/\w/.test(word)) break;
        this.lastSearch = { pattern: `\\<${word}\\>`, forward: ch === "*" };
        this.column = start;
        this.search(ch === "*", count);
        break;
      }
      case "d":
      case "c":
      case "y":
      case ">":
      case "<":
        this.pendingOperator = ch;
        this.operatorCount = count;
        break;
      case "g":
      case "Z":
      case "r":
        this.pendingOperator = ch;
        if (hasCount) this.pendingCount = String(count);
        break;
      case "v":
      case "V":
        this.visual = { row: this.row, column: this.column, linewise: ch === "V" };
        break;
      case ":":
      case "/":
      case "?":
        this.mode = "command";
        this.commandPrefix = ch;
        this.commandLine = hasCount && ch === ":" ? `.,.+${count - 1}` : "";
        break;
      default:
        // Keys vim has but this editor does not (q, m, % …) do nothing, as an
        // unmapped key does: they must never change the buffer.
        break;
    }
    return undefined;
  }

  /** Applies `step` count times from the cursor. */
  private repeat(count: number, step: (at: Position) => Position): Position {
    let at: Position = { row: this.row, column: this.column };
    for (let index = 0; index < count; index++) at = step(at);
    return at;
  }

  /** Where a motion key goes from the cursor, or undefined when `ch` is no motion. */
  private motion(ch: string, count: number, hasCount: boolean): Motion | undefined {
    const line = this.lines[this.row] ?? "";
    const lastRow = this.lines.length - 1;
    switch (ch) {
      case "h":
        return { row: this.row, column: Math.max(0, this.column - count) };
      case "l":
      case " ":
        return { row: this.row, column: Math.min(line.length, this.column + count) };
      case "j":
      case "+": {
        if (this.row === lastRow) return undefined;
        const row = Math.min(lastRow, this.row + count);
        return { row, column: ch === "j" ? this.column : this.firstNonBlank(row), linewise: true };
      }
      case "k":
      case "-": {
        if (this.row === 0) return undefined;
        const row = Math.max(0, this.row - count);
        return { row, column: ch === "k" ? this.column : this.firstNonBlank(row), linewise: true };
      }
      case "0":
        return { row: this.row, column: 0 };
      case "^":
        return { row: this.row, column: this.firstNonBlank(this.row) };
      case "$": {
        const row = Math.min(lastRow, this.row + count - 1);
        return { row, column: Math.max(0, (this.lines[row] ?? "").length - 1), inclusive: true };
      }
      case "w":
      case "W":
        return this.repeat(count, (at) => wordForward(this.lines, at, ch === "W"));
      case "b":
      case "B":
        return this.repeat(count, (at) => wordBackward(this.lines, at, ch === "B"));
      case "e":
      case "E":
        return { ...this.repeat(count, (at) => wordEnd(this.lines, at, ch === "E")), inclusive: true };
      case "G": {
        const row = hasCount ? Math.min(count, this.lines.length) - 1 : lastRow;
        return { row, column: this.firstNonBlank(row), linewise: true };
      }
      default:
        return undefined;
    }
  }

  private startInsert(): void {
    this.snapshot();
    this.mode = "insert";
    this.message = "";
  }

  /**
   * d, c, y, > or < from the cursor to `target` (or from `from`): whole lines for a linewise motion,
   * else the characters in between (the target's own one too for an inclusive motion).
   */
  private applyOperator(
    operator: string,
    target: Motion,
    from: Position = { row: this.row, column: this.column },
  ): void {
    let start = from;
    let end: Position = { row: target.row, column: target.column + (target.inclusive ? 1 : 0) };
    if (target.row < start.row || (target.row === start.row && target.column < start.column)) {
      end = { row: start.row, column: start.column + (target.inclusive ? 1 : 0) };
      start = { row: target.row, column: target.column };
    }
    if (target.linewise) {
      const first = Math.min(start.row, end.row);
      const last = Math.max(start.row, end.row);
      const taken = this.lines.slice(first, last + 1);
      if (operator === "y") {
        this.register = { text: `${taken.join("\n")}\n`, linewise: true };
        this.row = first;
        if (taken.length > 2) this.message = `${taken.length} lines yanked`;
        return;
      }
      this.snapshot();
      if (operator === ">" || operator === "<") {
        const width = 2;
        for (let row = first; row <= last; row++) {
          const text = this.lines[row] ?? "";
          this.lines[row] =
            operator === ">"
              ? text === ""
                ? ""
                : " ".repeat(width) + text
              : text.replace(new RegExp(`^ {0,${width}}`), "");
        }
        this.row = first;
        this.column = this.firstNonBlank(first);
        this.modified = true;
        return;
      }
      this.register = { text: `${taken.join("\n")}\n`, linewise: true };
      if (operator === "c") {
        // The yaml indent plugin vim loads for a .yaml file sets 'autoindent': `cc` keeps the indent.
        const indent = /^\s*/.exec(taken[0] ?? "")?.[0] ?? "";
        this.lines.splice(first, last - first + 1, indent);
        this.row = first;
        this.column = indent.length;
        this.mode = "insert";
      } else {
        this.lines.splice(first, last - first + 1);
        if (this.lines.length === 0) this.lines = [""];
        this.row = Math.min(first, this.lines.length - 1);
        this.column = this.firstNonBlank(this.row);
        if (taken.length > 2) this.message = `${taken.length} fewer lines`;
      }
      this.modified = true;
      return;
    }
    if (operator === ">" || operator === "<") return;
    const startLine = this.lines[start.row] ?? "";
    const endLine = this.lines[end.row] ?? "";
    const endColumn = Math.min(end.column, endLine.length);
    const taken =
      start.row === end.row
        ? startLine.slice(start.column, endColumn)
        : [
            startLine.slice(start.column),
            ...this.lines.slice(start.row + 1, end.row),
            endLine.slice(0, endColumn),
          ].join("\n");
    this.register = { text: taken, linewise: false };
    if (operator === "y") {
      this.row = start.row;
      this.column = start.column;
      return;
    }
    this.snapshot();
    this.lines.splice(start.row, end.row - start.row + 1, startLine.slice(0, start.column) + endLine.slice(endColumn));
    this.row = start.row;
    this.column = start.column;
    this.modified = true;
    if (operator === "c") this.mode = "insert";
  }

  private put(after: boolean, count: number): void {
    const { text, linewise } = this.register;
    if (text === "") return;
    this.snapshot();
    if (linewise) {
      const lines = text.replace(/\n$/, "").split("\n");
      const all = Array.from({ length: count }, () => lines).flat();
      const at = after ? this.row + 1 : this.row;
      this.lines.splice(at, 0, ...all);
      this.row = at;
      this.column = this.firstNonBlank(at);
    } else {
      const line = this.lines[this.row] ?? "";
      if (after && line.length > 0) this.column++;
      this.insertText(text.repeat(count));
      this.column = Math.max(0, this.column - 1);
    }
    this.modified = true;
  }

  /** `J`: joins count lines with one space, as vim does (no space before `)` or after blanks). */
  private join(count: number): void {
    const last = Math.min(this.lines.length - 1, this.row + count - 1);
    if (last === this.row) return;
    this.snapshot();
    let joined = this.lines[this.row] ?? "";
    let column = joined.length;
    for (let row = this.row + 1; row <= last; row++) {
      const next = (this.lines[row] ?? "").replace(/^\s+/, "");
      column = joined.replace(/\s+$/, "").length;
      joined = next === "" ? joined : `${joined.replace(/\s+$/, "")}${next.startsWith(")") ? "" : " "}${next}`;
    }
    this.lines.splice(this.row, last - this.row + 1, joined);
    this.column = column;
    this.modified = true;
  }
}

/** One decoded keystroke (or a run of printable text). */
export type Key =
  | { type: "text"; text: string }
  | {
      type:
        | "enter"
        | "backspace"
        | "delete"
        | "tab"
        | "up"
        | "down"
        | "left"
        | "right"
        | "home"
        | "end"
        | "pageUp"
        | "pageDown"
        | "escape";
    }
  | { type: "ctrl"; letter: string }
  | { type: "alt"; letter: string }
  | { type: "wordLeft" | "wordRight" }
  | { type: "paste"; text: string };

const sequences: [string, Key][] = [
  ["\x1b[200~", { type: "escape" }],
  ["\x1b[1;5D", { type: "wordLeft" }],
  ["\x1b[1;5C", { type: "wordRight" }],
  ["\x1b[1;3D", { type: "wordLeft" }],
  ["\x1b[1;3C", { type: "wordRight" }],
  ["\x1b[A", { type: "up" }],
  ["\x1b[B", { type: "down" }],
  ["\x1b[C", { type: "right" }],
  ["\x1b[D", { type: "left" }],
  ["\x1bOA", { type: "up" }],
  ["\x1bOB", { type: "down" }],
  ["\x1bOC", { type: "right" }],
  ["\x1bOD", { type: "left" }],
  ["\x1b[H", { type: "home" }],
  ["\x1b[F", { type: "end" }],
  ["\x1bOH", { type: "home" }],
  ["\x1bOF", { type: "end" }],
  ["\x1b[1~", { type: "home" }],
  ["\x1b[4~", { type: "end" }],
  ["\x1b[7~", { type: "home" }],
  ["\x1b[8~", { type: "end" }],
  ["\x1b[3~", { type: "delete" }],
  ["\x1b[5~", { type: "pageUp" }],
  ["\x1b[6~", { type: "pageDown" }],
  ["\x1b[2~", { type: "escape" }],
];

/**
 * Splits terminal input into keys (`altKeys` false: ESC never combines with the next key). Bracketed pastes (`ESC[200~ … ESC[201~`) arrive as one
 * paste key so their newlines are not taken as Enter mid-way.
 */
export function decodeKeys(data: string, altKeys = true): Key[] {
  const keys: Key[] = [];
  let index = 0;
  let text = "";
  const flushText = () => {
    if (text) keys.push({ type: "text", text });
    text = "";
  };
  while (index < data.length) {
    const rest = data.slice(index);
    if (rest.startsWith("\x1b[200~")) {
      flushText();
      const end = rest.indexOf("\x1b[201~");
      const body = end >= 0 ? rest.slice(6, end) : rest.slice(6);
      keys.push({ type: "paste", text: body });
      index += end >= 0 ? end + 6 : rest.length;
      continue;
    }
    if (rest.startsWith("\x1b")) {
      const match = sequences.find(([sequence]) => rest.startsWith(sequence));
      flushText();
      if (match) {
        keys.push(match[1]);
        index += match[0].length;
        continue;
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: decoding escape sequences
      const csi = /^\x1b\[[0-9;]*[~A-Za-z]/.exec(rest);
      if (csi) {
        index += csi[0].length;
        continue;
      }
      // ESC followed by a key is Alt+key for the line editor; an editor takes it as Escape, then the key.
      if (altKeys && rest.length > 1 && rest[1] !== "\x1b" && /[A-Za-z0-9.\x7f]/.test(rest[1] as string)) {
        const letter = rest[1] as string;
        keys.push(letter === "\x7f" ? { type: "ctrl", letter: "w" } : { type: "alt", letter });
        index += 2;
        continue;
      }
      keys.push({ type: "escape" });
      index += 1;
      continue;
    }
    const ch = data[index] as string;
    const code = ch.charCodeAt(0);
    if (ch === "\r" || ch === "\n") {
      flushText();
      keys.push({ type: "enter" });
      if (ch === "\r" && data[index + 1] === "\n") index++;
    } else if (ch === "\x7f" || ch === "\b") {
      flushText();
      keys.push({ type: "backspace" });
    } else if (ch === "\t") {
      flushText();
      keys.push({ type: "tab" });
    } else if (code < 0x20) {
      flushText();
      keys.push({ type: "ctrl", letter: String.fromCharCode(code + 0x60) });
    } else {
      text += ch;
    }
    index++;
  }
  flushText();
  return keys;
}

import { describe, expect, it } from "vitest";
import { decodeKeys } from "./keys";

describe("decodeKeys", () => {
  it("splits text, control keys and escape sequences", () => {
    expect(decodeKeys("ab\x1b[A\x7f\r\x03\t\x1b[3~\x1bb")).toEqual([
      { type: "text", text: "ab" },
      { type: "up" },
      { type: "backspace" },
      { type: "enter" },
      { type: "ctrl", letter: "c" },
      { type: "tab" },
      { type: "delete" },
      { type: "alt", letter: "b" },
    ]);
  });
  it("keeps a bracketed paste together", () => {
    expect(decodeKeys("\x1b[200~a\nb\x1b[201~")).toEqual([{ type: "paste", text: "a\nb" }]);
  });
});

describe("decodeKeys inside an editor", () => {
  it("takes ESC followed by a key as Escape, then the key", () => {
    expect(decodeKeys("\x1b:wq\r", false)).toEqual([
      { type: "escape" },
      { type: "text", text: ":wq" },
      { type: "enter" },
    ]);
    expect(decodeKeys("\x1bb")).toEqual([{ type: "alt", letter: "b" }]);
  });
});

import { describe, expect, it } from "vitest";
import { Editor } from "./Editor";
import { decodeKeys } from "./keys";

const deployment = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: web",
  "spec:",
  "  replicas: 1",
  "  template:",
  "    spec:",
  "      containers:",
  "      - image: nginx:1.25",
  "        name: nginx",
  "",
].join("\n");

/** An editor on `text`; `type` feeds terminal input as the shell decodes it for an editor. */
function open(text: string, flavour: "vi" | "nano" = "vi") {
  const saves: { text: string; fileName: string }[] = [];
  const editor = new Editor(
    text,
    "web.yaml",
    flavour,
    () => undefined,
    { columns: 80, rows: 24 },
    async (saved, fileName) => {
      saves.push({ text: saved, fileName });
      return undefined;
    },
  );
  editor.open();
  let closed: { saved: string | undefined } | undefined;
  const type = async (data: string) => {
    for (const key of decodeKeys(data, false)) {
      const result = await editor.handle(key);
      if (result) closed = result;
    }
  };
  return { editor, saves, type, closed: () => closed };
}

describe("vi", () => {
  it.each([
    { name: "/pattern Enter jumps to the match", keys: "/replicas\r", row: 5, column: 2, status: "/replicas" },
    { name: "n repeats the search", keys: "/name\rn", row: 10, column: 8, status: "/name" },
    {
      name: "a forward search wraps with vim's message",
      keys: "G/kind\r",
      row: 1,
      column: 0,
      status: "search hit BOTTOM, continuing at TOP",
    },
    { name: "?pattern searches backward", keys: "G?spec\r", row: 7, column: 4, status: "?spec" },
    {
      name: "a backward search wraps with vim's message",
      keys: "?image\r",
      row: 9,
      column: 8,
      status: "search hit TOP, continuing at BOTTOM",
    },
    {
      name: "N searches the other way",
      keys: "/spec\rN",
      row: 7,
      column: 4,
      status: "search hit TOP, continuing at BOTTOM",
    },
    {
      name: "a missing pattern is E486",
      keys: "/nothere\r",
      row: 0,
      column: 0,
      status: "E486: Pattern not found: nothere",
    },
    { name: "n before any search is E35", keys: "n", row: 0, column: 0, status: "E35: No previous regular expression" },
    { name: "counts move lines", keys: "3j", row: 3, column: 0, status: expect.any(String) },
    { name: "NG goes to line N", keys: "6G", row: 5, column: 2, status: expect.any(String) },
    { name: "j keeps the column over a shorter line", keys: "$jjj", row: 3, column: 10, status: expect.any(String) },
    { name: "k after $ goes to the end", keys: "j$k", row: 0, column: 18, status: expect.any(String) },
    { name: "+ goes to the first non-blank", keys: "2+", row: 2, column: 0, status: expect.any(String) },
    { name: "a regex pattern", keys: "/image: .*:1\\.2\r", row: 9, column: 8, status: "/image: .*:1\\.2" },
  ])("$name", async ({ keys, row, column, status }) => {
    const { editor, type } = open(deployment);
    await type(keys);
    expect(editor.cursor).toEqual({ row, column });
    expect(editor.status).toEqual(status);
    expect(editor.text).toBe(deployment);
  });

  it.each([
    { name: "2dd deletes two lines", keys: "2dd", text: "a\nb\nc\nd\n", expected: "c\nd\n" },
    { name: "d2j deletes three lines", keys: "d2j", text: "a\nb\nc\nd\n", expected: "d\n" },
    { name: "5x deletes five characters", keys: "5x", text: "abcdefg\n", expected: "fg\n" },
    { name: "dw deletes a word and its blanks", keys: "dw", text: "one two three\n", expected: "two three\n" },
    { name: "d2w deletes two words", keys: "d2w", text: "one two three\n", expected: "three\n" },
    { name: "2dw is the same", keys: "2dw", text: "one two three\n", expected: "three\n" },
    {
      name: "dw on the last word keeps the line break",
      keys: "wwdw",
      text: "one two three\nx\n",
      expected: "one two \nx\n",
    },
    { name: "dw stops at punctuation", keys: "dw", text: "nginx:1.25\n", expected: ":1.25\n" },
    { name: "w stops at the colon as vim does", keys: "wdw", text: "image: nginx\n", expected: "imagenginx\n" },
    {
      name: "cw changes to the word's end",
      keys: "Wcwlatest\x1b",
      text: "image: nginx\n",
      expected: "image: latest\n",
    },
    {
      name: "ciw changes the word under the cursor",
      keys: "Wlciwredis\x1b",
      text: "image: nginx\n",
      expected: "image: redis\n",
    },
    { name: "daw takes the blanks after", keys: "daw", text: "one two\n", expected: "two\n" },
    { name: "D deletes to the end of the line", keys: "WD", text: "replicas: 3\n", expected: "replicas: \n" },
    { name: "C changes to the end", keys: "WC5\x1b", text: "replicas: 3\n", expected: "replicas: 5\n" },
    { name: "r replaces one character", keys: "$r5", text: "replicas: 3\n", expected: "replicas: 5\n" },
    { name: "s substitutes a character", keys: "$s7\x1b", text: "replicas: 3\n", expected: "replicas: 7\n" },
    { name: "X deletes before the cursor", keys: "$X", text: "ab\n", expected: "b\n" },
    { name: "J joins lines", keys: "J", text: "a\n  b\n", expected: "a b\n" },
    { name: "yyp duplicates a line", keys: "yyp", text: "a\nb\n", expected: "a\na\nb\n" },
    { name: "3p puts three times", keys: "yy3p", text: "a\n", expected: "a\na\na\na\n" },
    { name: "ddp swaps lines", keys: "ddp", text: "a\nb\n", expected: "b\na\n" },
    { name: "dG deletes to the end", keys: "jdG", text: "a\nb\nc\n", expected: "a\n" },
    { name: "dgg deletes to the top", keys: "jdgg", text: "a\nb\nc\n", expected: "c\n" },
    { name: "u undoes a whole insert", keys: "ifoo bar\x1bu", text: "x\n", expected: "x\n" },
    { name: "Ctrl-R redoes", keys: "xxuu\x12", text: "abc\n", expected: "bc\n" },
    { name: ">> indents by two spaces", keys: ">>", text: "a\n", expected: "  a\n" },
    { name: "~ toggles case", keys: "~", text: "ab\n", expected: "Ab\n" },
    { name: ". repeats dd", keys: "dd.", text: "a\nb\nc\n", expected: "c\n" },
    { name: ". repeats an insert", keys: "A!\x1bj.", text: "a\nb\n", expected: "a!\nb!\n" },
    { name: ". repeats cw", keys: "cwx\x1bw.", text: "one two\n", expected: "x x\n" },
    { name: "2. repeats x twice", keys: "x2.", text: "abcd\n", expected: "d\n" },
    { name: ". after a motion still repeats the change", keys: "xll.", text: "abcde\n", expected: "bce\n" },
    { name: ". with nothing to repeat", keys: ".", text: "a\n", expected: "a\n" },
    { name: ":e! goes back to the file", keys: "ddx:e!\r", text: "a\nb\n", expected: "a\nb\n" },
    { name: "Ctrl-W in insert mode deletes a word", keys: "A two\x17x\x1b", text: "one\n", expected: "one x\n" },
    { name: "Ctrl-U in insert mode deletes to the start", keys: "A two\x15x\x1b", text: "one\n", expected: "x\n" },
    { name: "Vjd deletes two lines", keys: "Vjd", text: "a\nb\nc\n", expected: "c\n" },
    { name: "Vj> indents two lines", keys: "Vj>", text: "a\nb\nc\n", expected: "  a\n  b\nc\n" },
    { name: "vey then P", keys: "veyP", text: "ab cd\n", expected: "abab cd\n" },
    { name: "vllx deletes three characters", keys: "vllx", text: "abcdef\n", expected: "def\n" },
    { name: "Esc leaves Visual mode", keys: "Vj\x1bdd", text: "a\nb\nc\n", expected: "a\nc\n" },
    { name: "Vj:s works on the selection", keys: "jVj:s/^/#/\r", text: "a\nb\nc\nd\n", expected: "a\n#b\n#c\nd\n" },
    { name: "3: gives a range of three lines", keys: "3:d\r", text: "a\nb\nc\nd\n", expected: "d\n" },
  ])("$name", async ({ keys, text, expected }) => {
    const { editor, type } = open(text);
    await type(keys);
    expect(editor.text).toBe(expected);
  });

  it.each([
    { name: "/ then Esc", keys: "/replicas\x1b" },
    { name: "keys vi does not have here", keys: "vVq\x1bm;,QK%" },
    { name: "a motion-less operator", keys: "dqcz" },
    { name: "an unknown ex command", keys: ":frobnicate\r" },
    { name: "yank and motions", keys: "yy3wbe$0^ggG" },
  ])("$name leaves the buffer alone", async ({ keys }) => {
    const { editor, type } = open(deployment);
    await type(keys);
    expect(editor.text).toBe(deployment);
  });

  it.each([
    {
      name: ":%s///g replaces everywhere, quietly for two",
      command: ":%s/nginx/redis/g\r",
      expected: deployment.replace(/nginx/g, "redis"),
      status: ":%s/nginx/redis/g",
    },
    {
      name: ":s/// replaces the first match on the line",
      command: "6G:s/1/3/\r",
      expected: deployment.replace("replicas: 1", "replicas: 3"),
      status: ":s/1/3/",
    },
    {
      name: "more than two substitutions are reported",
      command: ":%s/e/E/g\r",
      expected: deployment.replace(/e/g, "E"),
      status: "14 substitutions on 11 lines",
    },
    {
      name: "a pattern not found is E486",
      command: ":%s/redis/nginx/g\r",
      expected: deployment,
      status: "E486: Pattern not found: redis",
    },
    {
      name: "& and groups in the replacement",
      command: ":%s/\\(image\\): \\(.*\\)/\\1: my-&/\r",
      expected: deployment.replace("image: nginx:1.25", "image: my-image: nginx:1.25"),
      status: expect.any(String),
    },
    {
      name: "a line range",
      command: ":1,4s/^/# /\r",
      expected: deployment.replace(/^(?=(apiVersion|kind|metadata| {2}name))/gm, "# "),
      status: "4 substitutions on 4 lines",
    },
    { name: ":set paste", command: ":set paste\r", expected: deployment, status: "" },
    { name: ":set nopaste", command: ":set nopaste\r", expected: deployment, status: "" },
    { name: ":set nu", command: ":set nu\r", expected: deployment, status: "" },
    {
      name: "an unknown option is E518",
      command: ":set frob\r",
      expected: deployment,
      status: "E518: Unknown option: frob",
    },
    { name: ":%d empties the buffer", command: ":%d\r", expected: "\n", status: "11 fewer lines" },
  ])("$name", async ({ command, expected, status }) => {
    const { editor, type } = open(deployment);
    await type(command);
    expect(editor.text).toBe(expected);
    expect(editor.status).toEqual(status);
  });

  it("shows paste mode in insert mode", async () => {
    const { editor, type } = open("a\n");
    let screen = "";
    (editor as unknown as { write: (text: string) => void }).write = (text) => {
      screen = text;
    };
    await type(":set paste\ri");
    expect(screen).toContain("-- INSERT (paste) --");
  });

  it("shows a Visual selection in reverse video", async () => {
    const { editor, type } = open("ab\ncd\n");
    let screen = "";
    (editor as unknown as { write: (text: string) => void }).write = (text) => {
      screen = text;
    };
    await type("lvj");
    expect(screen).toContain("a\x1b[7mb\x1b[0m");
    expect(screen).toContain("\x1b[7mcd\x1b[0m");
    expect(screen).toContain("-- VISUAL --");
  });

  it("numbers lines with :set number", async () => {
    const { editor, type } = open("a\nb\n");
    let screen = "";
    (editor as unknown as { write: (text: string) => void }).write = (text) => {
      screen = text;
    };
    await type(":set number\r");
    expect(screen).toContain("  1 a");
    expect(screen).toContain("  2 b");
  });

  it("says [New] for a new file", () => {
    expect(open("").editor.status).toBe('"web.yaml" [New]');
  });

  it("says [New] when it first writes a new file", async () => {
    const { editor, type } = open("");
    await type("ia\x1b:w\r");
    expect(editor.status).toBe('"web.yaml" [New] 1L, 2B written');
    await type(":w\r");
    expect(editor.status).toBe('"web.yaml" 1L, 2B written');
  });

  it("saves and quits with :wq", async () => {
    const { saves, type, closed } = open("a\n");
    await type("x:wq\r");
    expect(saves).toEqual([{ text: "\n", fileName: "web.yaml" }]);
    expect(closed()).toEqual({ saved: "\n" });
  });
});

describe("nano", () => {
  it("^O asks for the file name and Enter writes, without touching the text", async () => {
    const { editor, saves, type } = open("image: nginx\n", "nano");
    await type("\x1b[C\x1b[C\x1b[C\x0f");
    expect(editor.status).toBe("File Name to Write: web.yaml");
    await type("\r");
    expect(saves).toEqual([{ text: "image: nginx\n", fileName: "web.yaml" }]);
    expect(editor.text).toBe("image: nginx\n");
    expect(editor.status).toBe("[ Wrote 1 line ]");
  });

  it("^O then ^C cancels", async () => {
    const { editor, saves, type } = open("a\n", "nano");
    await type("\x0f\x03");
    expect(saves).toEqual([]);
    expect(editor.status).toBe("[ Cancelled ]");
    await type("b");
    expect(editor.text).toBe("ba\n");
  });

  it("^O can write under another name", async () => {
    const { saves, type } = open("a\n", "nano");
    await type("\x0f\x7f\x7f\x7f\x7fml\r");
    expect(saves[0]?.fileName).toBe("web.ml");
  });

  it("^X on a modified buffer asks, then Y asks for the name, then Enter saves and exits", async () => {
    const { editor, saves, type, closed } = open("a\n", "nano");
    await type("b\x18");
    expect(editor.status).toBe("Save modified buffer? ");
    await type("y");
    expect(editor.status).toBe("File Name to Write: web.yaml");
    expect(closed()).toBeUndefined();
    await type("\r");
    expect(saves).toEqual([{ text: "ba\n", fileName: "web.yaml" }]);
    expect(closed()).toEqual({ saved: "ba\n" });
  });

  it("^X then N exits without saving", async () => {
    const { saves, type, closed } = open("a\n", "nano");
    await type("b\x18n");
    expect(saves).toEqual([]);
    expect(closed()).toEqual({ saved: undefined });
  });

  it("^X then ^C goes back to the text", async () => {
    const { editor, type, closed } = open("a\n", "nano");
    await type("b\x18\x03");
    expect(closed()).toBeUndefined();
    expect(editor.status).toBe("[ Cancelled ]");
  });

  it("^X on an unmodified buffer exits at once", async () => {
    const { type, closed } = open("a\n", "nano");
    await type("\x18");
    expect(closed()).toEqual({ saved: undefined });
  });

  it("^W searches forward, case-insensitively, wrapping", async () => {
    const { editor, type } = open(deployment, "nano");
    await type("\x17REPLICAS\r");
    expect(editor.cursor).toEqual({ row: 5, column: 2 });
    await type("\x17kind\r");
    expect(editor.cursor).toEqual({ row: 1, column: 0 });
    expect(editor.status).toBe("[ Search Wrapped ]");
    await type("\x17\r");
    expect(editor.status).toBe("[ This is the only occurrence ]");
    await type("\x17nothere\r");
    expect(editor.status).toBe('[ "nothere" not found ]');
    expect(editor.text).toBe(deployment);
  });

  it("M-U undoes a run of typing at once and M-E redoes it", async () => {
    const { editor, type } = open("a\n", "nano");
    await type("xyz\x1b[C\x7f");
    expect(editor.text).toBe("xyz\n");
    await type("\x1bu");
    expect(editor.text).toBe("xyza\n");
    await type("\x1bu");
    expect(editor.text).toBe("a\n");
    await type("\x1bu");
    expect(editor.status).toBe("[ Nothing to undo ]");
    await type("\x1be");
    expect(editor.text).toBe("xyza\n");
  });

  it("M-W searches again", async () => {
    const { editor, type } = open("a\nb a\n", "nano");
    await type("\x17a\r");
    expect(editor.cursor).toEqual({ row: 1, column: 2 });
    await type("\x1bw");
    expect(editor.cursor).toEqual({ row: 0, column: 0 });
  });

  it("^C tells where the cursor is", async () => {
    const { editor, type } = open("ab\ncde\n", "nano");
    await type("\x1b[B\x1b[C\x03");
    expect(editor.status).toBe("[ line 2/2 (100%), col 2/4 (50%), char 4/7 (57%) ]");
  });

  it("^K cuts consecutive lines together and ^U pastes them", async () => {
    const { editor, type } = open("a\nb\nc\nd\n", "nano");
    await type("\x0b\x0b\x1b[B\x15");
    expect(editor.text).toBe("c\na\nb\nd\n");
  });
});

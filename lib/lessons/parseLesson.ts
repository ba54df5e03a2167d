import { isMap, LineCounter, parseDocument } from "yaml";
import { type Lesson, LessonFrontMatter, type LessonProblem } from "./Lesson";

/** The outcome of parsing one lesson file. */
export type ParsedLesson = { ok: true; lesson: Lesson } | { ok: false; problem: LessonProblem };

const FENCE = /^---[ \t]*$/;

/**
 * Parses a lesson file: a `---` line, YAML front matter, a `---` line, then Markdown. Every failure
 * names the file and the line it is on, counted from the top of the file.
 */
export function parseLesson(source: string, file: string): ParsedLesson {
  const lines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  const fail = (line: number, message: string): ParsedLesson => ({ ok: false, problem: { file, line, message } });

  if (!FENCE.test(lines[0] ?? "")) return fail(1, 'a lesson must start with front matter: a line "---"');
  const closing = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (closing < 0) return fail(1, 'the front matter is not closed: no second "---" line');

  // Front matter line n (0-based, within the YAML) is file line n + 2.
  const yamlText = lines.slice(1, closing).join("\n");
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [yamlError] = document.errors;
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line + 1;
    return fail(line, `invalid YAML in the front matter: ${firstLine(yamlError.message)}`);
  }
  if (!isMap(document.contents)) return fail(2, "the front matter must be a YAML mapping (key: value lines)");

  const result = LessonFrontMatter.safeParse(document.toJS());
  if (!result.success) {
    const [issue] = result.error.issues;
    const fieldPath = issue?.path.map(String) ?? [];
    const node = fieldPath.length > 0 ? document.getIn(fieldPath, true) : undefined;
    const offset = nodeOffset(node) ?? keyOffset(document.contents, fieldPath[0]);
    const line = offset === undefined ? 2 : lineCounter.linePos(offset).line + 1;
    const field = fieldPath.length > 0 ? `"${fieldPath.join(".")}"` : "front matter";
    const missing = issue?.code === "invalid_type" && node === undefined;
    return fail(line, missing ? `front matter is missing ${field}` : `front matter field ${field} ${issue?.message}`);
  }

  const frontMatter = result.data;
  const bodyLine = closing + 2;
  return {
    ok: true,
    lesson: {
      id: frontMatter.id,
      title: frontMatter.title,
      module: frontMatter.module,
      order: frontMatter.order,
      summary: frontMatter.summary,
      frontMatter,
      body: lines.slice(closing + 1).join("\n"),
      bodyLine,
      file,
    },
  };
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}

function nodeOffset(node: unknown): number | undefined {
  if (node && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}

// Where a top-level key is written, for errors about its value when the value has no position.
function keyOffset(contents: unknown, key: string | undefined): number | undefined {
  if (!isMap(contents)) return undefined;
  if (key === undefined) return nodeOffset(contents);
  const pair = contents.items.find((item) => String((item.key as { value?: unknown })?.value) === key);
  return nodeOffset(pair?.key);
}

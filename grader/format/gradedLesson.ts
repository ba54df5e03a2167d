import { type Document, isMap, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { Lesson, LessonProblem } from "../../lib/lessons/Lesson";
import { Exercise, GradedFrontMatter, type StartingState } from "./schema";

/** An exercise with where it sits in its lesson file. */
export interface LocatedExercise extends Exercise {
  /** 1-based line of the ```exercise fence in the lesson file. */
  line: number;
}

/** A lesson with its grading parts parsed. */
export interface GradedLesson {
  lesson: Lesson;
  startingState?: StartingState;
  estimatedMinutes?: number;
  /** Set for a timed lesson (an assessment): minutes from the learner's first open. */
  timeLimitMinutes?: number;
  objectives: string[];
  prerequisites: string[];
  exercises: LocatedExercise[];
  /** Problems in the exercise blocks or grading front matter; the lesson still serves without them. */
  problems: LessonProblem[];
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*exercise\s*$/;

/** The ```exercise blocks of a Markdown body with their 1-based file lines. */
export function exerciseBlocks(body: string, bodyLine: number): { line: number; yaml: string; end: number }[] {
  const lines = body.split(/\r?\n/);
  const blocks: { line: number; yaml: string; end: number }[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = OPEN.exec(lines[index] ?? "");
    if (!open) continue;
    const fence = open[2] as string;
    let close = index + 1;
    while (close < lines.length && !(lines[close] ?? "").trim().startsWith(fence)) close++;
    blocks.push({ line: bodyLine + index, yaml: lines.slice(index + 1, close).join("\n"), end: bodyLine + close });
    index = close;
  }
  return blocks;
}

/** The line (1-based, within the YAML text) of the node at a zod issue's path. */
function issueLine(document: Document, counter: LineCounter, path: PropertyKey[]): number {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length) as (string | number)[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
    // A missing key: point at its parent mapping.
  }
  return 1;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join(".")}" ` : "";
  if (issue.code === "invalid_union" || (issue.path.at(-1) === "type" && issue.code === "invalid_value")) {
    return `${where}has an unknown check type (known: exists, absent, field, count, condition, event, spread, endpoints, request, command, file, module)`;
  }
  return `${where}${issue.message}`;
}

/**
 * Parses a lesson's exercises and grading front matter. Each problem names the lesson file and
 * the line; a broken exercise is left out and the others still load.
 */
export function gradedLesson(lesson: Lesson): GradedLesson {
  const problems: LessonProblem[] = [];
  const front = GradedFrontMatter.safeParse(lesson.frontMatter);
  let startingState: StartingState | undefined;
  let objectives: string[] = [];
  let prerequisites: string[] = [];
  let estimatedMinutes: number | undefined;
  let timeLimitMinutes: number | undefined;
  if (front.success) {
    startingState = front.data.startingState;
    objectives = front.data.objectives;
    prerequisites = front.data.prerequisites;
    estimatedMinutes = front.data.estimatedMinutes;
    timeLimitMinutes = front.data.timeLimitMinutes;
  } else {
    for (const issue of front.error.issues) {
      problems.push({
        file: lesson.file,
        line: frontMatterLine(lesson, String(issue.path[0] ?? "")),
        message: `front matter field ${describeIssue(issue)}`,
      });
    }
  }

  const exercises: LocatedExercise[] = [];
  const seen = new Set<string>();
  for (const block of exerciseBlocks(lesson.body, lesson.bodyLine)) {
    const counter = new LineCounter();
    const document = parseDocument(block.yaml, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    const [yamlError] = document.errors;
    if (yamlError) {
      const line = block.line + counter.linePos(yamlError.pos[0]).line;
      problems.push({
        file: lesson.file,
        line,
        message: `invalid YAML in exercise: ${yamlError.message.split("\n")[0]}`,
      });
      continue;
    }
    if (!isMap(document.contents)) {
      problems.push({ file: lesson.file, line: block.line, message: "an exercise block must be a YAML mapping" });
      continue;
    }
    const parsed = Exercise.safeParse(document.toJS());
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 3)) {
        const line = block.line + issueLine(document, counter, issue.path);
        problems.push({ file: lesson.file, line, message: `exercise ${describeIssue(issue)}` });
      }
      continue;
    }
    const exercise = parsed.data;
    if (seen.has(exercise.id)) {
      problems.push({ file: lesson.file, line: block.line, message: `exercise id "${exercise.id}" is used twice` });
      continue;
    }
    seen.add(exercise.id);
    const badRegex = invalidRegex(exercise);
    if (badRegex) {
      problems.push({ file: lesson.file, line: block.line, message: badRegex });
      continue;
    }
    exercises.push({ ...exercise, line: block.line });
  }
  return { lesson, startingState, estimatedMinutes, timeLimitMinutes, objectives, prerequisites, exercises, problems };
}

function invalidRegex(exercise: Exercise): string | undefined {
  for (const [index, check] of exercise.checks.entries()) {
    for (const key of ["regex", "expect", "message"] as const) {
      const value = (check as Record<string, unknown>)[key];
      if (typeof value !== "string" || (key === "message" && check.type !== "event")) continue;
      try {
        new RegExp(value);
      } catch (error) {
        return `exercise "checks.${index}.${key}" is not a valid regular expression: ${(error as Error).message}`;
      }
    }
  }
  return undefined;
}

function frontMatterLine(lesson: Lesson, key: string): number {
  // The front matter starts on line 2; find the key's line by its text.
  const lines = lesson.frontMatter ? Object.keys(lesson.frontMatter) : [];
  const index = lines.indexOf(key);
  return index < 0 ? 2 : 2 + index;
}

/** The ids used to refer to checks in results: the check's own id or check-<n>. */
export function checkId(check: { id?: string }, index: number): string {
  return check.id ?? `check-${index + 1}`;
}

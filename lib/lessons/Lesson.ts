import { z } from "zod";

/**
 * The front matter every lesson starts with. Fields beyond these are kept (the grader's exercises
 * and checks live there too) and validated by whoever owns them.
 */
export const LessonFrontMatter = z.looseObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be lower-case words joined by hyphens, e.g. first-pod"),
  title: z.string().trim().min(1, "must not be empty"),
  module: z.string().trim().min(1, "must not be empty"),
  order: z.number().finite(),
  summary: z.string().trim().min(1, "must not be empty"),
});

/** Parsed front matter of a lesson. */
export type LessonFrontMatter = z.infer<typeof LessonFrontMatter>;

/** A lesson file that parsed and validated. */
export interface Lesson {
  id: string;
  title: string;
  module: string;
  order: number;
  summary: string;
  /** The whole front matter, including fields other parts of Kubelab define. */
  frontMatter: LessonFrontMatter;
  /** The Markdown after the front matter. */
  body: string;
  /** The line of the file where the body starts (1-based), for errors that point into the body. */
  bodyLine: number;
  /** Path of the file relative to the lessons folder. */
  file: string;
}

/** Why a lesson file could not be loaded, pointing at the offending line. */
export interface LessonProblem {
  /** Path of the file relative to the lessons folder. */
  file: string;
  /** 1-based line the problem is on. */
  line: number;
  message: string;
}

/** Formats a problem the way compilers do: `file:line: message`. */
export function formatLessonProblem(problem: LessonProblem, folder = "lessons"): string {
  return `${folder}/${problem.file}:${problem.line}: ${problem.message}`;
}

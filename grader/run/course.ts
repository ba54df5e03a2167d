import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { formatLessonProblem, type LessonProblem } from "../../lib/lessons/Lesson";
import { parseLesson } from "../../lib/lessons/parseLesson";
import { type GradedLesson, gradedLesson } from "../format/gradedLesson";

/** Lesson files found under the given paths (files or folders), relative to `root` for messages. */
export function lessonFiles(paths: string[]): { root: string; file: string }[] {
  const found: { root: string; file: string }[] = [];
  for (const given of paths) {
    const full = path.resolve(given);
    if (statSync(full).isDirectory()) {
      const walk = (prefix: string) => {
        for (const entry of readdirSync(path.join(full, prefix), { withFileTypes: true }).sort((a, b) =>
          a.name.localeCompare(b.name),
        )) {
          const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
          if (entry.isDirectory()) walk(relative);
          else if (entry.name.endsWith(".md") && entry.name !== "README.md") found.push({ root: full, file: relative });
        }
      };
      walk("");
    } else {
      found.push({ root: path.dirname(full), file: path.basename(full) });
    }
  }
  return found;
}

/** A lesson loaded for grading, with its folder (for module checks) and every problem found. */
export interface LoadedLesson {
  graded?: GradedLesson;
  folder: string;
  file: string;
  problems: LessonProblem[];
}

/** Loads and validates lesson files: the foundation's front matter, then the grader's parts. */
export function loadGradedLessons(paths: string[]): LoadedLesson[] {
  return lessonFiles(paths).map(({ root, file }) => {
    const full = path.join(root, file);
    const parsed = parseLesson(readFileSync(full, "utf8"), file);
    if (!parsed.ok) return { folder: path.dirname(full), file: full, problems: [parsed.problem] };
    const graded = gradedLesson(parsed.lesson);
    return { graded, folder: path.dirname(full), file: full, problems: graded.problems };
  });
}

/** `lessons/first-pod.md:12: message` with the path as given. */
export function formatProblem(loaded: LoadedLesson, problem: LessonProblem): string {
  return formatLessonProblem(
    { ...problem, file: path.relative(process.cwd(), loaded.file) || loaded.file },
    ".",
  ).replace(/^\.\//, "");
}

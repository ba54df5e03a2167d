import "server-only";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../projectRoot";
import { formatLessonProblem, type Lesson, type LessonProblem } from "./Lesson";
import { parseLesson } from "./parseLesson";

/** Every lesson in the course, plus the files that could not be loaded. */
export interface Course {
  /** Loaded lessons, sorted by `order` (then id). */
  lessons: Lesson[];
  /** Lesson files with errors; the other lessons still serve. */
  problems: LessonProblem[];
}

/** A module of the course with its lessons, in course order. */
export interface CourseModule {
  name: string;
  lessons: Lesson[];
}

/** The folder holding the course: KUBELAB_LESSONS_DIR, or lessons/ under the project root. */
export function lessonsFolder(): string {
  return process.env.KUBELAB_LESSONS_DIR || path.join(projectRoot(), "lessons");
}

/**
 * Reads and validates every `.md` file under `folder` (recursively). A file that fails is reported
 * in `problems` with its line and left out; two files with the same id are both reported.
 */
export function loadCourse(folder = lessonsFolder()): Course {
  const files = listMarkdownFiles(folder);
  const lessons: Lesson[] = [];
  const problems: LessonProblem[] = [];
  for (const file of files) {
    const parsed = parseLesson(readFileSync(path.join(folder, file), "utf8"), file);
    if (parsed.ok) lessons.push(parsed.lesson);
    else problems.push(parsed.problem);
  }

  const byId = new Map<string, Lesson[]>();
  for (const lesson of lessons) byId.set(lesson.id, [...(byId.get(lesson.id) ?? []), lesson]);
  const duplicates = new Set<Lesson>();
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    for (const lesson of same) {
      duplicates.add(lesson);
      const others = same.filter((other) => other !== lesson).map((other) => other.file);
      problems.push({ file: lesson.file, line: 2, message: `lesson id "${id}" is also used by ${others.join(", ")}` });
    }
  }

  return {
    lessons: lessons
      .filter((lesson) => !duplicates.has(lesson))
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id)),
    problems: problems.sort((a, b) => a.file.localeCompare(b.file)),
  };
}

/** Groups lessons by module; modules come in the order of their first lesson. */
export function groupByModule(lessons: readonly Lesson[]): CourseModule[] {
  const modules = new Map<string, Lesson[]>();
  for (const lesson of lessons) modules.set(lesson.module, [...(modules.get(lesson.module) ?? []), lesson]);
  return [...modules].map(([name, moduleLessons]) => ({ name, lessons: moduleLessons }));
}

let cached: { folder: string; signature: string; course: Course } | undefined;

/**
 * The course, re-read only when a lesson file was added, removed or changed since the last call,
 * so instructors see their edits on reload without a rebuild or restart.
 */
export function currentCourse(folder = lessonsFolder()): Course {
  const files = listMarkdownFiles(folder);
  const signature = files.map((file) => `${file}:${statSync(path.join(folder, file)).mtimeMs}`).join("|");
  if (cached?.folder !== folder || cached.signature !== signature) {
    cached = { folder, signature, course: loadCourse(folder) };
    // The home page lists these too; the log is where whoever edits lessons is looking.
    for (const problem of cached.course.problems) console.warn(`lesson error: ${formatLessonProblem(problem)}`);
  }
  return cached.course;
}

function listMarkdownFiles(folder: string, prefix = ""): string[] {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(path.join(folder, prefix), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...listMarkdownFiles(folder, relative));
    else if (entry.isFile() && entry.name.endsWith(".md") && entry.name !== "README.md") files.push(relative);
  }
  return files;
}

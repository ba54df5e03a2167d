import { existsSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../lib/projectRoot";
import { type LoadedLesson, loadGradedLessons } from "./course";

/** The lessons folder: an explicit one, KUBELAB_LESSONS_DIR, or lessons/ under the project root. */
export function defaultLessonsFolder(explicit?: string, env: Record<string, string | undefined> = process.env): string {
  return explicit ?? (env.KUBELAB_LESSONS_DIR || path.join(projectRoot(), "lessons"));
}

/** Finds a lesson by id (in the lessons folder) or by file path. */
export function findLesson(reference: string, folder: string): LoadedLesson | undefined {
  if (reference.endsWith(".md") && existsSync(reference)) return loadGradedLessons([reference])[0];
  return loadGradedLessons([folder]).find((loaded) => loaded.graded?.lesson.id === reference);
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatLessonProblem } from "./Lesson";
import { currentCourse, groupByModule, loadCourse } from "./loadLessons";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function lessonFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-lessons-"));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), content);
  }
  return folder;
}

const lesson = (id: string, module: string, order: number) =>
  `---\nid: ${id}\ntitle: ${id}\nmodule: ${module}\norder: ${order}\nsummary: About ${id}.\n---\nText.\n`;

describe("loadCourse", () => {
  it("sorts lessons by order, groups them by module, and reports broken files without losing the rest", () => {
    const folder = lessonFolder({
      "b.md": lesson("second", "Basics", 20),
      "nested/a.md": lesson("first", "Basics", 10),
      "c.md": lesson("third", "Workloads", 30),
      "broken.md": "---\nid: broken\ntitle: [\n---\n",
      "README.md": "Not a lesson.",
    });
    const course = loadCourse(folder);
    expect(course.lessons.map((found) => found.id)).toEqual(["first", "second", "third"]);
    expect(course.lessons[0]?.file).toBe("nested/a.md");
    expect(groupByModule(course.lessons).map((module) => [module.name, module.lessons.length])).toEqual([
      ["Basics", 2],
      ["Workloads", 1],
    ]);
    expect(course.problems).toHaveLength(1);
    expect(formatLessonProblem(course.problems[0] as never)).toMatch(/^lessons\/broken\.md:3: invalid YAML/);
  });

  it("reports both files of a duplicate id and serves neither", () => {
    const folder = lessonFolder({ "a.md": lesson("same", "M", 1), "b.md": lesson("same", "M", 2) });
    const course = loadCourse(folder);
    expect(course.lessons).toEqual([]);
    expect(course.problems.map((problem) => problem.file)).toEqual(["a.md", "b.md"]);
    expect(course.problems[0]?.message).toContain("also used by b.md");
  });

  it("re-reads the folder when a lesson changes", () => {
    const folder = lessonFolder({ "a.md": lesson("one", "M", 1) });
    expect(currentCourse(folder).lessons).toHaveLength(1);
    writeFileSync(path.join(folder, "b.md"), lesson("two", "M", 2));
    expect(currentCourse(folder).lessons.map((found) => found.id)).toEqual(["one", "two"]);
  });

  it("loads every lesson shipped in lessons/ without problems", () => {
    const course = loadCourse(path.resolve(import.meta.dirname, "..", "..", "lessons"));
    expect(course.problems.map((problem) => formatLessonProblem(problem))).toEqual([]);
    expect(course.lessons.length).toBeGreaterThanOrEqual(3);
  });
});

import { describe, expect, it } from "vitest";
import type { Lesson } from "../../../lib/lessons/Lesson";
import { parseLesson } from "../../../lib/lessons/parseLesson";
import { lessonView } from "./lessonView";

const source = [
  "---",
  "id: demo",
  "title: Demo",
  "module: M",
  "order: 1",
  "summary: S",
  "---",
  "# Pods",
  "",
  "Run **one** pod.",
  "",
  "```exercise",
  "id: run-web",
  "title: Run web",
  "instructions: Run a pod named `web`.",
  "checks:",
  "  - {type: exists, kind: Pod, name: web}",
  "solution: kubectl run web --image=nginx",
  "```",
  "",
  "Between the exercises.",
  "",
  "```exercise",
  "id: broken",
  "checks: not a list",
  "```",
  "",
].join("\n");

function lesson(): Lesson {
  const parsed = parseLesson(source, "demo.md");
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.lesson;
}

describe("lessonView", () => {
  it("splits the lesson into rendered text, exercises and broken blocks' problems, in order", () => {
    const { graded, parts } = lessonView(lesson());
    expect(graded.exercises.map((exercise) => exercise.id)).toEqual(["run-web"]);
    expect(parts.map((part) => part.kind)).toEqual(["text", "exercise", "text", "problem"]);
    const [intro, exercise, between, problem] = parts;
    expect(intro?.kind === "text" && intro.html).toContain("<strong>one</strong>");
    expect(between?.kind === "text" && between.html).toContain("Between the exercises.");
    expect(exercise?.kind === "exercise" && exercise.exercise).toMatchObject({
      id: "run-web",
      title: "Run web",
      solution: "kubectl run web --image=nginx",
      checks: [{ description: expect.stringContaining("web") }],
    });
    expect(exercise?.kind === "exercise" && exercise.exercise.instructionsHtml).toContain("<code>web</code>");
    expect(problem?.kind === "problem" && problem.problem).toMatch(/demo\.md:24: exercise/);
    expect(new Set(parts.map((part) => part.key)).size).toBe(parts.length);
  });

  it("is computed once per lesson object, and again for a reloaded lesson", () => {
    const first = lesson();
    expect(lessonView(first)).toBe(lessonView(first));
    const reloaded = lesson();
    expect(lessonView(reloaded)).not.toBe(lessonView(first));
    expect(lessonView(reloaded)).toEqual(lessonView(first));
  });
});

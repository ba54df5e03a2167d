import { describe, expect, it } from "vitest";
import { parseLesson } from "../../lib/lessons/parseLesson";
import { gradedLesson } from "./gradedLesson";

function load(body: string, front = "") {
  const source = `---\nid: demo\ntitle: Demo\nmodule: M\norder: 1\nsummary: S\n${front}---\n${body}`;
  const parsed = parseLesson(source, "demo.md");
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return gradedLesson(parsed.lesson);
}

const exercise = (checks: string, extra = "") =>
  [
    "",
    "Some prose.",
    "",
    "```exercise",
    "id: one",
    "title: One",
    `checks:\n${checks}`,
    "solution: kubectl run x --image=nginx",
    extra,
    "```",
    "",
  ].join("\n");

describe("exercise blocks", () => {
  it("parses an exercise with its file line and defaults", () => {
    const lesson = load(exercise("  - type: exists\n    kind: Pod\n    name: x"));
    expect(lesson.problems).toEqual([]);
    expect(lesson.exercises).toHaveLength(1);
    expect(lesson.exercises[0]).toMatchObject({ id: "one", line: 11, hints: [], solutionAfterAttempts: 2 });
    expect(lesson.exercises[0]?.checks[0]).toMatchObject({ type: "exists", points: 1 });
  });

  it.each([
    ["an unknown check type", "  - type: teleport\n    kind: Pod", /unknown check type/, 15],
    [
      "a field check without a matcher",
      "  - type: field\n    kind: Pod\n    name: x\n    path: spec",
      /needs one of equals/,
      15,
    ],
    ["a misspelled key", "  - type: exists\n    knid: Pod", /knid|kind/, 15],
    [
      "a bad regular expression",
      "  - type: field\n    kind: Pod\n    path: a\n    regex: '('",
      /not a valid regular expression/,
      11,
    ],
  ])("reports %s with file and line", (_name, checks, message, line) => {
    const lesson = load(exercise(checks));
    expect(lesson.exercises).toEqual([]);
    expect(lesson.problems[0]?.message).toMatch(message);
    expect(lesson.problems[0]?.line).toBe(line);
    expect(lesson.problems[0]?.file).toBe("demo.md");
  });

  it("reports invalid YAML at its line", () => {
    const lesson = load("```exercise\nid: one\ntitle: [unclosed\n```\n");
    expect(lesson.problems[0]).toMatchObject({ line: 10 });
    expect(lesson.problems[0]?.message).toMatch(/invalid YAML/);
  });

  it("parses the starting state and keeps other lessons' fields", () => {
    const lesson = load(
      "",
      "estimatedMinutes: 10\nobjectives: [a]\nstartingState:\n  manifests: |\n    kind: Namespace\n  commands: [kubectl get pods]\n",
    );
    expect(lesson.problems).toEqual([]);
    expect(lesson.startingState).toMatchObject({
      manifests: "kind: Namespace\n",
      commands: ["kubectl get pods"],
      files: [],
    });
    expect(lesson.estimatedMinutes).toBe(10);
  });

  it("reads a time limit and rejects a bad one at its line", () => {
    expect(load("", "timeLimitMinutes: 40\n").timeLimitMinutes).toBe(40);
    expect(load("").timeLimitMinutes).toBeUndefined();
    const bad = load("", "timeLimitMinutes: soon\n");
    expect(bad.timeLimitMinutes).toBeUndefined();
    expect(bad.problems[0]).toMatchObject({ line: 7 });
    expect(bad.problems[0]?.message).toMatch(/timeLimitMinutes/);
  });
});

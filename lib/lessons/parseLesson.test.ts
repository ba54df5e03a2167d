import { describe, expect, it } from "vitest";
import { parseLesson } from "./parseLesson";

const valid = `---
id: first-pod
title: Your first Pod
module: Workloads
order: 30
summary: Create a Pod.
exercises: [{ id: run }]
---

# Your first Pod
`;

describe("parseLesson", () => {
  it("reads the front matter, keeps extra fields and finds where the body starts", () => {
    const parsed = parseLesson(valid, "first-pod.md");
    expect(parsed).toMatchObject({
      ok: true,
      lesson: { id: "first-pod", title: "Your first Pod", module: "Workloads", order: 30, bodyLine: 9 },
    });
    if (!parsed.ok) return;
    expect(parsed.lesson.frontMatter.exercises).toEqual([{ id: "run" }]);
    expect(parsed.lesson.body.trim()).toBe("# Your first Pod");
  });

  const broken: { name: string; source: string; line: number; message: RegExp }[] = [
    { name: "no front matter", source: "# Title\n", line: 1, message: /must start with front matter/ },
    { name: "unclosed front matter", source: "---\nid: a\n", line: 1, message: /not closed/ },
    {
      name: "invalid YAML",
      source: "---\nid: a\ntitle: [unclosed\nmodule: m\n---\n",
      line: 4,
      message: /invalid YAML/,
    },
    { name: "not a mapping", source: "---\n- a\n- b\n---\n", line: 2, message: /must be a YAML mapping/ },
    {
      name: "missing field",
      source: "---\nid: a\ntitle: T\nmodule: M\norder: 1\n---\n",
      line: 2,
      message: /missing "summary"/,
    },
    {
      name: "wrong type, pointing at the value",
      source: "---\nid: a\ntitle: T\nmodule: M\norder: first\nsummary: S\n---\n",
      line: 5,
      message: /"order"/,
    },
    {
      name: "malformed id",
      source: "---\ntitle: T\nid: Not An Id\nmodule: M\norder: 1\nsummary: S\n---\n",
      line: 3,
      message: /"id" must be lower-case words/,
    },
    {
      name: "duplicate key",
      source: "---\nid: a\nid: b\ntitle: T\nmodule: M\norder: 1\nsummary: S\n---\n",
      line: 3,
      message: /invalid YAML.*unique/i,
    },
  ];

  it.each(broken)("reports $name with the file and line", ({ source, line, message }) => {
    const parsed = parseLesson(source, "broken.md");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.file).toBe("broken.md");
    expect(parsed.problem.line).toBe(line);
    expect(parsed.problem.message).toMatch(message);
  });
});

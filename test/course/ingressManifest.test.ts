import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ingressNginxManifest } from "../../engine/images/catalog/ingressNginxManifest";
import { gradedLesson } from "../../grader/format/gradedLesson";
import { parseLesson } from "../../lib/lessons/parseLesson";

/**
 * The Ingress lesson gives the learner ~/ingress-nginx.yaml, the controller's manifest the engine's
 * own tests install (engine/images/catalog/ingressNginxManifest.ts): the two copies must not drift.
 */
describe("the ingress-nginx manifest", () => {
  it("is the same in lessons/ingress.md and in the engine's catalog", () => {
    const file = path.join(import.meta.dirname, "../../lessons/ingress.md");
    const parsed = parseLesson(readFileSync(file, "utf8"), file);
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const files = gradedLesson(parsed.lesson).startingState?.files ?? [];
    const copy = files.find((entry) => entry.path === "ingress-nginx.yaml");
    expect(copy?.content.trim()).toBe(ingressNginxManifest.trim());
  });
});

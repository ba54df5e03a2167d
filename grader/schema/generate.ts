import { writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { Exercise, GradedFrontMatter } from "../format/schema";

/**
 * Writes grader/schema/lesson.schema.json (front matter) and exercise.schema.json (```exercise
 * blocks) from the zod schemas the loader validates with, so editors complete what the grader accepts.
 * Run: npx tsx grader/schema/generate.ts
 */
const FrontMatter = GradedFrontMatter.extend({
  id: z.string().describe("Lower-case words joined by hyphens, unique in the course"),
  title: z.string(),
  module: z.string().describe("Lessons with the same module are grouped on the course map"),
  order: z.number().describe("Position in the course"),
  summary: z.string(),
});

function render(name: string, schema: z.ZodType, title: string): string {
  const json = {
    $id: `https://kubelab.dev/schema/${name}`,
    title,
    ...(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The schema files' names and contents. */
export function schemaFiles(): Record<string, string> {
  return {
    "lesson.schema.json": render("lesson.schema.json", FrontMatter, "Kubelab lesson front matter"),
    "exercise.schema.json": render("exercise.schema.json", Exercise, "Kubelab exercise block"),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  for (const [name, text] of Object.entries(schemaFiles())) writeFileSync(path.join(import.meta.dirname, name), text);
}

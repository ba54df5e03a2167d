import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemaFiles } from "./generate";

describe("the JSON Schemas for editors", () => {
  it.each(Object.entries(schemaFiles()))(
    "%s matches the zod schema (run npx tsx grader/schema/generate.ts)",
    (name, text) => {
      expect(JSON.parse(readFileSync(path.join(import.meta.dirname, name), "utf8"))).toEqual(JSON.parse(text));
    },
  );
});

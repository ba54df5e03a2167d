#!/usr/bin/env node
// Regenerates the Prisma client (generated/prisma, git-ignored) when prisma/schema.prisma is newer
// than it, e.g. after pulling a schema change, so type-checking sees the current models.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schema = path.join(root, "prisma", "schema.prisma");
const client = path.join(root, "generated", "prisma", "client.ts");
if (!existsSync(client) || statSync(client).mtimeMs < statSync(schema).mtimeMs) {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "prisma.mjs"), "generate"], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}

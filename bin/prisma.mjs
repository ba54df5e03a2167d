#!/usr/bin/env node
// Runs the Prisma CLI for this project (`npm run prisma -- migrate status`). The JavaScript schema
// engine needs no native library, but the CLI looks for one — and tries to download it — unless
// PRISMA_QUERY_ENGINE_LIBRARY names an existing file; any file will do.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY || path.join(root, "package.json"),
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    KUBELAB_ROOT: root,
  },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);

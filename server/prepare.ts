import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Database from "better-sqlite3";
import { preparedDatabaseFilePath } from "../lib/database/databaseUrl";
import { formatBundleReport, routeBundles } from "./bundleReport";

const require = createRequire(import.meta.url);

/** Progress reporting for the preparation steps. */
export type Say = (message: string) => void;

/**
 * Makes the database usable: generates the Prisma client when the schema is newer than it, and
 * applies pending migrations from prisma/migrations with `prisma migrate deploy` (skipped when the
 * database already records every migration, which keeps restarts fast).
 */
export function prepareDatabase(root: string, say: Say = console.log): void {
  const schema = path.join(root, "prisma", "schema.prisma");
  const generated = path.join(root, "generated", "prisma", "client.ts");
  if (!existsSync(generated) || mtime(generated) < mtime(schema)) {
    say("Generating the Prisma client…");
    runPrisma(root, ["generate"]);
  }
  const databaseFile = preparedDatabaseFilePath(process.env, root);
  const pending = pendingMigrations(root, databaseFile);
  if (pending.length > 0) {
    say(`Applying ${pending.length} database migration(s) to ${path.relative(root, databaseFile) || databaseFile}…`);
    runPrisma(root, ["migrate", "deploy"]);
  }
}

/** Names of migration folders not yet recorded as applied in the database file. */
export function pendingMigrations(root: string, databaseFile: string): string[] {
  const folder = path.join(root, "prisma", "migrations");
  const onDisk = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
  if (!existsSync(databaseFile)) return onDisk;
  const database = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const table = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!table) return onDisk;
    const applied = new Set(
      (
        database
          .prepare(
            "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
          )
          .all() as { migration_name: string }[]
      ).map((row) => row.migration_name),
    );
    return onDisk.filter((name) => !applied.has(name));
  } finally {
    database.close();
  }
}

/** Runs the Prisma CLI in the project, failing loudly. */
export function runPrisma(root: string, args: string[]): void {
  const cli = require.resolve("prisma/build/index.js");
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      // The JavaScript engines need no native library, but the CLI looks for one unless told where it is.
      PRISMA_QUERY_ENGINE_LIBRARY: path.join(root, "package.json"),
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      KUBELAB_ROOT: root,
    },
  });
  if (result.status !== 0) throw new Error(`prisma ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}

// What a production build of the app is made from. Lessons are read at request time, so they are not inputs.
const BUILD_INPUTS = [
  "app",
  "lib",
  "engine",
  "grader",
  "terminal",
  "generated",
  "public",
  "next.config.js",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
];

/** Whether .next holds a production build newer than every file it is built from. */
export function productionBuildIsCurrent(root: string): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const builtAt = mtime(buildId);
  return BUILD_INPUTS.every((input) => newestMtime(path.join(root, input)) <= builtAt);
}

/** Runs `next build` unless the production build is current. */
export function ensureProductionBuild(root: string, say: Say = console.log): void {
  if (productionBuildIsCurrent(root)) return;
  say("Building the app for production (next build)…");
  const cli = require.resolve("next/dist/bin/next");
  const result = spawnSync(process.execPath, [cli, "build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", KUBELAB_ROOT: root },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal})`);
  say(formatBundleReport(routeBundles(root)));
}

function mtime(file: string): number {
  return statSync(file).mtimeMs;
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

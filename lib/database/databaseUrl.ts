import { mkdirSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../projectRoot";

/** Where the database lives when `DATABASE_URL` is not set, relative to the project root. */
export const DEFAULT_DATABASE_URL = "file:data/kubelab.db";

/**
 * Resolves the SQLite file the app and the Prisma CLI use: `DATABASE_URL` (a `file:` URL, relative
 * paths taken from the project root so the server finds the same file from any working directory)
 * or `file:data/kubelab.db`. Kept free of `server-only` because prisma.config.ts loads it too.
 */
export function databaseFilePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  root = projectRoot(),
): string {
  const url = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  if (!url.startsWith("file:")) {
    throw new Error(`DATABASE_URL must be a SQLite "file:" URL, got ${JSON.stringify(url)}`);
  }
  const file = url.slice("file:".length).replace(/\?.*$/, "");
  if (file === "") throw new Error("DATABASE_URL names no file");
  return path.resolve(root, file);
}

/** Same as {@link databaseFilePath}, and creates the folder that holds the file. */
export function preparedDatabaseFilePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  root = projectRoot(),
): string {
  const file = databaseFilePath(env, root);
  mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

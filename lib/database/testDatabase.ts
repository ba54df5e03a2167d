import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

/**
 * For tests: creates the SQLite file `<folder>/test.db` with the schema the migrations make (what
 * `npm start` applies, without the Prisma CLI) and points DATABASE_URL at it, so that `prisma()`
 * opens it. Returns the file.
 */
export function migratedTestDatabase(folder: string): string {
  const file = path.join(folder, "test.db");
  const migrations = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");
  const database = new Database(file);
  for (const name of readdirSync(migrations).sort())
    if (!name.endsWith(".toml")) database.exec(readFileSync(path.join(migrations, name, "migration.sql"), "utf8"));
  database.close();
  process.env.DATABASE_URL = `file:${file}`;
  return file;
}

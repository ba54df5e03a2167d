import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { pendingMigrations, productionBuildIsCurrent } from "./prepare";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "kubelab-prepare-"));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

function touch(file: string, secondsAgo: number): void {
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, time, time);
}

describe("pendingMigrations", () => {
  const migrations = {
    "prisma/migrations/20260101000000_init/migration.sql": "CREATE TABLE a (id INTEGER);",
    "prisma/migrations/20260201000000_more/migration.sql": "CREATE TABLE b (id INTEGER);",
    "prisma/migrations/migration_lock.toml": 'provider = "sqlite"',
  };

  it("lists every migration for a database that does not exist yet", () => {
    const root = project(migrations);
    expect(pendingMigrations(root, path.join(root, "data", "missing.db"))).toEqual([
      "20260101000000_init",
      "20260201000000_more",
    ]);
  });

  it("leaves out migrations the database records as finished, and keeps rolled-back ones", () => {
    const root = project(migrations);
    const file = path.join(root, "k.db");
    const database = new Database(file);
    database.exec(
      "CREATE TABLE _prisma_migrations (migration_name TEXT, finished_at DATETIME, rolled_back_at DATETIME);" +
        "INSERT INTO _prisma_migrations VALUES ('20260101000000_init', '2026-01-01', NULL);" +
        "INSERT INTO _prisma_migrations VALUES ('20260201000000_more', '2026-02-01', '2026-02-02');",
    );
    database.close();
    expect(pendingMigrations(root, file)).toEqual(["20260201000000_more"]);
  });
});

describe("productionBuildIsCurrent", () => {
  it("wants a build when there is none, or when a source file is newer than it", () => {
    const root = project({ "app/page.tsx": "page", "lib/a.ts": "a", "lessons/x.md": "lesson" });
    expect(productionBuildIsCurrent(root)).toBe(false);

    touch(path.join(root, "app/page.tsx"), 60);
    touch(path.join(root, "app"), 60);
    touch(path.join(root, "lib/a.ts"), 60);
    touch(path.join(root, "lib"), 60);
    mkdirSync(path.join(root, ".next"));
    writeFileSync(path.join(root, ".next/BUILD_ID"), "id");
    expect(productionBuildIsCurrent(root)).toBe(true);

    // Lessons are read at request time: editing one needs no build.
    writeFileSync(path.join(root, "lessons/x.md"), "edited");
    expect(productionBuildIsCurrent(root)).toBe(true);

    touch(path.join(root, ".next/BUILD_ID"), 30);
    writeFileSync(path.join(root, "lib/a.ts"), "changed");
    expect(productionBuildIsCurrent(root)).toBe(false);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { KubelabSQLiteAdapter } from "./sqliteAdapter";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function databaseFile(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-sqlite-adapter-"));
  folders.push(folder);
  return path.join(folder, "test.db");
}

describe("KubelabSQLiteAdapter", () => {
  it("opens connections in WAL mode with synchronous=NORMAL", async () => {
    const file = databaseFile();
    const adapter = await new KubelabSQLiteAdapter(file).connect();
    try {
      const pragma = async (name: string) =>
        (await adapter.queryRaw({ sql: `PRAGMA ${name}`, args: [], argTypes: [] })).rows[0]?.[0];
      expect(await pragma("journal_mode")).toBe("wal");
      // 0 OFF, 1 NORMAL, 2 FULL (SQLite's default), 3 EXTRA.
      expect(Number(await pragma("synchronous"))).toBe(1);
      await adapter.executeScript("CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('a');");
    } finally {
      await adapter.dispose();
    }
    // WAL mode is stored in the file: other programs (the Prisma CLI, sqlite3) open it in WAL mode
    // and see what the adapter committed.
    const other = new Database(file);
    try {
      expect(other.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(other.prepare("SELECT id FROM t").all()).toEqual([{ id: "a" }]);
    } finally {
      other.close();
    }
  });
});

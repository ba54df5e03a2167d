import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

/**
 * What every connection of the app sets before its first query:
 * - `journal_mode = WAL`: a commit appends to the `-wal` file beside the database instead of
 *   copying pages to a rollback journal and deleting it (each with its own fsyncs); readers do not
 *   block the writer. Persistent: stored in the database file, so the Prisma CLI and other tools
 *   open it in WAL mode too.
 * - `synchronous = NORMAL` (per connection; better-sqlite3's build already defaults to it in WAL
 *   mode, other SQLite builds to FULL): no fsync at commit, only at checkpoints. A commit is
 *   safe against the process crashing; a power cut or an OS crash may lose the last commits, never
 *   the database's consistency. Rollback mode with the default `FULL` cost 14–45 ms per write on
 *   this project's disks, and better-sqlite3 is synchronous: the whole server (every learner's
 *   page, terminal and cluster) stood still for it. See lib/database/README.md.
 */
export const SQLITE_CONNECTION_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/**
 * The Prisma driver adapter over the SQLite file `file` (better-sqlite3), whose connections are set
 * up with {@link SQLITE_CONNECTION_PRAGMAS}. Free of `server-only`, for prisma.config.ts as well.
 */
export class KubelabSQLiteAdapter extends PrismaBetterSQLite3 {
  constructor(file: string) {
    super({ url: `file:${file}` });
  }

  override async connect(): ReturnType<PrismaBetterSQLite3["connect"]> {
    const adapter = await super.connect();
    await adapter.executeScript(SQLITE_CONNECTION_PRAGMAS);
    return adapter;
  }
}

import "server-only";
import { PrismaClient } from "../../generated/prisma/client";
import { preparedDatabaseFilePath } from "./databaseUrl";
import { KubelabSQLiteAdapter } from "./sqliteAdapter";

export type { PrismaClient } from "../../generated/prisma/client";

// One client per process. The custom server (loaded by tsx) and the code Next bundles are two copies
// of this module in the same process; keeping the client on globalThis makes them share one
// connection, which the server disconnects at shutdown.
const CLIENT_KEY = Symbol.for("kubelab.prisma");
type Holder = { [CLIENT_KEY]?: PrismaClient };

/**
 * The process-wide Prisma client over the SQLite file named by DATABASE_URL (default data/kubelab.db),
 * in WAL mode with synchronous=NORMAL (sqliteAdapter.ts).
 */
export function prisma(): PrismaClient {
  const holder = globalThis as Holder;
  let client = holder[CLIENT_KEY];
  if (!client) {
    const adapter = new KubelabSQLiteAdapter(preparedDatabaseFilePath());
    client = new PrismaClient({ adapter });
    holder[CLIENT_KEY] = client;
  }
  return client;
}

/** Closes the process-wide client if one was opened, so SQLite flushes and releases the file. */
export async function disconnectPrisma(): Promise<void> {
  const holder = globalThis as Holder;
  const client = holder[CLIENT_KEY];
  if (client) {
    delete holder[CLIENT_KEY];
    await client.$disconnect();
  }
}

import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";
import { preparedDatabaseFilePath } from "./lib/database/databaseUrl";

// The Prisma CLI runs its JavaScript schema engine over the same driver adapter the app uses, so no
// native engine is downloaded. Run the CLI with PRISMA_QUERY_ENGINE_LIBRARY set to any existing file
// (bin/prismaCli.mjs does) or it still tries to fetch a query engine it never uses.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    return new PrismaBetterSQLite3({ url: `file:${preparedDatabaseFilePath()}` });
  },
});

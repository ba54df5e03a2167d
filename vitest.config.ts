import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Next resolves `server-only` to an empty module for server code; tests are server code too.
const serverOnly = fileURLToPath(import.meta.resolve("next/dist/compiled/server-only/empty.js"));

export default defineConfig({
  resolve: { alias: { "server-only": serverOnly } },
  test: {
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          // Unit tests sit beside the code they test and finish in milliseconds.
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: ["node_modules/**", ".next/**", "data/**", "test/**"],
        },
      },
      {
        extends: true,
        test: {
          // Server and browser tests run the production build, built once by the global setup.
          name: "integration",
          include: ["test/**/*.test.ts"],
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

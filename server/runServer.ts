import { type RunningServer, startServer } from "./createServer";
import { mounts } from "./mounts";
import { ensureProductionBuild, prepareDatabase } from "./prepare";
import { routes } from "./routes";

/** How `npm start` (and `npm run dev`) run the server. */
export interface RunOptions {
  /** The project root. */
  root: string;
  /** Next development mode instead of the production build. */
  dev: boolean;
  /** The port; PORT or 3000 by default. */
  port?: number;
}

/**
 * Prepares everything a fresh clone lacks (Prisma client, migrations, production build), mounts the
 * parts listed in server/mounts.ts, starts the server, and shuts it down gracefully on SIGINT or
 * SIGTERM (a second signal exits at once).
 */
export async function runServer(options: RunOptions): Promise<RunningServer> {
  const port = options.port ?? portFromEnvironment();
  prepareDatabase(options.root);
  if (!options.dev) ensureProductionBuild(options.root);
  for (const mount of mounts) await mount(routes());
  const server = await startServer({
    port,
    dev: options.dev,
    dir: options.root,
    hostname: process.env.KUBELAB_HOST || undefined,
  });
  console.log(`Kubelab is serving at ${server.url} (${options.dev ? "development" : "production"} mode)`);

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    signalled = true;
    console.log(`${signal} received: shutting down`);
    server.close().then(
      () => {
        console.log("Kubelab stopped");
        process.exit(0);
      },
      (error: unknown) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  return server;
}

function portFromEnvironment(): number {
  const raw = process.env.PORT?.trim();
  if (!raw) return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got ${raw}`);
  return port;
}

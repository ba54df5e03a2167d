// The production server as `npm start` runs it (database prepared, every mount in
// server/mounts.ts: learners' clusters at /clusters/<id>/, their terminals, the app; Next in
// production mode) except for the build check: the caller (productionServer.ts) has built .next,
// and work going on elsewhere in the tree keeps touching the build's inputs, which would start a
// second `next build` inside the server.
import path from "node:path";
import { startServer } from "../../server/createServer";
import { mounts } from "../../server/mounts";
import { prepareDatabase } from "../../server/prepare";
import { routes } from "../../server/routes";

const root = path.resolve(import.meta.dirname, "..", "..");
prepareDatabase(root);
for (const mount of mounts) await mount(routes());
const server = await startServer({
  port: Number(process.env.PORT ?? 0),
  dev: false,
  dir: root,
  hostname: process.env.KUBELAB_HOST || undefined,
});
console.log(`Kubelab is serving at ${server.url} (production mode)`);
process.on("SIGTERM", () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

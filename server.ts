// Kubelab's single server process: Next.js, WebSocket upgrades and mounted HTTP routes on one port.
// Start it with `npm start` (production) or `npm run dev`; both go through bin/start.mjs, which
// registers tsx and the `server-only` resolution this process needs.
import { runServer } from "./server/runServer";

await runServer({ root: import.meta.dirname, dev: process.argv.includes("--dev") });

// Kubelab's single server process: Next.js, WebSocket upgrades and mounted HTTP routes on one port.
// Start it with `npm start` (production) or `npm run dev`; both go through bin/start.mjs, which
// registers tsx and the `server-only` resolution this process needs.
import { runServer } from "./server/runServer";

try {
  await runServer({ root: import.meta.dirname, dev: process.argv.includes("--dev") });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE" || code === "EACCES") {
    const port = process.env.PORT || "3000";
    console.error(`Error: cannot listen on port ${port} (${code}); set PORT to another port, e.g. PORT=3001 npm start`);
  } else {
    console.error("Error: Kubelab failed to start:", error);
  }
  process.exit(1);
}

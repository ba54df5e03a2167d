// Runs serveBuilt.ts under the same runtime hooks as `npm start` (tsx, server-only).
import { registerRuntime } from "../../../bin/register.mjs";

registerRuntime();
await import("./serveBuilt.ts");

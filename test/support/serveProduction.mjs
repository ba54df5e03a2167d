// Runs serveProduction.ts under the same runtime hooks as `npm start` (tsx, server-only).
import { registerRuntime } from "../../bin/register.mjs";

registerRuntime();
await import("./serveProduction.ts");

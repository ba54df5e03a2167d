#!/usr/bin/env node
// `npm start` and `npm run dev`: runs server.ts under tsx. `--dev` selects Next's development mode.
import { registerRuntime } from "./register.mjs";

const dev = process.argv.includes("--dev");
// Next reads NODE_ENV when it is first imported, so it must be right before server.ts loads.
process.env.NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
registerRuntime();
await import("../server.ts");

// Runs the server the way `npm start` does, plus test-only routes (see serverWithTestRoutes.ts).
import { registerRuntime } from "../../bin/register.mjs";

registerRuntime();
await import("./serverWithTestRoutes.ts");

// Runs the server the way `npm start` does, with the terminal mounted (see serverWithTerminal.ts).
import { registerRuntime } from "../../bin/register.mjs";

registerRuntime();
await import("./serverWithTerminal.ts");

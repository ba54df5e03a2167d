// Makes TypeScript modules importable from plain Node (via tsx) and resolves `server-only` the way
// Next resolves it for server code: to an empty module. Server modules in lib/ start with
// `import "server-only"` so that Next refuses to bundle them into browser code; the server process
// and the CLI are server code too, so for them the import must be a no-op.
import { register as registerHooks } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register as registerTsx } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Registers tsx and the `server-only` resolution; sets KUBELAB_ROOT to the project root. */
export function registerRuntime() {
  process.env.KUBELAB_ROOT ??= root;
  registerTsx();
  registerHooks("./serverOnlyHooks.mjs", import.meta.url);
}

// Node module resolution hook (see bin/register.mjs): `server-only` → Next's empty module.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const emptyModule = pathToFileURL(
  createRequire(import.meta.url).resolve("next/dist/compiled/server-only/empty.js"),
).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "server-only") return { url: emptyModule, shortCircuit: true };
  return nextResolve(specifier, context);
}

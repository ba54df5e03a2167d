import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { setTerminalClientScriptUrl } from "../lib/terminalClientScriptUrl";
import type { RouteRegistry } from "./routes";
import { addBrotli, type ImmutableAsset, immutableAsset, serveImmutableAsset } from "./staticAssets";

/** Where the terminal's script is served: `/_kubelab/terminal-<hash>.js`. */
export const CLIENT_SCRIPT_PREFIX = "/_kubelab";

/** The built terminal script: its URL (named by its content) and its bytes. */
export interface TerminalClientScript extends ImmutableAsset {
  url: string;
}

/** Sources the script is built from: terminal/client and the xterm packages (by their package.json). */
function newestInput(root: string): number {
  let newest = statSync(import.meta.filename).mtimeMs;
  const client = path.join(root, "terminal", "client");
  for (const name of readdirSync(client)) {
    if (name.endsWith(".ts") && !name.endsWith(".test.ts"))
      newest = Math.max(newest, statSync(path.join(client, name)).mtimeMs);
  }
  newest = Math.max(newest, statSync(path.join(root, "terminal", "server", "protocol.ts")).mtimeMs);
  for (const name of ["xterm", "addon-fit", "addon-web-links"])
    newest = Math.max(newest, statSync(path.join(root, "node_modules", "@xterm", name, "package.json")).mtimeMs);
  return newest;
}

/**
 * Builds terminal/client/standalone.ts (xterm.js, its fit and web-links addons, connectTerminal)
 * into one minified classic script with esbuild, kept under node_modules/.cache and rebuilt when
 * an input is newer. It lives outside Next's bundles so that the lesson page can run it as soon as
 * it has downloaded, before the page's own JavaScript and React's hydration (see
 * terminal/client/earlyConnect.ts).
 */
export async function buildTerminalClientScript(root: string): Promise<TerminalClientScript> {
  const directory = path.join(root, "node_modules", ".cache", "kubelab-client");
  const output = path.join(directory, "terminal.js");
  if (!existsSync(output) || statSync(output).mtimeMs < newestInput(root)) {
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
      entryPoints: [path.join(root, "terminal", "client", "standalone.ts")],
      bundle: true,
      write: false,
      minify: true,
      format: "iife",
      platform: "browser",
      target: "es2020",
      charset: "utf8",
      legalComments: "none",
      logLevel: "silent",
    });
    mkdirSync(directory, { recursive: true });
    // Servers started at once (the tests') may build it together: each renames a whole file into place.
    const partial = `${output}.${process.pid}.${Date.now()}`;
    writeFileSync(partial, (result.outputFiles[0] as { contents: Uint8Array }).contents);
    renameSync(partial, output);
  }
  const body = readFileSync(output);
  const asset = await immutableAsset(body, "text/javascript; charset=utf-8");
  // Named by its content: the ETag's hash (SHA-256, base64url), cut to 16 characters.
  return { ...asset, url: `${CLIENT_SCRIPT_PREFIX}/terminal-${asset.etag.slice(1, 17)}.js` };
}

/**
 * Serves the terminal's script under its content-named URL (see {@link serveImmutableAsset}); any
 * other URL under the prefix, another build's, is not found.
 */
export function serveTerminalClientScript(
  script: TerminalClientScript,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
  if (pathname !== script.url) {
    response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  serveImmutableAsset(script, request, response);
}

/** Builds the terminal's script, mounts it and tells the lesson page its URL. */
export async function mountTerminalClientScript(registry: RouteRegistry, root: string): Promise<void> {
  const script = await buildTerminalClientScript(root);
  registry.mountHttp(CLIENT_SCRIPT_PREFIX, (request, response) => serveTerminalClientScript(script, request, response));
  setTerminalClientScriptUrl(script.url);
  void addBrotli([script], path.join(root, "node_modules", ".cache", "kubelab-static", "terminal")).catch(
    (error: unknown) =>
      console.error(`terminal: Brotli compression of the terminal's script failed; serving gzip: ${String(error)}`),
  );
}

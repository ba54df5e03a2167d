import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { setTerminalClientScriptUrl } from "../lib/terminalClientScriptUrl";
import type { RouteRegistry } from "./routes";

/** Where the terminal's script is served: `/_kubelab/terminal-<hash>.js`. */
export const CLIENT_SCRIPT_PREFIX = "/_kubelab";

/** The built terminal script: its URL (named by its content) and its bytes. */
export interface TerminalClientScript {
  url: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
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
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
  return { url: `${CLIENT_SCRIPT_PREFIX}/terminal-${hash}.js`, body, gzip: gzipSync(body), etag: `"${hash}"` };
}

/**
 * Serves the terminal's script under its content-named URL, cached by browsers for a year
 * (another build has another URL), gzip-compressed when the browser accepts it.
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
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end();
    return;
  }
  const headers: Record<string, string | number> = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=31536000, immutable",
    etag: script.etag,
    vary: "Accept-Encoding",
  };
  if (request.headers["if-none-match"] === script.etag) {
    response.writeHead(304, headers).end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
  const body = gzip ? script.gzip : script.body;
  if (gzip) headers["content-encoding"] = "gzip";
  headers["content-length"] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}

/** Builds the terminal's script, mounts it and tells the lesson page its URL. */
export async function mountTerminalClientScript(registry: RouteRegistry, root: string): Promise<void> {
  const script = await buildTerminalClientScript(root);
  registry.mountHttp(CLIENT_SCRIPT_PREFIX, (request, response) => serveTerminalClientScript(script, request, response));
  setTerminalClientScriptUrl(script.url);
}

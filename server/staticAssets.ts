import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, gzip as gzipCompress, constants as zlibConstants } from "node:zlib";
import type { RouteRegistry } from "./routes";

const gzipAsync = promisify(gzipCompress);
const brotliAsync = promisify(brotliCompress);

/**
 * A file served under a URL that names its content (a build's chunk, the terminal's script): held in
 * memory with its compressed forms made once, so serving it costs a lookup and a write, not a read
 * and a compression per request.
 */
export interface ImmutableAsset {
  body: Buffer;
  contentType: string;
  /** A strong ETag from the content. */
  etag: string;
  /** gzip (level 9), when it is smaller than the body. */
  gzip?: Buffer;
  /** Brotli (quality 11), filled in the background by {@link addBrotli}, when smaller than gzip. */
  brotli?: Buffer;
}

/** Content types by file extension for the files a Next build puts under .next/static. */
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
};

/** Types whose bytes compress (fonts, images other than SVG and WebAssembly are left as they are). */
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml|image\/x-icon)/;

/** The content type of a file by its extension (application/octet-stream when unknown). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** An asset of `body`, gzip-compressed when that makes it smaller; Brotli comes later (see {@link addBrotli}). */
export async function immutableAsset(body: Buffer, contentType: string): Promise<ImmutableAsset> {
  const asset: ImmutableAsset = {
    body,
    contentType,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
  };
  if (COMPRESSIBLE.test(contentType)) {
    const gzip = await gzipAsync(body, { level: 9 });
    if (gzip.length < body.length) asset.gzip = gzip;
  }
  return asset;
}

/**
 * Compresses the assets with Brotli, one after another on libuv's thread pool (not the event loop),
 * and serves them in Brotli from then on (gzip until then). Quality 11 takes about a second and a
 * half of CPU for a build's 600 kB of scripts, so with `cacheDirectory` each result is kept on disk
 * under the asset's ETag and the next start of the same build reads it back; files there that no
 * asset of this set names (an older build's) are removed. The cache is best effort: a folder that
 * cannot be written (a read-only install) only means compressing again at the next start.
 */
export async function addBrotli(assets: Iterable<ImmutableAsset>, cacheDirectory?: string): Promise<void> {
  const kept = new Set<string>();
  if (cacheDirectory) await mkdir(cacheDirectory, { recursive: true }).catch(() => undefined);
  for (const asset of assets) {
    if (!asset.gzip) continue;
    const cached = cacheDirectory && path.join(cacheDirectory, `${asset.etag.replaceAll('"', "")}.br`);
    if (cached) kept.add(path.basename(cached));
    let brotli = cached ? await readFile(cached).catch(() => undefined) : undefined;
    if (!brotli) {
      brotli = await brotliAsync(asset.body, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: asset.body.length,
          [zlibConstants.BROTLI_PARAM_MODE]: asset.contentType.startsWith("text/")
            ? zlibConstants.BROTLI_MODE_TEXT
            : zlibConstants.BROTLI_MODE_GENERIC,
        },
      });
      if (cached) {
        // Servers started together (the tests') may write the same file: each renames a whole one into place.
        const partial = `${cached}.${process.pid}.${Date.now()}`;
        await writeFile(partial, brotli)
          .then(() => rename(partial, cached))
          .catch(() => rm(partial, { force: true }).catch(() => undefined));
      }
    }
    if (brotli.length < asset.gzip.length) asset.brotli = brotli;
  }
  if (!cacheDirectory) return;
  for (const name of await readdir(cacheDirectory).catch(() => [] as string[]))
    if (name.endsWith(".br") && !kept.has(name)) await rm(path.join(cacheDirectory, name), { force: true });
}

/** The content codings an Accept-Encoding header allows (`q=0` refuses one; `*` allows the rest). */
export function acceptedEncodings(header: string | string[] | undefined): { br: boolean; gzip: boolean } {
  const weights = new Map<string, number>();
  for (const part of String(header ?? "").split(",")) {
    const [name, ...parameters] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const allows = (...names: string[]) =>
    (names.map((name) => weights.get(name)).find((weight) => weight !== undefined) ?? weights.get("*") ?? 0) > 0;
  return { br: allows("br"), gzip: allows("gzip", "x-gzip") };
}

/**
 * Serves an asset, cached by browsers for a year (another build names its files differently),
 * revalidated by its ETag, in the best coding the browser accepts: Brotli, then gzip, then as is.
 */
export function serveImmutableAsset(asset: ImmutableAsset, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end();
    return;
  }
  const headers: Record<string, string | number> = {
    "content-type": asset.contentType,
    "cache-control": "public, max-age=31536000, immutable",
    etag: asset.etag,
    vary: "Accept-Encoding",
  };
  const ifNoneMatch = request.headers["if-none-match"]?.split(",");
  if (ifNoneMatch?.some((tag) => tag.trim().replace(/^W\//, "") === asset.etag)) {
    response.writeHead(304, headers).end();
    return;
  }
  const accepted = acceptedEncodings(request.headers["accept-encoding"]);
  let body = asset.body;
  if (asset.brotli && accepted.br) {
    body = asset.brotli;
    headers["content-encoding"] = "br";
  } else if (asset.gzip && accepted.gzip) {
    body = asset.gzip;
    headers["content-encoding"] = "gzip";
  }
  headers["content-length"] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}

/** Every file under `folder`, keyed by its URL under `urlPrefix` (`/_next/static/chunks/x.js`). */
export async function loadAssetFolder(folder: string, urlPrefix: string): Promise<Map<string, ImmutableAsset>> {
  const assets = new Map<string, ImmutableAsset>();
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const file = path.join(entry.parentPath, entry.name);
        const url = `${urlPrefix}/${path.relative(folder, file).split(path.sep).join("/")}`;
        assets.set(url, await immutableAsset(await readFile(file), contentTypeOf(file)));
      }),
  );
  return assets;
}

/**
 * Serves a production build's client files (`.next/static`, at `/_next/static/`) from memory, as a
 * CDN in front of Next would. Next's own static serving reads the file and gzip-compresses it again
 * for every request: a new learner's first page fetches a dozen of them, and on a small machine
 * that work delayed the page's styles and scripts, and with them the terminal's prompt. A path the
 * build does not have gets Next's answer (404, `Not Found`). Not used in development, where Next
 * compiles these files on demand. Resolves once they are served (undefined without a build), with
 * the end of their Brotli compression in the background.
 */
export async function mountNextStaticAssets(
  registry: RouteRegistry,
  root: string,
): Promise<{ compressed: Promise<void> } | undefined> {
  const folder = path.join(root, ".next", "static");
  if (!existsSync(folder)) return undefined;
  const prefix = "/_next/static";
  const assets = await loadAssetFolder(folder, prefix);
  registry.mountHttp(prefix, (request, response, { path: rest }) => {
    const asset = assets.get(`${prefix}${rest}`);
    if (asset) {
      serveImmutableAsset(asset, request, response);
      return;
    }
    response
      .writeHead(404, {
        "cache-control": "private, no-cache, no-store, max-age=0, must-revalidate",
        "content-type": "text/plain; charset=utf-8",
      })
      .end("Not Found");
  });
  const compressed = addBrotli(
    assets.values(),
    path.join(root, "node_modules", ".cache", "kubelab-static", "next"),
  ).catch((error: unknown) =>
    console.error(`static assets: Brotli compression failed; serving gzip: ${String(error)}`),
  );
  return { compressed };
}

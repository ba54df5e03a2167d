import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRegistry } from "./routes";
import {
  acceptedEncodings,
  addBrotli,
  immutableAsset,
  loadAssetFolder,
  mountNextStaticAssets,
  serveImmutableAsset,
} from "./staticAssets";

/** A request over a real socket, its body as sent (not decompressed, unlike fetch). */
async function get(
  origin: string,
  pathname: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const sent = request(`${origin}${pathname}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const received = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (value) received.set(name, String(value));
        resolve({ status: response.statusCode ?? 0, headers: received, body: Buffer.concat(chunks) });
      });
    });
    sent.on("error", reject);
    sent.end();
  });
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("Accept-Encoding", () => {
  it("allows the codings listed, unless their q is 0, and the rest when * is", () => {
    expect(acceptedEncodings("gzip, deflate, br, zstd")).toEqual({ br: true, gzip: true });
    expect(acceptedEncodings("gzip;q=1.0, br;q=0")).toEqual({ br: false, gzip: true });
    expect(acceptedEncodings("*;q=0.5, gzip;q=0")).toEqual({ br: true, gzip: false });
    expect(acceptedEncodings("x-gzip")).toEqual({ br: false, gzip: true });
    expect(acceptedEncodings("identity")).toEqual({ br: false, gzip: false });
    expect(acceptedEncodings(undefined)).toEqual({ br: false, gzip: false });
  });
});

describe("an immutable asset", () => {
  const script = Buffer.from(`console.log(${JSON.stringify("kubelab ".repeat(2000))});\n`);
  let server: Server;
  let origin: string;
  let asset: Awaited<ReturnType<typeof immutableAsset>>;

  beforeAll(async () => {
    asset = await immutableAsset(script, "text/javascript; charset=utf-8");
    server = await listen((request, response) => serveImmutableAsset(asset, request, response));
    origin = originOf(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is served gzip-compressed until its Brotli form is made, then in Brotli to browsers that take it", async () => {
    expect(asset.brotli).toBeUndefined();
    const gzipped = await get(origin, "/a.js", { "accept-encoding": "gzip, deflate, br" });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(gzipped.body).equals(script)).toBe(true);
    expect(Number(gzipped.headers.get("content-length"))).toBe(gzipped.body.length);

    await addBrotli([asset]);
    const brotli = await get(origin, "/a.js", { "accept-encoding": "gzip, deflate, br" });
    expect(brotli.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(brotli.body).equals(script)).toBe(true);
    expect(brotli.body.length).toBeLessThan(gzipped.body.length);

    const gzipOnly = await get(origin, "/a.js", { "accept-encoding": "gzip" });
    expect(gzipOnly.headers.get("content-encoding")).toBe("gzip");
    const plain = await get(origin, "/a.js", { "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.body.equals(script)).toBe(true);
    for (const response of [brotli, gzipOnly, plain]) {
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("vary")).toBe("Accept-Encoding");
      expect(response.headers.get("etag")).toBe(asset.etag);
    }
  });

  it("is revalidated by its ETag, answers HEAD without a body and refuses other methods", async () => {
    const revalidated = await get(origin, "/a.js", { "if-none-match": `W/"other", ${asset.etag}` });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect((await get(origin, "/a.js", { "if-none-match": '"other"' })).status).toBe(200);
    const head = await get(origin, "/a.js", { "accept-encoding": "identity" }, "HEAD");
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBe(script.length);
    expect(head.body.length).toBe(0);
    const post = await get(origin, "/a.js", {}, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("keeps its Brotli form on disk for the next start of the same build, and drops other builds' files", async () => {
    const cache = mkdtempSync(path.join(tmpdir(), "kubelab-brotli-cache-"));
    try {
      writeFileSync(path.join(cache, "another-build.br"), "old");
      const first = await immutableAsset(script, "text/javascript; charset=utf-8");
      await addBrotli([first], cache);
      const file = path.join(cache, `${first.etag.replaceAll('"', "")}.br`);
      expect(readdirSync(cache)).toEqual([path.basename(file)]);
      expect(readFileSync(file).equals(first.brotli ?? Buffer.alloc(0))).toBe(true);
      // The next start reads the file instead of compressing again (a file changed by hand shows it).
      const marked = brotliCompressSync(Buffer.from(`${script.toString()}// read from the cache\n`));
      writeFileSync(file, marked);
      const again = await immutableAsset(script, "text/javascript; charset=utf-8");
      await addBrotli([again], cache);
      expect(again.brotli?.equals(marked)).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("is still served in Brotli when its cache folder cannot be written", async () => {
    const parent = mkdtempSync(path.join(tmpdir(), "kubelab-brotli-readonly-"));
    try {
      // A file where the folder should be: nothing can be made under it.
      writeFileSync(path.join(parent, "cache"), "");
      const asset = await immutableAsset(script, "text/javascript; charset=utf-8");
      await addBrotli([asset], path.join(parent, "cache", "next"));
      expect(brotliDecompressSync(asset.brotli ?? Buffer.alloc(0)).equals(script)).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("is kept as it is when compression would not make it smaller (an image, a tiny file)", async () => {
    expect((await immutableAsset(Buffer.from([0x89, 0x50, 0x4e, 0x47]), "image/png")).gzip).toBeUndefined();
    expect((await immutableAsset(Buffer.from("a"), "text/css; charset=utf-8")).gzip).toBeUndefined();
  });
});

describe("a production build's client files", () => {
  const root = mkdtempSync(path.join(tmpdir(), "kubelab-static-"));
  const css = "body { color: #222; }\n".repeat(50);
  let server: Server;
  let origin: string;
  const registry = new RouteRegistry();

  beforeAll(async () => {
    const stat = path.join(root, ".next", "static");
    mkdirSync(path.join(stat, "chunks"), { recursive: true });
    mkdirSync(path.join(stat, "build-id"), { recursive: true });
    mkdirSync(path.join(stat, "media"), { recursive: true });
    writeFileSync(path.join(stat, "chunks", "app.css"), css);
    writeFileSync(path.join(stat, "build-id", "_buildManifest.js"), "self.__BUILD_MANIFEST={};");
    writeFileSync(path.join(stat, "media", "icon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    const mounted = await mountNextStaticAssets(registry, root);
    expect(mounted).toBeDefined();
    await mounted?.compressed;
    server = await listen((request, response) => {
      const matched = registry.matchHttp(new URL(request.url ?? "/", "http://localhost").pathname);
      if (matched) void matched.handler(request, response, matched.context);
      else response.writeHead(418).end();
    });
    origin = originOf(server);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  });

  it("are read from every folder under .next/static with their content types", async () => {
    const assets = await loadAssetFolder(path.join(root, ".next", "static"), "/_next/static");
    expect([...assets.keys()].sort()).toEqual([
      "/_next/static/build-id/_buildManifest.js",
      "/_next/static/chunks/app.css",
      "/_next/static/media/icon.svg",
    ]);
    expect(assets.get("/_next/static/chunks/app.css")?.contentType).toBe("text/css; charset=utf-8");
    expect(assets.get("/_next/static/media/icon.svg")?.contentType).toBe("image/svg+xml");
  });

  it("are served from memory under /_next/static, and a file the build lacks gets Next's 404", async () => {
    const served = await get(origin, "/_next/static/chunks/app.css?dpl=1", { "accept-encoding": "gzip" });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(gunzipSync(served.body).toString()).toBe(css);
    const brotli = await get(origin, "/_next/static/chunks/app.css", { "accept-encoding": "gzip, br" });
    expect(brotli.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(brotli.body).toString()).toBe(css);
    expect((await get(origin, "/_next/static/build-id/_buildManifest.js")).body.toString()).toBe(
      "self.__BUILD_MANIFEST={};",
    );
    const missing = await get(origin, "/_next/static/chunks/nope.js");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("private, no-cache, no-store, max-age=0, must-revalidate");
    expect(missing.body.toString()).toBe("Not Found");
    // Outside the prefix: not this mount's.
    expect((await get(origin, "/_next/image")).status).toBe(418);
  });

  it("are not mounted without a build", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "kubelab-static-none-"));
    try {
      expect(await mountNextStaticAssets(new RouteRegistry(), empty)).toBeUndefined();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildTerminalClientScript,
  serveTerminalClientScript,
  type TerminalClientScript,
} from "./terminalClientScript";

const root = path.resolve(import.meta.dirname, "..");

describe("the terminal's script", () => {
  let script: TerminalClientScript;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    script = await buildTerminalClientScript(root);
    server = createServer((request, response) => serveTerminalClientScript(script, request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is one classic script with xterm.js that installs the page's terminal API", () => {
    expect(script.url).toMatch(/^\/_kubelab\/terminal-[A-Za-z0-9_-]{16}\.js$/);
    const text = script.body.toString("utf8");
    // An IIFE, not a module: no import or export statements at the top level.
    expect(text.startsWith("(()=>{") || text.startsWith('"use strict";(()=>{')).toBe(true);
    expect(text).toContain("kubelabTerminal");
    expect(text).toContain("xterm-helper-textarea");
  });

  it("is built again only when an input changes, under the same content-named URL", async () => {
    const again = await buildTerminalClientScript(root);
    expect(again.url).toBe(script.url);
    expect(again.body.equals(script.body)).toBe(true);
  });

  it("is served gzip-compressed, cached for a year, revalidated by its ETag", async () => {
    const response = await fetch(`${origin}${script.url}`, { headers: { "accept-encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("content-encoding")).toBe("gzip");
    // fetch decompresses: the body is the script itself.
    expect(Buffer.from(await response.arrayBuffer()).equals(script.body)).toBe(true);
    expect(gunzipSync(script.gzip ?? Buffer.alloc(0)).equals(script.body)).toBe(true);
    const revalidated = await fetch(`${origin}${script.url}`, { headers: { "if-none-match": script.etag } });
    expect(revalidated.status).toBe(304);
    const head = await fetch(`${origin}${script.url}`, { method: "HEAD", headers: { "accept-encoding": "identity" } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("content-length"))).toBe(script.body.length);
  });

  it("answers 404 for another build's URL and 405 for other methods", async () => {
    expect((await fetch(`${origin}/_kubelab/terminal-AAAAAAAAAAAAAAAA.js`)).status).toBe(404);
    const post = await fetch(`${origin}${script.url}`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

import { getEventListeners } from "node:events";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { RestClient } from "./RestClient";

/** The REST client against a local server that answers from a script of statuses. */
let server: Server | undefined;

async function serve(answers: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
  const seen: string[] = [];
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      seen.push(`${request.method} ${request.url} ${body}`);
      const answer = answers.shift() ?? { status: 200, body: '{"kind":"Namespace"}' };
      response.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
      response.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const client = new RestClient({ server: `http://127.0.0.1:${port}`, key: "test", apply: async () => {} });
  return { client, seen };
}

const tooMany = (retryAfter?: string) => ({
  status: 429,
  headers: (retryAfter === undefined ? {} : { "Retry-After": retryAfter }) as Record<string, string>,
  body: JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: "the cluster's request rate limit is exceeded, please try again later",
    reason: "TooManyRequests",
    code: 429,
  }),
});

afterEach(() => {
  server?.close();
  server = undefined;
});

describe("RestClient", () => {
  it("waits out a 429 or 5xx with Retry-After and sends the request again, body and all, as client-go does", async () => {
    const { client, seen } = await serve([tooMany("0"), { status: 503, headers: { "Retry-After": "0" }, body: "" }]);
    const created = await client.json("POST", "/api/v1/namespaces", { body: { metadata: { name: "exam" } } });
    expect(created).toEqual({ kind: "Namespace" });
    expect(seen).toEqual(Array(3).fill('POST /api/v1/namespaces {"metadata":{"name":"exam"}}'));
  });

  it("takes each request's abort listener off the command's signal when the request ends", async () => {
    const { client } = await serve([]);
    const controller = new AbortController();
    for (let round = 0; round < 15; round++) await client.get("/api/v1/namespaces", { signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("gives up after 10 retries with the server's last answer", async () => {
    const { client, seen } = await serve(Array.from({ length: 12 }, () => tooMany("0")));
    await expect(client.get("/api/v1/namespaces")).rejects.toMatchObject({ statusCode: 429 });
    expect(seen).toHaveLength(11);
  });

  it("does not retry a 429 without Retry-After, nor a 4xx", async () => {
    const first = await serve([tooMany()]);
    await expect(first.client.get("/api/v1/pods")).rejects.toMatchObject({ statusCode: 429 });
    expect(first.seen).toHaveLength(1);
    server?.close();
    const second = await serve([{ status: 409, headers: { "Retry-After": "0" }, body: "" }]);
    await expect(second.client.get("/api/v1/pods")).rejects.toMatchObject({ statusCode: 409 });
    expect(second.seen).toHaveLength(1);
  });

  it("stops waiting when the command is cancelled (Ctrl-C)", async () => {
    const { client, seen } = await serve([tooMany("30")]);
    const controller = new AbortController();
    const answer = client.get("/api/v1/pods", { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(answer).rejects.toMatchObject({ statusCode: 429 });
    expect(seen).toHaveLength(1);
  });
});

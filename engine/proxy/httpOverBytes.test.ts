import { describe, expect, it } from "vitest";
import { HttpOverBytes } from "./httpOverBytes";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

describe("HttpOverBytes", () => {
  it("answers requests split across chunks and pipelined ones in order, HEAD without a body", async () => {
    const seen: string[] = [];
    const codec = new HttpOverBytes(async (request) => {
      seen.push(`${request.method} ${request.path} ${request.body ?? ""}`);
      return { status: request.path === "/" ? 200 : 404, headers: { Server: "nginx/1.27.3" }, body: "hello" };
    });
    expect(text(await codec.receive(bytes("GET / HTTP/1.1\r\nHost: x\r\n")))).toBe("");
    const first = text(await codec.receive(bytes("\r\n")));
    expect(first).toBe(
      "HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
    );
    const pipelined = text(
      await codec.receive(bytes("HEAD / HTTP/1.1\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")),
    );
    expect(pipelined).toBe(
      "HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n" +
        "HTTP/1.1 404 Not Found\r\nServer: nginx/1.27.3\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
    );
    expect(seen).toEqual(["GET / ", "HEAD / ", "POST /x abc"]);
  });

  it("writes the standard reason phrase, or the app's own wording (nginx's 405 Not Allowed)", async () => {
    const codec = new HttpOverBytes((request) =>
      request.path === "/nginx"
        ? { status: 405, reason: "Not Allowed", headers: {}, body: "" }
        : { status: request.path === "/teapot" ? 599 : 405, headers: {}, body: "" },
    );
    const answer = text(
      await codec.receive(bytes("POST /nginx HTTP/1.1\r\n\r\nPOST /go HTTP/1.1\r\n\r\nGET /teapot HTTP/1.1\r\n\r\n")),
    );
    expect(answer.split("\r\n").filter((line) => line.startsWith("HTTP/1.1"))).toEqual([
      "HTTP/1.1 405 Not Allowed",
      "HTTP/1.1 405 Method Not Allowed",
      "HTTP/1.1 599 ",
    ]);
  });
});

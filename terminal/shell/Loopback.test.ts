import { createCommandContext, encodeUtf8ToBytes, InMemoryFs } from "just-bash";
import { describe, expect, it } from "vitest";
import { RealClock } from "../../engine/clock/RealClock";
import { HttpOverBytes } from "../../engine/proxy/httpOverBytes";
import { NetworkError } from "../../engine/proxy/Network";
import { curlCommand } from "../../engine/runtime/shell/networkCommands";
import type { LocalConnection } from "../kubectl/KubectlIO";
import { Loopback, parseResponse } from "./Loopback";

/** A listener that answers HTTP over the connection's bytes, as a pod's app behind a port-forward. */
function serveHello(connection: LocalConnection): void {
  const http = new HttpOverBytes((request) => ({
    status: 200,
    headers: { "Content-Type": "text/plain" },
    body: `hello from ${request.path}\n`,
  }));
  connection.onData((data) => void http.receive(data).then((reply) => connection.write(reply)));
}

async function curl(loopback: Loopback, ...args: string[]) {
  const network = loopback.network((host) => new NetworkError("NameNotResolved", `Could not resolve host: ${host}`));
  return curlCommand(network, { ip: "127.0.0.1" }, new RealClock()).execute(
    args,
    createCommandContext({ fs: new InMemoryFs(), cwd: "/", env: new Map(), stdin: encodeUtf8ToBytes("") }),
  );
}

describe("Loopback", () => {
  it("carries curl's request to a listener and its answer back", async () => {
    const loopback = new Loopback();
    await loopback.listen("127.0.0.1", 8080, serveHello);
    await loopback.listen("::1", 8080, serveHello);
    expect(await curl(loopback, "-s", "localhost:8080/x")).toMatchObject({ stdout: "hello from /x\n", exitCode: 0 });
    expect((await curl(loopback, "-sI", "http://[::1]:8080/")).stdout).toContain("HTTP/1.1 200 OK\r\n");
  });

  it("refuses ports nothing listens on and other hosts, and frees a closed listener's port", async () => {
    const loopback = new Loopback();
    const listener = await loopback.listen("127.0.0.1", 8080, serveHello);
    expect(loopback.accepts("localhost", 8080)).toBe(true);
    listener.close();
    expect(loopback.size).toBe(0);
    expect((await curl(loopback, "localhost:8080")).stderr).toBe(
      "curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server\n",
    );
    expect((await curl(loopback, "example.com")).stderr).toBe("curl: (6) Could not resolve host: example.com\n");
  });

  it("words bind failures as Go's net.Listen and picks a free port for 0", async () => {
    const loopback = new Loopback();
    await loopback.listen("127.0.0.1", 8080, serveHello);
    await expect(loopback.listen("127.0.0.1", 8080, serveHello)).rejects.toThrow(
      "listen tcp4 127.0.0.1:8080: bind: address already in use",
    );
    await expect(loopback.listen("10.0.0.5", 80, serveHello)).rejects.toThrow(
      "listen tcp4 10.0.0.5:80: bind: cannot assign requested address",
    );
    const chosen = await loopback.listen("127.0.0.1", 0, serveHello);
    expect(chosen.port).toBeGreaterThanOrEqual(32768);
  });

  it.each([
    {
      name: "Content-Length",
      text: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      expected: { status: 200, body: "ok" },
    },
    { name: "incomplete body", text: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", expected: undefined },
    {
      name: "chunked",
      text: "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n1\r\n!\r\n0\r\n\r\n",
      expected: { status: 404, reason: "Not Found", body: "no!" },
    },
  ])("parses a response: $name", ({ text, expected }) => {
    const response = parseResponse(new TextEncoder().encode(text), false, false);
    if (expected === undefined) expect(response).toBeUndefined();
    else expect(response).toMatchObject(expected);
  });
});

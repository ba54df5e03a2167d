import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { tracePage } from "./createServer";

/** Serves one request with `respond` under tracePage and returns the lines it logged. */
async function traced(respond: (response: import("node:http").ServerResponse) => void, created: boolean) {
  const lines: string[] = [];
  const log = { info: (line: string) => lines.push(line), error: () => {} };
  const server = createServer((request, response) => {
    tracePage(request, response, performance.now(), created, log);
    respond(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/lessons/pods?x=1`);
    expect(await answer.text()).toBe("hello");
    // The line is written on 'finish', which may come after the client has read the body.
    for (let turn = 0; turn < 100 && lines.length === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return lines;
}

describe("tracePage", () => {
  it("logs the learner, head and end times of a response whose head is written by its first write", async () => {
    const lines = await traced((response) => {
      response.setHeader("Content-Type", "text/plain");
      response.write("hel");
      response.end("lo");
    }, true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^page GET \/lessons\/pods\?x=1: learner \d+\.\d ms \(new\), head \d+\.\d ms, end \d+\.\d ms$/,
    );
  });

  it("sees an explicit writeHead, and says nothing of a learner it did not create", async () => {
    const lines = await traced((response) => {
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("hello");
    }, false);
    expect(lines[0]).toMatch(/^page GET \/lessons\/pods\?x=1: learner \d+\.\d ms, head \d+\.\d ms, end \d+\.\d ms$/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { ServerMessage } from "./protocol";
import { TerminalService } from "./TerminalService";

/**
 * The terminal service end to end over a real WebSocket and pty: attach, type, reconnect with
 * replay, and refusal without a learner.
 */
const root = path.resolve(import.meta.dirname, "..", "..");
const data = mkdtempSync(path.join(tmpdir(), "kubelab-terminal-"));
const kubeconfig = path.join(data, "kubeconfig");
writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");

let server: Server;
let port = 0;
const service = new TerminalService({
  root,
  dataDirectory: data,
  // A learner whose cluster takes a while to wake (restored from disk, say).
  kubeconfigFor: async (learnerId) => {
    if (learnerId === "learner-slow") await new Promise((resolve) => setTimeout(resolve, 500));
    return kubeconfig;
  },
});
let learner: string | undefined = "learner-a";

// Its kubeconfig is given only once node access has been asked for: both must be asked at once.
let nodesAsked: () => void = () => undefined;
const nodesAskedFor = new Promise<void>((resolve) => {
  nodesAsked = resolve;
});
const refuse = async (): Promise<never> => {
  throw new Error("not in this test");
};
const together = new TerminalService({
  root,
  dataDirectory: data,
  warmShells: false,
  kubeconfigFor: async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      nodesAskedFor,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("node access was asked for only after the kubeconfig")), 5_000);
      }),
    ]).finally(() => clearTimeout(timer));
    return kubeconfig;
  },
  nodesFor: async () => {
    nodesAsked();
    return { nodes: refuse, readDir: refuse, readFile: refuse, writeFile: refuse, remove: refuse, run: refuse };
  },
});

class Client {
  messages: ServerMessage[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  constructor(session: string, size = "?cols=100&rows=30") {
    this.socket = new WebSocket(`ws://127.0.0.1:${port}/terminal/${session}${size}`);
    this.socket.on("message", (raw) => this.messages.push(JSON.parse(String(raw)) as ServerMessage));
    this.opened = new Promise((resolve) => this.socket.once("open", () => resolve()));
  }
  get output(): string {
    return this.messages.map((message) => (message.type === "output" ? message.data : "")).join("");
  }
  async waitFor(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`timed out; output so far: ${JSON.stringify(this.output.slice(-300))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  input(data: string): void {
    this.socket.send(JSON.stringify({ type: "input", data }));
  }
}

beforeAll(async () => {
  await service.prepare();
  const sockets = new WebSocketServer({ noServer: true });
  server = createServer();
  server.on("upgrade", (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      const target = request.url?.startsWith("/terminal/together-") ? together : service;
      void target.handle(webSocket, request, learner);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
}, 120_000);

afterAll(() => {
  service.close();
  together.close();
  server.close();
});

describe("TerminalService", () => {
  it("spawns a shell, carries keystrokes and output, and replays the screen after a reconnect", async () => {
    const first = new Client("session-one");
    await first.opened;
    await first.waitFor(() => first.output.includes("controlplane:~$ "));
    expect(first.messages[0]).toEqual({ type: "ready", session: "session-one", replayed: false });
    first.input("echo reconnect-$((20+22))\r");
    await first.waitFor(() => first.output.includes("reconnect-42"));
    first.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(service.size).toBe(1);

    const second = new Client("session-one");
    await second.opened;
    await second.waitFor(() => second.output.includes("reconnect-42"));
    expect(second.messages[0]).toEqual({ type: "ready", session: "session-one", replayed: true });
    second.input("echo still-here\r");
    await second.waitFor(() => second.output.includes("still-here"));
    second.socket.close();
  }, 120_000);

  it("hands on a just-started shell only once it is ready: its configuration is not echoed, keys typed at once are kept", async () => {
    // Two terminals back to back: the second gets the shell pre-started when the first opened,
    // still loading its modules (its terminal not yet raw).
    const first = new Client("session-back-1");
    const second = new Client("session-back-2");
    await Promise.all([first.opened, second.opened]);
    second.input("echo typed-$((40+2))\r");
    await second.waitFor(() => second.output.includes("typed-42"));
    expect(second.output).not.toContain("kubeconfig");
    expect(second.output).not.toContain("kubelab-shell-ready");
    await first.waitFor(() => first.output.includes("controlplane:~$ "));
    expect(first.output).not.toContain("kubeconfig");
    first.socket.close();
    second.socket.close();
  }, 120_000);

  it("keeps keys typed while the learner's cluster is still waking", async () => {
    learner = "learner-slow";
    const client = new Client("session-slow");
    await client.opened;
    client.input("echo early-$((6*7))\r");
    await client.waitFor(() => client.output.includes("early-42"));
    expect(client.messages[0]).toEqual({ type: "ready", session: "session-slow", replayed: false });
    client.socket.close();
    learner = "learner-a";
  }, 120_000);

  it("asks for the learner's kubeconfig and node access at once", async () => {
    const client = new Client("together-1");
    await client.opened;
    await client.waitFor(
      () => client.output.includes("controlplane:~$ ") || client.messages.some((message) => message.type === "error"),
    );
    expect(client.messages.filter((message) => message.type === "error")).toEqual([]);
    client.socket.close();
  }, 120_000);

  it("starts a socket that asks for no size at 80×24, and reattaches one without resizing the shell", async () => {
    // The shell hears a resize as SIGWINCH, a moment after the pty's: ask until it answers.
    const sizeBecomes = async (client: Client, marker: string, expected: string) => {
      for (let attempt = 0; attempt < 50 && !client.output.includes(`${marker}-${expected}`); attempt++) {
        client.input(`echo ${marker}-$COLUMNS-$LINES\r`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(client.output).toContain(`${marker}-${expected}`);
    };
    const first = new Client("session-unsized", "");
    await first.opened;
    await first.waitFor(() => first.output.includes("controlplane:~$ "));
    first.input("echo start-$COLUMNS-$LINES\r");
    await first.waitFor(() => /start-\d+-\d+/.test(first.output));
    expect(first.output).toContain("start-80-24");
    first.socket.send(JSON.stringify({ type: "resize", cols: 90, rows: 33 }));
    await sizeBecomes(first, "resized", "90-33");
    first.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = new Client("session-unsized", "");
    await again.opened;
    again.input("echo reattached-$COLUMNS-$LINES\r");
    await again.waitFor(() => /reattached-\d+-\d+/.test(again.output));
    expect(again.output).toContain("reattached-90-33");
    again.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }, 120_000);

  it("refuses a socket without a learner", async () => {
    learner = undefined;
    const client = new Client("session-two");
    const closed = new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code)));
    expect(await closed).toBe(4401);
    expect(client.messages[0]?.type).toBe("error");
    learner = "learner-a";
  });

  it("stops shells detached past the grace period", () => {
    service.reap(Date.now() + 10 * 60_000);
    expect(service.size).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import type { StreamSession } from "../KubeletConnection";
import { bridgePortForward, bridgeSession, chooseProtocol, exitMessage } from "./channelProtocol";
import type { MessageSocket } from "./types";

class FakeSocket implements MessageSocket {
  sent: Array<Uint8Array | string> = [];
  closed?: number;
  private messageListeners: Array<(data: Uint8Array, isBinary: boolean) => void> = [];
  private closeListeners: Array<() => void> = [];
  constructor(readonly protocol: string) {}
  send(data: Uint8Array | string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closed = code;
  }
  onMessage(listener: (data: Uint8Array, isBinary: boolean) => void) {
    this.messageListeners.push(listener);
  }
  onClose(listener: () => void) {
    this.closeListeners.push(listener);
  }
  receive(bytes: number[] | Uint8Array) {
    for (const listener of this.messageListeners) listener(Uint8Array.from(bytes), true);
  }
  disconnect() {
    for (const listener of this.closeListeners) listener();
  }
  frames() {
    return this.sent.map((data) => {
      const bytes = data as Uint8Array;
      return { channel: bytes[0], text: new TextDecoder().decode(bytes.subarray(1)) };
    });
  }
}

class FakeSession implements StreamSession {
  stdin: string[] = [];
  stdinBytes: Uint8Array[] = [];
  stdinClosed = false;
  size?: [number, number];
  killed = false;
  private stdout: Array<(data: Uint8Array) => void> = [];
  private stderr: Array<(data: Uint8Array) => void> = [];
  private exit: Array<(result: { exitCode: number } | { error: string }) => void> = [];
  writeStdin(data: Uint8Array) {
    this.stdinBytes.push(data.slice());
    this.stdin.push(new TextDecoder().decode(data));
  }
  closeStdin() {
    this.stdinClosed = true;
  }
  resize(columns: number, rows: number) {
    this.size = [columns, rows];
  }
  onStdout(listener: (data: Uint8Array) => void) {
    this.stdout.push(listener);
  }
  onStderr(listener: (data: Uint8Array) => void) {
    this.stderr.push(listener);
  }
  onExit(listener: (result: { exitCode: number } | { error: string }) => void) {
    this.exit.push(listener);
  }
  kill() {
    this.killed = true;
  }
  out(text: string) {
    for (const listener of this.stdout) listener(new TextEncoder().encode(text));
  }
  err(text: string) {
    for (const listener of this.stderr) listener(new TextEncoder().encode(text));
  }
  finish(result: { exitCode: number } | { error: string }) {
    for (const listener of this.exit) listener(result);
  }
}

describe("channel protocols", () => {
  it("picks the client's first supported protocol", () => {
    expect(chooseProtocol(["v5.channel.k8s.io", "v4.channel.k8s.io"], ["v4.channel.k8s.io", "v5.channel.k8s.io"])).toBe(
      "v5.channel.k8s.io",
    );
    expect(chooseProtocol(["base64.channel.k8s.io"], ["v4.channel.k8s.io"])).toBeUndefined();
  });

  it("bridges stdout, stderr, stdin, resize and the v5 stdin close", () => {
    const socket = new FakeSocket("v5.channel.k8s.io");
    const session = new FakeSession();
    bridgeSession(socket, session, ["sh"]);
    session.out("hello\n");
    session.err("oops\n");
    socket.receive([0, ...new TextEncoder().encode("ls\n")]);
    socket.receive([4, ...new TextEncoder().encode('{"Width":120,"Height":40}')]);
    socket.receive([255, 0]);
    expect(socket.frames().slice(0, 2)).toEqual([
      { channel: 1, text: "hello\n" },
      { channel: 2, text: "oops\n" },
    ]);
    expect(session.stdin).toEqual(["ls\n"]);
    expect(session.size).toEqual([120, 40]);
    expect(session.stdinClosed).toBe(true);
    session.finish({ exitCode: 0 });
    expect(socket.frames()[2]).toEqual({ channel: 3, text: '{"metadata":{},"status":"Success"}' });
    expect(socket.closed).toBe(1000);
  });

  it("reports a non-zero exit as NonZeroExitCode with an ExitCode cause", () => {
    const message = exitMessage("v4.channel.k8s.io", { exitCode: 3 }, ["sh", "-c", "exit 3"]);
    expect(JSON.parse(new TextDecoder().decode(message))).toEqual({
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
    expect(new TextDecoder().decode(exitMessage("channel.k8s.io", { exitCode: 3 }, ["false"]))).toBe(
      "command terminated with non-zero exit code: error executing command [false], exit code 3",
    );
  });

  it("carries stdin and stdout as bytes (kubectl cp's tar stream), not text", () => {
    const socket = new FakeSocket("v5.channel.k8s.io");
    const session = new FakeSession();
    bridgeSession(socket, session, ["tar", "-xmf", "-"]);
    const binary = [0x00, 0xff, 0xc3, 0x28, 0x80, 0x0a];
    socket.receive([0, ...binary]);
    expect(session.stdinBytes.map((chunk) => Array.from(chunk))).toEqual([binary]);
    socket.receive([255, 0]);
    expect(session.stdinClosed).toBe(true);
    // Output bytes that are not UTF-8 go out unchanged.
    const listener = (session as unknown as { stdout: Array<(data: Uint8Array) => void> }).stdout[0];
    listener?.(Uint8Array.from(binary));
    expect(Array.from(socket.sent[0] as Uint8Array)).toEqual([1, ...binary]);
  });

  it("reports a runtime's failure to start an exec as an InternalError Status", () => {
    const error =
      'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "abc": OCI runtime exec failed: exec failed: unable to start container process: exec: "tar": executable file not found in $PATH: unknown';
    expect(JSON.parse(new TextDecoder().decode(exitMessage("v5.channel.k8s.io", { error }, ["tar"])))).toEqual({
      metadata: {},
      status: "Failure",
      message: error,
      reason: "InternalError",
      details: { causes: [{ message: error.replace("Internal error occurred: ", "") }] },
      code: 500,
    });
  });

  it("drops streams the client did not open and kills the process when the client leaves", () => {
    const socket = new FakeSocket("v4.channel.k8s.io");
    const session = new FakeSession();
    bridgeSession(socket, session, ["sh"], { stdout: true, stderr: false });
    session.err("hidden");
    expect(socket.sent).toEqual([]);
    socket.disconnect();
    expect(session.killed).toBe(true);
  });

  it("forwards ports with the port preamble on data and error channels", () => {
    const socket = new FakeSocket("v4.channel.k8s.io");
    const session = new FakeSession();
    bridgePortForward(socket, [8080], [session]);
    expect(
      socket
        .frames()
        .slice(0, 2)
        .map((frame) => frame.channel),
    ).toEqual([0, 1]);
    expect(Array.from(socket.sent[0] as Uint8Array)).toEqual([0, 0x90, 0x1f]);
    socket.receive([0, ...new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")]);
    expect(session.stdin).toEqual(["GET / HTTP/1.1\r\n\r\n"]);
    session.out("HTTP/1.1 200 OK\r\n");
    expect(socket.frames()[2]).toEqual({ channel: 0, text: "HTTP/1.1 200 OK\r\n" });
    socket.disconnect();
    expect(session.killed).toBe(true);
  });
});

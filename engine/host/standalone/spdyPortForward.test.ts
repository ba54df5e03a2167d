import { createHash } from "node:crypto";
import { constants, createDeflate, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { MessageSocket } from "../../apiserver/http/types";
import type { StreamSession } from "../../apiserver/KubeletConnection";
import { SPDY_DICTIONARY, serveSpdyPortForward } from "./spdyPortForward";

/** A client-side SPDY framer, as spdystream writes frames. */
class SpdyClient {
  private deflate = createDeflate({ dictionary: spdyDictionary() });
  sentToServer: Uint8Array[] = [];

  async headerBlock(headers: Record<string, string>): Promise<Buffer> {
    const parts: Buffer[] = [];
    const count = Buffer.alloc(4);
    count.writeUInt32BE(Object.keys(headers).length);
    parts.push(count);
    for (const [name, value] of Object.entries(headers)) {
      for (const text of [name, value]) {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(Buffer.byteLength(text));
        parts.push(length, Buffer.from(text));
      }
    }
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    this.deflate.on("data", onData);
    this.deflate.write(Buffer.concat(parts));
    await new Promise<void>((resolve) => this.deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    this.deflate.off("data", onData);
    return Buffer.concat(chunks);
  }

  async synStream(streamId: number, headers: Record<string, string>): Promise<Uint8Array> {
    const block = await this.headerBlock(headers);
    const payload = Buffer.alloc(10 + block.length);
    payload.writeUInt32BE(streamId, 0);
    payload.writeUInt32BE(0, 4);
    block.copy(payload, 10);
    return control(1, payload);
  }
}

function control(type: number, payload: Buffer): Uint8Array {
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt16BE(0x8003, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(payload.length, 4);
  payload.copy(frame, 8);
  return frame;
}

function data(streamId: number, bytes: string, fin = false): Uint8Array {
  const body = Buffer.from(bytes);
  const frame = Buffer.alloc(8 + body.length);
  frame.writeUInt32BE(streamId, 0);
  frame.writeUInt32BE(body.length, 4);
  frame[4] = fin ? 1 : 0;
  body.copy(frame, 8);
  return frame;
}

function spdyDictionary(): Buffer {
  return SPDY_DICTIONARY;
}

class FakeSocket implements MessageSocket {
  readonly protocol = "SPDY/3.1+portforward.k8s.io";
  sent: Buffer[] = [];
  private listener?: (data: Uint8Array, isBinary: boolean) => void;
  send(bytes: Uint8Array | string) {
    this.sent.push(Buffer.from(bytes as Uint8Array));
  }
  close() {}
  onMessage(listener: (data: Uint8Array, isBinary: boolean) => void) {
    this.listener = listener;
  }
  onClose() {}
  receive(bytes: Uint8Array) {
    this.listener?.(bytes, true);
  }
}

class EchoSession implements StreamSession {
  private out?: (data: Uint8Array) => void;
  writeStdin(bytes: Uint8Array) {
    this.out?.(new TextEncoder().encode(`echo:${new TextDecoder().decode(bytes)}`));
  }
  closeStdin() {}
  resize() {}
  onStdout(listener: (data: Uint8Array) => void) {
    this.out = listener;
  }
  onStderr() {}
  onExit() {}
  kill() {}
}

const DICTIONARY_BYTES = SPDY_DICTIONARY;

describe("SPDY port-forward over a WebSocket tunnel", () => {
  it("uses the SPDY/3 header dictionary (the bytes client-go's spdy framer uses)", () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(createHash("sha256").update(SPDY_DICTIONARY).digest("hex")).toBe(
      "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02",
    );
    expect(SPDY_DICTIONARY.subarray(0, 11).toString("latin1")).toBe("\u0000\u0000\u0000\u0007options");
  });

  it("answers SYN_STREAMs with decodable SYN_REPLYs and forwards data both ways", async () => {
    const socket = new FakeSocket();
    const opened: number[] = [];
    serveSpdyPortForward(socket, (port) => {
      opened.push(port);
      return new EchoSession();
    });
    const client = new SpdyClient();
    socket.receive(await client.synStream(1, { streamtype: "error", port: "80", requestid: "0" }));
    socket.receive(await client.synStream(3, { streamtype: "data", port: "80", requestid: "0" }));
    expect(opened).toEqual([80]);
    // Two SYN_REPLYs whose header blocks continue one zlib stream with the SPDY dictionary.
    const replies = socket.sent.slice(0, 2);
    expect(replies.map((frame) => frame.readUInt16BE(2))).toEqual([2, 2]);
    expect(replies.map((frame) => frame.readUInt32BE(8))).toEqual([1, 3]);
    const blocks = Buffer.concat(replies.map((frame) => frame.subarray(12)));
    const headers = inflateSync(blocks, { dictionary: DICTIONARY_BYTES, finishFlush: constants.Z_SYNC_FLUSH });
    expect([...headers]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // Data on the data stream reaches the pod's port, and its answer comes back on the same stream.
    socket.receive(data(3, "GET / HTTP/1.1\r\n\r\n"));
    const reply = socket.sent[2];
    expect(reply.readUInt32BE(0)).toBe(3);
    expect(reply.subarray(8).toString()).toBe("echo:GET / HTTP/1.1\r\n\r\n");
    // PINGs are echoed.
    const ping = control(6, Buffer.from([0, 0, 0, 7]));
    socket.receive(ping);
    expect(Buffer.compare(socket.sent[3], Buffer.from(ping))).toBe(0);
  });
});

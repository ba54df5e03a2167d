import { constants, inflateSync } from "node:zlib";
import type { MessageSocket } from "../../apiserver/http/types";
import type { StreamSession } from "../../apiserver/KubeletConnection";

/**
 * kubectl's port-forward since 1.31: SPDY/3.1 streams tunneled through a WebSocket with subprotocol
 * `SPDY/3.1+portforward.k8s.io` (client-go's tunneling dialer; every binary message is a piece of the
 * SPDY byte stream). For each forwarded connection the client opens an error stream and a data
 * stream (headers `streamtype`, `port`, `requestid`); the server answers SYN_REPLY, copies bytes
 * between the data stream and the pod's port, and reports failures on the error stream — the
 * kubelet's side of upstream's port-forward protocol.
 */

export const SPDY_PORT_FORWARD_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

/** The SPDY/3 header compression dictionary (from the SPDY/3 specification). */
export const SPDY_DICTIONARY = Buffer.from(
  "AAAAB29wdGlvbnMAAAAEaGVhZAAAAARwb3N0AAAAA3B1dAAAAAZkZWxldGUAAAAFdHJhY2UAAAAGYWNjZXB0AAAADmFjY2VwdC1jaGFyc2V0AAAAD2FjY2VwdC1lbmNvZGluZwAAAA9hY2NlcHQtbGFuZ3VhZ2UAAAANYWNjZXB0LXJhbmdlcwAAAANhZ2UAAAAFYWxsb3cAAAANYXV0aG9yaXphdGlvbgAAAA1jYWNoZS1jb250cm9sAAAACmNvbm5lY3Rpb24AAAAMY29udGVudC1iYXNlAAAAEGNvbnRlbnQtZW5jb2RpbmcAAAAQY29udGVudC1sYW5ndWFnZQAAAA5jb250ZW50LWxlbmd0aAAAABBjb250ZW50LWxvY2F0aW9uAAAAC2NvbnRlbnQtbWQ1AAAADWNvbnRlbnQtcmFuZ2UAAAAMY29udGVudC10eXBlAAAABGRhdGUAAAAEZXRhZwAAAAZleHBlY3QAAAAHZXhwaXJlcwAAAARmcm9tAAAABGhvc3QAAAAIaWYtbWF0Y2gAAAARaWYtbW9kaWZpZWQtc2luY2UAAAANaWYtbm9uZS1tYXRjaAAAAAhpZi1yYW5nZQAAABNpZi11bm1vZGlmaWVkLXNpbmNlAAAADWxhc3QtbW9kaWZpZWQAAAAIbG9jYXRpb24AAAAMbWF4LWZvcndhcmRzAAAABnByYWdtYQAAABJwcm94eS1hdXRoZW50aWNhdGUAAAATcHJveHktYXV0aG9yaXphdGlvbgAAAAVyYW5nZQAAAAdyZWZlcmVyAAAAC3JldHJ5LWFmdGVyAAAABnNlcnZlcgAAAAJ0ZQAAAAd0cmFpbGVyAAAAEXRyYW5zZmVyLWVuY29kaW5nAAAAB3VwZ3JhZGUAAAAKdXNlci1hZ2VudAAAAAR2YXJ5AAAAA3ZpYQAAAAd3YXJuaW5nAAAAEHd3dy1hdXRoZW50aWNhdGUAAAAGbWV0aG9kAAAAA2dldAAAAAZzdGF0dXMAAAAGMjAwIE9LAAAAB3ZlcnNpb24AAAAISFRUUC8xLjEAAAADdXJsAAAABnB1YmxpYwAAAApzZXQtY29va2llAAAACmtlZXAtYWxpdmUAAAAGb3JpZ2luMTAwMTAxMjAxMjAyMjA1MjA2MzAwMzAyMzAzMzA0MzA1MzA2MzA3NDAyNDA1NDA2NDA3NDA4NDA5NDEwNDExNDEyNDEzNDE0NDE1NDE2NDE3NTAyNTA0NTA1MjAzIE5vbi1BdXRob3JpdGF0aXZlIEluZm9ybWF0aW9uMjA0IE5vIENvbnRlbnQzMDEgTW92ZWQgUGVybWFuZW50bHk0MDAgQmFkIFJlcXVlc3Q0MDEgVW5hdXRob3JpemVkNDAzIEZvcmJpZGRlbjQwNCBOb3QgRm91bmQ1MDAgSW50ZXJuYWwgU2VydmVyIEVycm9yNTAxIE5vdCBJbXBsZW1lbnRlZDUwMyBTZXJ2aWNlIFVuYXZhaWxhYmxlSmFuIEZlYiBNYXIgQXByIE1heSBKdW4gSnVsIEF1ZyBTZXB0IE9jdCBOb3YgRGVjIDAwOjAwOjAwIE1vbiwgVHVlLCBXZWQsIFRodSwgRnJpLCBTYXQsIFN1biwgR01UY2h1bmtlZCx0ZXh0L2h0bWwsaW1hZ2UvcG5nLGltYWdlL2pwZyxpbWFnZS9naWYsYXBwbGljYXRpb24veG1sLGFwcGxpY2F0aW9uL3hodG1sK3htbCx0ZXh0L3BsYWluLHRleHQvamF2YXNjcmlwdCxwdWJsaWNwcml2YXRlbWF4LWFnZT1nemlwLGRlZmxhdGUsc2RjaGNoYXJzZXQ9dXRmLThjaGFyc2V0PWlzby04ODU5LTEsdXRmLSwqLGVucT0wLg==",
  "base64",
);

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function controlFrame(type: number, flags: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(8 + payload.length);
  frame[0] = 0x80;
  frame[1] = 3;
  frame[2] = type >> 8;
  frame[3] = type & 0xff;
  frame[4] = flags;
  frame[5] = (payload.length >> 16) & 0xff;
  frame[6] = (payload.length >> 8) & 0xff;
  frame[7] = payload.length & 0xff;
  frame.set(payload, 8);
  return frame;
}

function dataFrame(streamId: number, flags: number, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(8 + data.length);
  new DataView(frame.buffer).setUint32(0, streamId & 0x7fffffff);
  frame[4] = flags;
  frame[5] = (data.length >> 16) & 0xff;
  frame[6] = (data.length >> 8) & 0xff;
  frame[7] = data.length & 0xff;
  frame.set(data, 8);
  return frame;
}

function uint32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0);
  return bytes;
}

/** One SPDY connection's server side. */
class SpdyServer {
  private pending = new Uint8Array(0);
  /** Every compressed header block received, for stateless re-inflation (blocks are tiny and few). */
  private compressedHeaders: Buffer[] = [];
  private inflatedLength = 0;
  private wroteCompressionHeader = false;
  private readonly streams = new Map<number, { type: string; port: number; requestId: string }>();
  private readonly pairs = new Map<string, { data?: number; error?: number; session?: StreamSession }>();
  private closed = false;

  constructor(
    private readonly socket: MessageSocket,
    private readonly openPort: (port: number) => StreamSession,
  ) {}

  receive(bytes: Uint8Array): void {
    const combined = new Uint8Array(this.pending.length + bytes.length);
    combined.set(this.pending);
    combined.set(bytes, this.pending.length);
    let offset = 0;
    while (combined.length - offset >= 8) {
      const length = (combined[offset + 5] << 16) | (combined[offset + 6] << 8) | combined[offset + 7];
      if (combined.length - offset < 8 + length) break;
      this.frame(combined.subarray(offset, offset + 8 + length));
      offset += 8 + length;
    }
    this.pending = combined.slice(offset);
  }

  private frame(frame: Uint8Array): void {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const flags = frame[4];
    const payload = frame.subarray(8);
    if (frame[0] & 0x80) {
      const type = view.getUint16(2);
      if (type === SYN_STREAM) this.synStream(view.getUint32(8) & 0x7fffffff, payload.subarray(10));
      else if (type === PING) this.send(frame.slice());
      else if (type === RST_STREAM) this.reset(view.getUint32(8) & 0x7fffffff);
      else if (type === GOAWAY) this.close();
      return;
    }
    const streamId = view.getUint32(0) & 0x7fffffff;
    const stream = this.streams.get(streamId);
    if (!stream) return;
    const pair = this.pairs.get(stream.requestId);
    if (stream.type === "data" && pair?.session && payload.length > 0) pair.session.writeStdin(payload.slice());
    if (flags & FLAG_FIN && stream.type === "data") pair?.session?.closeStdin();
  }

  private headers(block: Uint8Array): Map<string, string> {
    this.compressedHeaders.push(Buffer.from(block));
    const inflated = inflateSync(Buffer.concat(this.compressedHeaders), {
      dictionary: SPDY_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const raw = inflated.subarray(this.inflatedLength);
    this.inflatedLength = inflated.length;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const result = new Map<string, string>();
    let offset = 4;
    const count = view.getUint32(0);
    for (let index = 0; index < count; index++) {
      const nameLength = view.getUint32(offset);
      const name = raw.subarray(offset + 4, offset + 4 + nameLength).toString();
      offset += 4 + nameLength;
      const valueLength = view.getUint32(offset);
      const value = raw.subarray(offset + 4, offset + 4 + valueLength).toString();
      offset += 4 + valueLength;
      result.set(name.toLowerCase(), value);
    }
    return result;
  }

  /** An empty header block, compressed as a stored zlib block (valid for any inflater with the dictionary). */
  private emptyHeaderBlock(): Uint8Array {
    const block = uint32(0);
    // A stored deflate block with the data, then the empty stored block of a sync flush: Go's
    // flate reader only hands out a stored block's bytes once it has read the next block header.
    const stored = new Uint8Array([
      0x00,
      block.length,
      0x00,
      ~block.length & 0xff,
      0xff,
      ...block,
      0x00,
      0x00,
      0x00,
      0xff,
      0xff,
    ]);
    if (this.wroteCompressionHeader) return stored;
    this.wroteCompressionHeader = true;
    return new Uint8Array([0x78, 0xbb, ...uint32(adler32(SPDY_DICTIONARY)), ...stored]);
  }

  private synStream(streamId: number, headerBlock: Uint8Array): void {
    let headers: Map<string, string>;
    try {
      headers = this.headers(headerBlock);
    } catch {
      this.send(controlFrame(RST_STREAM, 0, new Uint8Array([...uint32(streamId), ...uint32(1)])));
      return;
    }
    const type = headers.get("streamtype") ?? "";
    const port = Number(headers.get("port"));
    const requestId = headers.get("requestid") ?? String(streamId);
    this.streams.set(streamId, { type, port, requestId });
    this.send(controlFrame(SYN_REPLY, 0, new Uint8Array([...uint32(streamId), ...this.emptyHeaderBlock()])));
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = {};
      this.pairs.set(requestId, pair);
    }
    if (type === "error") pair.error = streamId;
    else if (type === "data") pair.data = streamId;
    if (pair.data !== undefined && pair.error !== undefined && !pair.session) this.connect(pair, port);
  }

  private connect(pair: { data?: number; error?: number; session?: StreamSession }, port: number): void {
    const dataStream = pair.data as number;
    const errorStream = pair.error as number;
    let session: StreamSession;
    try {
      session = this.openPort(port);
    } catch (error) {
      this.fail(errorStream, dataStream, error instanceof Error ? error.message : String(error));
      return;
    }
    pair.session = session;
    session.onStdout((data) => this.send(dataFrame(dataStream, 0, data)));
    session.onStderr((data) => this.send(dataFrame(errorStream, 0, data)));
    session.onExit((result) => {
      if ("error" in result) this.fail(errorStream, dataStream, result.error);
      else {
        this.send(dataFrame(dataStream, FLAG_FIN, new Uint8Array(0)));
        this.send(dataFrame(errorStream, FLAG_FIN, new Uint8Array(0)));
      }
    });
  }

  private fail(errorStream: number, dataStream: number, message: string): void {
    this.send(dataFrame(errorStream, FLAG_FIN, new TextEncoder().encode(message)));
    this.send(dataFrame(dataStream, FLAG_FIN, new Uint8Array(0)));
  }

  private reset(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    this.pairs.get(stream.requestId)?.session?.kill();
  }

  private send(bytes: Uint8Array): void {
    if (!this.closed) this.socket.send(bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pair of this.pairs.values()) pair.session?.kill();
    this.socket.close(1000);
  }
}

/** Serves one tunneled SPDY port-forward connection until the client goes away. */
export function serveSpdyPortForward(socket: MessageSocket, openPort: (port: number) => StreamSession): () => void {
  const server = new SpdyServer(socket, openPort);
  socket.onMessage((data) => server.receive(data));
  socket.onClose(() => server.close());
  return () => server.close();
}

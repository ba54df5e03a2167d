import type { Connection, HttpRequest, HttpResponse, Network, NetworkSource } from "../../engine/proxy/Network";
import { NetworkError } from "../../engine/proxy/Network";
import type { LocalConnection, LocalListener } from "../kubectl/KubectlIO";

/** Addresses that mean "this machine" to a client (`curl localhost:8080`). */
const loopbackHosts = /^(localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0|::)$/;

/** Addresses a listener may bind in the shell: its loopback, and "all addresses" (which is only that). */
const bindable = /^(localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0|::)$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The pair of one connection: what the client writes reaches the listener's side, and back. */
interface Pipe {
  server: LocalConnection;
  client: {
    send(data: Uint8Array): void;
    close(): void;
    onData(listener: (data: Uint8Array) => void): void;
    onClose(listener: () => void): void;
  };
}

/**
 * The learner shell's own loopback network, in memory: `kubectl port-forward` listens here
 * (`KubectlIO.listen`) and the shell's curl and wget connect here for `localhost`, `127.0.0.1` and
 * `[::1]`. Nothing opens a real socket, so the shell still reaches nothing on the host but its own
 * cluster (the port-forward's WebSocket to the API server is the only way out).
 */
export class Loopback {
  /** `address port` → the listener's accept callback. */
  private readonly listeners = new Map<string, (connection: LocalConnection) => void>();

  /** Binds `address:port` (port 0: a free ephemeral port), with Go's net.Listen wording on failure. */
  async listen(
    address: string,
    port: number,
    onConnection: (connection: LocalConnection) => void,
  ): Promise<LocalListener> {
    const family = address.includes(":") ? "tcp6" : "tcp4";
    const shown = address.includes(":") ? `[${address}]` : address;
    if (!bindable.test(address))
      throw new Error(`listen ${family} ${shown}:${port}: bind: cannot assign requested address`);
    const chosen = port === 0 ? this.freePort() : port;
    const key = `${address} ${chosen}`;
    if (this.listeners.has(key)) throw new Error(`listen ${family} ${shown}:${chosen}: bind: address already in use`);
    this.listeners.set(key, onConnection);
    return { port: chosen, close: () => this.listeners.delete(key) };
  }

  /** True when something in the shell listens on `port` at an address `host` reaches. */
  accepts(host: string, port: number): boolean {
    return this.acceptor(host, port) !== undefined;
  }

  /** How many listeners are open (tests check that a stopped port-forward released its ports). */
  get size(): number {
    return this.listeners.size;
  }

  /**
   * A {@link Network} for the engine's curl and wget run in the shell: loopback addresses reach the
   * shell's listeners (refused where none listens); `elsewhere` answers every other host (the
   * cluster's network through node access, or nothing).
   */
  network(elsewhere: (host: string) => NetworkError): Network {
    return {
      listen: () => () => undefined,
      connect: async (_source: NetworkSource, host: string, port: number) => {
        if (!loopbackHosts.test(host)) throw elsewhere(host);
        const accept = this.acceptor(host, port);
        if (!accept) throw new NetworkError("ConnectionRefused", `connect: connection refused`);
        return httpConnection(accept, host, port);
      },
      resolve: async (_source, name) => {
        if (loopbackHosts.test(name)) return { name, addresses: ["127.0.0.1"], server: "127.0.0.53" };
        throw elsewhere(name);
      },
    };
  }

  private acceptor(host: string, port: number): ((connection: LocalConnection) => void) | undefined {
    if (!loopbackHosts.test(host)) return undefined;
    // localhost tries ::1 and 127.0.0.1, as curl does; 0.0.0.0 and :: listeners take either.
    const candidates =
      host === "localhost" || host === "0.0.0.0" || host === "::"
        ? ["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"]
        : host.includes(":")
          ? [host, "::", "localhost"]
          : [host, "0.0.0.0", "localhost"];
    for (const address of candidates) {
      const accept = this.listeners.get(`${address} ${port}`);
      if (accept) return accept;
    }
    return undefined;
  }

  private freePort(): number {
    for (;;) {
      // Linux's ephemeral range (net.ipv4.ip_local_port_range).
      const port = 32768 + Math.floor(Math.random() * (60999 - 32768));
      if (![...this.listeners.keys()].some((key) => key.endsWith(` ${port}`))) return port;
    }
  }
}

/**
 * An in-memory byte pipe: the listener gets `server`, the client uses `client`. Bytes sent before
 * the other side listens wait for it, as a socket's buffer holds them (port-forward subscribes to
 * a connection only once its WebSocket is on the way).
 */
function pipe(): Pipe {
  const toServer = new Channel();
  const toClient = new Channel();
  const closed: (() => void)[] = [];
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    for (const listener of closed.splice(0)) listener();
  };
  return {
    server: {
      write: (data) => open && toClient.send(data),
      end: close,
      onData: (listener) => toServer.listen(listener),
      onClose: (listener) => closed.push(listener),
    },
    client: {
      send: (data) => open && toServer.send(data),
      close,
      onData: (listener) => toClient.listen(listener),
      onClose: (listener) => closed.push(listener),
    },
  };
}

/** One direction of a pipe: chunks wait until a listener subscribes. */
class Channel {
  private readonly listeners: ((data: Uint8Array) => void)[] = [];
  private readonly waiting: Uint8Array[] = [];
  send(data: Uint8Array): void {
    if (this.listeners.length === 0) this.waiting.push(data);
    for (const listener of this.listeners) listener(data);
  }
  listen(listener: (data: Uint8Array) => void): void {
    this.listeners.push(listener);
    for (const data of this.waiting.splice(0)) listener(data);
  }
}

/** One client connection speaking HTTP/1.1 over the pipe (what curl sends through a port-forward). */
function httpConnection(accept: (connection: LocalConnection) => void, host: string, port: number): Connection {
  const { server, client } = pipe();
  accept(server);
  const ip = host.includes(":") ? "::1" : "127.0.0.1";
  return {
    remote: { ip, port },
    http: (request) => exchange(client, request),
    tcp: (data) =>
      new Promise((resolve) => {
        client.onData(resolve);
        client.send(data);
      }),
    close: () => client.close(),
  };
}

/** Sends one request and reads one response (Content-Length or chunked framing, else until close). */
function exchange(client: Pipe["client"], request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let received = new Uint8Array(0);
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      const response = parseResponse(received, request.method === "HEAD", closed);
      if (response) {
        done = true;
        resolve(response);
      } else if (closed) {
        done = true;
        reject(new NetworkError("EmptyReply", "Empty reply from server"));
      }
    };
    client.onData((data) => {
      const joined = new Uint8Array(received.length + data.length);
      joined.set(received);
      joined.set(data, received.length);
      received = joined;
      finish(false);
    });
    client.onClose(() => finish(true));
    client.send(encoder.encode(serializeRequest(request)));
  });
}

function serializeRequest(request: HttpRequest): string {
  const headers = { ...request.headers };
  if (request.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === "content-length"))
    headers["Content-Length"] = String(encoder.encode(request.body).length);
  let text = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
  return `${text}\r\n${request.body ?? ""}`;
}

/** The response in `bytes` once complete; undefined while more is to come. */
export function parseResponse(bytes: Uint8Array, head: boolean, closed: boolean): HttpResponse | undefined {
  const text = decoder.decode(bytes);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const rest = bytes.subarray(encoder.encode(text.slice(0, end + 4)).length);
  let body: string;
  if (head) body = "";
  else if (header("content-length") !== undefined) {
    const length = Number(header("content-length"));
    if (rest.length < length) return undefined;
    body = decoder.decode(rest.subarray(0, length));
  } else if (/chunked/i.test(header("transfer-encoding") ?? "")) {
    const decoded = dechunk(decoder.decode(rest));
    if (decoded === undefined) return undefined;
    body = decoded;
  } else if (closed) body = decoder.decode(rest);
  else return undefined;
  return { status: Number(match[1]), reason: match[2], headers, body };
}

/** A chunked body's content, or undefined until its last chunk arrived. */
function dechunk(text: string): string | undefined {
  let body = "";
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf("\r\n", at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return body;
    const start = lineEnd + 2;
    if (text.length < start + size + 2) return undefined;
    body += text.slice(start, start + size);
    at = start + size + 2;
  }
}

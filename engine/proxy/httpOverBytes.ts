import { reasonPhrase } from "./httpStatus";
import type { HttpRequest, HttpResponse } from "./Network";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * HTTP/1.1 over a byte stream, for clients that hand an app raw TCP bytes (kubectl port-forward
 * carries whatever the local client sends): bytes are buffered until a whole request (headers and
 * a Content-Length body) has arrived, each request is answered by the app's HTTP handler, and the
 * response is written back as HTTP/1.1 bytes, in order.
 */
export class HttpOverBytes {
  private buffered = "";
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly answer: (request: HttpRequest) => Promise<HttpResponse> | HttpResponse) {}

  /** Feeds received bytes; resolves with the response bytes for every request they complete (maybe none). */
  receive(data: Uint8Array): Promise<Uint8Array> {
    this.buffered += decoder.decode(data, { stream: true });
    const requests: HttpRequest[] = [];
    for (;;) {
      const request = this.takeRequest();
      if (!request) break;
      requests.push(request);
    }
    const result = this.queue.then(async () => {
      const parts: Uint8Array[] = [];
      for (const request of requests) parts.push(serializeResponse(request, await this.answer(request)));
      return concat(parts);
    });
    this.queue = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  private takeRequest(): HttpRequest | undefined {
    const end = this.buffered.indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const [requestLine = "", ...headerLines] = this.buffered.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    const lengthHeader = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-length")?.[1];
    const length = Number(lengthHeader ?? 0) || 0;
    const bodyStart = end + 4;
    if (encoder.encode(this.buffered.slice(bodyStart)).length < length) return undefined;
    const body = this.buffered.slice(bodyStart, bodyStart + length);
    this.buffered = this.buffered.slice(bodyStart + length);
    const [method = "GET", path = "/"] = requestLine.split(" ");
    return { method, path, headers, body: length > 0 ? body : undefined };
  }
}

function serializeResponse(request: HttpRequest, response: HttpResponse): Uint8Array {
  const body = request.method === "HEAD" ? new Uint8Array(0) : encoder.encode(response.body);
  const headers = { ...response.headers };
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  if (!has("content-length")) headers["Content-Length"] = String(encoder.encode(response.body).length);
  if (!has("connection")) headers.Connection = "keep-alive";
  let head = `HTTP/1.1 ${response.status} ${reasonPhrase(response.status, response.reason)}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return concat([encoder.encode(`${head}\r\n`), body]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

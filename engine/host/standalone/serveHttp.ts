import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { type WebSocket, WebSocketServer } from "ws";
import { ApiError } from "../../apiserver/ApiError";
import type { HttpHandler, UpgradeRejection } from "../../apiserver/http/createHttpHandler";
import { MAX_REQUEST_BODY_BYTES } from "../../apiserver/http/createHttpHandler";
import type { HttpRequest, MessageSocket } from "../../apiserver/http/types";
import type { UserInfo } from "../../apiserver/ResourceRequest";
import { clientCertificateIdentity } from "../../pki";
import { SPDY_PORT_FORWARD_PROTOCOL, serveSpdyPortForward } from "./spdyPortForward";

/**
 * Glue between node:http(s) and the transport-independent handler: authentication (bearer tokens,
 * TLS client certificates), body reading with the 3 MiB limit, and WebSocket upgrades through
 * `ws`. Used by the standalone server and reusable by the app server that mounts clusters under a
 * prefix.
 */

/** The user every valid token maps to: the cluster admin, as kind's kubeconfig does. */
export const ADMIN_USER: UserInfo = {
  username: "kubernetes-admin",
  groups: ["system:masters", "system:authenticated"],
};

/**
 * Who a request is: from its Authorization header, or from the connection it came on (`request`:
 * a TLS client certificate); undefined answers 401.
 */
export type Authenticate = (
  authorization: string | undefined,
  request?: IncomingMessage,
) => UserInfo | undefined | Promise<UserInfo | undefined>;

/** A bearer token's user by another authenticator (the cluster's service-account tokens), or undefined. */
export type TokenAuthenticator = (token: string) => UserInfo | undefined;

/**
 * Accepts `Authorization: Bearer <token>` for exactly `token` (compared in constant time) as
 * `user`, and any other token `others` accepts (kube-apiserver's union of token authenticators:
 * a service account's token is that account).
 */
export function bearerTokenAuthenticator(
  token: string,
  user: UserInfo = ADMIN_USER,
  others?: TokenAuthenticator,
): Authenticate {
  const expected = Buffer.from(token);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
    if (!match) return undefined;
    const text = match[1].trim();
    const given = Buffer.from(text);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return user;
    return others?.(text);
  };
}

/**
 * kube-apiserver's union of authenticators with the x509 one first: a TLS client certificate
 * that `clientCa()` (the control plane's ca.crt, as --client-ca-file) signed and that is valid at
 * `now()` is its CN with its O entries as groups; anything else goes to `others` (bearer tokens).
 */
export function clientCertificateAuthenticator(
  clientCa: () => Promise<string | undefined>,
  now: () => number,
  others: Authenticate,
): Authenticate {
  return async (authorization, request) => {
    const socket = request?.socket as TLSSocket | undefined;
    const peer = typeof socket?.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
    const raw = peer && "raw" in peer ? peer.raw : undefined;
    const caPem = raw ? await clientCa() : undefined;
    const identity = raw && caPem ? clientCertificateIdentity(raw, caPem, now()) : undefined;
    if (identity) {
      const groups = identity.groups.includes("system:authenticated")
        ? identity.groups
        : [...identity.groups, "system:authenticated"];
      return { username: identity.user, groups };
    }
    return others(authorization, request);
  };
}

const unauthorizedBody = `${JSON.stringify(ApiError.unauthorized().toStatus())}\n`;

function writeUnauthorized(response: ServerResponse): void {
  response.writeHead(401, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  response.end(unauthorizedBody);
}

/** Reads the body up to `limit` bytes; undefined when it is larger (the caller answers 413). */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > limit) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Serves one node:http request through `handler`. */
export async function serveRequest(
  handler: HttpHandler,
  authenticate: Authenticate,
  request: IncomingMessage,
  response: ServerResponse,
  url = request.url ?? "/",
): Promise<void> {
  const user = await authenticate(request.headers.authorization, request);
  if (!user) {
    request.resume();
    writeUnauthorized(response);
    return;
  }
  const body =
    request.method === "GET" || request.method === "HEAD"
      ? new Uint8Array(0)
      : await readBody(request, MAX_REQUEST_BODY_BYTES);
  if (!body) {
    const status = ApiError.requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`).toStatus();
    response.writeHead(413, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      Connection: "close",
    });
    response.end(`${JSON.stringify(status)}\n`);
    return;
  }
  const httpRequest: HttpRequest = { method: request.method ?? "GET", url, headers: request.headers, body, user };
  await handler.handle(httpRequest, response);
}

/** Wraps a `ws` WebSocket as the engine's MessageSocket. */
export function messageSocketOf(socket: WebSocket, protocol = socket.protocol): MessageSocket {
  return {
    protocol,
    send(data) {
      if (socket.readyState === socket.OPEN) socket.send(data, { binary: typeof data !== "string" });
    },
    close(code = 1000, reason) {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
    },
    onMessage(listener) {
      socket.on("message", (data, isBinary) => {
        const bytes = Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.isBuffer(data)
            ? data
            : Buffer.from(data as ArrayBuffer);
        listener(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), isBinary);
      });
    },
    onClose(listener) {
      socket.on("close", () => listener());
    },
  };
}

function writeRejection(socket: Duplex, rejection: UpgradeRejection): void {
  const reasons: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
  };
  const headerLines = Object.entries({
    ...rejection.headers,
    "Content-Length": String(Buffer.byteLength(rejection.body)),
    Connection: "close",
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  socket.end(
    `HTTP/1.1 ${rejection.status} ${reasons[rejection.status] ?? "Error"}\r\n${headerLines}\r\n\r\n${rejection.body}`,
  );
}

/** Handles an HTTP upgrade (exec, attach, portforward over WebSocket). */
export async function serveUpgrade(
  handler: HttpHandler,
  authenticate: Authenticate,
  webSockets: WebSocketServer,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url = request.url ?? "/",
): Promise<void> {
  const user = await authenticate(request.headers.authorization, request);
  if (!user) {
    writeRejection(socket, { status: 401, headers: { "Content-Type": "application/json" }, body: unauthorizedBody });
    return;
  }
  if ((request.headers.upgrade ?? "").toLowerCase() !== "websocket") {
    // SPDY (kubectl's fallback after a failed WebSocket upgrade) is not spoken here. Decide the
    // request as for a WebSocket first, so the user sees the real reason the first attempt failed.
    const decision = await handler.upgrade(
      { method: request.method ?? "GET", url, headers: request.headers, body: new Uint8Array(0), user },
      url.includes("/portforward") ? [] : ["v5.channel.k8s.io", "v4.channel.k8s.io"],
    );
    if ("status" in decision) {
      writeRejection(socket, decision);
      return;
    }
    decision.cancel?.();
    const status = ApiError.badRequest("Upgrade request required").toStatus();
    writeRejection(socket, {
      status: 400,
      headers: { "Content-Type": "application/json" },
      body: `${JSON.stringify(status)}\n`,
    });
    return;
  }
  const offered = (request.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((protocol) => protocol.trim())
    .filter(Boolean);
  const decision = await handler.upgrade(
    { method: request.method ?? "GET", url, headers: request.headers, body: new Uint8Array(0), user },
    offered,
  );
  if ("status" in decision) {
    writeRejection(socket, decision);
    return;
  }
  // `ws` rejects subprotocol tokens with "/" (kubectl's "SPDY/3.1+portforward.k8s.io"), so the
  // protocol is negotiated here and answered through the "headers" hook.
  (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol = decision.protocol;
  delete request.headers["sec-websocket-protocol"];
  webSockets.handleUpgrade(request, socket, head, (webSocket) => {
    const messages = messageSocketOf(webSocket, decision.protocol);
    if (decision.protocol === SPDY_PORT_FORWARD_PROTOCOL && decision.openPort)
      serveSpdyPortForward(messages, decision.openPort);
    else decision.start(messages);
  });
}

/** A `ws` server in noServer mode that answers the protocol the handler chose. */
export function createWebSocketServer(): WebSocketServer {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("headers", (headers, request) => {
    const chosen = (request as IncomingMessage & { chosenProtocol?: string }).chosenProtocol;
    if (chosen) headers.push(`Sec-WebSocket-Protocol: ${chosen}`);
  });
  return server;
}

import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { HttpHandler } from "../../apiserver/http/createHttpHandler";
import type { ServingCertificate } from "./selfSignedCertificate";
import { type Authenticate, createWebSocketServer, serveRequest, serveUpgrade } from "./serveHttp";

export interface StandaloneServerOptions {
  handler: HttpHandler;
  authenticate: Authenticate;
  certificate: ServingCertificate;
  /** 0 picks a free port. */
  port: number;
  host?: string;
}

export interface StandaloneServer {
  readonly port: number;
  readonly url: string;
  /** Stops accepting, ends open watches and streams, and closes every connection. */
  close(): Promise<void>;
  /**
   * Whether the port accepts connections. Not accepting, it is closed (a client's connect is
   * refused, as when kube-apiserver is not running) and its connections are dropped; accepting
   * again, it listens on the same port.
   */
  accept(accepting: boolean): Promise<void>;
}

/**
 * The standalone cluster's API endpoint: HTTPS on 127.0.0.1 with the cluster's self-signed
 * certificate, bearer-token and client-certificate authentication, and the transport-independent
 * handler behind it.
 */
export async function startStandaloneServer(options: StandaloneServerOptions): Promise<StandaloneServer> {
  const host = options.host ?? "127.0.0.1";
  const webSockets = createWebSocketServer();
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    {
      key: options.certificate.privateKeyPem,
      cert: options.certificate.certificatePem,
      // Client certificates are asked for, never required, and checked per request against the
      // cluster CA as it is then (the authenticator): a CA list here would be fixed at start.
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      serveRequest(options.handler, options.authenticate, request, response).catch((error) => {
        if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
        response.end(String(error));
      });
    },
  );
  server.on("upgrade", (request, socket, head) => {
    serveUpgrade(options.handler, options.authenticate, webSockets, request, socket, head).catch(() =>
      socket.destroy(),
    );
  });
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Watches and log follows stay open for a long time; node's default timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 60_000;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(options.port);
  const port = (server.address() as AddressInfo).port;
  let accepting = true;
  let closed = false;
  return {
    port,
    url: `https://${host}:${port}`,
    async accept(wanted) {
      if (wanted === accepting || closed) return;
      accepting = wanted;
      if (wanted) {
        await listen(port);
        return;
      }
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of webSockets.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
    async close() {
      closed = true;
      options.handler.close();
      for (const client of webSockets.clients) client.terminate();
      const stopped = accepting ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

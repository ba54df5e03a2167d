import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { ServingCertificate } from "../standalone/selfSignedCertificate";
import type { ClusterHost } from "./ClusterHost";

/**
 * A node:http server (HTTPS with `certificate`: the real kubectl sends tokens only over TLS) that
 * mounts a ClusterHost at /clusters as the app server does, for tests and the bench (the app uses
 * server/mounts.ts). Returns its base URL and a closer.
 */
export async function serveHost(
  host: ClusterHost,
  options: { port?: number; certificate?: ServingCertificate } = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const pathname = (request.url ?? "/").split("?")[0];
    if (!pathname.startsWith("/clusters/")) {
      response.writeHead(404).end();
      return;
    }
    host.serve(request, response, pathname.slice("/clusters".length)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
      response.end(String(error));
    });
  };
  const certificate = options.certificate;
  const server: Server = certificate
    ? createHttpsServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, listener)
    : createServer(listener);
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? "/").split("?")[0];
    if (!pathname.startsWith("/clusters/")) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    host.upgrade(request, socket, head, pathname.slice("/clusters".length)).catch(() => socket.destroy());
  });
  host.hearConnectionsOf(server);
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `${certificate ? "https" : "http"}://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

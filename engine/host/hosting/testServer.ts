import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClusterHost } from "./ClusterHost";

/**
 * A node:http server that mounts a ClusterHost at /clusters as the app server does (for tests and
 * the bench; the app uses server/mounts.ts). Returns its base URL and a closer.
 */
export async function serveHost(
  host: ClusterHost,
  port = 0,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const pathname = (request.url ?? "/").split("?")[0];
    if (!pathname.startsWith("/clusters/")) {
      response.writeHead(404).end();
      return;
    }
    host.serve(request, response, pathname.slice("/clusters".length)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
      response.end(String(error));
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

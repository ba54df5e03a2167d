import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces, hostname as osHostname } from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { createServingCertificate, type ServingCertificate } from "../standalone/selfSignedCertificate";
import type { ClusterHost } from "./ClusterHost";
import { writeFileAtomically } from "./snapshotFile";

/** The TLS certificate to serve: the operator's files, or a self-signed one kept in the data folder. */
export interface TlsCertificateOptions {
  /** PEM files of the operator's certificate (chain) and key (KUBELAB_TLS_CERT, KUBELAB_TLS_KEY). */
  certificateFile?: string;
  keyFile?: string;
  /** Where a generated certificate is kept (`<folder>/kubelab.crt`, `kubelab.key`, `hosts.json`). */
  folder: string;
  /** Names and IPv4 addresses the generated certificate must be valid for, besides the machine's own. */
  hostNames?: readonly string[];
  /** Wall time (ms) the generated certificate is valid from. */
  now: number;
}

/** The names a generated certificate covers: localhost, the machine's name and IPv4 addresses, and `extra`. */
export function defaultHostNames(extra: readonly string[] = []): string[] {
  const names = new Set(["localhost", "127.0.0.1", osHostname()]);
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (address.family === "IPv4") names.add(address.address);
  for (const name of extra) if (name.trim()) names.add(name.trim().toLowerCase());
  return [...names];
}

/**
 * Loads the serving certificate. With `certificateFile` and `keyFile` they are used as they are
 * (no CA goes into kubeconfigs: the certificate must chain to a root the learner's machine
 * trusts). Otherwise a self-signed certificate is created once and kept; it is made again when the
 * host names it must cover change.
 */
export async function loadServingCertificate(
  options: TlsCertificateOptions,
): Promise<{ certificate: ServingCertificate; selfSigned: boolean }> {
  if (options.certificateFile || options.keyFile) {
    if (!options.certificateFile || !options.keyFile)
      throw new Error("KUBELAB_TLS_CERT and KUBELAB_TLS_KEY go together: set both or neither");
    return {
      certificate: {
        certificatePem: readFileSync(options.certificateFile, "utf8"),
        privateKeyPem: readFileSync(options.keyFile, "utf8"),
      },
      selfSigned: false,
    };
  }
  const hosts = [...new Set(options.hostNames ?? defaultHostNames())].sort();
  const files = {
    certificate: path.join(options.folder, "kubelab.crt"),
    key: path.join(options.folder, "kubelab.key"),
    hosts: path.join(options.folder, "hosts.json"),
  };
  if (existsSync(files.certificate) && existsSync(files.key) && existsSync(files.hosts)) {
    try {
      const saved = JSON.parse(readFileSync(files.hosts, "utf8")) as string[];
      if (JSON.stringify(saved) === JSON.stringify(hosts))
        return {
          certificate: {
            certificatePem: readFileSync(files.certificate, "utf8"),
            privateKeyPem: readFileSync(files.key, "utf8"),
          },
          selfSigned: true,
        };
    } catch {
      // Unreadable: make a new one below.
    }
  }
  const certificate = createServingCertificate(options.now, "kubelab", hosts);
  await writeFileAtomically(files.key, Buffer.from(certificate.privateKeyPem), 0o600);
  await writeFileAtomically(files.certificate, Buffer.from(certificate.certificatePem), 0o644);
  await writeFileAtomically(files.hosts, Buffer.from(`${JSON.stringify(hosts)}\n`), 0o644);
  return { certificate, selfSigned: true };
}

/**
 * An HTTPS listener that serves only the learners' clusters (`/clusters/<id>/…`, requests and
 * exec/attach/port-forward upgrades) with `certificate`, beside the app's own port. Everything
 * else gets a 404. Returns the port actually listened on and a closer.
 */
export async function startClusterApiTlsListener(
  host: ClusterHost,
  options: { port: number; hostname?: string; certificate: ServingCertificate; mountPrefix?: string },
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const prefix = `${(options.mountPrefix ?? "/clusters").replace(/\/+$/, "")}/`;
  const pathOf = (request: IncomingMessage) => (request.url ?? "/").split("?")[0];
  const server = createServer(
    { key: options.certificate.privateKeyPem, cert: options.certificate.certificatePem },
    (request: IncomingMessage, response: ServerResponse) => {
      const pathname = pathOf(request);
      if (!pathname.startsWith(prefix)) {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found: this port serves /clusters/<id>/\n");
        return;
      }
      host.serve(request, response, pathname.slice(prefix.length - 1)).catch(() => {
        if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
        response.end("Internal Server Error\n");
      });
    },
  );
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = pathOf(request);
    if (!pathname.startsWith(prefix)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    host.upgrade(request, socket, head, pathname.slice(prefix.length - 1)).catch(() => socket.destroy());
  });
  host.hearConnectionsOf(server);
  // Watches and exec streams stay open as long as the client wants.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import type { ClusterHost } from "../../engine/host/hosting/ClusterHost";

// One host per process, shared by the server (which creates and mounts it, server/mounts.ts) and
// the route handlers Next bundles (which only look it up): the engine is never bundled by Next.
const HOST_KEY = Symbol.for("kubelab.clusterHost");
/**
 * Where the learners' clusters are served over TLS for their own kubectl, k9s or Lens (client-go
 * sends a bearer token only over TLS). `certificateAuthorityPem` is set when the certificate is
 * Kubelab's own self-signed one, so downloaded kubeconfigs embed it.
 */
export interface ClusterApiTls {
  port: number;
  certificateAuthorityPem?: string;
}

const DATA_KEY = Symbol.for("kubelab.dataDirectory");
const TLS_KEY = Symbol.for("kubelab.clusterApiTls");
type Holder = { [HOST_KEY]?: ClusterHost; [DATA_KEY]?: string; [TLS_KEY]?: ClusterApiTls };

/**
 * Registers the process's cluster host (done once by the server at start-up), with the data
 * folder that holds learners' homes (`<dataDirectory>/learners/<id>/home`).
 */
export function setClusterHost(host: ClusterHost | undefined, options: { dataDirectory?: string } = {}): void {
  (globalThis as Holder)[HOST_KEY] = host;
  (globalThis as Holder)[DATA_KEY] = options.dataDirectory;
}

/** The data folder registered with the host; undefined when the server gave none. */
export function dataDirectory(): string | undefined {
  return (globalThis as Holder)[DATA_KEY];
}

/** The process's cluster host; throws when the server did not mount one (e.g. `next dev` alone). */
export function clusterHost(): ClusterHost {
  const host = (globalThis as Holder)[HOST_KEY];
  if (!host) throw new Error("no cluster host in this process: start Kubelab with `npm start`");
  return host;
}

/** Registers the TLS listener for learners' own kubectl (KUBELAB_TLS_PORT), when the server runs one. */
export function setClusterApiTls(tls: ClusterApiTls | undefined): void {
  (globalThis as Holder)[TLS_KEY] = tls;
}

/** The TLS listener for learners' own kubectl; undefined when the server runs none. */
export function clusterApiTls(): ClusterApiTls | undefined {
  return (globalThis as Holder)[TLS_KEY];
}

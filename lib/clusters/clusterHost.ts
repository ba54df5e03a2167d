import type { ClusterHost } from "../../engine/host/hosting/ClusterHost";

// One host per process, shared by the server (which creates and mounts it, server/mounts.ts) and
// the route handlers Next bundles (which only look it up): the engine is never bundled by Next.
const HOST_KEY = Symbol.for("kubelab.clusterHost");
const DATA_KEY = Symbol.for("kubelab.dataDirectory");
type Holder = { [HOST_KEY]?: ClusterHost; [DATA_KEY]?: string };

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

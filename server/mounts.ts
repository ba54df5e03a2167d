import type { RouteRegistry } from "./routes";

/**
 * Mounts one part of Kubelab's routes outside Next (HTTP prefixes, WebSocket paths, shutdown hooks)
 * on the registry. Runs once at start-up, before the server listens.
 */
export type Mount = (registry: RouteRegistry) => void | Promise<void>;

/**
 * The parts the server mounts, in order. Add one entry per part; import lazily so that a part's
 * dependencies load only in the server process. engine/ cannot import server/, so an engine part
 * exports a plain handler and its entry here does the mounting, e.g.
 *
 * ```ts
 * async (registry) => {
 *   const { ClusterHost } = await import("../engine/host/ClusterHost");
 *   const host = new ClusterHost({ dataDir: "data/clusters" });
 *   registry.mountHttp("/clusters", (request, response, { path }) => host.serve(request, response, path));
 *   registry.onShutdown(() => host.close());
 * },
 * ```
 */
export const mounts: Mount[] = [];

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
export const mounts: Mount[] = [
  // A production build's client files at /_next/static, from memory and compressed once (Next
  // compiles them on demand in development, and serves them itself then).
  async (registry) => {
    if (process.env.NODE_ENV !== "production") return;
    const { mountNextStaticAssets } = await import("./staticAssets");
    const { projectRoot } = await import("../lib/projectRoot");
    await mountNextStaticAssets(registry, projectRoot());
  },
  // The browser terminal's script (xterm.js and terminal/client), built and served apart from Next's bundles.
  async (registry) => {
    const { mountTerminalClientScript } = await import("./terminalClientScript");
    const { projectRoot } = await import("../lib/projectRoot");
    await mountTerminalClientScript(registry, projectRoot());
  },
  // Learners' clusters at /clusters/<id>/ (engine/host/hosting), and their terminals wired to them.
  async (registry) => {
    const path = await import("node:path");
    const { ClusterHost } = await import("../engine/host/hosting/ClusterHost");
    const { setClusterHost } = await import("../lib/clusters/clusterHost");
    const { projectRoot } = await import("../lib/projectRoot");
    const dataDirectory = path.resolve(projectRoot(), process.env.KUBELAB_DATA_DIR ?? "data");
    const host = new ClusterHost({
      dataDir: path.join(dataDirectory, "clusters"),
      speed: process.env.KUBELAB_SPEED === "fast" ? "fast" : "realistic",
      log: (line) => console.log(line),
      // Reset to a lesson: the grader applies its starting state through the cluster's API.
      applyStartingState: (await import("../grader/run/hostedStartingState")).applyStartingStateToCluster,
    });
    // New clusters start from a template booted once; build it now, in the background.
    void host.prepareTemplate();
    setClusterHost(host, { dataDirectory });
    registry.mountHttp("/clusters", (request, response, { path: rest }) => host.serve(request, response, rest));
    // Each accepted connection lets the clusters' next turn go by (more may wait to be accepted).
    registry.onConnection(() => host.connectionAccepted());
    registry.mountUpgrade("/clusters", (request, socket, head, { path: rest }) =>
      host.upgrade(request, socket, head, rest),
    );
    registry.onShutdown(() => host.close());
    // Learners' own kubectl needs TLS: KUBELAB_TLS_PORT serves /clusters/<id>/ over HTTPS too.
    const { startClusterApiTlsFromEnvironment } = await import("../lib/clusters/clusterApiTls");
    const tls = await startClusterApiTlsFromEnvironment(host, dataDirectory);
    if (tls) registry.onShutdown(() => tls.close());
    if (process.env.KUBELAB_TERMINAL === "off") return;
    const { TerminalService } = await import("../terminal/server/TerminalService");
    const { terminalPath } = await import("../terminal/server/protocol");
    const { ensureLearnerCluster, holdLearnerCluster, learnerHome, terminalKubeconfig } = await import(
      "../lib/clusters/learnerClusters"
    );
    const terminals = new TerminalService({
      root: projectRoot(),
      dataDirectory,
      homeFor: (learnerId) => learnerHome(dataDirectory, learnerId),
      // The shell's kubectl talks to the learner's own cluster on this port; ~/.kube/config holds its token.
      kubeconfigFor: (learnerId) => terminalKubeconfig(dataDirectory, learnerId, registry.localOrigin()),
      // An open terminal keeps its learner's cluster from hibernating.
      holdCluster: holdLearnerCluster,
      // ssh, crictl, etcdctl and the nodes' files: the learner's hosted cluster, looked up per call.
      // The cluster is found when a node command first runs, not while the shell starts.
      nodesFor: async (learnerId) => {
        const { ClusterNodeBackend } = await import("../terminal/node/ClusterNodeBackend");
        return new ClusterNodeBackend(async () => {
          const { clusterId } = await ensureLearnerCluster(learnerId);
          const live = await host.acquire(clusterId);
          return { cluster: live.cluster, fileSystem: (node) => live.nodeFiles.get(node) };
        });
      },
      log: (line) => console.log(line),
    });
    void terminals.prepare().catch((error: unknown) => console.error(`terminal: ${String(error)}`));
    registry.mountWebSocket(terminalPath, (socket, request, { learnerId }) =>
      terminals.handle(socket, request, learnerId),
    );
    registry.onShutdown(() => terminals.close());
  },
  // The grader's submission runner (fresh in-process clusters) for POST /api/submissions (grader/web).
  async () => (await import("../grader/web/registerSubmissionGrader")).registerSubmissionGrader(),
];

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StandaloneCluster } from "../../engine/host/standalone/startCluster";
import { type CliCommand, UsageError } from "../Command";

/**
 * Serves the cluster's nodes to Kubelab shells as the app's terminal does (a NodeAccessServer over
 * a ClusterNodeBackend), and records the grant in the kubeconfig for shells started by hand.
 */
async function serveNodeAccess(started: StandaloneCluster, kubeconfigPath: string): Promise<{ close(): void }> {
  const { ClusterNodeBackend } = await import("../../terminal/node/ClusterNodeBackend");
  const { NodeAccessServer } = await import("../../terminal/node/NodeAccessServer");
  const { withNodeAccess } = await import("../../terminal/node/nodeAccessKubeconfig");
  const server = new NodeAccessServer();
  const grant = await server.grant(
    new ClusterNodeBackend(async () => ({
      cluster: started.cluster,
      fileSystem: (node) => started.nodeFileSystem(node),
    })),
  );
  // Replaced whole (rename), so a reader never sees half a kubeconfig.
  const kubeconfig = withNodeAccess(readFileSync(kubeconfigPath, "utf8"), grant);
  const temporary = `${kubeconfigPath}.${process.pid}.tmp`;
  writeFileSync(temporary, kubeconfig, { mode: 0o600 });
  renameSync(temporary, kubeconfigPath);
  return server;
}

/**
 * `kubelab cluster up`: one standalone cluster served on 127.0.0.1 until interrupted, with a
 * kubeconfig written for it.
 */

const up: CliCommand = {
  name: "up",
  summary: "Serve a standalone cluster's Kubernetes API until interrupted",
  description: `Starts a simulated Kubernetes cluster and serves its API on https://127.0.0.1:PORT with a
 bearer token, writing a kubeconfig for it (cluster "kubelab", user "kubernetes-admin",
 context "kubernetes-admin@kubelab"). The server uses a self-signed certificate that the
 kubeconfig trusts: kubectl sends tokens only over TLS.

 The kubeconfig goes to --kubeconfig, else to $KUBECONFIG when it names a single file, else to
 ./kubeconfig. With --data-dir the token and certificate are kept in DIR/pki (so the kubeconfig
 stays valid across restarts) and node file systems live under DIR/nodes/<node>/.

 The cluster's store has quotas, so that a typo such as --replicas=1000000 ends as on a real
 cluster with a ResourceQuota (the ReplicaSet's FailedCreate events and ReplicaFailure condition:
 pods "…" is forbidden: exceeded quota: kubelab-cluster-quota, …) instead of exhausting the
 process: 5000 pods, 20000 objects (Events and Leases not counted) and 256 MiB of stored data by
 default. --max-pods, --max-objects and --max-store-mb change them; --no-quota removes them.

 The cluster's nodes (ssh, crictl, etcdctl, the nodes' files) are served to Kubelab shells on a
 loopback port; the kubeconfig records where (a "kubelab.dev/node-access" extension of its
 cluster, which kubectl ignores), so "kubelab shell" with this kubeconfig has node access.

 Runs until SIGINT or SIGTERM, then stops cleanly.`,
  usage: "[flags]",
  examples: [
    "kubelab cluster up --port 6443 --kubeconfig ./kubeconfig",
    "export KUBECONFIG=$PWD/kubeconfig && kubectl get nodes",
  ],
  flags: [
    {
      name: "port",
      short: "p",
      type: "number",
      valueName: "PORT",
      default: 0,
      description: "Port on 127.0.0.1 (0 picks a free port)",
    },
    {
      name: "kubeconfig",
      type: "string",
      valueName: "FILE",
      description: "Where to write the kubeconfig (default $KUBECONFIG or ./kubeconfig)",
    },
    {
      name: "nodes",
      type: "number",
      valueName: "N",
      description: "Number of worker nodes besides controlplane (default 2)",
    },
    { name: "speed", type: "string", valueName: "SPEED", default: "realistic", description: "realistic or fast" },
    { name: "data-dir", type: "string", valueName: "DIR", description: "Folder for credentials and node file systems" },
    { name: "max-pods", type: "number", valueName: "N", description: "Pods the cluster may hold (default 5000)" },
    {
      name: "max-objects",
      type: "number",
      valueName: "N",
      description: "Objects the cluster may hold, Events and Leases not counted (default 20000)",
    },
    {
      name: "max-store-mb",
      type: "number",
      valueName: "MB",
      description: "MiB of data the cluster's store may hold (default 256)",
    },
    { name: "no-quota", type: "boolean", description: "No limits on pods, objects or stored data" },
  ],
  async run({ flags, io, commandPath }) {
    const port = flags.port as number;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `invalid argument "${port}" for "--port" flag: must be an integer between 0 and 65535`,
        commandPath,
      );
    }
    const speed = flags.speed as string;
    if (speed !== "realistic" && speed !== "fast") {
      throw new UsageError(
        `invalid argument "${speed}" for "--speed" flag: must be one of: realistic, fast`,
        commandPath,
      );
    }
    const nodes = flags.nodes as number | undefined;
    if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 0 || nodes > 100)) {
      throw new UsageError(
        `invalid argument "${nodes}" for "--nodes" flag: must be an integer between 0 and 100`,
        commandPath,
      );
    }
    const envKubeconfig =
      io.env.KUBECONFIG && !io.env.KUBECONFIG.includes(path.delimiter) ? io.env.KUBECONFIG : undefined;
    const kubeconfigPath = path.resolve(
      io.cwd,
      (flags.kubeconfig as string | undefined) ?? envKubeconfig ?? "kubeconfig",
    );
    const dataDir = flags["data-dir"] ? path.resolve(io.cwd, flags["data-dir"] as string) : undefined;
    const { quotasFromFlags } = await import("../../engine/host/standalone/standaloneQuotas");
    let quotas: ReturnType<typeof quotasFromFlags>;
    try {
      quotas = quotasFromFlags({
        maxPods: flags["max-pods"] as number | undefined,
        maxObjects: flags["max-objects"] as number | undefined,
        maxStoreMb: flags["max-store-mb"] as number | undefined,
        noQuota: flags["no-quota"] === true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message, commandPath);
    }

    const { runClusterUp } = await import("../../engine/host/standalone/runClusterUp");
    const { startCluster } = await import("../../engine/host/standalone/startCluster");
    let started: StandaloneCluster | undefined;
    const running = await runClusterUp({
      port,
      kubeconfigPath,
      nodes,
      speed,
      dataDir,
      startCluster: (options) => {
        started = startCluster({ ...options, quotas });
        return started;
      },
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const nodeAccess = await serveNodeAccess(started as StandaloneCluster, kubeconfigPath);
    // Announced once the control plane is up, as kubeadm init does.
    await running.ready.catch(() => undefined);
    io.stdout.write(
      [
        `Kubernetes control plane is running at ${running.server.url}`,
        `Kubeconfig written to ${kubeconfigPath}`,
        "",
        "To use it:",
        `  export KUBECONFIG=${kubeconfigPath}`,
        "  kubectl get nodes",
        "",
        "A Kubelab shell with ssh, crictl and etcdctl on the nodes:",
        `  KUBECONFIG=${kubeconfigPath} kubelab shell`,
        "",
        "Press Ctrl+C to stop.",
        "",
      ].join("\n"),
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    io.stdout.write("Stopping the cluster…\n");
    nodeAccess.close();
    await running.stop();
    return 0;
  },
};

export const command: CliCommand = {
  name: "cluster",
  summary: "Run a standalone Kubelab cluster",
  subcommands: [up],
};

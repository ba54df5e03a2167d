import path from "node:path";
import { type CliCommand, UsageError } from "../Command";

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

    const { runClusterUp } = await import("../../engine/host/standalone/runClusterUp");
    const { startCluster } = await import("../../engine/host/standalone/startCluster");
    const running = await runClusterUp({
      port,
      kubeconfigPath,
      nodes,
      speed,
      dataDir,
      startCluster,
      log: (line) => io.stderr.write(`${line}\n`),
    });
    io.stdout.write(
      [
        `Kubernetes control plane is running at ${running.server.url}`,
        `Kubeconfig written to ${kubeconfigPath}`,
        "",
        "To use it:",
        `  export KUBECONFIG=${kubeconfigPath}`,
        "  kubectl get nodes",
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
    await running.stop();
    return 0;
  },
};

export const command: CliCommand = {
  name: "cluster",
  summary: "Run a standalone Kubelab cluster",
  subcommands: [up],
};

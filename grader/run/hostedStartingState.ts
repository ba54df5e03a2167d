import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { httpApiServerOf } from "../../engine/apiserver/http/adapter";
import { createHttpHandler } from "../../engine/apiserver/http/createHttpHandler";
import type { Cluster } from "../../engine/cluster/createCluster";
import { renderKubeconfig } from "../../engine/host/standalone/kubeconfig";
import { startStandaloneServer } from "../../engine/host/standalone/StandaloneServer";
import { createServingCertificate } from "../../engine/host/standalone/selfSignedCertificate";
import { bearerTokenAuthenticator } from "../../engine/host/standalone/serveHttp";
import type { NodeFileSystem } from "../../engine/kubelet/NodeFileSystem";
import { ClusterNodeBackend } from "../../terminal/node/ClusterNodeBackend";
import { StartingState } from "../format/schema";
import { applyStartingState } from "./freshCluster";
import { GradingCluster } from "./GradingCluster";
import { LearnerShell } from "./learnerShell";

/**
 * Applies a lesson's starting state to an in-process cluster (ClusterHost's `applyStartingState`
 * hook, used by Reset): the cluster's API is served for the moment on 127.0.0.1 with a one-time
 * token, and the state goes in through the Kubernetes API like everything the grader does.
 * Files go through `files` (the host's writers: node file systems, the learner's home).
 */
export async function applyStartingStateToCluster(
  cluster: Cluster,
  state: unknown,
  files: {
    writeNodeFile?: (node: string, file: string, content: string) => Promise<void>;
    writeHomeFile?: (file: string, content: string) => Promise<void>;
    nodeFileSystem?: (node: string) => NodeFileSystem | undefined;
  } = {},
): Promise<void> {
  const parsed = StartingState.parse(state);
  const token = randomBytes(24).toString("hex");
  const certificate = createServingCertificate(cluster.clock.now());
  const { schemaComponents } = await import("../../engine/apiserver/resources/schema/schemas");
  const handler = createHttpHandler(httpApiServerOf(cluster.apiServer, schemaComponents), {
    clock: cluster.clock,
    isReady: () => true,
  });
  const server = await startStandaloneServer({
    handler,
    authenticate: bearerTokenAuthenticator(token),
    certificate,
    port: 0,
  });
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-start-"));
  try {
    const kubeconfig = renderKubeconfig({
      server: server.url,
      token,
      certificateAuthorityPem: certificate.certificatePem,
    });
    const kubeconfigPath = path.join(folder, "kubeconfig");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
    const grading = new GradingCluster(kubeconfig);
    await applyStartingState(
      {
        grading,
        // With the cluster's nodes, as `kubelab lessons check` and the terminal run commands: a starting
        // state may break a node (`ssh node01 systemctl restart kubelet`) or take an etcd snapshot.
        shell: new LearnerShell(folder, kubeconfigPath, nodesOf(cluster, files.nodeFileSystem)),
        writeNodeFile: files.writeNodeFile,
        writeHomeFile: files.writeHomeFile,
      },
      parsed,
    );
  } finally {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Node access for the starting state's shell, when the host hands over the node file systems. */
function nodesOf(cluster: Cluster, fileSystem?: (node: string) => NodeFileSystem | undefined) {
  if (!fileSystem) return undefined;
  return new ClusterNodeBackend(async () => ({ cluster, fileSystem }));
}

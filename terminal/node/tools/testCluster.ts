import { VirtualClock } from "../../../engine/clock/VirtualClock";
import { createCluster } from "../../../engine/cluster/createCluster";
import { InMemoryNodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import { ClusterNodeBackend } from "../ClusterNodeBackend";

/**
 * For the node tools' tests: a cluster on a virtual clock with kubelets only, each node's file
 * system in memory, and `run(node, argv)` as a node shell runs a tool (its status and output).
 */
export async function startNodeToolCluster(options: { clock?: VirtualClock; nodes?: number } = {}) {
  const clock = options.clock ?? new VirtualClock();
  const fileSystems = new Map<string, InMemoryNodeFileSystem>();
  const cluster = createCluster({
    clock,
    speed: "fast",
    nodes: options.nodes,
    components: ["kubelet"],
    nodeFileSystem: (node) => {
      let fs = fileSystems.get(node);
      if (!fs) {
        fs = new InMemoryNodeFileSystem();
        fileSystems.set(node, fs);
      }
      return fs;
    },
  });
  await clock.advance(0);
  await cluster.ready;
  const backend = new ClusterNodeBackend(
    async () => ({ cluster, fileSystem: (node) => fileSystems.get(node) }),
    () => clock.now(),
  );
  async function run(node: string, argv: string[], stdin = "") {
    let stdout = "";
    let stderr = "";
    const status = await backend.run(node, argv, {
      stdin,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      cwd: "/root",
    });
    return { status, stdout, stderr };
  }
  return { clock, cluster, fileSystems, backend, run };
}

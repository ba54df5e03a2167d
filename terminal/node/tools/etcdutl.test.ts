import { afterAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../engine/clock/VirtualClock";
import { createCluster } from "../../../engine/cluster/createCluster";
import { InMemoryNodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import { ClusterNodeBackend } from "../ClusterNodeBackend";

describe("etcdutl on the control plane", async () => {
  const clock = new VirtualClock();
  const fileSystems = new Map<string, InMemoryNodeFileSystem>();
  const cluster = createCluster({
    clock,
    speed: "fast",
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
  afterAll(() => cluster.stop());
  await clock.advance(0);
  await cluster.ready;
  const backend = new ClusterNodeBackend(async () => ({ cluster, fileSystem: (node) => fileSystems.get(node) }));

  async function run(node: string, argv: string[]) {
    let stdout = "";
    let stderr = "";
    const status = await backend.run(node, argv, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      cwd: "/root",
    });
    return { status, stdout, stderr };
  }

  it("reads a snapshot etcdctl saved, as etcdctl's status does, without its deprecation notice", async () => {
    expect((await run("controlplane", ["etcdctl", "snapshot", "save", "/opt/snapshot.db"])).status).toBe(0);
    const utl = await run("controlplane", ["etcdutl", "snapshot", "status", "/opt/snapshot.db", "-w", "table"]);
    const ctl = await run("controlplane", ["etcdctl", "snapshot", "status", "/opt/snapshot.db", "-w", "table"]);
    expect(utl.status).toBe(0);
    expect(utl.stdout).toMatch(/\| +HASH +\| REVISION \| TOTAL KEYS \| TOTAL SIZE \|/);
    expect(utl.stdout).toBe(ctl.stdout);
    expect(utl.stderr).toBe("");
    expect(ctl.stderr).toContain("Deprecated: Use `etcdutl snapshot status` instead.");
  });

  const cases = [
    {
      name: "a missing file",
      node: "controlplane",
      argv: ["snapshot", "status", "nope.db"],
      status: 1,
      stderr: /stat nope.db: no such file/,
    },
    { name: "a worker", node: "node01", argv: ["version"], status: 127, stderr: /etcdutl: command not found/ },
  ];
  for (const testCase of cases)
    it(testCase.name, async () => {
      const result = await run(testCase.node, ["etcdutl", ...testCase.argv]);
      expect(result.status).toBe(testCase.status);
      expect(result.stderr).toMatch(testCase.stderr);
    });
});

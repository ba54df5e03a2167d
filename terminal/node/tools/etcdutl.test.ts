import { afterAll, describe, expect, it } from "vitest";
import { startNodeToolCluster } from "./testCluster";

describe("etcdutl on the control plane", async () => {
  const { cluster, run } = await startNodeToolCluster();
  afterAll(() => cluster.stop());

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

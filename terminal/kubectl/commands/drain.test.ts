import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

// A cluster without controllers: the budget's status stays empty (no disruptions allowed), so every
// eviction of a guarded pod is refused with 429, and nothing recreates an evicted pod.
const node = "apiVersion: v1\nkind: Node\nmetadata: {name: node01}\n";
const pods = `apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: default}
spec: {nodeName: node01, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: guarded, namespace: default, labels: {app: guarded}}
spec: {nodeName: node01, containers: [{name: c, image: nginx}]}
`;
const budget = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: guarded, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: guarded}}}
`;

describe("kubectl drain", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    await cluster.create(node);
    await cluster.create(budget);
  }, 60_000);
  afterAll(async () => cluster?.close());
  beforeEach(async () => {
    await cluster.kubectl("delete", "pods", "--all", "--grace-period=0", "--force");
    await cluster.kubectl("uncordon", "node01");
    await cluster.create(pods);
    // The apiserver lets a Pending pod go whatever its budget says; a kubelet would have started it.
    const running = await cluster.kubectl(
      "patch",
      "pod",
      "guarded",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"phase":"Running"}}',
    );
    if (running.status !== 0) throw new Error(running.err);
  });

  it.each([
    { name: "client", suffix: "(dry run)" },
    { name: "server", suffix: "(server dry run)" },
  ])("--dry-run=$name evicts nothing", async ({ name, suffix }) => {
    // The guarded pod is left out: a server dry run's eviction meets its budget too, and retries.
    const run = await cluster.kubectl("drain", "node01", "--force", "--pod-selector=!app", `--dry-run=${name}`);
    expect(run.err).toBe("Warning: deleting Pods that declare no controller: default/bare\n");
    expect(run.out).toBe(
      `node/node01 cordoned ${suffix}\nevicting pod default/bare ${suffix}\nnode/node01 drained ${suffix}\n`,
    );
    expect(run.status).toBe(0);
    expect((await cluster.kubectl("get", "pods", "-o", "name")).out).toBe("pod/bare\npod/guarded\n");
  });

  it("refuses pods without a controller unless --force, with kubectl 1.32's doubled prefix", async () => {
    const run = await cluster.kubectl("drain", "node01", "--dry-run=client");
    const problem =
      "cannot delete cannot delete Pods that declare no controller (use --force to override): default/bare, default/guarded";
    expect(run.err).toBe(
      `error: unable to drain node "node01" due to error: ${problem}, continuing command...\nThere are pending nodes to be drained:\n node01\n${problem}\n`,
    );
    expect(run.status).toBe(1);
  });

  it("retries an eviction the disruption budget refuses until --timeout, evicting the others", async () => {
    const run = await cluster.kubectl("drain", "node01", "--force", "--grace-period=0", "--timeout=1s");
    expect(run.out).toContain("pod/bare evicted\n");
    expect(run.err).toContain(
      `error when evicting pods/"guarded" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`,
    );
    expect(run.err).toContain(
      `error: unable to drain node "node01" due to error: error when evicting pods/"guarded" -n "default": global timeout reached: 1s, continuing command...\n`,
    );
    expect(run.err.endsWith(`\nerror when evicting pods/"guarded" -n "default": global timeout reached: 1s\n`)).toBe(
      true,
    );
    expect(run.status).toBe(1);
    expect((await cluster.kubectl("get", "pods", "-o", "name")).out).toBe("pod/guarded\n");
  }, 20_000);

  it("stops retrying at the learner's Ctrl-C (no --timeout: it would retry forever)", async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 500);
    const started = Date.now();
    const run = await cluster.kubectlWithSignal(interrupt.signal, "drain", "node01", "--force", "--grace-period=0");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(run.status).toBe(130);
    expect(run.err).toContain("(will retry after 5s)");
    expect(run.err).not.toContain("global timeout");
  }, 20_000);
});

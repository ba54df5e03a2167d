import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import type { Exercise } from "../format/schema";
import { GradingCluster } from "../run/GradingCluster";
import { watchForChanges } from "./liveChecks";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hostedCluster() {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-live-"));
  const host = new ClusterHost({ dataDir: folder, components: [], persistDelayMs: 50 });
  const served = await serveHost(host);
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  cleanups.push(async () => {
    await served.close();
    await host.close();
  });
  const { id, token } = await host.create();
  const client = async () =>
    new GradingCluster(host.kubeconfig(id, await host.issueToken(id, "grader"), `${served.url}/clusters/${id}`));
  const createConfigMap = (name: string) =>
    fetch(`${served.url}/clusters/${id}/api/v1/namespaces/default/configmaps`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: {} }),
    });
  return { host, id, client, createConfigMap };
}

const exercise = {
  id: "live",
  checks: [{ id: "cm", type: "exists", kind: "ConfigMap", name: "x", description: "a ConfigMap" }],
} as unknown as Exercise;

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("watchForChanges", () => {
  it("after Reset cluster starts its watches again on the new cluster, with the client of the moment", async () => {
    const { host, id, client, createConfigMap } = await hostedCluster();
    let current = await client();
    let asked = 0;
    let changes = 0;
    const stop = await watchForChanges(
      async () => {
        asked++;
        return current;
      },
      exercise,
      () => changes++,
      { retryMinMs: 50, retryMaxMs: 200 },
    );
    cleanups.push(stop);
    expect(asked).toBe(1);
    expect((await createConfigMap("before")).status).toBe(201);
    await until(() => changes >= 1);

    // Reset replaces the cluster (its watches end) and here also the grading client (its token).
    const stale = current;
    current = await client();
    expect(stale).not.toBe(current);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeReset = changes;
    await host.reset(id);
    // The watches start again through the client of the moment, and the new cluster's state is
    // graded once; then every change of the new cluster still arrives.
    await until(() => asked >= 2 && changes > beforeReset);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beforeCreate = changes;
    expect((await createConfigMap("after")).status).toBe(201);
    await until(() => changes > beforeCreate);
  });

  it("a watch refused (a stale token) starts again after a growing pause, never in a tight loop", async () => {
    const { host, id, client } = await hostedCluster();
    const stale = await client();
    await host.issueToken(id, "grader"); // the stale client's token stops working
    let asked = 0;
    const stop = await watchForChanges(
      async () => {
        asked++;
        return stale;
      },
      exercise,
      () => undefined,
      { retryMinMs: 100, retryMaxMs: 400 },
    );
    cleanups.push(stop);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // 100 + 200 + 400 + 400 ms of pauses in one second: a handful of tries, not thousands.
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(asked).toBeLessThanOrEqual(6);
    stop();
    const stopped = asked;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(asked).toBe(stopped);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../engine/clock/VirtualClock";
import { ClusterHost, type ClusterHostOptions } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";

/**
 * Reset while the old cluster is still being saved, and while the host builds its template: what
 * the learner writes after the Reset is served and comes back after a restart, and the old
 * cluster's files never replace the new one's. Also: Kubelab's own grader cannot use up the
 * learner's request rate (the live checklist re-grading a busy cluster made the learner's first
 * `kubectl create` after a Reset fail with 429).
 */
const folders: string[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function startHost(options: Partial<ClusterHostOptions> & { dataDir: string }) {
  const lines: string[] = [];
  const host = new ClusterHost({ components: [], persistDelayMs: 50, log: (line) => lines.push(line), ...options });
  const served = await serveHost(host);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await served.close();
    await host.close();
  };
  closers.push(close);
  const call = (id: string, token: string, urlPath: string, init: RequestInit = {}) =>
    fetch(`${served.url}/clusters/${id}${urlPath}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    });
  return { host, call, lines, close };
}

function dataDir(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-reset-"));
  folders.push(folder);
  return folder;
}

const configMap = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });

async function configMapNames(options: Partial<ClusterHostOptions> & { dataDir: string }, id: string) {
  const host = new ClusterHost({ components: [], template: false, ...options });
  try {
    const live = await host.acquire(id);
    return live.store
      .range("/registry/configmaps/default/", { prefix: true })
      .kvs.map((kv) => kv.key.slice("/registry/configmaps/default/".length));
  } finally {
    await host.close();
  }
}

describe("Reset while the old cluster is being saved", () => {
  it("the old cluster's saves land before its files go, and never after the new cluster's", async () => {
    const folder = dataDir();
    const { host, call, lines, close } = await startHost({ dataDir: folder, template: false });
    const { id, token } = await host.create();
    expect(
      (await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("old-1") }))
        .status,
    ).toBe(201);
    // A save in flight and a whole one waiting for it (the persist timer fires again during a long
    // save, as it does for a cluster that boots on its own) when Reset comes.
    const inFlight = host.persist(id);
    expect(
      (await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("old-2") }))
        .status,
    ).toBe(201);
    const waiting = host.persist(id, { whole: true });
    const reset = host.reset(id);
    await Promise.all([inFlight, waiting, reset]);
    expect((await call(id, token, "/api/v1/namespaces/default/configmaps/old-1")).status).toBe(404);
    expect(
      (await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("new-1") }))
        .status,
    ).toBe(201);
    await host.persist(id);
    await close();
    expect(lines.filter((line) => /could not|skipped/.test(line))).toEqual([]);
    expect(await configMapNames({ dataDir: folder }, id)).toEqual(["kube-root-ca.crt", "new-1"]);
  });

  it("with the template being built beside it: a cluster that booted on its own, reset, written, saved and restored", async () => {
    const folder = dataDir();
    const { host, call, lines, close } = await startHost({
      dataDir: folder,
      template: true,
      components: undefined,
      speed: "fast",
    });
    const building = host.prepareTemplate();
    const { id, token } = await host.create();
    // Boots on its own: the template is not ready.
    await host.warm(id);
    expect(lines.some((line) => line.startsWith(`hosting: ${id}: created in `))).toBe(true);
    for (let round = 0; round < 3; round++) {
      const name = `learner-${round}`;
      const inFlight = host.persist(id);
      const waiting = host.persist(id, { whole: true });
      await Promise.all([inFlight, waiting, host.reset(id)]);
      expect(
        (await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap(name) }))
          .status,
      ).toBe(201);
      expect((await call(id, token, `/api/v1/namespaces/default/configmaps/${name}`)).status).toBe(200);
    }
    await building;
    await host.persist(id);
    await close();
    expect(lines.filter((line) => /could not|skipped/.test(line))).toEqual([]);
    expect(await configMapNames({ dataDir: folder }, id)).toEqual(["kube-root-ca.crt", "learner-2"]);
  }, 120_000);
});

describe("request rate per token", () => {
  it("Kubelab's grader has a budget of its own: its requests never use up the learner's", async () => {
    const { host, call } = await startHost({
      dataDir: dataDir(),
      clock: new VirtualClock(Date.UTC(2026, 10, 30)),
      quotas: { requestsPerSecond: 1, requestBurst: 5 },
    });
    const { id, token } = await host.create();
    const grader = await host.issueToken(id, "grader");
    const statuses: number[] = [];
    for (let index = 0; index < 6; index++) statuses.push((await call(id, grader, "/api/v1/namespaces")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // The learner's first command after the grader ran dry goes through …
    expect(
      (
        await call(id, token, "/api/v1/namespaces", {
          method: "POST",
          body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "exam" } }),
        })
      ).status,
    ).toBe(201);
    // … and the learner's own budget is still limited.
    const learner: number[] = [];
    for (let index = 0; index < 5; index++) learner.push((await call(id, token, "/api/v1/namespaces")).status);
    expect(learner).toEqual([200, 200, 200, 200, 429]);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import type { Exercise } from "../format/schema";
import { GradingCluster } from "../run/GradingCluster";
import { type Changed, watchedKinds, watchForChanges } from "./liveChecks";

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
  const post = (apiPath: string, body: unknown) =>
    fetch(`${served.url}/clusters/${id}${apiPath}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  // The watch requests the cluster received, by path.
  const watches: string[] = [];
  served.server.on("request", (request) => {
    const url = new URL(request.url ?? "/", "http://x");
    if (url.searchParams.get("watch") === "true") watches.push(url.pathname.replace(`/clusters/${id}`, ""));
  });
  return { host, id, client, createConfigMap, post, watches };
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

describe("watchedKinds", () => {
  const cases: { name: string; checks: unknown[]; kinds: unknown[] }[] = [
    {
      name: "object checks by kind, once each",
      checks: [
        { type: "exists", kind: "Pod", name: "a" },
        { type: "field", kind: "Pod", name: "a", path: "spec.nodeName", exists: true },
        { type: "absent", kind: "deploy", name: "b" },
      ],
      kinds: [{ kind: "Pod" }, { kind: "deploy" }],
    },
    {
      name: "a custom kind keeps its apiVersion",
      checks: [{ type: "exists", kind: "Widget", apiVersion: "example.com/v1", name: "w" }],
      kinds: [{ kind: "Widget", apiVersion: "example.com/v1" }],
    },
    {
      name: "events, and pods and services for relations",
      checks: [
        { type: "event", reason: "Pulled", involvedObject: { kind: "Pod", name: "a" } },
        { type: "endpoints", service: "web", ready: 1 },
      ],
      kinds: [{ kind: "events" }, { kind: "pods" }, { kind: "services" }],
    },
  ];
  for (const item of cases) {
    it(item.name, () => {
      expect(watchedKinds({ id: "x", checks: item.checks } as unknown as Exercise)).toEqual(item.kinds);
    });
  }
});

describe("watchForChanges", () => {
  it("watches each resource once however many names it goes by, and says which kinds changed", async () => {
    const { client, createConfigMap, watches } = await hostedCluster();
    const reports: Changed[] = [];
    const stop = await watchForChanges(
      await client(),
      [{ kind: "ConfigMap" }, { kind: "configmaps" }, { kind: "cm" }, { kind: "Secret" }],
      (changed) => reports.push(changed),
      { coalesceMs: 50 },
    );
    cleanups.push(stop);
    expect(watches.sort()).toEqual(["/api/v1/configmaps", "/api/v1/secrets"]);
    // The initial list of each watch (kube-root-ca.crt, …) arrives first: wait until it settled.
    await new Promise((resolve) => setTimeout(resolve, 300));
    reports.length = 0;
    expect((await createConfigMap("one")).status).toBe(201);
    await until(() => reports.length > 0);
    expect(reports.map((changed) => [...(changed ?? ["everything"])].sort())).toEqual([
      ["ConfigMap", "cm", "configmaps"],
    ]);
  });

  it("starts watching a custom kind once its CRD is created after the watches started (no polling)", async () => {
    const { client, post, watches } = await hostedCluster();
    let asked = 0;
    const reports: Changed[] = [];
    const stop = await watchForChanges(
      async () => {
        asked++;
        return client();
      },
      [{ kind: "Widget" }, { kind: "ConfigMap" }],
      (changed) => reports.push(changed),
      { coalesceMs: 50 },
    );
    cleanups.push(stop);
    // The unknown kind is not watched; CRDs are, to learn when it comes.
    expect(watches.sort()).toEqual(["/api/v1/configmaps", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(asked).toBe(1);
    reports.length = 0;

    const crd = await post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
    expect(crd.status).toBe(201);
    // The watches start again with the new kind, and everything is looked at once.
    await until(() => watches.includes("/apis/example.com/v1/widgets") && reports.includes(undefined));
    expect(asked).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    reports.length = 0;
    const widget = await post("/apis/example.com/v1/namespaces/default/widgets", {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
    });
    expect(widget.status).toBe(201);
    await until(() => reports.length > 0);
    expect(reports).toEqual([new Set(["Widget"])]);
    // Nothing changes: nothing is asked or reported (an idle cluster costs no requests).
    const watchCount = watches.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reports).toHaveLength(1);
    expect(watches).toHaveLength(watchCount);
    expect(asked).toBe(2);
  });

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
      watchedKinds(exercise),
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
      watchedKinds(exercise),
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

import { describe, expect, it } from "vitest";
import { Discovery } from "./Discovery";
import type { RestClient } from "./RestClient";

/** A cluster's discovery documents (core v1 and apps/v1), answered after a turn, with the paths asked. */
function discoveryServer() {
  const asked: string[] = [];
  const documents: Record<string, unknown> = {
    "/api": { versions: ["v1"] },
    "/apis": {
      groups: [
        {
          name: "apps",
          versions: [{ groupVersion: "apps/v1", version: "v1" }],
          preferredVersion: { groupVersion: "apps/v1", version: "v1" },
        },
      ],
    },
    "/api/v1": {
      resources: [
        {
          name: "pods",
          singularName: "pod",
          namespaced: true,
          kind: "Pod",
          shortNames: ["po"],
          verbs: ["get", "list"],
        },
      ],
    },
    "/apis/apps/v1": {
      resources: [
        {
          name: "deployments",
          singularName: "deployment",
          namespaced: true,
          kind: "Deployment",
          shortNames: ["deploy"],
          verbs: ["get", "list"],
        },
      ],
    },
  };
  const client = {
    async get(path: string) {
      asked.push(path);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!(path in documents)) throw new Error(`no ${path}`);
      return documents[path];
    },
  } as unknown as RestClient;
  return { asked, client };
}

describe("discovery", () => {
  it("is fetched once for look-ups made at the same time (a live checklist grades its exercises at once)", async () => {
    const { asked, client } = discoveryServer();
    const discovery = new Discovery(client);
    const [deploy, pods, deployment] = await Promise.all([
      discovery.resolve("deploy"),
      discovery.resolve("pods"),
      discovery.resolveKind("apps/v1", "Deployment"),
      discovery.all(),
    ]);
    expect([deploy.resource, pods.resource, deployment.resource]).toEqual(["deployments", "pods", "deployments"]);
    expect(asked.sort()).toEqual(["/api", "/api/v1", "/apis", "/apis/apps/v1"]);
    // Cached afterwards, until it is invalidated.
    await discovery.resolve("po");
    expect(asked).toHaveLength(4);
  });

  it("is fetched again for a type it does not know (a CRD created since), once for look-ups made at once", async () => {
    const { asked, client } = discoveryServer();
    const discovery = new Discovery(client);
    await discovery.all();
    const results = await Promise.allSettled([discovery.resolve("widgets"), discovery.resolve("widgets")]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe(
      'error: the server doesn\'t have a resource type "widgets"',
    );
    // The first load, then one more shared by both retries (after each invalidated the cache).
    expect(asked.filter((path) => path === "/api")).toHaveLength(2);
  });
});

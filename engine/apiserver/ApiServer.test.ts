import { describe, expect, it } from "vitest";
import { ConfigMaps, Deployments, Events, Namespaces, Pods } from "../api/resources";
import type { KubeObject, WatchEvent } from "../api/types";
import { ApiError } from "./ApiError";
import { createTestServer } from "./testing/testServer";

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: { containers: [{ name: "c", image: "nginx" }] },
  ...extra,
});

async function error(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (caught) {
    if (caught instanceof ApiError) return caught;
    throw caught;
  }
  throw new Error("expected an ApiError");
}

describe("generic registry", () => {
  it("generates a taken generated name again, up to 8 attempts, and only then answers the conflict", async () => {
    const { client, apiServer } = createTestServer();
    const core = apiServer as unknown as { random: () => number };
    const configMap = (metadata: Record<string, string>) =>
      ({ apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "default", ...metadata } }) as KubeObject;
    await client.create(ConfigMaps, configMap({ name: "cm-bbbbb" }));
    // The first name drawn is the one taken; the uid and the next name come from other draws.
    let draws = 0;
    core.random = () => (draws++ < 5 ? 0 : 0.5);
    const created = await client.create(ConfigMaps, configMap({ generateName: "cm-" }));
    expect(created.metadata.name).toMatch(/^cm-[a-z0-9]{5}$/);
    expect(created.metadata.name).not.toBe("cm-bbbbb");
    // Every draw the same taken name: eight attempts, then upstream's conflict.
    core.random = () => 0;
    const refused = await error(client.create(ConfigMaps, configMap({ generateName: "cm-" })));
    expect(refused.code).toBe(409);
    expect(refused.message).toBe(
      'configmaps "cm-bbbbb" already exists, the server was not able to generate a unique name for the object',
    );
  });

  it("creates with uid, creationTimestamp, resourceVersion from the store, and reads back", async () => {
    const { client, store } = createTestServer();
    const created = await client.create(Pods, pod("web"));
    expect(created.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.metadata.creationTimestamp).toBe("2026-01-01T00:00:00Z");
    expect(created.metadata.resourceVersion).toBe(String(store.revision));
    expect(store.get("/registry/pods/default/web")).toBeDefined();
    const read = await client.get(Pods, "default", "web");
    expect(read).toEqual(created);
  });

  it("answers readers that only encode (sharedResult) with shared frozen objects, others with copies", async () => {
    const { client, apiServer } = createTestServer();
    await client.create(Pods, pod("web"));
    const user = { username: "admin", groups: ["system:masters"] };
    const read = (verb: "get" | "list", sharedResult?: boolean) =>
      apiServer.execute({
        verb,
        gvr: Pods,
        namespace: "default",
        name: verb === "get" ? "web" : undefined,
        options: {},
        user,
        sharedResult,
      }).body as KubeObject & { items?: KubeObject[] };
    const shared = read("get", true);
    expect(Object.isFrozen(shared) && Object.isFrozen(shared.metadata)).toBe(true);
    expect(read("list", true).items?.[0]).toBe(shared);
    expect(read("get", true)).toBe(shared);
    const copy = read("get");
    expect(copy).toEqual(shared);
    expect(Object.isFrozen(copy)).toBe(false);
    copy.metadata.labels = { changed: "yes" };
    const listed = (await client.list(Pods, "default")).items[0];
    expect(Object.isFrozen(listed)).toBe(false);
    expect(listed.metadata.labels).toEqual({ app: "web" });
    // A write makes a new revision: the shared object is decoded again, the old one is untouched.
    await client.patch(Pods, "default", "web", "merge", { metadata: { labels: { app: "new" } } });
    const after = read("get", true);
    expect(after).not.toBe(shared);
    expect([after.metadata.labels?.app, shared.metadata.labels?.app]).toEqual(["new", "web"]);
  });

  it("words errors as the real apiserver", async () => {
    const { client } = createTestServer();
    await client.create(Pods, pod("web"));
    expect((await error(client.get(Pods, "default", "nope"))).message).toBe('pods "nope" not found');
    const exists = await error(client.create(Pods, pod("web")));
    expect([exists.code, exists.reason, exists.message]).toEqual([409, "AlreadyExists", 'pods "web" already exists']);
    const missingNs = await error(client.create(Pods, { ...pod("x"), metadata: { name: "x", namespace: "dev" } }));
    expect([missingNs.code, missingNs.message]).toEqual([404, 'namespaces "dev" not found']);
    const deployment = await error(client.get(Deployments, "default", "web"));
    expect(deployment.message).toBe('deployments.apps "web" not found');
    const forbidden = await error(client.delete(Namespaces, undefined, "default"));
    expect([forbidden.code, forbidden.message]).toEqual([
      403,
      'namespaces "default" is forbidden: this namespace may not be deleted',
    ]);
  });

  it("generates names from generateName with upstream's alphabet", async () => {
    const { client } = createTestServer();
    const created = await client.create<KubeObject>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "web-", namespace: "default" },
    });
    expect(created.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it("rejects a stale resourceVersion with Conflict and allows unconditional updates", async () => {
    const { client } = createTestServer();
    const created = await client.create<KubeObject>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "default" },
      data: { a: "1" },
    });
    const updated = await client.update(ConfigMaps, { ...created, data: { a: "2" } });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const stale = await error(client.update(ConfigMaps, { ...created, data: { a: "3" } }));
    expect(stale.message).toBe(
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    );
    const unconditional = await client.update(ConfigMaps, {
      ...created,
      metadata: { ...created.metadata, resourceVersion: undefined },
      data: { a: "4" },
    });
    expect(unconditional.data).toEqual({ a: "4" });
    // Writing the same object again does not bump the resourceVersion.
    const same = await client.update(ConfigMaps, unconditional);
    expect(same.metadata.resourceVersion).toBe(unconditional.metadata.resourceVersion);
  });

  it("paginates lists with limit/continue and filters by label and field selectors", async () => {
    const { client } = createTestServer();
    for (const name of ["a", "b", "c", "d", "e"])
      await client.create(Pods, pod(name, { spec: { nodeName: name < "c" ? "node01" : "node02", containers: [] } }));
    const first = await client.list(Pods, "default", { limit: 2 });
    expect(first.items.map((item) => item.metadata.name)).toEqual(["a", "b"]);
    expect(first.metadata.remainingItemCount).toBe(3);
    const second = await client.list(Pods, "default", { limit: 2, continue: first.metadata.continue });
    expect(second.items.map((item) => item.metadata.name)).toEqual(["c", "d"]);
    const third = await client.list(Pods, "default", { limit: 2, continue: second.metadata.continue });
    expect(third.items.map((item) => item.metadata.name)).toEqual(["e"]);
    expect(third.metadata.continue).toBeUndefined();
    expect(
      (await client.list(Pods, "default", { labelSelector: "app in (a,e)" })).items.map((item) => item.metadata.name),
    ).toEqual(["a", "e"]);
    expect((await client.list(Pods, undefined, { fieldSelector: "spec.nodeName=node01" })).items).toHaveLength(2);
    expect(
      (await client.list(Pods, undefined, { fieldSelector: "spec.nodeName!=node01,metadata.name!=e" })).items,
    ).toHaveLength(2);
    expect((await error(client.list(Pods, undefined, { fieldSelector: "spec.foo=x" }))).message).toBe(
      "field label not supported: spec.foo",
    );
    expect((await error(client.list(Pods, undefined, { labelSelector: "a in b" }))).message).toBe(
      "unable to parse requirement: found 'b' expected: '('",
    );
  });

  it("watches with initial events, selector transitions and DELETED at the delete revision", async () => {
    const { client } = createTestServer();
    await client.create(Pods, pod("a"));
    const events: WatchEvent[] = [];
    const stop = client.watch(Pods, "default", { labelSelector: "tier=web" }, (event) => events.push(event));
    await client.create(Pods, { ...pod("b"), metadata: { name: "b", namespace: "default", labels: { tier: "web" } } });
    await client.patch(Pods, "default", "a", "merge", { metadata: { labels: { tier: "web" } } });
    await client.patch(Pods, "default", "b", "merge", { metadata: { labels: { tier: null } } });
    const deleted = await client.delete(Pods, "default", "a");
    stop();
    expect(events.map((event) => `${event.type} ${event.object.metadata.name}`)).toEqual([
      "ADDED b",
      "ADDED a",
      "DELETED b",
      "DELETED a",
    ]);
    expect(events[3].object.metadata.resourceVersion).toBe((deleted as KubeObject).metadata.resourceVersion);
    expect(Object.isFrozen(events[0].object)).toBe(true);
  });

  it("delivers 410 Expired for a watch from a compacted revision", async () => {
    const { client, store } = createTestServer({ historyLimit: 10 });
    for (let index = 0; index < 40; index++)
      await client.create<KubeObject>(ConfigMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `c${index}`, namespace: "default" },
      });
    expect(store.compactRevision).toBeGreaterThan(5);
    const events: WatchEvent[] = [];
    let closed = false;
    client.watch(
      ConfigMaps,
      "default",
      { resourceVersion: "3" },
      (event) => events.push(event),
      () => {
        closed = true;
      },
    );
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe("ERROR");
    expect(events[0].object).toMatchObject({ code: 410, reason: "Expired" });
    expect(String(events[0].object.message)).toMatch(/^too old resource version: 3 \(\d+\)$/);
    expect(closed).toBe(true);
  });

  it("deletes bound pods gracefully and unbound pods at once", async () => {
    const { client, clock } = createTestServer();
    await client.create(Pods, pod("unbound"));
    const gone = await client.delete(Pods, "default", "unbound");
    expect((gone as KubeObject).metadata.name).toBe("unbound");
    expect((await error(client.get(Pods, "default", "unbound"))).reason).toBe("NotFound");
    await client.create(Pods, pod("bound", { spec: { nodeName: "node01", containers: [] } }));
    const terminating = (await client.delete(Pods, "default", "bound")) as KubeObject;
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(terminating.metadata.deletionTimestamp).toBe(
      new Date(clock.now() + 30_000).toISOString().replace(".000", ""),
    );
    expect((await client.get(Pods, "default", "bound")).metadata.deletionTimestamp).toBeDefined();
    await client.delete(Pods, "default", "bound", { gracePeriodSeconds: 0 });
    expect((await error(client.get(Pods, "default", "bound"))).reason).toBe("NotFound");
  });

  it("keeps an object with finalizers until they are removed, and records propagation finalizers", async () => {
    const { client } = createTestServer();
    await client.create<KubeObject>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "f", namespace: "default", finalizers: ["example.com/hold"] },
    });
    const marked = (await client.delete(ConfigMaps, "default", "f", { propagationPolicy: "Foreground" })) as KubeObject;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.finalizers).toEqual(["example.com/hold", "foregroundDeletion"]);
    await client.patch(ConfigMaps, "default", "f", "merge", { metadata: { finalizers: ["foregroundDeletion"] } });
    expect((await client.get(ConfigMaps, "default", "f")).metadata.finalizers).toEqual(["foregroundDeletion"]);
    await client.patch(ConfigMaps, "default", "f", "json", [{ op: "remove", path: "/metadata/finalizers" }]);
    expect((await error(client.get(ConfigMaps, "default", "f"))).reason).toBe("NotFound");
  });

  it("forbids creating in a terminating namespace", async () => {
    const { client } = createTestServer();
    await client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    const terminating = (await client.delete(Namespaces, undefined, "dev")) as KubeObject;
    expect(terminating.status?.phase).toBe("Terminating");
    const forbidden = await error(
      client.create<KubeObject>(ConfigMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "x", namespace: "dev" },
      }),
    );
    expect(forbidden.message).toBe(
      'configmaps "x" is forbidden: unable to create new content in namespace dev because it is being terminated',
    );
  });

  it("runs the whole pipeline on dryRun without storing", async () => {
    const { client, store } = createTestServer();
    const revision = store.revision;
    const created = await client.create(Pods, pod("dry"), { dryRun: true });
    expect(created.metadata.uid).toBeDefined();
    expect(created.spec.serviceAccountName).toBe("default");
    expect(store.revision).toBe(revision);
    expect((await error(client.get(Pods, "default", "dry"))).reason).toBe("NotFound");
  });
});

describe("event expiry", () => {
  it("sweeps events older than an hour as new ones are written", async () => {
    const { client, clock } = createTestServer();
    const event = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: "default" },
      involvedObject: { kind: "Pod", name: "p", namespace: "default" },
      reason: "Test",
      message: "m",
      lastTimestamp: new Date(clock.now()).toISOString().replace(/\.\d+Z$/, "Z"),
    });
    await client.create(Events, event("old"));
    await clock.advance(61 * 60 * 1000);
    for (let index = 0; index < 64; index++) await client.create(Events, event(`new${index}`));
    expect((await client.list(Events, "default")).items.some((item) => item.metadata.name === "old")).toBe(false);
    expect((await client.list(Events, "default")).items).toHaveLength(64);
  });

  it("keeps an event an hour after its last write, as upstream's per-write lease", async () => {
    const { client, clock } = createTestServer();
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "kept", namespace: "default" },
      involvedObject: { kind: "Pod", name: "p", namespace: "default" },
      reason: "Test",
      message: "m",
    };
    await client.create(Events, event);
    await clock.advance(40 * 60 * 1000);
    await client.patch(Events, "default", "kept", "merge", { count: 2 });
    await clock.advance(40 * 60 * 1000);
    await client.create(Events, { ...event, metadata: { name: "trigger", namespace: "default" } });
    expect((await client.get(Events, "default", "kept")).metadata.name).toBe("kept");
    await clock.advance(21 * 60 * 1000);
    await client.create(Events, { ...event, metadata: { name: "trigger2", namespace: "default" } });
    expect((await client.list(Events, "default")).items.map((item) => item.metadata.name)).toEqual([
      "trigger",
      "trigger2",
    ]);
  });
});

describe("create preconditions", () => {
  it("refuses a resourceVersion on create as upstream's storage does", async () => {
    const { client } = createTestServer();
    const refused = await error(
      client.create<KubeObject>(ConfigMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "default", resourceVersion: "12" },
      }),
    );
    expect([refused.code, refused.message]).toEqual([
      500,
      "resourceVersion should not be set on objects to be created",
    ]);
  });
});

describe("decoding errors", () => {
  it("answers wrongly typed metadata with Go's decoding message", async () => {
    const { client } = createTestServer();
    const bad = await error(
      client.create<KubeObject>(ConfigMaps, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "c", namespace: "default", finalizers: { a: 1 } as unknown as string[] },
      }),
    );
    expect([bad.code, bad.message]).toEqual([
      400,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ObjectMeta.metadata.finalizers of type []string',
    ]);
  });
});

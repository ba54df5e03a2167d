import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { schemaComponents } from "../resources/schema/schemas";
import { httpApiServerOf } from "./adapter";
import { createHttpHandler, type HttpHandler } from "./createHttpHandler";
import type { HttpResponseWriter } from "./types";

/** A response writer that records what the handler wrote (a fake of node's ServerResponse). */
class RecordingResponse implements HttpResponseWriter {
  status = 0;
  headers: Record<string, string | string[]> = {};
  chunks: string[] = [];
  ended = false;
  private closeListeners: Array<() => void> = [];

  writeHead(status: number, headers: Record<string, string | string[]>) {
    this.status = status;
    this.headers = headers;
  }
  write(chunk: string | Uint8Array) {
    this.chunks.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
  }
  end(chunk?: string | Uint8Array) {
    if (chunk !== undefined) this.write(chunk);
    this.ended = true;
  }
  on(_event: "close", listener: () => void) {
    this.closeListeners.push(listener);
  }
  disconnect() {
    for (const listener of this.closeListeners) listener();
  }
  get text() {
    return this.chunks.join("");
  }
  get json() {
    return JSON.parse(this.text);
  }
}

const ADMIN = { username: "kubernetes-admin", groups: ["system:masters"] };

describe("createHttpHandler", () => {
  let clock: VirtualClock;
  let cluster: Cluster;
  let handler: HttpHandler;

  const send = async (
    method: string,
    url: string,
    options: { body?: string; headers?: Record<string, string> } = {},
    target: HttpHandler = handler,
  ) => {
    const response = new RecordingResponse();
    await target.handle(
      {
        method,
        url,
        headers: { "content-type": "application/json", ...(options.headers ?? {}) },
        body: new TextEncoder().encode(options.body ?? ""),
        user: ADMIN,
      },
      response,
    );
    return response;
  };

  beforeEach(() => {
    clock = new VirtualClock(Date.UTC(2026, 0, 1));
    cluster = createCluster({ clock, components: [], random: () => 0.5 });
    handler = createHttpHandler(httpApiServerOf(cluster.apiServer, schemaComponents), {
      clock,
      newId: () => "audit-1",
    });
  });
  afterEach(() => {
    handler.close();
    cluster.stop();
  });

  it("answers unknown paths with upstream's 404 Status", async () => {
    for (const path of [
      "/nope",
      "/api/v1/foos",
      "/apis/nope.example.com/v1",
      "/apis/apps/v1/namespaces/default/deployments/x/y/z",
    ]) {
      const response = await send("GET", path);
      expect(response.status).toBe(404);
      expect(response.text).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n',
      );
      expect(response.headers["Audit-Id"]).toBe("audit-1");
    }
  });

  it("ignores the body's system metadata on create and server-side-apply create (as upstream's BeforeCreate)", async () => {
    const metadata = {
      namespace: "default",
      creationTimestamp: "2020-05-05T05:05:05Z",
      uid: "11111111-1111-4111-8111-111111111111",
      deletionTimestamp: "2020-05-05T05:05:05Z",
      deletionGracePeriodSeconds: 30,
    };
    const created = await send("POST", "/api/v1/namespaces/default/configmaps", {
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "posted", ...metadata } }),
    });
    const applied = await send("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=test", {
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied", ...metadata } }),
      headers: { "content-type": "application/apply-patch+yaml" },
    });
    for (const response of [created, applied]) {
      expect(response.status).toBe(201);
      const stored = response.json.metadata;
      expect(stored.creationTimestamp).toBe("2026-01-01T00:00:00Z");
      expect(stored.uid).not.toBe(metadata.uid);
      expect(stored.deletionTimestamp).toBeUndefined();
      expect(stored.deletionGracePeriodSeconds).toBeUndefined();
    }
  });

  it("serves /version and health checks", async () => {
    expect((await send("GET", "/version")).json).toMatchObject({ major: "1", minor: "32", gitVersion: "v1.32.4" });
    expect((await send("GET", "/readyz")).text).toBe("ok");
    expect((await send("GET", "/livez?verbose")).text).toMatch(/^\[\+\]ping ok\n[\s\S]*livez check passed\n$/);
    expect((await send("GET", "/healthz/ping")).text).toBe("ok");
  });

  it("serves aggregated discovery by Accept, with ETags", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const response = await send("GET", "/apis", { headers: { accept } });
    expect(response.headers["Content-Type"]).toBe(
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    );
    expect(response.json.kind).toBe("APIGroupDiscoveryList");
    const etag = response.headers.ETag as string;
    const again = await send("GET", "/apis", { headers: { accept, "if-none-match": etag } });
    expect(again.status).toBe(304);
    const legacy = await send("GET", "/apis", { headers: { accept: "application/json" } });
    expect(legacy.json.kind).toBe("APIGroupList");
    expect((await send("GET", "/api")).json).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
  });

  it("shares discovery documents between clusters with the same resources, not with one that has a CRD", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const other = createCluster({ clock, components: [], random: () => 0.5 });
    const otherHandler = createHttpHandler(httpApiServerOf(other.apiServer, schemaComponents), {
      clock,
      newId: () => "audit-2",
      pathPrefix: "/clusters/other",
    });
    try {
      const mine = await send("GET", "/apis", { headers: { accept } });
      const theirs = await send("GET", "/clusters/other/apis", { headers: { accept } }, otherHandler);
      expect(theirs.headers.ETag).toBe(mine.headers.ETag);
      expect(theirs.text).toBe(mine.text);
      // The OpenAPI index names each handler's own path prefix.
      const index = (await send("GET", "/clusters/other/openapi/v3", {}, otherHandler)).json as {
        paths: Record<string, { serverRelativeURL: string }>;
      };
      expect(index.paths["api/v1"].serverRelativeURL.startsWith("/clusters/other/openapi/v3/api/v1")).toBe(true);
      expect((await send("GET", "/openapi/v3")).json.paths["api/v1"].serverRelativeURL.startsWith("/openapi/")).toBe(
        true,
      );
      const crd = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "crontabs.stable.example.com" },
        spec: {
          group: "stable.example.com",
          names: { plural: "crontabs", singular: "crontab", kind: "CronTab" },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          ],
        },
      };
      const created = await send(
        "POST",
        "/clusters/other/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        { body: JSON.stringify(crd) },
        otherHandler,
      );
      expect(created.status).toBe(201);
      const groups = (response: { json: { items: Array<{ metadata: { name: string } }> } }) =>
        response.json.items.map((group) => group.metadata.name);
      const withCrd = await send("GET", "/clusters/other/apis", { headers: { accept } }, otherHandler);
      expect(groups(withCrd)).toContain("stable.example.com");
      expect(withCrd.headers.ETag).not.toBe(mine.headers.ETag);
      const without = await send("GET", "/apis", { headers: { accept } });
      expect(groups(without)).not.toContain("stable.example.com");
      expect(without.headers.ETag).toBe(mine.headers.ETag);
    } finally {
      otherHandler.close();
      other.stop();
    }
  });

  it("publishes OpenAPI v3 with a PATCH operation kubectl's field-validation check finds", async () => {
    const index = (await send("GET", "/openapi/v3")).json as { paths: Record<string, { serverRelativeURL: string }> };
    const url = index.paths["apis/apps/v1"].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const document = await send("GET", url);
    expect(document.headers["Cache-Control"]).toBe("public, immutable");
    const paths = document.json.paths as Record<
      string,
      { patch?: { parameters: Array<{ name: string; in: string }>; "x-kubernetes-group-version-kind": unknown } }
    >;
    const patch = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch?.["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: "fieldValidation", in: "query" }));
    expect(document.json.components.schemas["io.k8s.api.apps.v1.Deployment"]).toBeDefined();
  });

  it("serves under a path prefix", async () => {
    const mounted = createHttpHandler(httpApiServerOf(cluster.apiServer), { clock, pathPrefix: "/clusters/abc" });
    expect((await send("GET", "/clusters/abc/api/v1/namespaces/default", {}, mounted)).json.metadata.name).toBe(
      "default",
    );
    expect((await send("GET", "/api/v1/namespaces/default", {}, mounted)).status).toBe(404);
    const index = (await send("GET", "/clusters/abc/openapi/v3", {}, mounted)).json;
    expect(index.paths["api/v1"].serverRelativeURL).toMatch(/^\/clusters\/abc\/openapi\/v3\/api\/v1\?hash=/);
  });

  const bodyErrors = [
    {
      name: "malformed JSON",
      body: '{"metadata":',
      message: `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"metadata":)`,
    },
    {
      name: "wrong kind",
      body: '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}',
      message: `Secret in version "v1" cannot be handled as a ConfigMap: no kind "Secret" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    },
    {
      name: "wrong apiVersion",
      body: '{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"x"}}',
      message: "the API version in the data (v2) does not match the expected API version (v1)",
    },
    {
      name: "namespace mismatch",
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}',
      message: "the namespace of the provided object does not match the namespace sent on the request",
    },
  ];
  it.each(bodyErrors)("rejects a body: $name", async ({ body, message }) => {
    const response = await send("POST", "/api/v1/namespaces/default/configmaps", { body });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400, message });
  });

  it("rejects unknown and duplicate fields under Strict and warns under Warn", async () => {
    const body =
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1"},"data":{"a":"2"},"datta":{}}';
    const strict = await send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", { body });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta", duplicate field "data"',
    );
    const warn = await send("POST", "/api/v1/namespaces/default/configmaps", { body });
    expect(warn.status).toBe(201);
    expect(warn.headers.Warning).toEqual(['299 - "unknown field \\"datta\\""', '299 - "duplicate field \\"data\\""']);
    expect(warn.json.data).toEqual({ a: "2" });
    expect(warn.json.datta).toBeUndefined();
  });

  it("rejects bodies in unknown formats and bad query values", async () => {
    const media = await send("POST", "/api/v1/namespaces/default/configmaps", {
      body: "x",
      headers: { "content-type": "text/plain" },
    });
    expect(media.status).toBe(415);
    expect(media.json.reason).toBe("UnsupportedMediaType");
    // No Content-Type at all is JSON, the first media type served (kubectl create --raw sends none).
    const bare = await send("POST", "/api/v1/namespaces/default/configmaps", {
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bare"}}',
      headers: { "content-type": "" },
    });
    expect(bare.status).toBe(201);
    const limit = await send("GET", "/api/v1/namespaces/default/configmaps?limit=abc");
    expect(limit.json).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    const validation = await send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Loose", {
      body: "{}",
    });
    expect(validation.json.message).toBe(
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"',
    );
    expect((await send("GET", "/api/v1/namespaces/default/configmaps?someUnknownParam=1")).status).toBe(200);
  });

  it("prints Tables for Table Accept, with PartialObjectMetadata rows by default", async () => {
    await send("POST", "/api/v1/namespaces/default/configmaps", {
      body: '{"metadata":{"name":"one","labels":{"a":"b"}},"data":{"k":"v"}}',
    });
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    const table = (await send("GET", "/api/v1/namespaces/default/configmaps", { headers: { accept } })).json;
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.map((column: { name: string }) => column.name)).toEqual(["Name", "Data", "Age"]);
    const row = table.rows.find((candidate: { cells: unknown[] }) => candidate.cells[0] === "one");
    expect(row.cells).toEqual(["one", 1, "0s"]);
    expect(row.object).toMatchObject({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: { labels: { a: "b" } },
    });
    const withObject = (
      await send("GET", "/api/v1/namespaces/default/configmaps/one?includeObject=Object", { headers: { accept } })
    ).json;
    expect(withObject.rows[0].object.data).toEqual({ k: "v" });
  });

  it("streams watch events, one-row Tables with headers only first, until timeoutSeconds", async () => {
    const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    const watch = new RecordingResponse();
    const done = handler.handle(
      {
        method: "GET",
        url: "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30",
        headers: { accept },
        body: new Uint8Array(0),
        user: ADMIN,
      },
      watch,
    );
    await done;
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"w1"}}' });
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"w2"}}' });
    const events = watch.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const added = events.filter((event) => ["w1", "w2"].includes(event.object.rows?.[0]?.cells?.[0]));
    expect(added.map((event) => event.type)).toEqual(["ADDED", "ADDED"]);
    expect(events[0].object.columnDefinitions).not.toBeNull();
    expect(added[1].object.columnDefinitions).toBeNull();
    expect(watch.ended).toBe(false);
    await clock.advance(30_000);
    expect(watch.ended).toBe(true);
  });

  it("sends periodic BOOKMARKs to HTTP watches that allow them, ending at the server's default timeout", async () => {
    const watch = new RecordingResponse();
    await handler.handle(
      {
        method: "GET",
        url: "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=1",
        headers: {},
        body: new Uint8Array(0),
        user: ADMIN,
      },
      watch,
    );
    const bookmarks = () =>
      watch.text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((event) => event.type === "BOOKMARK");
    await clock.advance(59_999);
    expect(bookmarks()).toHaveLength(0);
    await clock.advance(1);
    expect(bookmarks()).toEqual([
      {
        type: "BOOKMARK",
        object: { apiVersion: "v1", kind: "ConfigMap", metadata: { resourceVersion: String(cluster.store.revision) } },
      },
    ]);
    await clock.advance(60_000);
    expect(bookmarks()).toHaveLength(2);
    // Without timeoutSeconds the server closes a watch after 30 to 60 minutes, as upstream's MinRequestTimeout.
    await clock.advance(60 * 60_000);
    expect(watch.ended).toBe(true);
  });

  it("validates watch ListOptions as upstream (422 on ListOptions) and sends initial events not older than a resourceVersion", async () => {
    const invalid = await send("GET", "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true");
    expect(invalid.status).toBe(422);
    expect(invalid.json).toMatchObject({
      kind: "Status",
      reason: "Invalid",
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      details: {
        group: "meta.k8s.io",
        kind: "ListOptions",
        causes: [
          {
            reason: "FieldValueForbidden",
            message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            field: "resourceVersionMatch",
          },
        ],
      },
    });
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"first"}}' });
    const revision = cluster.store.revision;
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"second"}}' });
    const watch = new RecordingResponse();
    await handler.handle(
      {
        method: "GET",
        url: `/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${revision}`,
        headers: {},
        body: new Uint8Array(0),
        user: ADMIN,
      },
      watch,
    );
    const events = watch.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const names = events.map((event) => `${event.type} ${event.object.metadata.name ?? ""}`);
    // The whole current state (not a replay of the changes after the revision), then the end marker.
    expect(names).toContain("ADDED first");
    expect(names).toContain("ADDED second");
    expect(events.at(-1)).toMatchObject({
      type: "BOOKMARK",
      object: { metadata: { annotations: { "k8s.io/initial-events-end": "true" } } },
    });
    watch.disconnect();
  });

  it("answers a watch from a compacted resourceVersion with an ERROR event carrying a 410 Status", async () => {
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"old"}}' });
    cluster.store.compact(cluster.store.revision);
    const watch = new RecordingResponse();
    await handler.handle(
      {
        method: "GET",
        url: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2",
        headers: {},
        body: new Uint8Array(0),
        user: ADMIN,
      },
      watch,
    );
    expect(watch.status).toBe(200);
    const events = watch.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410 } });
    expect(watch.ended).toBe(true);
  });

  it("ends a watch when the client disconnects", async () => {
    const watch = new RecordingResponse();
    await handler.handle(
      {
        method: "GET",
        url: "/api/v1/namespaces/default/configmaps?watch=1",
        headers: {},
        body: new Uint8Array(0),
        user: ADMIN,
      },
      watch,
    );
    watch.disconnect();
    expect(watch.ended).toBe(true);
    const before = watch.chunks.length;
    await send("POST", "/api/v1/namespaces/default/configmaps", { body: '{"metadata":{"name":"after"}}' });
    expect(watch.chunks.length).toBe(before);
  });

  it("survives random and mutated requests (fuzz)", async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const paths = [
      "/api/v1/namespaces/default/configmaps",
      "/api/v1/namespaces/default/configmaps/fuzz",
      "/api/v1/namespaces/default/pods/fuzz/log",
      "/apis/apps/v1/namespaces/default/deployments/fuzz/scale",
      "/api/v1/nodes/x/status",
      "/apis/metrics.k8s.io/v1beta1/nodes",
      "/openapi/v3/api/v1",
      "/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1",
      "/%E0%A4%A",
      "/api/v1/namespaces/default/configmaps?limit=-1&continue=garbage",
    ];
    const bodies = [
      '{"metadata":{"name":"fuzz"},"data":{"a":"b"}}',
      "[]",
      "null",
      '{"kind":7}',
      "\u0000\u00ff",
      '{"metadata":{"name":"fuzz"',
      "---\na: [",
      "",
    ];
    const types = [
      "application/json",
      "application/yaml",
      "application/merge-patch+json",
      "application/json-patch+json",
      "application/strategic-merge-patch+json",
      "application/apply-patch+yaml",
      "application/vnd.kubernetes.protobuf",
    ];
    for (let index = 0; index < 300; index++) {
      let body = pick(bodies);
      if (random() < 0.3 && body.length > 0) {
        const at = Math.floor(random() * body.length);
        body = body.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + body.slice(at + 1);
      }
      const response = await send(pick(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]), pick(paths), {
        body,
        headers: {
          "content-type": pick(types),
          accept: pick([
            "application/json",
            "application/json;as=Table;v=v1;g=meta.k8s.io",
            "application/yaml",
            "text/html",
          ]),
        },
      });
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(600);
      if (response.status >= 500)
        expect(response.text, response.text).not.toMatch(/TypeError|ReferenceError|undefined is not/);
    }
    await clock.advance(5_000);
    const list = await send("GET", "/api/v1/namespaces/default/configmaps");
    expect(list.status).toBe(200);
  });
});

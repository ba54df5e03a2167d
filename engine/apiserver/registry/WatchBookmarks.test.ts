import { describe, expect, it } from "vitest";
import { ConfigMaps, Pods } from "../../api/resources";
import type { GroupVersionResource, KubeObject, WatchEvent } from "../../api/types";
import type { ApiServer, ApiServerCore } from "../ApiServer";
import type { RequestOptions } from "../ResourceRequest";
import { createTestServer } from "../testing/testServer";
import { nextBookmarkTime } from "./WatchBookmarks";

const configMap = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
});

const bookmarks = (events: WatchEvent[]) => events.filter((event) => event.type === "BOOKMARK");

const ADMIN = { username: "admin", groups: ["system:masters"] };

/** A watch straight on the API server, with every option a client can send. */
function watch(
  apiServer: ApiServer,
  gvr: GroupVersionResource,
  options: RequestOptions,
  listener: (event: WatchEvent) => void,
  onClose?: () => void,
): () => void {
  return apiServer.watch({ verb: "watch", gvr, namespace: "default", options, user: ADMIN }, listener, onClose);
}

describe("watch bookmarks", () => {
  it("schedules as upstream's cacheWatcher.nextBookmarkTime: every minute, 2 s before the deadline, then never", () => {
    const cases = [
      { name: "long watch", now: 0, deadline: 1_800_000, expected: 60_000 },
      { name: "deadline within a minute", now: 0, deadline: 30_000, expected: 28_000 },
      { name: "at the pre-timeout bookmark", now: 28_000, deadline: 30_000, expected: undefined },
      { name: "past the pre-timeout point", now: 29_000, deadline: 30_000, expected: undefined },
    ];
    for (const each of cases) expect(nextBookmarkTime(each.now, each.deadline), each.name).toBe(each.expected);
  });

  it("sends a BOOKMARK at the current revision about once a minute and 2 s before the timeout", async () => {
    const { client, clock, apiServer, store } = createTestServer();
    const events: WatchEvent[] = [];
    let closed = false;
    watch(
      apiServer,
      ConfigMaps,
      { allowWatchBookmarks: true, timeoutSeconds: 150 },
      (event) => events.push(event),
      () => {
        closed = true;
      },
    );
    await clock.advance(59_000);
    expect(bookmarks(events)).toHaveLength(0);
    await client.create(ConfigMaps, configMap("a"));
    await clock.advance(1_000);
    expect(bookmarks(events).map((event) => event.object.metadata.resourceVersion)).toEqual([String(store.revision)]);
    expect(bookmarks(events)[0].object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { resourceVersion: String(store.revision) },
    });
    await clock.advance(60_000);
    expect(bookmarks(events)).toHaveLength(2);
    // The deadline is at 150 s: the last bookmark comes at 148 s, then the watch ends.
    await clock.advance(27_999);
    expect(bookmarks(events)).toHaveLength(2);
    await clock.advance(1);
    expect(bookmarks(events)).toHaveLength(3);
    expect(closed).toBe(false);
    await clock.advance(2_000);
    expect(closed).toBe(true);
    expect((apiServer as ApiServerCore).bookmarks.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("arms one timer for all bookmark watches, none for watches without bookmarks or a deadline", async () => {
    const { apiServer, clock } = createTestServer();
    const baseline = clock.pendingTimers;
    const plain: WatchEvent[] = [];
    const informerLike: WatchEvent[] = [];
    const stopPlain = watch(apiServer, ConfigMaps, { timeoutSeconds: 600 }, (event) => plain.push(event));
    const stopInformer = watch(apiServer, ConfigMaps, { allowWatchBookmarks: true }, (event) =>
      informerLike.push(event),
    );
    // The plain watch's timeout is its only timer; the in-process informer-like watch arms none.
    expect(clock.pendingTimers).toBe(baseline + 1);
    const stops = Array.from({ length: 5 }, () =>
      watch(apiServer, Pods, { allowWatchBookmarks: true, timeoutSeconds: 600 }, () => {}),
    );
    // Five timeouts and a single bookmark timer.
    expect(clock.pendingTimers).toBe(baseline + 1 + 5 + 1);
    await clock.advance(120_000);
    expect(bookmarks(plain)).toHaveLength(0);
    expect(bookmarks(informerLike)).toHaveLength(0);
    for (const stop of stops) stop();
    expect(clock.pendingTimers).toBe(baseline + 1);
    stopPlain();
    stopInformer();
    expect(clock.pendingTimers).toBe(baseline);
  });

  it("ends the initial events with a bookmark annotated k8s.io/initial-events-end", async () => {
    const { client, store, apiServer } = createTestServer();
    await client.create(ConfigMaps, configMap("a"));
    await client.create(ConfigMaps, configMap("b"));
    const events: WatchEvent[] = [];
    const stop = watch(
      apiServer,
      ConfigMaps,
      { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: "NotOlderThan" },
      (event) => events.push(event),
    );
    stop();
    expect(events.map((event) => `${event.type} ${event.object.metadata.name ?? ""}`)).toEqual([
      "ADDED a",
      "ADDED b",
      "ADDED kube-root-ca.crt",
      "BOOKMARK ",
    ]);
    expect(events[3].object.metadata).toEqual({
      resourceVersion: String(store.revision),
      annotations: { "k8s.io/initial-events-end": "true" },
    });
  });
});

import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { Client, ListOptions } from "../../client/Client";
import type { Clock } from "../../clock/Clock";

/** Callbacks of a {@link watchObjects} loop, as an informer's event handlers. */
export interface ObjectHandlers<T extends KubeObject> {
  add?(object: T): void;
  update?(old: T, object: T): void;
  delete?(object: T): void;
  /** The first list has been delivered (`HasSynced`). */
  synced?(): void;
}

/** A running list+watch: a read-only store of the objects and a disposer. */
export interface ObjectWatch<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  values(): IterableIterator<T>;
  readonly size: number;
  stop(): void;
}

/**
 * A minimal informer: lists, delivers the objects, then watches from the list's resourceVersion;
 * when the watch ends (410 Gone, server restart) it relists after `retryMs` and turns the
 * difference into add/update/delete calls, so handlers never miss a change. Objects in the store
 * are the ones the client returned; handlers must not mutate them.
 */
export function watchObjects<T extends KubeObject>(
  client: Client,
  clock: Clock,
  gvr: GroupVersionResource,
  handlers: ObjectHandlers<T>,
  options: Pick<ListOptions, "fieldSelector" | "labelSelector"> = {},
  retryMs = 1000,
): ObjectWatch<T> {
  const store = new Map<string, T>();
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  let cancelRetry: (() => void) | undefined;
  let synced = false;
  const key = (object: KubeObject) => `${object.metadata.namespace ?? ""}/${object.metadata.name}`;

  const apply = (type: "ADDED" | "MODIFIED" | "DELETED", object: T) => {
    const id = key(object);
    const old = store.get(id);
    if (type === "DELETED") {
      if (!old) return;
      store.delete(id);
      handlers.delete?.(object);
      return;
    }
    store.set(id, object);
    if (old) handlers.update?.(old, object);
    else handlers.add?.(object);
  };

  const retry = () => {
    stopWatch?.();
    stopWatch = undefined;
    if (stopped || cancelRetry) return;
    cancelRetry = clock.setTimer(retryMs, () => {
      cancelRetry = undefined;
      void start();
    });
  };

  const start = async () => {
    if (stopped) return;
    let list: { items: T[]; metadata: { resourceVersion?: string } };
    try {
      list = await client.list<T>(gvr, undefined, options);
    } catch {
      retry();
      return;
    }
    if (stopped) return;
    const seen = new Set<string>();
    for (const object of list.items) {
      seen.add(key(object));
      apply("ADDED", object);
    }
    for (const [id, object] of [...store]) if (!seen.has(id)) apply("DELETED", object);
    if (!synced) {
      synced = true;
      handlers.synced?.();
    }
    stopWatch = client.watch<T>(
      gvr,
      undefined,
      { ...options, resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
      (event) => {
        if (stopped) return;
        if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED")
          apply(event.type, event.object);
        else if (event.type === "ERROR") retry();
      },
      () => retry(),
    );
  };

  void start();
  return {
    get: (namespace, name) => store.get(`${namespace ?? ""}/${name}`),
    values: () => store.values(),
    get size() {
      return store.size;
    },
    stop() {
      stopped = true;
      stopWatch?.();
      cancelRetry?.();
    },
  };
}

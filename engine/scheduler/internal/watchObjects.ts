import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { Client, ListOptions } from "../../client/Client";
import { Informer } from "../../client/informers";
import type { Clock } from "../../clock/Clock";

/** Callbacks of a {@link watchObjects} loop, as an informer's event handlers. */
export interface ObjectHandlers<T extends KubeObject> {
  add?(object: T): void;
  update?(old: T, object: T): void;
  delete?(object: T): void;
  /** The first list has been delivered (`HasSynced`). */
  synced?(): void;
}

/** A running informer as the scheduler uses it: a read-only store and a disposer. */
export interface ObjectWatch<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  /** By `namespace/name` (or `name`) key, as objectKey makes it: no key string built per call. */
  getByKey(key: string): T | undefined;
  values(): IterableIterator<T>;
  /** The objects of one namespace (from the informer's namespace index; never mutate them). */
  inNamespace(namespace: string): readonly T[];
  readonly size: number;
  stop(): void;
}

/**
 * Starts a shared-style informer (engine/client's list+watch with relist on 410) with the
 * scheduler's handlers. Cached objects are frozen and shared: handlers must not mutate them.
 */
export function watchObjects<T extends KubeObject>(
  client: Client,
  clock: Clock,
  gvr: GroupVersionResource,
  handlers: ObjectHandlers<T>,
  options: Pick<ListOptions, "fieldSelector" | "labelSelector"> = {},
): ObjectWatch<T> {
  const informer = new Informer<T>(client, clock, gvr, options);
  const dispose = informer.addHandlers({ add: handlers.add, update: handlers.update, delete: handlers.delete });
  informer.start();
  void informer.waitForSync().then(() => handlers.synced?.());
  return {
    get: (namespace, name) => informer.get(namespace, name),
    getByKey: (key) => informer.getByKey(key),
    values: () => informer.list().values(),
    inNamespace: (namespace) => informer.list(namespace),
    get size() {
      return informer.size;
    },
    stop() {
      dispose();
      informer.stop();
    },
  };
}

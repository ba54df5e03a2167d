import type { GroupVersionResource, KubeObject, WatchEvent } from "../../api/types";
import type { Client } from "../../client/Client";
import type { Clock } from "../../clock/Clock";
import type { Handlers, Informer } from "./types";

/**
 * A shared informer over one resource: a watch (which starts with the current state as ADDED
 * events) feeding a cache indexed by namespace, and handlers called on each change. When the watch
 * closes (a 410 after compaction, a restart) it re-watches after a second and reconciles the
 * cache with what it finds, so handlers never miss a deletion.
 */
export class InformerCache<T extends KubeObject> implements Informer<T> {
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: Handlers<T>[] = [];
  private stopWatch?: () => void;
  private cancelRetry?: () => void;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    private readonly gvr: GroupVersionResource,
    private readonly log: (line: string) => void,
  ) {
    this.start();
  }

  list(namespace?: string): readonly T[] {
    if (namespace !== undefined) return [...(this.byNamespace.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const objects of this.byNamespace.values()) for (const object of objects.values()) all.push(object);
    return all;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.byNamespace.get(namespace ?? "")?.get(name);
  }

  addHandlers(handlers: Handlers<T>): void {
    this.handlers.push(handlers);
    // A late subscriber sees the current state as additions, like client-go's AddEventHandler.
    for (const object of this.list()) handlers.add?.(object);
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    this.cancelRetry?.();
  }

  private start(): void {
    if (this.stopped) return;
    let initial: Map<string, T> | undefined = this.size() > 0 ? new Map() : undefined;
    let bookmarked = false;
    const onEvent = (event: WatchEvent<T>) => {
      if (event.type === "ERROR") return;
      if (event.type === "BOOKMARK") {
        bookmarked = true;
        return;
      }
      const object = event.object;
      if (initial && event.type === "ADDED" && !bookmarked) initial.set(keyOf(object), object);
      if (event.type === "DELETED") this.remove(object);
      else this.upsert(object);
    };
    const onClose = (error?: Error) => {
      if (this.stopped) return;
      if (error) this.log(`informer ${this.gvr.resource}: watch closed: ${error.message}`);
      this.stopWatch = undefined;
      this.cancelRetry = this.clock.setTimer(1000, () => {
        this.cancelRetry = undefined;
        this.start();
      });
    };
    try {
      this.stopWatch = this.client.watch<T>(this.gvr, undefined, {}, onEvent, onClose);
    } catch (error) {
      onClose(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // After a re-watch, anything cached that the fresh ADDED burst did not mention is gone.
    if (initial) {
      const seen = initial;
      initial = undefined;
      for (const object of this.list()) if (!seen.has(keyOf(object))) this.remove(object);
    }
  }

  private size(): number {
    let count = 0;
    for (const objects of this.byNamespace.values()) count += objects.size;
    return count;
  }

  private upsert(object: T): void {
    const namespace = object.metadata.namespace ?? "";
    let objects = this.byNamespace.get(namespace);
    if (!objects) {
      objects = new Map();
      this.byNamespace.set(namespace, objects);
    }
    const name = object.metadata.name ?? "";
    const old = objects.get(name);
    objects.set(name, object);
    for (const handlers of this.handlers) {
      if (old) handlers.update?.(old, object);
      else handlers.add?.(object);
    }
  }

  private remove(object: T): void {
    const namespace = object.metadata.namespace ?? "";
    const objects = this.byNamespace.get(namespace);
    const name = object.metadata.name ?? "";
    const old = objects?.get(name);
    if (!objects || !old) return;
    objects.delete(name);
    if (objects.size === 0) this.byNamespace.delete(namespace);
    for (const handlers of this.handlers) handlers.delete?.(object);
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

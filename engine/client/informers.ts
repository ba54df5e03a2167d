import type { GroupVersionResource, KubeObject, WatchEvent } from "../api/types";
import { isResourceExpired } from "../apiserver/ApiError";
import { deepFreeze } from "../apiserver/registry/objects";
import { parseLabelSelector, type Selector } from "../apiserver/selectors/LabelSelector";
import type { Clock } from "../clock/Clock";
import type { Client } from "./Client";
import { withoutManagedFields } from "./withoutManagedFields";

/** What an informer lists and watches. */
export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Keep `metadata.managedFields` in the cache. By default they are dropped, as the transform of
   * upstream's kube-controller-manager and kube-scheduler informers drops them.
   */
  keepManagedFields?: boolean;
}

/** Callbacks an informer runs on every change of its cache, as client-go's ResourceEventHandler. */
export interface EventHandlers<T extends KubeObject> {
  add?(object: T): void;
  update?(oldObject: T, newObject: T): void;
  /** Called with the last known state of the deleted object. */
  delete?(object: T): void;
}

/** `namespace/name` for namespaced objects, `name` otherwise (client-go's MetaNamespaceKeyFunc). */
export function objectKey(object: KubeObject): string {
  return object.metadata.namespace
    ? `${object.metadata.namespace}/${object.metadata.name}`
    : (object.metadata.name ?? "");
}

/** Splits a key made by {@link objectKey}. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * A shared informer: lists then watches one resource through the client, keeps a cache indexed by
 * namespace, and runs handlers on every change. On a 410 it relists and reconciles the cache
 * (adds, updates and deletes for what changed meanwhile); when the watch ends, it resumes from the
 * last resourceVersion. Cached objects are frozen and shared: clone before changing one. They
 * carry no managedFields unless `keepManagedFields` is set (see {@link withoutManagedFields}); the
 * trimmed copy of a watched object is the same for every informer in the process.
 */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: Array<EventHandlers<T>> = [];
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private stopWatch?: () => void;
  private stopped = true;
  private resourceVersion = "";
  private retryTimer?: () => void;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
    readonly gvr: GroupVersionResource,
    private readonly options: InformerOptions = {},
  ) {}

  /** The cached form of `object`; `previous` (its key's cached form) lends its equal parts. */
  private trim(object: T, previous?: T): T {
    return this.options.keepManagedFields ? object : withoutManagedFields(object, previous);
  }

  /** Starts listing and watching (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.relist();
  }

  /** Stops the watch and any pending retry. The cache keeps its last state. */
  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.retryTimer?.();
    this.retryTimer = undefined;
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The resourceVersion the cache reflects. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Adds handlers; a handler added after sync first gets `add` for every cached object, as
   * client-go does. Returns a disposer that removes them.
   */
  addHandlers(handlers: EventHandlers<T>): () => void {
    this.handlers.push(handlers);
    if (this.synced) for (const object of this.objects.values()) safely(() => handlers.add?.(object));
    return () => {
      const index = this.handlers.indexOf(handlers);
      if (index >= 0) this.handlers.splice(index, 1);
    };
  }

  /** Every cached object, or those in `namespace`. Never mutate them. */
  list(namespace?: string): readonly T[] {
    if (namespace === undefined) return [...this.objects.values()];
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  /** One cached object. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Cached object by `namespace/name` key. */
  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Cached objects matching a label selector (string or parsed), optionally in one namespace. */
  listBySelector(selector: string | Selector, namespace?: string): T[] {
    const parsed = typeof selector === "string" ? parseLabelSelector(selector) : selector;
    return this.list(namespace).filter((object) => parsed.matches(object.metadata.labels));
  }

  /** Number of cached objects. */
  get size(): number {
    return this.objects.size;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    let list: Awaited<ReturnType<Client["list"]>>;
    try {
      list = await this.client.list<T>(this.gvr, this.options.namespace, {
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
      });
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of list.items as T[]) {
      const key = objectKey(item);
      const object = deepFreeze(this.trim(item, this.objects.get(key)));
      seen.add(key);
      this.upsert(key, object);
    }
    for (const [key, object] of [...this.objects]) {
      if (!seen.has(key)) this.remove(key, object);
    }
    this.resourceVersion = list.metadata.resourceVersion ?? "";
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
    this.watch();
  }

  private watch(): void {
    if (this.stopped) return;
    let expired = false;
    this.stopWatch = this.client.watch<T>(
      this.gvr,
      this.options.namespace,
      {
        resourceVersion: this.resourceVersion,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        allowWatchBookmarks: true,
      },
      (event) => {
        if (event.type === "ERROR") {
          expired = (event.object as unknown as { code?: number }).code === 410;
          return;
        }
        this.apply(event);
      },
      (error) => {
        this.stopWatch = undefined;
        if (this.stopped) return;
        if (expired || (error && isResourceExpired(error))) void this.relist();
        else if (error) this.retryLater();
        else this.watch();
      },
    );
  }

  private apply(event: WatchEvent<T>): void {
    if (event.object.metadata.resourceVersion) this.resourceVersion = event.object.metadata.resourceVersion;
    if (event.type === "BOOKMARK") return;
    const key = objectKey(event.object);
    const object = this.trim(event.object, this.objects.get(key));
    if (event.type === "DELETED") {
      const previous = this.objects.get(key);
      if (previous) this.remove(key, object);
      return;
    }
    this.upsert(key, object);
  }

  private upsert(key: string, object: T): void {
    const previous = this.objects.get(key);
    if (previous && previous.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.objects.set(key, object);
    const namespace = object.metadata.namespace ?? "";
    let index = this.byNamespace.get(namespace);
    if (!index) {
      index = new Map();
      this.byNamespace.set(namespace, index);
    }
    index.set(key, object);
    for (const handlers of [...this.handlers]) {
      if (previous) safely(() => handlers.update?.(previous, object));
      else safely(() => handlers.add?.(object));
    }
  }

  private remove(key: string, object: T): void {
    this.objects.delete(key);
    const namespace = object.metadata.namespace ?? "";
    const index = this.byNamespace.get(namespace);
    index?.delete(key);
    if (index && index.size === 0) this.byNamespace.delete(namespace);
    for (const handlers of [...this.handlers]) safely(() => handlers.delete?.(object));
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = this.clock.setTimer(1000, () => {
      this.retryTimer = undefined;
      void this.relist();
    });
  }
}

function safely(callback: () => void): void {
  try {
    callback();
  } catch {
    // A failing handler must not stop the informer or other handlers; controllers log their own.
  }
}

/**
 * One informer per resource, shared by every controller of a component (client-go's
 * SharedInformerFactory). `informer(gvr)` registers; `start()` starts all (and any registered
 * later); `waitForSync()` resolves when every started informer has its first list.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    private readonly client: Client,
    private readonly clock: Clock,
  ) {}

  informer<T extends KubeObject = KubeObject>(gvr: GroupVersionResource): Informer<T> {
    const key = `${gvr.group}/${gvr.version}/${gvr.resource}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<KubeObject>(this.client, this.clock, gvr);
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  hasSynced(): boolean {
    return [...this.informers.values()].every((informer) => informer.hasSynced());
  }

  stop(): void {
    this.started = false;
    for (const informer of this.informers.values()) informer.stop();
  }
}

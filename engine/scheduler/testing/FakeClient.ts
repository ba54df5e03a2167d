import type { GroupVersionResource, KubeList, KubeObject, Status, WatchEvent } from "../../api/types";
import type { Client, DeleteOptions, ListOptions, PatchType, WatchOptions } from "../../client/Client";

type Listener = { namespace?: string; onEvent: (event: WatchEvent) => void };

/**
 * An in-memory stand-in for the API server, for scheduler and proxy tests: objects by resource,
 * a global resourceVersion, watches, merge patches, `pods/binding` and graceful-free deletes.
 * It applies no admission or validation; the integration tests against the real API server do.
 */
export class FakeClient implements Client {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  /** Watchers per resource; replaced, never mutated, so an event in flight sees a stable list. */
  private readonly listeners = new Map<string, readonly Listener[]>();
  private revision = 1;
  private uid = 1;
  /** Every write, as `verb resource namespace/name[/subresource]`, for assertions (unless `recordWrites: false`). */
  readonly writes: string[] = [];
  private readonly recordWrites: boolean;
  private readonly copy: <T>(value: T) => T;
  private readonly copyIn: <T>(value: T) => T;

  /**
   * `copy: false` hands the stored objects themselves to readers and watchers, and keeps what
   * callers create instead of copying it (for benchmarks of components that, like ours, never
   * mutate what they send or receive); by default every read, write and event is a deep copy,
   * as over the wire.
   */
  constructor(options: { copy?: boolean; recordWrites?: boolean } = {}) {
    this.recordWrites = options.recordWrites ?? true;
    this.copy = options.copy === false ? (value) => value : (value) => structuredClone(value);
    this.copyIn = options.copy === false ? (value) => ({ ...value }) : (value) => structuredClone(value);
  }

  private table(gvr: GroupVersionResource) {
    const id = gvrId(gvr);
    let table = this.objects.get(id);
    if (!table) {
      table = new Map();
      this.objects.set(id, table);
    }
    return table;
  }

  /** The stored objects of a resource (tests inspect them). */
  all<T extends KubeObject>(gvr: GroupVersionResource): T[] {
    return [...this.table(gvr).values()] as T[];
  }

  async get<T extends KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string): Promise<T> {
    const object = this.table(gvr).get(key(namespace, name));
    if (!object) throw notFound(gvr, name);
    return this.copy(object) as T;
  }

  async list<T extends KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    _options?: ListOptions,
  ): Promise<KubeList<T>> {
    const items = [...this.table(gvr).values()].filter((o) => !namespace || o.metadata.namespace === namespace);
    return {
      apiVersion: "v1",
      kind: "List",
      metadata: { resourceVersion: String(this.revision) },
      items: structuredClone(items) as T[],
    };
  }

  async create<T extends KubeObject>(gvr: GroupVersionResource, object: T): Promise<T> {
    const table = this.table(gvr);
    const stored = this.copyIn(object);
    stored.metadata = { ...stored.metadata };
    if (!stored.metadata.name && stored.metadata.generateName)
      stored.metadata.name = `${stored.metadata.generateName}${this.uid}`;
    const id = key(stored.metadata.namespace, stored.metadata.name ?? "");
    if (table.has(id))
      throw Object.assign(new Error(`${gvr.resource} "${stored.metadata.name}" already exists`), { code: 409 });
    stored.metadata.uid ??= `uid-${this.uid++}`;
    stored.metadata.creationTimestamp ??= "2026-01-01T00:00:00Z";
    this.store(gvr, stored, "ADDED");
    this.record(`create ${gvr.resource} ${id}`);
    return this.copy(stored);
  }

  async update<T extends KubeObject>(
    gvr: GroupVersionResource,
    object: T,
    options?: { subresource?: string },
  ): Promise<T> {
    const id = key(object.metadata.namespace, object.metadata.name ?? "");
    const existing = this.table(gvr).get(id);
    if (!existing) throw notFound(gvr, object.metadata.name ?? "");
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw Object.assign(new Error("conflict"), { code: 409 });
    }
    const stored = structuredClone(object);
    this.store(gvr, stored, "MODIFIED");
    this.record(`update ${gvr.resource} ${id}${options?.subresource ? `/${options.subresource}` : ""}`);
    return this.copy(stored);
  }

  async patch<T extends KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: { subresource?: string },
  ): Promise<T> {
    // Strategic merge patches of the shapes our components send (no merge-keyed lists) act as merge patches.
    if (patchType !== "merge" && patchType !== "strategic")
      throw new Error(`FakeClient does not support ${patchType} patches`);
    const existing = this.table(gvr).get(key(namespace, name));
    if (!existing) throw notFound(gvr, name);
    const stored = mergePatch(structuredClone(existing), patch) as KubeObject;
    this.store(gvr, stored, "MODIFIED");
    this.record(
      `patch ${gvr.resource} ${key(namespace, name)}${options?.subresource ? `/${options.subresource}` : ""}`,
    );
    return this.copy(stored) as T;
  }

  async delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): Promise<Status> {
    const table = this.table(gvr);
    const id = key(namespace, name);
    const existing = table.get(id);
    if (!existing) throw notFound(gvr, name);
    if (options?.preconditions?.uid && options.preconditions.uid !== existing.metadata.uid) {
      throw Object.assign(new Error("precondition failed"), { code: 409 });
    }
    table.delete(id);
    this.revision++;
    this.record(`delete ${gvr.resource} ${id}`);
    this.emit(gvr, { type: "DELETED", object: this.copy(existing) });
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 };
  }

  async createSubresource<T extends KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: KubeObject,
  ): Promise<T> {
    if (gvr.resource !== "pods" || subresource !== "binding") throw new Error(`unsupported subresource ${subresource}`);
    const pod = this.table(gvr).get(key(namespace, name));
    if (!pod) throw notFound(gvr, name);
    if (pod.spec.nodeName) {
      throw Object.assign(new Error(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`), { code: 409 });
    }
    // A new object from the stored one, copying only the parts binding changes (stored objects are
    // never mutated, so the rest can be shared).
    const bound = {
      ...pod,
      metadata: { ...pod.metadata },
      spec: { ...pod.spec, nodeName: body.target.name },
      status: {
        ...pod.status,
        conditions: [
          ...(pod.status?.conditions ?? []).filter((c: { type: string }) => c.type !== "PodScheduled"),
          { type: "PodScheduled", status: "True" },
        ],
      },
    };
    this.store(gvr, bound, "MODIFIED");
    this.record(`create pods ${key(namespace, name)}/binding`);
    return this.copy(body) as T;
  }

  watch<T extends KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): () => void {
    const listener: Listener = { namespace, onEvent: onEvent as (event: WatchEvent) => void };
    if (!options.resourceVersion) {
      for (const object of this.table(gvr).values()) onEvent({ type: "ADDED", object: this.copy(object) as T });
    }
    const id = gvrId(gvr);
    this.listeners.set(id, [...(this.listeners.get(id) ?? []), listener]);
    return () =>
      this.listeners.set(
        id,
        (this.listeners.get(id) ?? []).filter((l) => l !== listener),
      );
  }

  private record(write: string) {
    if (this.recordWrites) this.writes.push(write);
  }

  private store(gvr: GroupVersionResource, object: KubeObject, type: "ADDED" | "MODIFIED") {
    this.revision++;
    object.metadata.resourceVersion = String(this.revision);
    this.table(gvr).set(key(object.metadata.namespace, object.metadata.name ?? ""), object);
    this.emit(gvr, { type, object: this.copy(object) });
  }

  private emit(gvr: GroupVersionResource, event: WatchEvent) {
    const listeners = this.listeners.get(gvrId(gvr));
    if (!listeners) return;
    for (const listener of listeners) {
      if (listener.namespace && listener.namespace !== event.object.metadata.namespace) continue;
      listener.onEvent(this.copy(event));
    }
  }
}

function gvrId(gvr: GroupVersionResource) {
  return `${gvr.group}/${gvr.resource}`;
}

function key(namespace: string | undefined, name: string) {
  return `${namespace ?? ""}/${name}`;
}

function notFound(gvr: GroupVersionResource, name: string) {
  return Object.assign(new Error(`${gvr.resource} "${name}" not found`), { code: 404, reason: "NotFound" });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target && typeof target === "object" && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  for (const [field, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[field];
    else result[field] = mergePatch(result[field], value);
  }
  return result;
}

import type { KubeObject, Status, WatchEvent } from "../../api/types";
import { apiVersionOf } from "../../api/types";
import {
  CompactedError,
  type KeyValue,
  type StoreEvent,
  type WatchIndex,
  type WatchTrigger,
} from "../../store/KeyValueStore";
import { ApiError } from "../ApiError";
import type { ApiServerCore } from "../ApiServer";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, WatchListener } from "../ResourceRequest";
import { fieldValue, type ListFilter, makeListFilter } from "./filters";
import { validateListOptions } from "./listOptions";
import { storageKey, storagePrefix } from "./objects";

/**
 * A watch on a resource with upstream's semantics: resourceVersion unset or "0" starts with
 * synthetic ADDED events for the current state (then, when bookmarks are allowed and
 * sendInitialEvents was asked for, a BOOKMARK annotated `k8s.io/initial-events-end`); an exact
 * resourceVersion replays every change after it (or, when compacted, an ERROR event with a 410
 * Expired Status). Selectors filter as the watch cache does: an object that starts matching is
 * ADDED, one that stops matching is DELETED. Delivered objects are frozen and shared.
 */
export function watchResource(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
  listener: WatchListener,
  onClose?: (error?: Error) => void,
): () => void {
  const filter = makeListFilter(definition, request);
  const apiVersion = apiVersionOf(request.gvr);
  const options = request.options;
  const key = request.name
    ? storageKey(definition, request.namespace, request.name)
    : storagePrefix(definition, request.namespace);
  const prefix = !request.name;
  let closed = false;
  let disposeStore: (() => void) | undefined;
  let disposeTimer: (() => void) | undefined;
  let disposeBookmarks: (() => void) | undefined;
  const close = (error?: Error) => {
    if (closed) return;
    closed = true;
    disposeStore?.();
    disposeTimer?.();
    disposeBookmarks?.();
    onClose?.(error);
  };
  const emit = (event: WatchEvent) => {
    if (closed) return;
    try {
      listener(event);
    } catch {
      // A listener that throws does not get to break the store's delivery to others.
    }
  };
  const expired = (message: string) => {
    const status: Status = ApiError.resourceExpired(message).toStatus();
    emit({ type: "ERROR", object: status as unknown as KubeObject });
    close();
  };
  const bookmark = (revision: number, initialEventsEnd: boolean) => {
    const metadata: KubeObject["metadata"] = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
    emit({ type: "BOOKMARK", object: { apiVersion, kind: definition.kind, metadata } });
  };
  const conversion = definition.conversion;
  const presentFn = conversion
    ? (object: KubeObject) => conversion.fromStorage(object, request.gvr.version)
    : undefined;
  /** The stored shape (for selectors) and the served shape (for listeners); the same without conversion. */
  const decode = (key: string, revision: number, value: string) => {
    const stored = server.decoded.decode(key, revision, value, conversion ? undefined : apiVersion);
    const served = presentFn ? server.decoded.decode(key, revision, value, apiVersion, presentFn) : stored;
    return { stored, served };
  };
  const onStoreEvents = (events: StoreEvent[]) => {
    for (const event of events) {
      if (closed) return;
      const revision = event.kv.modRevision;
      const current = event.type === "PUT" ? decode(event.kv.key, revision, event.kv.value) : undefined;
      const prevKv = event.prevKv;
      // Without selectors the previous object matched if it existed: no need to decode it (at
      // scale it has long left the decoded cache, and decoding it again is a whole JSON parse).
      const previous = prevKv && !filter.trivial ? decode(prevKv.key, prevKv.modRevision, prevKv.value) : undefined;
      const nowMatches = current ? filter.matches(current.stored) : false;
      const before = filter.trivial ? prevKv !== undefined : previous ? filter.matches(previous.stored) : false;
      if (event.type === "DELETE") {
        if (!before || !prevKv) continue;
        // The deleted object carries the revision of its deletion, as upstream's watch does.
        const deleted = server.decoded.decode(
          prevKv.key,
          prevKv.modRevision,
          prevKv.value,
          apiVersion,
          presentFn,
          revision,
        );
        emit({ type: "DELETED", object: deleted });
      } else if (current) {
        if (nowMatches && before) emit({ type: "MODIFIED", object: current.served });
        else if (nowMatches) emit({ type: "ADDED", object: current.served });
        else if (before) emit({ type: "DELETED", object: current.served });
      }
    }
  };

  const optionErrors = validateListOptions(options, true);
  if (optionErrors.length > 0) throw ApiError.invalid("meta.k8s.io", "ListOptions", "", optionErrors);
  const resourceVersion = options.resourceVersion;
  if (resourceVersion && resourceVersion !== "0" && options.sendInitialEvents) {
    // sendInitialEvents with resourceVersionMatch=NotOlderThan: the current state is not older
    // than the revision asked for, as long as the store has reached it.
    const requested = parseRevision(resourceVersion);
    if (requested > server.store.revision) {
      throw ApiError.timeout(`Too large resource version: ${requested}, current: ${server.store.revision}`, 1);
    }
  }
  let startRevision: number;
  if (!resourceVersion || resourceVersion === "0" || options.sendInitialEvents) {
    const sendInitial = options.sendInitialEvents ?? true;
    const snapshot = server.store.range(key, { prefix });
    if (sendInitial) {
      for (const kv of snapshot.kvs) {
        const { stored, served } = decode(kv.key, kv.modRevision, kv.value);
        if (filter.matches(stored)) emit({ type: "ADDED", object: served });
      }
      if (options.sendInitialEvents && options.allowWatchBookmarks) bookmark(snapshot.revision, true);
    }
    startRevision = snapshot.revision + 1;
  } else {
    const requested = parseRevision(resourceVersion);
    if (requested > server.store.revision) {
      throw ApiError.timeout(`Too large resource version: ${requested}, current: ${server.store.revision}`, 1);
    }
    if (requested < server.store.compactRevision) {
      expired(`too old resource version: ${requested} (${server.store.compactRevision + 1})`);
      return () => close();
    }
    startRevision = requested + 1;
  }
  try {
    const trigger = watchTrigger(server, definition, filter);
    // The store replaced (etcd restarted on another data dir): the history this watch followed is
    // gone, so the client is told to list again, as after a compaction.
    const onCanceled = (compactRevision: number) =>
      expired(`too old resource version: ${startRevision - 1} (${compactRevision + 1})`);
    disposeStore = server.store.watch(key, { prefix, startRevision, trigger, onCanceled }, onStoreEvents);
  } catch (error) {
    if (error instanceof CompactedError) {
      expired(`too old resource version: ${startRevision - 1} (${error.compactRevision + 1})`);
      return () => close();
    }
    throw error;
  }
  if (options.timeoutSeconds && options.timeoutSeconds > 0) {
    const timeoutMs = options.timeoutSeconds * 1000;
    disposeTimer = server.clock.setTimer(timeoutMs, () => close());
    if (options.allowWatchBookmarks && !closed) {
      // Every change up to the store's revision has been delivered (synchronously), so that is
      // the revision a client can resume from.
      disposeBookmarks = server.bookmarks.add(server.clock.now() + timeoutMs, () =>
        bookmark(server.store.revision, false),
      );
    }
  }
  if (closed) disposeStore();
  return () => close();
}

/** One index per API server, resource and field, shared by every watcher it triggers. */
const watchIndexes = new WeakMap<ApiServerCore, Map<ResourceDefinition, Map<string, WatchIndex>>>();

/**
 * The indexed trigger of a watch whose field selector requires an exact value of one of the
 * resource's `watchTriggers` (upstream cacher's `indexedTrigger` for `spec.nodeName=<node>`); none
 * otherwise, and the watch then sees every change under its key and filters it itself. The trigger
 * only spares a watcher the changes its selector cannot match before or after, so what it
 * receives is unchanged.
 */
function watchTrigger(
  server: ApiServerCore,
  definition: ResourceDefinition,
  filter: ListFilter,
): WatchTrigger | undefined {
  const triggers = definition.watchTriggers;
  if (!triggers || triggers.length === 0) return undefined;
  const requirement = filter.fields.find((field) => field.operator === "=" && triggers.includes(field.field));
  if (!requirement) return undefined;
  let byDefinition = watchIndexes.get(server);
  if (!byDefinition) {
    byDefinition = new Map();
    watchIndexes.set(server, byDefinition);
  }
  let byField = byDefinition.get(definition);
  if (!byField) {
    byField = new Map();
    byDefinition.set(definition, byField);
  }
  let index = byField.get(requirement.field);
  if (!index) {
    const field = requirement.field;
    // The stored object in its storage version: the same decoded object the watchers then read.
    const apiVersion = definition.conversion
      ? undefined
      : definition.group
        ? `${definition.group}/${definition.versions[0]}`
        : definition.versions[0];
    // A change's previous state is the state the change before it stored (the same frozen
    // KeyValue), so remembering each state's value spares decoding it a second time.
    const values = new WeakMap<KeyValue, string | undefined>();
    index = (kv: KeyValue) => {
      if (values.has(kv)) return values.get(kv);
      const value = fieldValue(definition, server.decoded.decode(kv.key, kv.modRevision, kv.value, apiVersion), field);
      values.set(kv, value);
      return value;
    };
    byField.set(field, index);
  }
  return { index, value: requirement.value };
}

/** A resourceVersion as a revision, or upstream's 400 for one that is not a number. */
function parseRevision(resourceVersion: string): number {
  if (!/^\d+$/.test(resourceVersion)) {
    throw ApiError.badRequest(
      `Invalid value: "${resourceVersion}": strconv.ParseUint: parsing "${resourceVersion}": invalid syntax`,
    );
  }
  return Number(resourceVersion);
}

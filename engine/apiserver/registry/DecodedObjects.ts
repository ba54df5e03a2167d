import type { KubeObject } from "../../api/types";
import { deepFreeze } from "./objects";

interface Variant {
  modRevision: number;
  resourceVersion: number;
  apiVersion: string | undefined;
  presented: boolean;
  object: KubeObject;
  bytes: number;
}

interface KeyEntry {
  variants: Variant[];
  bytes: number;
}

/** Variants kept per key: a watch event needs the new and the previous revision, in one or two versions. */
const VARIANTS_PER_KEY = 6;

/**
 * Stored objects decoded once and shared: a key's value never changes without a new modRevision,
 * so the object decoded from (key, modRevision) in a given apiVersion is the same for every GET,
 * LIST and watcher until the key is written again. Objects are deep-frozen; readers that want to
 * change one copy it first. Once the decoded values exceed `budgetBytes` of stored JSON, the keys
 * decoded longest ago go first (as upstream's watch cache bounds itself by capacity, not by time).
 */
export class DecodedObjects {
  private readonly keys = new Map<string, KeyEntry>();
  private bytes = 0;

  constructor(private readonly budgetBytes = 2 * 1024 * 1024) {}

  /**
   * The frozen object stored at `key` with `value` as of `modRevision`, with resourceVersion set
   * and apiVersion replaced by `apiVersion` when given (served versions share one schema). With
   * `present`, the decoded stored object is passed through it first (CRD version conversion) and
   * `apiVersion` only names the variant. `resourceVersion` overrides the one shown (a watch's
   * DELETED event carries the revision of the deletion).
   */
  decode(
    key: string,
    modRevision: number,
    value: string,
    apiVersion: string | undefined,
    present?: (object: KubeObject) => KubeObject,
    resourceVersion = modRevision,
  ): KubeObject {
    const presented = present !== undefined;
    let entry = this.keys.get(key);
    if (entry) {
      for (const variant of entry.variants) {
        if (
          variant.modRevision === modRevision &&
          variant.resourceVersion === resourceVersion &&
          variant.apiVersion === apiVersion &&
          variant.presented === presented
        ) {
          return variant.object;
        }
      }
    }
    let object = JSON.parse(value) as KubeObject;
    object.metadata.resourceVersion = String(resourceVersion);
    if (present) object = present(object);
    else if (apiVersion) object.apiVersion = apiVersion;
    deepFreeze(object);
    if (!entry) {
      entry = { variants: [], bytes: 0 };
      this.keys.set(key, entry);
    }
    const bytes = value.length + key.length;
    entry.variants.push({ modRevision, resourceVersion, apiVersion, presented, object, bytes });
    entry.bytes += bytes;
    this.bytes += bytes;
    if (entry.variants.length > VARIANTS_PER_KEY) {
      const dropped = entry.variants.shift() as Variant;
      entry.bytes -= dropped.bytes;
      this.bytes -= dropped.bytes;
    }
    if (this.bytes > this.budgetBytes) {
      for (const [oldest, held] of this.keys) {
        if (this.bytes <= this.budgetBytes || oldest === key) break;
        this.keys.delete(oldest);
        this.bytes -= held.bytes;
      }
    }
    return object;
  }

  /**
   * Forgets every decoded object: the store was replaced (etcd restarted on another data dir), and
   * a key may come back at a revision it had before with another value.
   */
  clear(): void {
    this.keys.clear();
    this.bytes = 0;
  }

  /** How many decoded objects are held (for tests and size reports). */
  get size(): number {
    let count = 0;
    for (const entry of this.keys.values()) count += entry.variants.length;
    return count;
  }
}

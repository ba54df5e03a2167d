import type { KubeObject } from "../api/types";

/**
 * One cached form per watched object, shared by every informer and kubelet of the process: the
 * API server hands all watchers of a revision the same frozen object, so they all get the same
 * frozen form back. Keyed weakly: once the API server's decoded cache lets go of an object, its
 * entry goes with it and only the cached form, held by the caches, stays.
 */
const forms = new WeakMap<KubeObject, KubeObject>();

/**
 * The object as informers and kubelets keep it: without `metadata.managedFields`, as upstream's
 * kube-controller-manager and kube-scheduler keep objects in their informers
 * (`informers.WithTransform(trim)`: "Dropping `.metadata.managedFields` to improve memory
 * usage"), and with equal small parts shared between objects (see {@link SharedParts}). Server-side
 * apply's field ownership is about half of a decoded pod's heap and no control loop reads it; an
 * update sent from a trimmed object keeps the stored managedFields (the API server tracks them
 * from the stored object).
 *
 * The result is a new deep-frozen object (the argument is left as it is), the same one for every
 * caller of a frozen argument (a watch event's object).
 */
export function withoutManagedFields<T extends KubeObject>(object: T): T {
  const frozen = Object.isFrozen(object);
  if (frozen) {
    const known = forms.get(object);
    if (known) return known as T;
  }
  const metadata = object.metadata;
  const copy = {} as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const value = (object as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === "metadata" && metadata) {
      const trimmed = {} as Record<string, unknown>;
      for (const field of Object.keys(metadata)) {
        if (field === "managedFields") continue;
        const inner = (metadata as Record<string, unknown>)[field];
        if (inner !== undefined) trimmed[field] = parts.share(inner).value;
      }
      copy.metadata = Object.freeze(trimmed);
    } else copy[key] = parts.share(value).value;
  }
  const form = Object.freeze(copy) as T;
  if (frozen) forms.set(object, form);
  return form;
}

/** A shared JSON value, with a hash of its content (undefined when it is too large to share). */
interface Shared {
  value: unknown;
  hash: number | undefined;
  /** Values in it (itself included), to bound what is shared. */
  size: number;
}

const mix = (hash: number, value: number) => Math.imul(hash ^ value, 16777619) >>> 0;

function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = mix(hash, text.charCodeAt(index));
  return hash;
}

const NULL_HASH = 0x1b873593;
const TRUE_HASH = 0x3c6ef372;
const FALSE_HASH = 0xa54ff53a;

/**
 * Equal small parts of cached objects, shared: every pod of a cluster carries the same
 * tolerations, the same projected service-account volume sources, the same resources per
 * template, conditions and container states that changed in the same second, and the same short
 * strings ("default-scheduler", "ClusterFirst", image names …), which decoding makes anew for
 * each object. Parts are hash-consed bottom-up: a part's children are shared first, so two equal
 * parts have identical children and are told equal by comparing their members by identity; a part
 * is found by a hash of its content. Parts of more than `maxSize` values are copied, not shared.
 * The tables hold the parts seen lately in two generations (a part used in the current or the
 * previous generation stays), so their size is bounded and a part still used by many objects is
 * kept.
 */
class SharedParts {
  private readonly maxSize = 48;
  private readonly maxString = 64;
  private readonly values = new Generations<number, object>(4096);
  /** Short strings seen lately, each with its hash (computed once per string, not per use). */
  private readonly strings = new Generations<string, { text: string; hash: number }>(4096);
  /** Field names with their hashes (the same few names on every object). */
  private readonly names = new Generations<string, number>(4096);

  /** A frozen copy of `value`, with its small parts shared. */
  share(value: unknown): Shared {
    if (value === null || typeof value !== "object") {
      if (typeof value === "string") {
        if (value.length > this.maxString) return { value, hash: undefined, size: 1 };
        let known = this.strings.get(value);
        if (known === undefined) {
          known = { text: value, hash: hashString(value) };
          this.strings.set(value, known);
        }
        return { value: known.text, hash: known.hash, size: 1 };
      }
      if (typeof value === "number") return { value, hash: hashString(String(value)) ^ 0x5bd1e995, size: 1 };
      return { value, hash: value === null ? NULL_HASH : value ? TRUE_HASH : FALSE_HASH, size: 1 };
    }
    let hash: number | undefined;
    let size = 1;
    let copy: unknown[] | Record<string, unknown>;
    if (Array.isArray(value)) {
      const items: unknown[] = new Array(value.length);
      hash = mix(0x9e3779b9, value.length);
      for (let index = 0; index < value.length; index++) {
        const item = this.share(value[index] ?? null);
        items[index] = item.value;
        size += item.size;
        hash = hash !== undefined && item.hash !== undefined ? mix(hash, item.hash) : undefined;
      }
      copy = items;
    } else {
      const fields: Record<string, unknown> = {};
      hash = 0x85ebca6b;
      for (const name of Object.keys(value)) {
        const inner = (value as Record<string, unknown>)[name];
        if (inner === undefined) continue;
        const item = this.share(inner);
        // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
        if (name === "__proto__")
          Object.defineProperty(fields, name, {
            value: item.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else fields[name] = item.value;
        size += item.size;
        hash =
          hash !== undefined && item.hash !== undefined ? mix(mix(hash, this.nameHash(name)), item.hash) : undefined;
      }
      copy = fields;
    }
    Object.freeze(copy);
    if (hash === undefined || size > this.maxSize) return { value: copy, hash: undefined, size };
    const known = this.values.get(hash);
    if (known !== undefined && sameMembers(known, copy)) return { value: known, hash, size };
    // A different part with the same hash keeps its place; this one is simply not shared.
    if (known === undefined) this.values.set(hash, copy);
    return { value: copy, hash, size };
  }

  private nameHash(name: string): number {
    let hash = this.names.get(name);
    if (hash === undefined) {
      hash = hashString(name);
      this.names.set(name, hash);
    }
    return hash;
  }
}

/** Whether two objects (or two arrays) have the same members, compared by identity, in the same order. */
function sameMembers(a: object, b: object): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let index = 0; index < aKeys.length; index++) {
    const key = aKeys[index];
    if (key !== bKeys[index]) return false;
    if ((a as Record<string, unknown>)[key] !== (b as Record<string, unknown>)[key]) return false;
  }
  return true;
}

/**
 * A map that forgets what was not used lately: entries live in the current generation, move
 * there from the previous one when read, and the previous generation is dropped whenever the
 * current one fills up.
 */
class Generations<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(private readonly size: number) {}

  get(key: K): V | undefined {
    const found = this.current.get(key);
    if (found !== undefined) return found;
    const older = this.previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: K, value: V): void {
    this.current.set(key, value);
    if (this.current.size >= this.size) {
      this.previous = this.current;
      this.current = new Map();
    }
  }
}

const parts = new SharedParts();

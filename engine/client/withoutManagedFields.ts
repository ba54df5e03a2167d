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
 * caller of a frozen argument (a watch event's object). `previous`, the cached form of the
 * object's previous revision, lends its parts: a part equal to the previous form's at the same
 * place (same members, same order) is that part, found by walking both without allocating, so a
 * binding or a status update costs the sharing of what it changed. The object's own spec, status
 * and data are never shared themselves (no two objects have the same), only their parts.
 */
export function withoutManagedFields<T extends KubeObject>(object: T, previous?: KubeObject): T {
  const frozen = Object.isFrozen(object);
  if (frozen) {
    const known = forms.get(object);
    if (known) return known as T;
  }
  const old = previous as Record<string, unknown> | undefined;
  const metadata = object.metadata;
  const copy = {} as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const value = (object as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === "metadata" && metadata) {
      const oldMetadata = old?.metadata as Record<string, unknown> | undefined;
      const trimmed = {} as Record<string, unknown>;
      for (const field of Object.keys(metadata)) {
        if (field === "managedFields") continue;
        const inner = (metadata as Record<string, unknown>)[field];
        if (inner === undefined) continue;
        // An object's own name, uid and resourceVersion are its alone: kept as they are, not
        // looked up (they would only crowd the table of shared strings).
        trimmed[field] =
          field === "name" || field === "uid" || field === "resourceVersion"
            ? inner
            : parts.share(inner, oldMetadata?.[field], 0);
      }
      copy.metadata = Object.freeze(trimmed);
    } else copy[key] = parts.share(value, old?.[key], 0, true);
  }
  const form = Object.freeze(copy) as T;
  if (frozen) forms.set(object, form);
  return form;
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
 * A part taken whole from the previous form: its hash and size are not known until
 * {@link SharedParts.measure} is asked for them (only when a parent small enough to share needs them).
 */
const REUSED = -1;

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
 *
 * A new revision of an object is shared against the object's previous form: a part equal to the
 * previous form's part (compared member by member, nothing allocated) is that part, so an update
 * costs a walk of the object and the sharing of what changed (a binding, a status), not the
 * sharing of the whole object again.
 */
class SharedParts {
  private readonly maxSize = 48;
  private readonly maxString = 64;
  private readonly values = new Generations<number, object>(4096);
  /** Short strings seen lately, each with its hash (computed once per string, not per use). */
  private readonly strings = new Generations<string, { text: string; hash: number }>(4096);
  /** Field names with their hashes (the same few names on every object). */
  private readonly names = new Generations<string, number>(4096);
  /**
   * What the last {@link share} found besides the value (kept here rather than in a result object
   * per value): the content's hash (undefined when it cannot be shared, REUSED when the part is the
   * previous form's, not yet hashed) and the number of values in it, itself included.
   */
  private hash: number | undefined = undefined;
  private size = 1;
  /**
   * The members of the parts being shared, innermost last (a part's members are looked up in the
   * table before any copy is made, so a part found there costs no allocation). Slots above the
   * part in progress are stale and overwritten.
   */
  private readonly items: unknown[] = [];
  private readonly keys: string[] = [];

  /**
   * A frozen copy of `value`, with its small parts shared; `previous` is the part at the same
   * place in the object's previous form, whose equal parts are taken as they are. An `own` part
   * (a top-level field: an object's spec or status) is never shared itself, only its parts.
   */
  share(value: unknown, previous: unknown, top: number, own = false): unknown {
    if (value === null || typeof value !== "object") {
      this.size = 1;
      if (typeof value === "string") {
        if (value === previous) {
          // The previous form's string is already the shared one; its hash is found if asked.
          this.hash = REUSED;
          return previous;
        }
        if (value.length > this.maxString) {
          this.hash = undefined;
          return value;
        }
        let known = this.strings.get(value);
        if (known === undefined) {
          known = { text: value, hash: hashString(value) };
          this.strings.set(value, known);
        }
        this.hash = known.hash;
        return known.text;
      }
      this.hash = primitiveHash(value);
      return value;
    }
    const isArray = Array.isArray(value);
    const old =
      previous !== null && typeof previous === "object" && Array.isArray(previous) === isArray
        ? (previous as Record<string, unknown>)
        : undefined;
    const items = this.items;
    const keys = this.keys;
    let count = 0;
    let hash: number | undefined;
    let size = 1;
    /** Whether every member is the previous form's, in the same place. */
    let same = old !== undefined;
    /** Members taken from the previous form whose hash is still to be found. */
    let unhashed = false;
    if (isArray) {
      const list = value as unknown[];
      const oldItems = old as unknown[] | undefined;
      if (oldItems !== undefined && oldItems.length !== list.length) same = false;
      hash = mix(0x9e3779b9, list.length);
      for (let index = 0; index < list.length; index++) {
        const oldItem = oldItems?.[index];
        const item = this.share(list[index] ?? null, oldItem, top + count + 1);
        items[top + count++] = item;
        if (same && item !== oldItem) same = false;
        size += this.size;
        if (this.hash === REUSED) unhashed = true;
        else hash = hash !== undefined && this.hash !== undefined ? mix(hash, this.hash) : undefined;
      }
      if (same) {
        this.hash = REUSED;
        this.size = 1;
        return old;
      }
    } else {
      // Taken whole only with the same members in the same order (the order JSON is written in).
      const oldKeys = old !== undefined ? Object.keys(old) : undefined;
      hash = 0x85ebca6b;
      for (const name in value as object) {
        const inner = (value as Record<string, unknown>)[name];
        if (inner === undefined) continue;
        const oldInner = old?.[name];
        const item = this.share(inner, oldInner, top + count + 1);
        if (same && (item !== oldInner || oldKeys?.[count] !== name)) same = false;
        keys[top + count] = name;
        items[top + count++] = item;
        size += this.size;
        if (this.hash === REUSED) unhashed = true;
        else
          hash =
            hash !== undefined && this.hash !== undefined ? mix(mix(hash, this.nameHash(name)), this.hash) : undefined;
      }
      if (same && count === oldKeys?.length) {
        this.hash = REUSED;
        this.size = 1;
        return old;
      }
    }
    if (own) {
      this.hash = undefined;
      this.size = size;
      return this.copy(isArray, top, count);
    }
    if (unhashed && hash !== undefined && size <= this.maxSize) {
      // Members taken from the previous form were counted as one value each: a part that may be
      // small enough to share has its hash and size found again from its members (bounded).
      const copy = this.copy(isArray, top, count);
      hash = this.measure(copy);
      size = this.size;
      this.size = size;
      if (hash === undefined || size > this.maxSize) {
        this.hash = undefined;
        return copy;
      }
      this.hash = hash;
      const known = this.values.get(hash);
      if (known !== undefined && sameMembers(known, copy)) return known;
      if (known === undefined) this.values.set(hash, copy);
      return copy;
    }
    this.size = size;
    if (unhashed || hash === undefined || size > this.maxSize) {
      this.hash = undefined;
      return this.copy(isArray, top, count);
    }
    this.hash = hash;
    const known = this.values.get(hash);
    if (known !== undefined && this.isKnown(known, isArray, top, count)) return known;
    const copy = this.copy(isArray, top, count);
    // A different part with the same hash keeps its place; this one is simply not shared.
    if (known === undefined) this.values.set(hash, copy);
    return copy;
  }

  /** A frozen part of the `count` members at `top` of the members stack. */
  private copy(isArray: boolean, top: number, count: number): object {
    const items = this.items;
    if (isArray) {
      const list: unknown[] = new Array(count);
      for (let index = 0; index < count; index++) list[index] = items[top + index];
      return Object.freeze(list);
    }
    const keys = this.keys;
    const fields: Record<string, unknown> = {};
    for (let index = 0; index < count; index++) {
      const name = keys[top + index];
      // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
      if (name === "__proto__")
        Object.defineProperty(fields, name, {
          value: items[top + index],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else fields[name] = items[top + index];
    }
    return Object.freeze(fields);
  }

  /** Whether a part in the table has the `count` members at `top` (by identity, in order). */
  private isKnown(known: object, isArray: boolean, top: number, count: number): boolean {
    if (Array.isArray(known) !== isArray) return false;
    const items = this.items;
    if (isArray) {
      const list = known as unknown[];
      if (list.length !== count) return false;
      for (let index = 0; index < count; index++) if (list[index] !== items[top + index]) return false;
      return true;
    }
    const keys = this.keys;
    let index = 0;
    for (const name in known) {
      if (index >= count || keys[top + index] !== name) return false;
      if ((known as Record<string, unknown>)[name] !== items[top + index]) return false;
      index++;
    }
    return index === count;
  }

  /**
   * The hash of a part already in a form (its strings are the shared ones), and its size in
   * `this.size`; undefined once it holds more than maxSize values or a long string.
   */
  private measure(value: unknown): number | undefined {
    this.size = 1;
    if (value === null || typeof value !== "object") {
      if (typeof value !== "string") return primitiveHash(value);
      if (value.length > this.maxString) return undefined;
      return this.strings.get(value)?.hash ?? hashString(value);
    }
    let size = 1;
    let hash: number | undefined;
    if (Array.isArray(value)) {
      hash = mix(0x9e3779b9, value.length);
      for (const item of value) {
        const inner = this.measure(item);
        size += this.size;
        if (inner === undefined || size > this.maxSize) return undefined;
        hash = mix(hash, inner);
      }
    } else {
      hash = 0x85ebca6b;
      for (const name in value) {
        const inner = this.measure((value as Record<string, unknown>)[name]);
        size += this.size;
        if (inner === undefined || size > this.maxSize) return undefined;
        hash = mix(mix(hash, this.nameHash(name)), inner);
      }
    }
    this.size = size;
    return hash;
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

function primitiveHash(value: unknown): number {
  if (typeof value === "number") return (hashString(String(value)) ^ 0x5bd1e995) >>> 0;
  return value === null ? NULL_HASH : value ? TRUE_HASH : FALSE_HASH;
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

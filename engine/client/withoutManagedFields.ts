import type { KubeObject } from "../api/types";

/**
 * One trimmed copy per watched object, shared by every informer and kubelet of the process: the
 * API server hands all watchers of a revision the same frozen object, so they all get the same
 * frozen copy back. Keyed weakly: once the API server's decoded cache lets go of an object, its
 * entry goes with it and only the trimmed copy, held by the caches, stays.
 */
const trimmed = new WeakMap<KubeObject, KubeObject>();

/**
 * The object without `metadata.managedFields`, as upstream's kube-controller-manager and
 * kube-scheduler keep objects in their informers (`informers.WithTransform(trim)`: "Dropping
 * `.metadata.managedFields` to improve memory usage"). Server-side apply's field ownership is
 * about half of a decoded pod's heap and no control loop reads it; an update sent from a trimmed
 * object keeps the stored managedFields (the API server tracks them from the stored object).
 *
 * A frozen object (a watch event's) gets a frozen shallow copy that shares everything but the
 * top level and `metadata` with it, the same copy for every caller; an object the caller owns
 * (a list item) is trimmed in place. An object without managedFields is returned as it is.
 */
export function withoutManagedFields<T extends KubeObject>(object: T): T {
  const metadata = object.metadata;
  if (!metadata || metadata.managedFields === undefined) return object;
  if (!Object.isFrozen(object)) {
    if (Object.isFrozen(metadata)) object.metadata = { ...metadata };
    delete object.metadata.managedFields;
    return object;
  }
  const known = trimmed.get(object);
  if (known) return known as T;
  const { managedFields: _, ...rest } = metadata;
  const copy = Object.freeze({ ...object, metadata: Object.freeze(rest) }) as T;
  trimmed.set(object, copy);
  return copy;
}

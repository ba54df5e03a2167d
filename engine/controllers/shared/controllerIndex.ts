import type { KubeObject } from "../../api/types";
import type { Informer } from "../runtime/types";
import { controllerOf } from "./ownerReferences";

const shared = new WeakMap<object, ControllerIndex<KubeObject>>();

/**
 * An informer's objects indexed by their controller's uid, plus the orphans (no controller) per
 * namespace: client-go's PodControllerUIDIndex, which the ReplicaSet, Job, DaemonSet and
 * StatefulSet controllers use to find their pods without scanning every pod of the namespace. A
 * sync then costs what the owner has, not what the namespace holds (a 100,000-pod Deployment next
 * to a small one no longer slows the small one down). One index per informer, shared.
 */
export class ControllerIndex<T extends KubeObject> {
  private readonly byController = new Map<string, Map<string, T>>();
  private readonly orphansByNamespace = new Map<string, Map<string, T>>();
  /** Where each object is filed, by `namespace/name`. */
  private readonly filed = new Map<string, string | undefined>();

  /** The index of `informer`, made on first use and kept up to date by its events. */
  static of<T extends KubeObject>(informer: Informer<T>): ControllerIndex<T> {
    let index = shared.get(informer) as ControllerIndex<T> | undefined;
    if (!index) {
      const created = new ControllerIndex<T>();
      informer.addHandlers({
        add: (object) => created.file(object),
        update: (_old, object) => created.file(object),
        delete: (object) => created.unfile(object),
      });
      index = created;
      shared.set(informer, index as unknown as ControllerIndex<KubeObject>);
    }
    return index;
  }

  /** The objects whose controller reference has `uid`. Never mutate them: clone first. */
  controlledBy(uid: string | undefined): T[] {
    const objects = uid === undefined ? undefined : this.byController.get(uid);
    return objects ? [...objects.values()] : [];
  }

  /** How many objects the controller with `uid` has. */
  countControlledBy(uid: string | undefined): number {
    return uid === undefined ? 0 : (this.byController.get(uid)?.size ?? 0);
  }

  /** The objects in `namespace` with no controller reference (candidates for adoption). */
  orphans(namespace: string | undefined): T[] {
    const objects = this.orphansByNamespace.get(namespace ?? "");
    return objects ? [...objects.values()] : [];
  }

  /** What a controller with `uid` in `namespace` may own: its own objects, then the orphans there. */
  candidates(uid: string | undefined, namespace: string | undefined): T[] {
    return [...this.controlledBy(uid), ...this.orphans(namespace)];
  }

  private file(object: T): void {
    const key = `${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
    const uid = controllerOf(object)?.uid;
    const previous = this.filed.get(key);
    if (this.filed.has(key) && previous !== uid) this.remove(key, previous, object.metadata.namespace);
    this.filed.set(key, uid);
    const buckets: Map<string, Map<string, T>> = uid === undefined ? this.orphansByNamespace : this.byController;
    const bucketKey = uid ?? object.metadata.namespace ?? "";
    let bucket = buckets.get(bucketKey);
    if (!bucket) {
      bucket = new Map();
      buckets.set(bucketKey, bucket);
    }
    bucket.set(key, object);
  }

  private unfile(object: T): void {
    const key = `${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
    if (!this.filed.has(key)) return;
    this.remove(key, this.filed.get(key), object.metadata.namespace);
    this.filed.delete(key);
  }

  private remove(key: string, uid: string | undefined, namespace: string | undefined): void {
    if (uid === undefined) {
      const bucket = this.orphansByNamespace.get(namespace ?? "");
      bucket?.delete(key);
      if (bucket?.size === 0) this.orphansByNamespace.delete(namespace ?? "");
    } else {
      const bucket = this.byController.get(uid);
      bucket?.delete(key);
      if (bucket?.size === 0) this.byController.delete(uid);
    }
  }
}

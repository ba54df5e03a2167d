import type { GroupVersionResource, KubeList, KubeObject, Status, WatchEvent } from "../api/types";

/**
 * The in-process Kubernetes client every control loop uses (scheduler, controllers, kubelets).
 * It has the same semantics as the REST API over HTTP (the same registry, admission, validation,
 * errors and resourceVersions) without the bytes: calls go straight into the API server's request
 * pipeline. Failures are thrown as `ApiError` (engine/apiserver/ApiError.ts), shaped like a
 * Kubernetes `Status`.
 */
export interface Client {
  get<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
  ): Promise<T>;
  list<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace?: string,
    options?: ListOptions,
  ): Promise<KubeList<T>>;
  /** Creates `object` in `object.metadata.namespace` (for namespaced resources). */
  create<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object (PUT). Carries metadata.resourceVersion: a stale one throws Conflict. */
  update<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    object: T,
    options?: WriteOptions & { subresource?: string },
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options?: WriteOptions & { subresource?: string; force?: boolean },
  ): Promise<T>;
  /** Returns the object as it is after the call (graceful deletion) or a Success Status once removed. */
  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): Promise<KubeObject | Status>;
  /** POST to a subresource: `binding` and `eviction` of pods, for example. */
  createSubresource<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T>;
  /**
   * Watches from `options.resourceVersion` (absent: from now, after synthetic ADDED events for the
   * current state, as the real API does for resourceVersion=""/"0" semantics of a list+watch).
   * An expired resourceVersion delivers an ERROR event carrying a 410 Status and then closes.
   * Returns a disposer that stops the watch.
   */
  watch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onClose?: (error?: Error) => void,
  ): () => void;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

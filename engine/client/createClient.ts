import type { GroupVersionResource, KubeList, KubeObject, Status, WatchEvent } from "../api/types";
import { ApiError } from "../apiserver/ApiError";
import type { ApiServer } from "../apiserver/ApiServer";
import type { RequestOptions, ResourceRequest, UserInfo, Verb } from "../apiserver/ResourceRequest";
import type { Client, DeleteOptions, ListOptions, PatchType, WatchOptions, WriteOptions } from "./Client";

/** The cluster administrator, as the learner's kubeconfig authenticates. */
export const ADMIN_USER: UserInfo = {
  username: "kubernetes-admin",
  groups: ["system:masters", "system:authenticated"],
};

/**
 * An in-process {@link Client} acting as `user`: every call goes through the API server's request
 * pipeline (admission, validation, resourceVersions, errors) without serialization. Failures are
 * thrown as {@link ApiError}. Objects returned by get/list/create/update/patch are the caller's to
 * mutate; objects delivered by `watch` are shared and frozen.
 *
 * Calls complete synchronously inside the API server but resolve as promises, as a network client would.
 */
export function createClient(apiServer: ApiServer, user: UserInfo = ADMIN_USER, defaultFieldManager?: string): Client {
  const run = (request: Omit<ResourceRequest, "user">): unknown => {
    const response = apiServer.execute({ ...request, user });
    return response.body;
  };
  const call = <T>(request: Omit<ResourceRequest, "user">): Promise<T> => {
    try {
      return Promise.resolve(run(request) as T);
    } catch (error) {
      return Promise.reject(error instanceof ApiError ? error : ApiError.internal(error));
    }
  };
  const writeOptions = (options?: WriteOptions & { force?: boolean }): RequestOptions => ({
    dryRun: options?.dryRun,
    fieldManager: options?.fieldManager ?? defaultFieldManager,
    force: options?.force,
  });
  const request = (
    verb: Verb,
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string | undefined,
    options: RequestOptions,
    extra: Partial<ResourceRequest> = {},
  ): Omit<ResourceRequest, "user"> => ({ verb, gvr, namespace: namespace || undefined, name, options, ...extra });

  return {
    get<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      namespace: string | undefined,
      name: string,
    ): Promise<T> {
      return call<T>(request("get", gvr, namespace, name, {}));
    },
    list<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      namespace?: string,
      options: ListOptions = {},
    ): Promise<KubeList<T>> {
      return call<KubeList<T>>(request("list", gvr, namespace, undefined, { ...options }));
    },
    create<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      object: T,
      options?: WriteOptions,
    ): Promise<T> {
      return call<T>(
        request("create", gvr, object.metadata?.namespace, undefined, writeOptions(options), { body: object }),
      );
    },
    update<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      object: T,
      options?: WriteOptions & { subresource?: string },
    ): Promise<T> {
      return call<T>(
        request("update", gvr, object.metadata?.namespace, object.metadata?.name, writeOptions(options), {
          body: object,
          subresource: options?.subresource,
        }),
      );
    },
    patch<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      namespace: string | undefined,
      name: string,
      patchType: PatchType,
      patch: unknown,
      options?: WriteOptions & { subresource?: string; force?: boolean },
    ): Promise<T> {
      return call<T>(
        request("patch", gvr, namespace, name, writeOptions(options), {
          body: typeof patch === "string" ? patch : JSON.stringify(patch),
          patchType,
          subresource: options?.subresource,
        }),
      );
    },
    delete(
      gvr: GroupVersionResource,
      namespace: string | undefined,
      name: string,
      options: DeleteOptions = {},
    ): Promise<KubeObject | Status> {
      return call<KubeObject | Status>(
        request("delete", gvr, namespace, name, {
          gracePeriodSeconds: options.gracePeriodSeconds,
          propagationPolicy: options.propagationPolicy,
          preconditions: options.preconditions,
          dryRun: options.dryRun,
        }),
      );
    },
    createSubresource<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      namespace: string | undefined,
      name: string,
      subresource: string,
      body: KubeObject,
      options?: WriteOptions,
    ): Promise<T> {
      return call<T>(request("create", gvr, namespace, name, writeOptions(options), { body, subresource }));
    },
    watch<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      namespace: string | undefined,
      options: WatchOptions,
      onEvent: (event: WatchEvent<T>) => void,
      onClose?: (error?: Error) => void,
    ): () => void {
      try {
        return apiServer.watch(
          { ...request("list", gvr, namespace, undefined, { ...options }), user },
          onEvent as (event: WatchEvent) => void,
          onClose,
        );
      } catch (error) {
        // A bad watch request fails the way a failed HTTP watch does: the watch closes with the error.
        const failure = error instanceof ApiError ? error : ApiError.internal(error);
        let disposed = false;
        queueMicrotask(() => {
          if (!disposed) onClose?.(failure);
        });
        return () => {
          disposed = true;
        };
      }
    },
  };
}

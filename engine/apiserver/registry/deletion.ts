import type { KubeObject } from "../../api/types";
import { apiVersionOf } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { ApiError } from "../ApiError";
import type { ApiServerCore } from "../ApiServer";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse } from "../ResourceRequest";
import { makeListFilter } from "./filters";
import { clone, decodeObject, storagePrefix } from "./objects";

const ORPHAN = "orphan";
const FOREGROUND = "foregroundDeletion";
const PROTECTED_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/**
 * DELETE of one object, as upstream's generic `Store.Delete`: preconditions, graceful deletion
 * (pods: deletionTimestamp now+grace and deletionGracePeriodSeconds, kept until the kubelet deletes
 * with grace 0; unbound or finished pods go at once), finalizers (kept with a deletionTimestamp until
 * they are removed), the propagationPolicy's `orphan`/`foregroundDeletion` finalizers for the
 * garbage collector, and namespaces entering Terminating.
 */
export function deleteObject(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  const name = request.name;
  if (!name) throw ApiError.badRequest("name is required");
  const current = server.readOrNotFound(definition, request.namespace, name);
  const object = clone(current.object);
  const options = request.options;
  const preconditions = options.preconditions;
  if (preconditions?.uid && preconditions.uid !== object.metadata.uid) {
    throw ApiError.conflict(
      definition.group,
      definition.resource,
      name,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${object.metadata.uid}`,
    );
  }
  if (preconditions?.resourceVersion && preconditions.resourceVersion !== object.metadata.resourceVersion) {
    throw ApiError.conflict(
      definition.group,
      definition.resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${object.metadata.resourceVersion}`,
    );
  }
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
    throw ApiError.invalid("", "DeleteOptions", "", [
      {
        type: "FieldValueInvalid",
        field: "gracePeriodSeconds",
        badValue: options.gracePeriodSeconds,
        detail: "must be >= 0",
      },
    ]);
  }
  if (options.propagationPolicy && !["Orphan", "Background", "Foreground"].includes(options.propagationPolicy)) {
    throw ApiError.invalid("", "DeleteOptions", "", [
      {
        type: "FieldValueNotSupported",
        field: "propagationPolicy",
        badValue: options.propagationPolicy,
        supportedValues: ["Foreground", "Background", "Orphan", "nil"],
      },
    ]);
  }
  const isNamespace = definition.group === "" && definition.resource === "namespaces";
  if (isNamespace && PROTECTED_NAMESPACES.has(name)) {
    throw ApiError.forbidden("", "namespaces", name, "this namespace may not be deleted");
  }
  const dryRun = !!options.dryRun;
  server.validateAdmission({
    operation: "DELETE",
    definition,
    namespace: request.namespace,
    name,
    oldObject: current.object,
    dryRun,
    user: request.user,
  });
  const now = server.clock.now();
  const metadata = object.metadata;

  if (isNamespace) return deleteNamespace(server, definition, request, current, object);

  const grace = gracePeriod(definition, object, options.gracePeriodSeconds);
  let finalizers = [...(metadata.finalizers ?? [])];
  const policy = options.propagationPolicy;
  if (policy === "Orphan" || policy === "Foreground") {
    finalizers = finalizers.filter((finalizer) => finalizer !== ORPHAN && finalizer !== FOREGROUND);
    finalizers.push(policy === "Orphan" ? ORPHAN : FOREGROUND);
  } else if (policy === "Background") {
    finalizers = finalizers.filter((finalizer) => finalizer !== ORPHAN && finalizer !== FOREGROUND);
  }
  const alreadyDeleting = !!metadata.deletionTimestamp;
  const pendingGrace = grace !== undefined && grace > 0;
  if (finalizers.length === 0 && !pendingGrace) {
    if (dryRun) return deletedResponse(server, definition, request, object);
    const removed = server.removeFromStore(definition, object, current.kv, request);
    return deletedResponse(server, definition, request, removed.object);
  }
  // The object stays, marked for deletion: a graceful pod waits for its kubelet, finalizers for
  // their controllers.
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  else delete metadata.finalizers;
  if (!alreadyDeleting) {
    metadata.deletionTimestamp = toRfc3339(now + (grace ?? 0) * 1000);
    metadata.deletionGracePeriodSeconds = grace ?? 0;
  } else if (grace !== undefined && grace < (metadata.deletionGracePeriodSeconds ?? 0)) {
    // A second delete may shorten, never lengthen, the grace period.
    metadata.deletionTimestamp = toRfc3339(now + grace * 1000);
    metadata.deletionGracePeriodSeconds = grace;
  }
  if (alreadyDeleting && deepSame(object, current.object)) {
    return { status: 200, body: withVersion(current.object, request) };
  }
  if (dryRun) return { status: 200, body: withVersion(object, request) };
  const updated = server.store.txn({
    compare: [{ key: current.kv.key, target: "modRevision", result: "=", value: current.kv.modRevision }],
    success: [
      {
        type: "put",
        key: current.kv.key,
        value: JSON.stringify({ ...object, metadata: { ...metadata, resourceVersion: undefined } }),
      },
    ],
  });
  if (!updated.succeeded) throw ApiError.modified(definition.group, definition.resource, name);
  object.metadata.resourceVersion = String(updated.revision);
  return { status: 200, body: withVersion(object, request) };
}

function deleteNamespace(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
  current: ReturnType<ApiServerCore["readOrNotFound"]>,
  object: KubeObject,
): ResourceResponse {
  const metadata = object.metadata;
  const dryRun = !!request.options.dryRun;
  const specFinalizers: string[] = object.spec?.finalizers ?? [];
  const policy = request.options.propagationPolicy;
  let finalizers = [...(metadata.finalizers ?? [])];
  if (policy === "Orphan") finalizers = [...finalizers.filter((f) => f !== ORPHAN), ORPHAN];
  if (policy === "Foreground") finalizers = [...finalizers.filter((f) => f !== FOREGROUND), FOREGROUND];
  if (specFinalizers.length === 0 && finalizers.length === 0) {
    if (dryRun) return { status: 200, body: withVersion(object, request) };
    const removed = server.removeFromStore(definition, object, current.kv, request);
    return { status: 200, body: removed.object };
  }
  if (metadata.deletionTimestamp) return { status: 200, body: withVersion(current.object, request) };
  metadata.deletionTimestamp = toRfc3339(server.clock.now());
  metadata.deletionGracePeriodSeconds = 0;
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  object.status = { ...(object.status ?? {}), phase: "Terminating" };
  if (dryRun) return { status: 200, body: withVersion(object, request) };
  const updated = server.store.txn({
    compare: [{ key: current.kv.key, target: "modRevision", result: "=", value: current.kv.modRevision }],
    success: [
      {
        type: "put",
        key: current.kv.key,
        value: JSON.stringify({ ...object, metadata: { ...metadata, resourceVersion: undefined } }),
      },
    ],
  });
  if (!updated.succeeded) throw ApiError.modified(definition.group, definition.resource, metadata.name ?? "");
  object.metadata.resourceVersion = String(updated.revision);
  return { status: 200, body: withVersion(object, request) };
}

/**
 * The grace period of a delete, as upstream's `CheckGracefulDeleteStrategy`: only pods are
 * graceful; a pod not yet bound to a node or already finished is deleted at once.
 */
function gracePeriod(
  definition: ResourceDefinition,
  object: KubeObject,
  requested: number | undefined,
): number | undefined {
  if (definition.group !== "" || definition.resource !== "pods") return undefined;
  let grace = requested ?? object.spec?.terminationGracePeriodSeconds ?? 30;
  const phase = object.status?.phase;
  if (!object.spec?.nodeName || phase === "Succeeded" || phase === "Failed") grace = 0;
  return grace;
}

/** Pods, namespaces and custom resources return the deleted object; others a Success Status. */
function deletedResponse(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
  object: KubeObject,
): ResourceResponse {
  const returnsObject =
    (definition.group === "" && (definition.resource === "pods" || definition.resource === "namespaces")) ||
    server.customResources.isCustom(definition);
  return { status: 200, body: returnsObject ? withVersion(object, request) : server.successStatus(definition, object) };
}

function withVersion(object: KubeObject, request: ResourceRequest): KubeObject {
  const definition = currentDefinition;
  if (definition?.conversion) return definition.conversion.fromStorage(object, request.gvr.version);
  return { ...object, apiVersion: apiVersionOf(request.gvr) };
}

/** The definition of the delete in progress (deletes run synchronously, one at a time). */
let currentDefinition: ResourceDefinition | undefined;

function deepSame(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** DELETE on a collection: deletes every matching object, returning them as a list. */
export function deleteCollection(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  const filter = makeListFilter(definition, request);
  const prefix = storagePrefix(definition, request.namespace);
  const items: KubeObject[] = [];
  for (const kv of server.store.range(prefix, { prefix: true }).kvs) {
    const object = decodeObject(kv);
    if (!filter.matches(object)) continue;
    try {
      const response = deleteObject(server, definition, {
        ...request,
        verb: "delete",
        namespace: object.metadata.namespace,
        name: object.metadata.name,
      });
      if ((response.body as KubeObject).kind !== "Status") items.push(response.body as KubeObject);
      else items.push(object);
    } catch (error) {
      if (error instanceof ApiError && error.reason === "NotFound") continue;
      throw error;
    }
  }
  return {
    status: 200,
    body: {
      apiVersion: apiVersionOf(request.gvr),
      kind: `${definition.kind}List`,
      metadata: { resourceVersion: String(server.store.revision) },
      items,
    } as unknown as KubeObject,
  };
}

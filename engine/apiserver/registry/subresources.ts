import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { ApiError } from "../ApiError";
import type { ApiServerCore } from "../ApiServer";
import { applyMergePatch, isPlainObject } from "../patch/mergePatch";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse } from "../ResourceRequest";
import { selectorFromObject } from "../selectors/LabelSelector";
import { evictPod } from "./eviction";
import { applyJsonPatchDocument } from "./jsonPatch";
import { clone, getPath, setPath } from "./objects";
import { createToken } from "./tokenRequest";

type Handler = (server: ApiServerCore, definition: ResourceDefinition, request: ResourceRequest) => ResourceResponse;

/** Subresources served through `handle`, by name. Streaming ones (log, exec …) are the HTTP layer's. */
export const SUBRESOURCE_HANDLERS: Record<string, Handler> = {
  status: handleObjectSubresource,
  approval: handleObjectSubresource,
  scale: handleScale,
  binding: handleBinding,
  eviction: evictPod,
  finalize: handleFinalize,
  ephemeralcontainers: handleObjectSubresource,
  token: createToken,
};

/** Routes a request for `<resource>/<subresource>`. */
export function handleSubresource(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  const subresource = request.subresource ?? "";
  const handler = SUBRESOURCE_HANDLERS[subresource];
  if (!handler || !supports(definition, subresource)) {
    throw new ApiError("NotFound", 404, "the server could not find the requested resource", {});
  }
  return handler(server, definition, request);
}

function supports(definition: ResourceDefinition, subresource: string): boolean {
  const core = definition.group === "";
  switch (subresource) {
    case "status":
      return (
        !!definition.subresources?.status ||
        (core &&
          [
            "namespaces",
            "nodes",
            "pods",
            "services",
            "persistentvolumes",
            "persistentvolumeclaims",
            "resourcequotas",
          ].includes(definition.resource))
      );
    case "scale":
      return !!definition.subresources?.scale;
    case "approval":
      return !!definition.subresources?.approval;
    case "binding":
    case "eviction":
      return core && definition.resource === "pods";
    case "finalize":
      return core && definition.resource === "namespaces";
    case "ephemeralcontainers":
      return core && definition.resource === "pods";
    case "token":
      return core && definition.resource === "serviceaccounts";
    default:
      return false;
  }
}

/**
 * A subresource that reads and writes the whole object, of which the subresource's strategy lets
 * only its own part change: `status`, `approval` (CertificateSigningRequests) and
 * `pods/ephemeralcontainers` (upstream's EphemeralContainersREST, where `kubectl debug` adds its
 * container with a strategic merge patch).
 */
function handleObjectSubresource(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  switch (request.verb) {
    case "get": {
      const found = server.readOrNotFound(definition, request.namespace, request.name ?? "");
      return { status: 200, body: server.present(definition, found.object, request) };
    }
    case "update": {
      if (!isPlainObject(request.body)) throw ApiError.badRequest("the body of the request must be a JSON object");
      const object = server.decodeBody(definition, request, []);
      const found = server.readOrNotFound(definition, request.namespace, request.name ?? "");
      return { status: 200, body: server.updateObject(definition, request, found, object) };
    }
    case "patch":
      return server.patchObject(definition, request);
    default:
      throw ApiError.methodNotSupported(
        definition.group,
        `${definition.resource}/${request.subresource}`,
        request.verb,
      );
  }
}

/**
 * `/finalize` on a namespace (the namespace controller's last step): only spec.finalizers changes,
 * bypassing the namespace strategy (which keeps spec on ordinary updates). A terminating namespace
 * left with no finalizers is removed, as upstream's finalize does.
 */
function handleFinalize(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  if (request.verb !== "update") throw ApiError.methodNotSupported("", "namespaces/finalize", request.verb);
  const body = request.body as KubeObject;
  if (!isPlainObject(body)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const name = request.name ?? "";
  const found = server.readOrNotFound(definition, undefined, name);
  const requestedVersion = body.metadata?.resourceVersion;
  if (requestedVersion && requestedVersion !== found.object.metadata.resourceVersion) {
    throw ApiError.modified("", "namespaces", name);
  }
  const object = clone(found.object);
  const finalizers: string[] = Array.isArray(body.spec?.finalizers) ? body.spec.finalizers : [];
  object.spec = { ...(object.spec ?? {}) };
  if (finalizers.length > 0) object.spec.finalizers = finalizers;
  else delete object.spec.finalizers;
  if (request.options.dryRun) return { status: 200, body: server.present(definition, object, request) };
  if (object.metadata.deletionTimestamp && finalizers.length === 0 && !object.metadata.finalizers?.length) {
    return { status: 200, body: server.removeFromStore(definition, object, found.kv, request).object };
  }
  const response = server.store.txn({
    compare: [{ key: found.kv.key, target: "modRevision", result: "=", value: found.kv.modRevision }],
    success: [
      {
        type: "put",
        key: found.kv.key,
        value: JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: undefined } }),
      },
    ],
  });
  if (!response.succeeded) throw ApiError.modified("", "namespaces", name);
  object.metadata.resourceVersion = String(response.revision);
  return { status: 200, body: server.present(definition, object, request) };
}

// ---- scale ------------------------------------------------------------------------------------

/** The autoscaling/v1 Scale of an object, as upstream's scale subresource builds it. */
export function scaleOf(definition: ResourceDefinition, object: KubeObject): KubeObject {
  const paths = definition.subresources?.scale;
  if (!paths) throw ApiError.internal("no scale subresource");
  const selector = paths.labelSelectorPath ? getPath(object, paths.labelSelectorPath) : undefined;
  let selectorText: string | undefined;
  if (typeof selector === "string") selectorText = selector;
  else if (isPlainObject(selector)) selectorText = selectorFromObject(selector).toString();
  const status: Record<string, unknown> = { replicas: Number(getPath(object, paths.statusReplicasPath) ?? 0) };
  if (selectorText) status.selector = selectorText;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: Number(getPath(object, paths.specReplicasPath) ?? 0) },
    status,
  };
}

function handleScale(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  const name = request.name ?? "";
  const paths = definition.subresources?.scale;
  if (!paths) throw new ApiError("NotFound", 404, "the server could not find the requested resource", {});
  const found = server.readOrNotFound(definition, request.namespace, name);
  const scale = scaleOf(definition, found.object);
  if (request.verb === "get") return { status: 200, body: scale };
  let desired: KubeObject;
  if (request.verb === "update") {
    if (!isPlainObject(request.body)) throw ApiError.badRequest("the body of the request must be a JSON object");
    desired = request.body as KubeObject;
    if (desired.kind && desired.kind !== "Scale")
      throw ApiError.badRequest(`${desired.kind} in version "v1" cannot be handled as a Scale`);
  } else if (request.verb === "patch") {
    const document = typeof request.body === "string" ? parseJson(request.body) : request.body;
    if (request.patchType === "json") desired = applyJsonPatchDocument(clone(scale), document) as KubeObject;
    else if (request.patchType === "merge" || request.patchType === "strategic") {
      if (!isPlainObject(document))
        throw ApiError.badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
      desired = applyMergePatch(clone(scale), document) as KubeObject;
    } else if (request.patchType === "apply") {
      desired = applyMergePatch(clone(scale), document) as KubeObject;
    } else throw ApiError.unsupportedMediaType(String(request.patchType));
  } else {
    throw ApiError.methodNotSupported(definition.group, `${definition.resource}/scale`, request.verb);
  }
  const replicas = desired.spec?.replicas;
  if (replicas !== undefined && (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)) {
    throw ApiError.invalid("autoscaling", "Scale", name, [
      {
        type: "FieldValueInvalid",
        field: "spec.replicas",
        badValue: replicas,
        detail: "must be greater than or equal to 0",
      },
    ]);
  }
  const requestedVersion = desired.metadata?.resourceVersion;
  if (requestedVersion && requestedVersion !== found.object.metadata.resourceVersion) {
    throw ApiError.modified(definition.group, definition.resource, name);
  }
  const object = clone(found.object);
  setPath(object, paths.specReplicasPath, replicas ?? 0);
  delete object.metadata.resourceVersion;
  const updated = server.updateObject(definition, { ...request, verb: "update", subresource: "scale" }, found, object);
  return { status: 200, body: scaleOf(definition, updated) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw ApiError.badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

// ---- binding ----------------------------------------------------------------------------------

/**
 * `pods/binding`: the scheduler's bind. Sets spec.nodeName and the PodScheduled condition;
 * a pod already bound or being deleted is a Conflict, as upstream's `assignPod`.
 */
function handleBinding(
  server: ApiServerCore,
  definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  if (request.verb !== "create") throw ApiError.methodNotSupported("", "pods/binding", request.verb);
  const binding = request.body as KubeObject;
  if (!isPlainObject(binding)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const name = request.name ?? binding.metadata?.name ?? "";
  if (binding.metadata?.name && binding.metadata.name !== name) {
    throw ApiError.badRequest(
      `the name of the object (${binding.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  const target = binding.target;
  if (!isPlainObject(target) || !target.name) {
    throw ApiError.invalid("", "Binding", name, [{ type: "FieldValueRequired", field: "target.name", detail: "" }]);
  }
  if (target.kind && target.kind !== "Node") {
    throw ApiError.invalid("", "Binding", name, [
      {
        type: "FieldValueNotSupported",
        field: "target.kind",
        badValue: target.kind,
        supportedValues: ["Node", "<empty>"],
      },
    ]);
  }
  const nodeName = String(target.name);
  const found = server.read(definition, request.namespace, name);
  if (!found) throw ApiError.notFound("", "pods", name);
  const pod = clone(found.object);
  const bindingConflict = (why: string) => ApiError.conflict("", "pods/binding", name, why);
  if (pod.metadata.deletionTimestamp)
    throw bindingConflict(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) {
    throw bindingConflict(
      `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`,
    );
  }
  if (pod.spec?.nodeName) throw bindingConflict(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  pod.spec = { ...pod.spec, nodeName };
  const conditions: Array<Record<string, unknown>> = [...(pod.status?.conditions ?? [])];
  const scheduled = {
    type: "PodScheduled",
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: toRfc3339(server.clock.now()),
  };
  const index = conditions.findIndex((condition) => condition.type === "PodScheduled");
  if (index >= 0) {
    if (conditions[index].status !== "True") conditions[index] = scheduled;
  } else conditions.push(scheduled);
  pod.status = { ...(pod.status ?? {}), conditions };
  if (binding.metadata?.annotations) {
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
  }
  if (!request.options.dryRun) {
    const response = server.store.txn({
      compare: [{ key: found.kv.key, target: "modRevision", result: "=", value: found.kv.modRevision }],
      success: [
        {
          type: "put",
          key: found.kv.key,
          value: JSON.stringify({ ...pod, metadata: { ...pod.metadata, resourceVersion: undefined } }),
        },
      ],
    });
    if (!response.succeeded) throw ApiError.modified("", "pods", name);
  }
  return {
    status: 201,
    body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } as unknown as KubeObject,
  };
}

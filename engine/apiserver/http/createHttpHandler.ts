import type { KubeObject, Status, WatchEvent } from "../../api/types";
import type { PatchType } from "../../client/Client";
import { ApiError, quote } from "../ApiError";
import { impersonatedUser } from "../auth/impersonation";
import { forbiddenError } from "../auth/rbacAuthorizer";
import type { OpenApiSchema, ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, Verb } from "../ResourceRequest";
import { bridgePortForward, bridgeSession, CHANNEL_PROTOCOLS, chooseProtocol } from "./channelProtocol";
import {
  BodySyntaxError,
  decodeObjectBody,
  type ExpectedKind,
  PROTOBUF,
  parseBody,
  parseJsonBody,
  parseYamlBody,
  strictDecodingError,
} from "./decodeBody";
import {
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  collectResources,
  type DiscoveryResource,
} from "./discovery";
import { findUnknownFields } from "./fieldValidation";
import { healthResponse } from "./health";
import { metaSchemas as openApiMetaPool } from "./metaSchemas";
import { handleMetrics } from "./metrics";
import { mediaTypeOf, type Negotiated, negotiateDiscovery, negotiateResource } from "./negotiation";
import { buildOpenApi, kindSchema, type OpenApiDocuments } from "./openapi";
import { applyDeleteOptionsBody, parseQueryOptions } from "./queryOptions";
import { parseGoBool, parseRequestInfo, type ResourceRequestInfo } from "./requestInfo";
import {
  encodeWatchEvent,
  notFoundStatus,
  statusOf,
  warningHeader,
  writeBody,
  writeStatus,
  writeText,
} from "./responses";
import { sha256, toHex } from "./sha256";
import { type IncludeObject, partialObjectMetadata, toPartialList, toTable } from "./table";
import type {
  HttpApiServer,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponseWriter,
  MessageSocket,
  UpgradeAcceptance,
} from "./types";
import { versionInfo } from "./version";

/** The object of a successful pipeline response; a failure's Status becomes an ApiError. */
export function bodyOrThrow(result: { status: number; body: unknown }): KubeObject {
  if (result.status >= 400) throw ApiError.fromStatus(result.body as Status);
  return result.body as KubeObject;
}

/** A rejected upgrade: what the transport writes back instead of switching protocols. */
export interface UpgradeRejection {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpHandler {
  /** Serves one plain HTTP request. Never throws: every failure becomes a Status response. */
  handle(request: HttpRequest, response: HttpResponseWriter): Promise<void>;
  /**
   * Decides a WebSocket upgrade (exec, attach, portforward) for the offered subprotocols: either
   * accept (the transport completes the handshake with the chosen protocol and calls `start`) or
   * reject with an HTTP response, a Status as upstream answers.
   */
  upgrade(request: HttpRequest, offeredProtocols: string[]): Promise<UpgradeAcceptance | UpgradeRejection>;
  /** Ends every open watch, log follow and stream (server shutdown). */
  close(): void;
}

/** The 3 MiB body limit of the real apiserver (MaxRequestBodyBytes). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** upstream's minRequestTimeout: watches without timeoutSeconds end after 30–60 minutes. */
const MIN_REQUEST_TIMEOUT_SECONDS = 1800;

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

interface Catalog {
  signature: string;
  byGroupResource: Map<string, ResourceDefinition>;
  resources: DiscoveryResource[];
  discoveryCache: Map<string, { body: string; etag: string }>;
  /** The discovery documents every handler with the same resources serves (see sharedDiscovery). */
  sharedDiscovery?: Map<string, { body: string; etag: string; contentType?: string }>;
  openapi?: OpenApiDocuments;
}

/**
 * Discovery documents by the resources they describe, shared by every handler in the process: the
 * multi-cluster host runs one handler per learner's cluster, nearly all with the built-in resources
 * only, and each built the same documents (aggregated discovery is tens of kB, with a SHA-256 ETag)
 * on its cluster's first kubectl command, all 200 of them in the opening burst of the hosting
 * bench. Keyed by the resources' JSON, so clusters with CRDs of their own get documents of their
 * own; the least recently added sets go first beyond {@link SHARED_DISCOVERY_SETS}.
 */
const sharedDiscovery = new Map<string, Map<string, { body: string; etag: string; contentType?: string }>>();
const SHARED_DISCOVERY_SETS = 32;

function sharedDiscoveryFor(resources: readonly DiscoveryResource[]) {
  const key = JSON.stringify(resources);
  let documents = sharedDiscovery.get(key);
  if (!documents) {
    documents = new Map();
    if (sharedDiscovery.size >= SHARED_DISCOVERY_SETS)
      sharedDiscovery.delete(sharedDiscovery.keys().next().value as string);
    sharedDiscovery.set(key, documents);
  }
  return documents;
}

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

// Schema pools by component set, shared by every handler in the process (the multi-cluster host
// runs one handler per cluster; each pool is a copy of thousands of schemas).
const pools = new WeakMap<object, Record<string, OpenApiSchema>>();

/**
 * Creates the Kubernetes REST API over HTTP for one API server, independent of the transport.
 * The standalone CLI serves it from node:http; the app server mounts one per learner under
 * `options.pathPrefix`.
 */
export function createHttpHandler(apiServer: HttpApiServer, options: HttpHandlerOptions): HttpHandler {
  const clock = options.clock;
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  const gitVersion = options.gitVersion ?? "v1.32.4";
  const newId = options.newId ?? (() => crypto.randomUUID());
  const closers = new Set<() => void>();
  let catalog: Catalog | undefined;

  function currentCatalog(): Catalog {
    // A registry that counts its changes (CRDs added or removed) makes the check O(1) per request.
    const generation = (apiServer as { generation?: () => number }).generation?.();
    if (generation !== undefined && catalog?.signature === `#${generation}`) return catalog;
    const definitions = apiServer.definitions();
    let signature = "";
    if (generation !== undefined) signature = `#${generation}`;
    else {
      for (const definition of definitions) {
        signature += `${definition.group}/${definition.resource}:${definition.versions.join(",")}:${definition.kind};`;
      }
    }
    if (catalog && catalog.signature === signature) return catalog;
    const byGroupResource = new Map<string, ResourceDefinition>();
    for (const definition of definitions) byGroupResource.set(`${definition.group}/${definition.resource}`, definition);
    catalog = { signature, byGroupResource, resources: collectResources(definitions), discoveryCache: new Map() };
    return catalog;
  }

  function baseHeaders(auditId: string): Record<string, string> {
    return { "Audit-Id": auditId, "Cache-Control": "no-cache, private" };
  }

  async function handle(request: HttpRequest, response: HttpResponseWriter): Promise<void> {
    const auditId = newId();
    const headers = baseHeaders(auditId);
    try {
      if (apiServer.authorize) {
        const authorize = apiServer.authorize;
        request = {
          ...request,
          user: impersonatedUser(request.user, request.headers, (attributes) => authorize(attributes)),
        };
      }
      await route(request, response, headers);
    } catch (error) {
      try {
        writeStatus(response, headers, statusOf(error));
      } catch {
        // The response was already started (a stream): nothing more can be said.
        response.end();
      }
    }
  }

  function splitUrl(url: string): { path: string; query: URLSearchParams } | undefined {
    const question = url.indexOf("?");
    let path = question < 0 ? url : url.slice(0, question);
    const query = new URLSearchParams(question < 0 ? "" : url.slice(question + 1));
    if (prefix) {
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
      path = path.slice(prefix.length) || "/";
    }
    return { path, query };
  }

  async function route(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
  ): Promise<void> {
    const split = splitUrl(request.url);
    if (!split) {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    const { path, query } = split;
    const info = parseRequestInfo(request.method, path, query);
    if (!info.isResourceRequest) {
      serveNonResource(request, response, headers, info.path, query);
      return;
    }
    if (info.group === "metrics.k8s.io") {
      if (info.verb !== "get" && info.verb !== "list") {
        writeStatus(response, headers, methodNotAllowed());
        return;
      }
      const body = await handleMetrics(apiServer, clock, info, parseQueryOptions(query, info.verb), request.user);
      if (!body) {
        writeStatus(response, headers, notFoundStatus());
        return;
      }
      writeBody(response, 200, headers, body);
      return;
    }
    const definition = currentCatalog().byGroupResource.get(`${info.group}/${info.resource}`);
    if (!definition?.versions.includes(info.version)) {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    await serveResource(request, response, headers, info, query, definition);
    return;
  }

  // ---------------------------------------------------------------------------------------------
  // Non-resource paths: discovery roots, OpenAPI, version, health.

  function serveCached(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
    key: string,
    build: () => { body: string; contentType: string } | undefined,
    shared = true,
  ): void {
    // Documents that depend on this handler's options (its address, its path prefix) stay its own.
    const current = currentCatalog();
    if (shared && !current.sharedDiscovery) current.sharedDiscovery = sharedDiscoveryFor(current.resources);
    const cache = (shared && current.sharedDiscovery) || current.discoveryCache;
    let entry = cache.get(key) as { body: string; etag: string; contentType?: string } | undefined;
    if (!entry) {
      const built = build();
      if (!built) {
        writeStatus(response, headers, notFoundStatus());
        return;
      }
      entry = {
        body: built.body,
        etag: `"${toHex(sha256(built.body)).slice(0, 32).toUpperCase()}"`,
        contentType: built.contentType,
      };
      cache.set(key, entry);
    }
    const ifNoneMatch = header(request, "if-none-match");
    const common = { ...headers, ETag: entry.etag, Vary: "Accept" };
    if (ifNoneMatch?.split(",").some((tag) => tag.trim() === entry?.etag)) {
      response.writeHead(304, common);
      response.end();
      return;
    }
    response.writeHead(200, { ...common, "Content-Type": entry.contentType ?? "application/json" });
    response.end(entry.body);
  }

  function serveNonResource(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
    rawPath: string,
    query: URLSearchParams,
  ): void {
    if (request.method !== "GET" && request.method !== "HEAD") {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;
    const accept = header(request, "accept");
    const health = healthResponse(path, query, options.isReady?.() ?? true);
    if (health) {
      writeText(response, health.status, headers, health.body);
      return;
    }
    switch (path) {
      case "/version": {
        writeBody(response, 200, headers, versionInfo(gitVersion));
        return;
      }
      case "/api":
      case "/apis": {
        const root = path === "/api" ? "api" : "apis";
        const aggregated = negotiateDiscovery(accept);
        if (aggregated) {
          serveCached(request, response, headers, `${root}:${aggregated}`, () => ({
            body: `${JSON.stringify(aggregatedDiscovery(currentCatalog().resources, root, aggregated))}\n`,
            contentType: `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
          }));
          return;
        }
        serveCached(
          request,
          response,
          headers,
          root,
          () => ({
            body: `${JSON.stringify(root === "api" ? apiVersions(options.serverAddress ?? "127.0.0.1:6443") : apiGroupList(currentCatalog().resources))}\n`,
            contentType: "application/json",
          }),
          root === "apis",
        );
        return;
      }
      case "/openapi/v3": {
        serveCached(
          request,
          response,
          headers,
          "openapi:index",
          () => {
            const documents = openApi();
            const index = {
              paths: Object.fromEntries(
                Object.entries(documents.index.paths).map(([key, value]) => [
                  key,
                  { serverRelativeURL: `${prefix}${value.serverRelativeURL}` },
                ]),
              ),
            };
            return { body: JSON.stringify(index), contentType: "application/json" };
          },
          false,
        );
        return;
      }
    }
    if (path.startsWith("/openapi/v3/")) {
      const key = path.slice("/openapi/v3/".length);
      const document = openApi().documents.get(key);
      if (!document) {
        writeStatus(response, headers, notFoundStatus());
        return;
      }
      const requestedHash = query.get("hash");
      if (requestedHash && requestedHash !== document.hash) {
        // A stale hash: redirect to the current document, as upstream does.
        response.writeHead(301, { ...headers, Location: `${prefix}/openapi/v3/${key}?hash=${document.hash}` });
        response.end();
        return;
      }
      const etag = `"${document.hash}"`;
      const cacheControl = requestedHash ? "public, immutable" : "no-cache, private";
      if (header(request, "if-none-match") === etag) {
        response.writeHead(304, { ...headers, "Cache-Control": cacheControl, ETag: etag });
        response.end();
        return;
      }
      response.writeHead(200, {
        ...headers,
        "Cache-Control": cacheControl,
        ETag: etag,
        "Content-Type": "application/json",
      });
      response.end(document.body);
      return;
    }
    const parts = path.split("/").filter(Boolean);
    const resources = currentCatalog().resources;
    if (parts[0] === "api" && parts.length === 2) {
      serveCached(request, response, headers, `gv:/${parts[1]}`, () => {
        const list = apiResourceList(resources, "", parts[1]);
        return list ? { body: `${JSON.stringify(list)}\n`, contentType: "application/json" } : undefined;
      });
      return;
    }
    if (parts[0] === "apis" && parts.length === 2) {
      serveCached(request, response, headers, `g:${parts[1]}`, () => {
        const group = apiGroupDocument(resources, parts[1]);
        return group ? { body: `${JSON.stringify(group)}\n`, contentType: "application/json" } : undefined;
      });
      return;
    }
    if (parts[0] === "apis" && parts.length === 3) {
      serveCached(request, response, headers, `gv:${parts[1]}/${parts[2]}`, () => {
        const list = apiResourceList(resources, parts[1], parts[2]);
        return list ? { body: `${JSON.stringify(list)}\n`, contentType: "application/json" } : undefined;
      });
      return;
    }
    writeStatus(response, headers, notFoundStatus());
    return;
  }

  function openApi(): OpenApiDocuments {
    const current = currentCatalog();
    if (!current.openapi) {
      const definitions = [...current.byGroupResource.values()];
      const custom = new Set<string>();
      const registry = (apiServer as { customResources?: () => Iterable<string> }).customResources?.();
      if (registry) for (const name of registry) custom.add(name);
      const components: Record<string, OpenApiSchema> = {
        ...((
          apiServer as { schemaComponents?: () => Record<string, OpenApiSchema> | undefined }
        ).schemaComponents?.() ?? {}),
      };
      for (const definition of definitions) {
        if (definition.schemaComponents && !components[Object.keys(definition.schemaComponents)[0] ?? ""]) {
          Object.assign(components, definition.schemaComponents);
        }
      }
      current.openapi = buildOpenApi({ definitions, custom, components, gitVersion });
    }
    return current.openapi;
  }

  // ---------------------------------------------------------------------------------------------
  // Resource requests.

  function methodNotAllowed(): Status {
    return new ApiError(
      "MethodNotAllowed",
      405,
      "the server does not allow this method on the requested resource",
    ).toStatus();
  }

  async function serveResource(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
    info: ResourceRequestInfo,
    query: URLSearchParams,
    definition: ResourceDefinition,
  ): Promise<void> {
    if (info.parts.length > 3) {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    const subresource = info.subresource;
    if (subresource === "log" || subresource === "exec" || subresource === "attach" || subresource === "portforward") {
      if (definition.group !== "" || definition.resource !== "pods") {
        writeStatus(response, headers, notFoundStatus());
        return;
      }
      // RBAC for the subresources served here rather than by the API server's pipeline:
      // `get pods/log`, `create pods/exec` (kubectl's verbs as upstream's RequestInfo maps them).
      if (apiServer.authorize) {
        const attributes = {
          user: request.user,
          verb: subresource === "log" ? "get" : "create",
          group: "",
          resource: "pods",
          subresource,
          namespace: info.namespace,
          name: info.name,
        };
        if (!apiServer.authorize(attributes).allowed) {
          writeStatus(response, headers, forbiddenError(attributes).toStatus());
          return;
        }
      }
      if (subresource === "log") {
        if (info.verb !== "get") {
          writeStatus(response, headers, methodNotAllowed());
          return;
        }
        await serveLogs(request, response, headers, info, query);
        return;
      }
      writeStatus(response, headers, ApiError.badRequest("Upgrade request required").toStatus());
      return;
    }
    if (subresource && !isServedSubresource(definition, subresource, info.verb)) {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    if (info.verb === "" || info.verb === "proxy") {
      writeStatus(response, headers, methodNotAllowed());
      return;
    }
    const verb = info.verb as Verb;
    const allowed = definition.verbs ?? [
      "create",
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ];
    if (!subresource && !allowed.includes(verb)) {
      writeStatus(response, headers, methodNotAllowed());
      return;
    }
    if (verb === "create" && info.name && !subresource) {
      writeStatus(response, headers, methodNotAllowed());
      return;
    }

    const requestOptions = parseQueryOptions(query, verb);
    const resourceRequest: ResourceRequest = {
      verb,
      gvr: { group: info.group, version: info.version, resource: info.resource },
      options: requestOptions,
      user: request.user,
      sharedResult: true,
    };
    const userAgent = request.headers["user-agent"];
    if (typeof userAgent === "string") resourceRequest.userAgent = userAgent;
    if (subresource) resourceRequest.subresource = subresource;
    if (definition.namespaced) {
      if (info.namespace !== undefined) resourceRequest.namespace = info.namespace;
      else if (verb !== "list" && verb !== "watch") {
        writeStatus(response, headers, methodNotAllowed());
        return;
      }
    } else if (info.namespace !== undefined && info.resource !== "namespaces") {
      writeStatus(response, headers, notFoundStatus());
      return;
    }
    if (info.name !== undefined) resourceRequest.name = info.name;
    const warnings: string[] = [];

    if (verb === "create" || verb === "update") {
      decodeWriteBody(request, resourceRequest, definition, info, warnings);
    } else if (verb === "patch") {
      decodePatchBody(request, resourceRequest, definition, info, warnings);
    } else if ((verb === "delete" || verb === "deletecollection") && request.body.length > 0) {
      decodeDeleteOptions(request, resourceRequest);
    }

    if (verb === "watch") {
      if (info.name) {
        const byName = `metadata.name=${info.name}`;
        requestOptions.fieldSelector = requestOptions.fieldSelector
          ? `${requestOptions.fieldSelector},${byName}`
          : byName;
        delete resourceRequest.name;
      }
      serveWatch(request, response, headers, resourceRequest, definition, query);
      return;
    }

    const accept = header(request, "accept");
    const negotiated = negotiateResource(accept, verb === "list");
    if (!negotiated) {
      writeStatus(response, headers, notAcceptable());
      return;
    }
    const result = await apiServer.handle(resourceRequest);
    const allWarnings = [...warnings, ...(result.warnings ?? [])];
    const responseHeaders: Record<string, string | string[]> = { ...headers };
    if (allWarnings.length > 0) responseHeaders.Warning = [...new Set(allWarnings)].map(warningHeader);
    const body = transform(result.body as KubeObject, negotiated, definition, query, verb, subresource);
    writeBody(response, result.status, responseHeaders, body, negotiated.encoding);
  }

  function notAcceptable(): Status {
    return new ApiError(
      "NotAcceptable",
      406,
      "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
    ).toStatus();
  }

  function isServedSubresource(definition: ResourceDefinition, subresource: string, verb: string): boolean {
    if (subresource === "status") return !!definition.subresources?.status && ["get", "update", "patch"].includes(verb);
    if (subresource === "scale") return !!definition.subresources?.scale && ["get", "update", "patch"].includes(verb);
    if (subresource === "approval")
      return !!definition.subresources?.approval && ["get", "update", "patch"].includes(verb);
    if (definition.group === "" && definition.resource === "pods") {
      if (subresource === "binding" || subresource === "eviction") return verb === "create";
      if (subresource === "ephemeralcontainers") return ["get", "update", "patch"].includes(verb);
    }
    if (definition.group === "" && definition.resource === "namespaces" && subresource === "finalize")
      return verb === "update";
    if (definition.group === "" && definition.resource === "serviceaccounts" && subresource === "token")
      return verb === "create";
    return false;
  }

  function includeObjectOf(query: URLSearchParams): IncludeObject {
    const value = query.get("includeObject");
    return value === "None" || value === "Object" ? value : "Metadata";
  }

  function transform(
    body: KubeObject,
    negotiated: Negotiated,
    definition: ResourceDefinition,
    query: URLSearchParams,
    verb: Verb,
    subresource: string | undefined,
  ): unknown {
    if ((body as { kind?: string }).kind === "Status" || subresource === "scale") return body;
    const target = negotiated.target;
    if (target.kind === "Table") {
      return toTable(definition, body, { now: clock.now(), include: includeObjectOf(query), version: target.version });
    }
    if (target.kind === "PartialObjectMetadataList") return toPartialList(body, target.version);
    if (target.kind === "PartialObjectMetadata") return partialObjectMetadata(body, target.version);
    void verb;
    return body;
  }

  function expectedKindOf(definition: ResourceDefinition, info: ResourceRequestInfo): ExpectedKind {
    if (info.subresource === "scale") return { group: "autoscaling", version: "v1", kind: "Scale" };
    if (info.subresource === "binding") return { group: "", version: "v1", kind: "Binding" };
    if (info.subresource === "eviction") return { group: "policy", version: "v1", kind: "Eviction" };
    if (info.subresource === "token") return { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
    return { group: definition.group, version: info.version, kind: definition.kind };
  }

  function checkFields(
    value: unknown,
    definition: ResourceDefinition,
    info: ResourceRequestInfo,
    duplicateErrors: string[],
    mode: "Strict" | "Warn" | "Ignore",
    warnings: string[],
    expected: ExpectedKind,
  ): void {
    if (mode === "Ignore") {
      const schema =
        info.subresource && info.subresource !== "status" ? undefined : kindSchema(definition, info.version);
      if (schema) findUnknownFields(value, schema, schemaPool(definition), true);
      return;
    }
    const schema = info.subresource && info.subresource !== "status" ? undefined : kindSchema(definition, info.version);
    const unknown = schema ? findUnknownFields(value, schema, schemaPool(definition), mode !== "Strict") : [];
    const problems = [...unknown.map((path) => `unknown field ${quote(path)}`), ...duplicateErrors];
    if (problems.length === 0) return;
    if (mode === "Strict") throw strictDecodingError(expected, problems);
    warnings.push(...problems);
  }

  /** Named schemas `$ref`s resolve through: the meta schemas, then the definition's components. */
  function schemaPool(definition: ResourceDefinition): Record<string, OpenApiSchema> {
    const components =
      definition.schemaComponents ??
      (apiServer as { schemaComponents?: () => Record<string, OpenApiSchema> | undefined }).schemaComponents?.();
    if (!components) return openApiMetaPool;
    let pool = pools.get(components);
    if (!pool) {
      pool = { ...openApiMetaPool, ...components };
      pools.set(components, pool);
    }
    return pool;
  }

  function bodyMediaType(request: HttpRequest): string {
    return mediaTypeOf(header(request, "content-type"));
  }

  function decodeWriteBody(
    request: HttpRequest,
    resourceRequest: ResourceRequest,
    definition: ResourceDefinition,
    info: ResourceRequestInfo,
    warnings: string[],
  ): void {
    // A body without a Content-Type is read as the first media type served (JSON), as
    // NegotiateInputSerializerForMediaType does; `kubectl create --raw` sends none.
    const mediaType = bodyMediaType(request) || "application/json";
    if (mediaType !== "application/json" && mediaType !== "application/yaml" && mediaType !== PROTOBUF) {
      throw new ApiError(
        "UnsupportedMediaType",
        415,
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
    }
    const expected = expectedKindOf(definition, info);
    const { object, duplicateErrors } = decodeObjectBody(request.body, mediaType, expected);
    const mode = resourceRequest.options.fieldValidation ?? "Warn";
    checkFields(object, definition, info, duplicateErrors, mode, warnings, expected);
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    if (object.metadata === undefined || object.metadata === null) object.metadata = metadata;
    if (definition.namespaced && !info.subresource && info.namespace !== undefined) {
      if (metadata.namespace === undefined || metadata.namespace === "") metadata.namespace = info.namespace;
      else if (metadata.namespace !== info.namespace) {
        throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
    }
    if (resourceRequest.verb === "update" && info.name !== undefined && !info.subresource) {
      if (metadata.name === undefined || metadata.name === "") metadata.name = info.name;
      else if (metadata.name !== info.name) {
        throw ApiError.badRequest(
          `the name of the object (${metadata.name}) does not match the name on the URL (${info.name})`,
        );
      }
    }
    resourceRequest.body = object;
  }

  function decodePatchBody(
    request: HttpRequest,
    resourceRequest: ResourceRequest,
    definition: ResourceDefinition,
    info: ResourceRequestInfo,
    warnings: string[],
  ): void {
    const mediaType = bodyMediaType(request);
    const patchType = PATCH_TYPES[mediaType];
    if (!patchType) {
      throw new ApiError(
        "UnsupportedMediaType",
        415,
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    }
    resourceRequest.patchType = patchType;
    const text = new TextDecoder().decode(request.body);
    const mode = resourceRequest.options.fieldValidation ?? "Warn";
    if (patchType === "json") {
      resourceRequest.body = text;
      return;
    }
    let parsed: { value: unknown; duplicateErrors: string[] };
    try {
      parsed = patchType === "apply" ? parseYamlBody(text) : parseJsonBody(text);
    } catch (error) {
      if (error instanceof BodySyntaxError) {
        if (patchType === "apply") throw ApiError.badRequest(`error decoding YAML: ${error.message}`);
        throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${error.message}`);
      }
      throw error;
    }
    const value = parsed.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      if (patchType === "apply") {
        throw ApiError.badRequest(`error decoding YAML: Object 'Kind' is missing in '${text.slice(0, 60)}'`);
      }
      resourceRequest.body = text;
      return;
    }
    const expected = expectedKindOf(definition, info);
    if (patchType === "apply") {
      const schema =
        info.subresource && info.subresource !== "status" ? undefined : kindSchema(definition, info.version);
      const unknown = schema ? findUnknownFields(value, schema, schemaPool(definition), false) : [];
      if (unknown.length > 0) {
        const object = value as KubeObject;
        const gvk = `${expected.group}/${expected.version}, Kind=${expected.kind}`;
        const nn = `${object.metadata?.namespace ?? info.namespace ?? ""}/${object.metadata?.name ?? info.name ?? ""}`;
        throw new ApiError(
          "",
          500,
          `failed to create typed patch object (${nn}; ${gvk}): ${unknown.map((path) => `.${path}: field not declared in schema`).join(", ")}`,
        );
      }
      if (parsed.duplicateErrors.length > 0) {
        if (mode === "Strict") throw strictDecodingError(expected, parsed.duplicateErrors);
        if (mode === "Warn") warnings.push(...parsed.duplicateErrors);
      }
      resourceRequest.body = JSON.stringify(value);
      return;
    }
    const before = JSON.stringify(value);
    checkFields(value, definition, info, parsed.duplicateErrors, mode, warnings, expected);
    const after = JSON.stringify(value);
    resourceRequest.body = before === after && parsed.duplicateErrors.length === 0 ? text : after;
  }

  function decodeDeleteOptions(request: HttpRequest, resourceRequest: ResourceRequest): void {
    const mediaType = bodyMediaType(request) || "application/json";
    let parsed: { value: unknown };
    try {
      parsed =
        mediaType === PROTOBUF
          ? parseBody(request.body, PROTOBUF)
          : mediaType === "application/yaml"
            ? parseYamlBody(new TextDecoder().decode(request.body))
            : parseJsonBody(new TextDecoder().decode(request.body));
    } catch (error) {
      if (error instanceof BodySyntaxError) {
        throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${error.message}`);
      }
      throw error;
    }
    if (parsed.value && typeof parsed.value === "object" && !Array.isArray(parsed.value)) {
      applyDeleteOptionsBody(resourceRequest.options, parsed.value as Record<string, unknown>);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Watch.

  function serveWatch(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
    resourceRequest: ResourceRequest,
    definition: ResourceDefinition,
    query: URLSearchParams,
  ): void {
    const negotiated = negotiateResource(header(request, "accept"), true);
    if (!negotiated) {
      writeStatus(response, headers, notAcceptable());
      return;
    }
    const target = negotiated.target;
    const include = includeObjectOf(query);
    let started = false;
    let ended = false;
    let first = true;
    let dispose: (() => void) | undefined;
    const pending: WatchEvent[] = [];

    const end = () => {
      if (ended) return;
      ended = true;
      dispose?.();
      closers.delete(end);
      if (started) response.end();
    };
    const encodeEvent = (event: WatchEvent): Uint8Array => {
      let object: unknown = event.object;
      if (event.type === "ERROR" || (event.object as { kind?: string }).kind === "Status") {
        object = event.object;
      } else if (target.kind === "Table") {
        if (event.type === "BOOKMARK") {
          object = {
            kind: "Table",
            apiVersion: `meta.k8s.io/${target.version}`,
            metadata: { resourceVersion: event.object.metadata.resourceVersion },
            columnDefinitions: null,
            rows: [],
          };
        } else {
          object = toTable(definition, event.object, {
            now: clock.now(),
            include,
            version: target.version,
            noHeaders: !first,
          });
          first = false;
        }
      } else if (target.kind === "PartialObjectMetadata" || target.kind === "PartialObjectMetadataList") {
        object = partialObjectMetadata(event.object, target.version);
      }
      return encodeWatchEvent(event.type, object);
    };
    const send = (event: WatchEvent) => {
      if (ended) return;
      if (!started) {
        pending.push(event);
        return;
      }
      response.write(encodeEvent(event));
    };

    // upstream's default for a watch without timeoutSeconds: MinRequestTimeout, jittered up to
    // twice that. The watch closes itself then (and sends its last bookmark 2 s before).
    resourceRequest.options.timeoutSeconds ??= Math.floor(MIN_REQUEST_TIMEOUT_SECONDS * (1 + Math.random()));
    try {
      dispose = apiServer.watch(resourceRequest, send, () => end());
    } catch (error) {
      ended = true;
      writeStatus(response, headers, statusOf(error));
      return;
    }
    if (ended) {
      // The watch closed synchronously (an expired resourceVersion): send what it said, then end.
      ended = false;
      started = true;
      response.writeHead(200, { ...headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
      for (const event of pending.splice(0)) response.write(encodeEvent(event));
      ended = true;
      dispose?.();
      response.end();
      return;
    }
    started = true;
    response.writeHead(200, { ...headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    response.flushHeaders?.();
    for (const event of pending.splice(0)) response.write(encodeEvent(event));
    response.on("close", end);
    closers.add(end);
  }

  // ---------------------------------------------------------------------------------------------
  // Subresources proxied to the kubelet.

  async function getPod(request: HttpRequest, namespace: string, name: string): Promise<KubeObject> {
    const result = await apiServer.handle({
      verb: "get",
      gvr: { group: "", version: "v1", resource: "pods" },
      namespace,
      name,
      options: {},
      user: request.user,
    });
    return bodyOrThrow(result);
  }

  /** upstream validateContainer (pkg/registry/core/pod/strategy.go). */
  function chooseContainer(pod: KubeObject, requested: string | null): string {
    const spec = pod.spec ?? {};
    const containers: Array<{ name: string }> = spec.containers ?? [];
    const all = [...(spec.initContainers ?? []), ...containers, ...(spec.ephemeralContainers ?? [])] as Array<{
      name: string;
    }>;
    if (!requested) {
      if (containers.length === 1) return containers[0].name;
      if (containers.length === 0)
        throw ApiError.badRequest(`a container name must be specified for pod ${pod.metadata.name}`);
      throw ApiError.badRequest(
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${all.map((container) => container.name).join(" ")}]`,
      );
    }
    if (!all.some((container) => container.name === requested)) {
      throw ApiError.badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
    }
    return requested;
  }

  /** The error of dialing a node whose kubelet is not there: upstream's dial failure to port 10250. */
  async function kubeletOf(request: HttpRequest, nodeName: string) {
    const kubelet = apiServer.kubelet?.(nodeName);
    if (kubelet) return { kubelet, address: "" };
    const node = await apiServer.handle({
      verb: "get",
      gvr: { group: "", version: "v1", resource: "nodes" },
      name: nodeName,
      options: {},
      user: request.user,
    });
    const addresses: Array<{ type: string; address: string }> = bodyOrThrow(node).status?.addresses ?? [];
    const address =
      addresses.find((entry) => entry.type === "InternalIP")?.address ??
      addresses.find((entry) => entry.type === "Hostname")?.address ??
      nodeName;
    return { kubelet: undefined, address };
  }

  async function serveLogs(
    request: HttpRequest,
    response: HttpResponseWriter,
    headers: Record<string, string>,
    info: ResourceRequestInfo,
    query: URLSearchParams,
  ): Promise<void> {
    const namespace = info.namespace ?? "";
    const pod = await getPod(request, namespace, info.name ?? "");
    const container = chooseContainer(pod, query.get("container"));
    const bool = (name: string) => parseGoBool(query.get(name) ?? "") ?? false;
    const integer = (name: string): number | undefined => {
      const value = query.get(name);
      if (value === null || value === "") return undefined;
      if (!/^-?\d+$/.test(value))
        throw ApiError.badRequest(`strconv.ParseInt: parsing ${quote(value)}: invalid syntax`);
      return Number(value);
    };
    const logRequest = {
      namespace,
      pod: pod.metadata.name ?? "",
      container,
      follow: bool("follow"),
      previous: bool("previous"),
      timestamps: bool("timestamps"),
      tailLines: integer("tailLines"),
      sinceSeconds: integer("sinceSeconds"),
      sinceTime: query.get("sinceTime") ?? undefined,
      limitBytes: integer("limitBytes"),
    };
    const nodeName: string | undefined = pod.spec?.nodeName;
    if (!nodeName) {
      // upstream: a pod without a node has no log location, and the answer is an empty stream.
      response.writeHead(200, { ...headers, "Content-Type": "text/plain" });
      response.end();
      return;
    }
    const { kubelet, address } = await kubeletOf(request, nodeName);
    if (!kubelet) {
      const params = new URLSearchParams();
      if (logRequest.follow) params.set("follow", "true");
      if (logRequest.previous) params.set("previous", "true");
      if (logRequest.timestamps) params.set("timestamps", "true");
      if (logRequest.tailLines !== undefined) params.set("tailLines", String(logRequest.tailLines));
      const search = params.toString();
      const url = `https://${address}:10250/containerLogs/${namespace}/${logRequest.pod}/${container}${search ? `?${search}` : ""}`;
      throw new ApiError("", 500, `Get ${quote(url)}: dial tcp ${address}:10250: connect: connection refused`);
    }
    const stream = kubelet.logs(logRequest);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      closers.delete(close);
      response.end();
    };
    const close = () => {
      stream.close();
      end();
    };
    response.writeHead(200, { ...headers, "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    if (logRequest.follow) response.flushHeaders?.();
    stream.onData((chunk) => {
      if (!ended) response.write(chunk);
    });
    stream.onEnd(end);
    response.on("close", () => {
      if (!ended) close();
    });
    if (!ended) closers.add(close);
  }

  async function upgrade(
    request: HttpRequest,
    offeredProtocols: string[],
  ): Promise<UpgradeAcceptance | UpgradeRejection> {
    const headers = baseHeaders(newId());
    const reject = (status: Status): UpgradeRejection => ({
      status: status.code || 500,
      headers: { ...headers, "Content-Type": "application/json" },
      body: `${JSON.stringify(status)}\n`,
    });
    try {
      const split = splitUrl(request.url);
      if (!split) return reject(notFoundStatus());
      const info = parseRequestInfo(request.method, split.path, split.query);
      if (
        !info.isResourceRequest ||
        info.group !== "" ||
        info.resource !== "pods" ||
        !info.name ||
        !info.namespace ||
        (info.subresource !== "exec" && info.subresource !== "attach" && info.subresource !== "portforward")
      ) {
        return reject(notFoundStatus());
      }
      const query = split.query;
      const pod = await getPod(request, info.namespace, info.name);
      const bool = (name: string) => parseGoBool(query.get(name) ?? "") ?? false;
      if (info.subresource === "portforward") {
        const ports = query
          .getAll("ports")
          .flatMap((value) => value.split(","))
          .map((value) => Number(value.trim()));
        const nodeName: string | undefined = pod.spec?.nodeName;
        if (options.spdyPortForward && offeredProtocols.includes("SPDY/3.1+portforward.k8s.io")) {
          // kubectl ≥ 1.31 tunnels SPDY through the WebSocket; ports travel in the streams' headers.
          if (!nodeName)
            return reject(ApiError.badRequest(`pod ${info.name} does not have a host assigned`).toStatus());
          const { kubelet, address } = await kubeletOf(request, nodeName);
          if (!kubelet) return reject(dialError(address));
          const namespace = info.namespace;
          const name = info.name;
          return {
            protocol: "SPDY/3.1+portforward.k8s.io",
            openPort: (port: number) => kubelet.portForward(namespace, name, port),
            start: () => {},
          };
        }
        if (
          offeredProtocols.some((offered) => offered.startsWith("SPDY/")) ||
          (ports.length === 0 && offeredProtocols.length === 0)
        ) {
          // A plain SPDY upgrade (kubectl's fallback) is not spoken here.
          return reject(
            ApiError.badRequest(
              "port forwarding over a plain SPDY upgrade is not supported by this API server; use a WebSocket (kubectl 1.31+ does)",
            ).toStatus(),
          );
        }
        if (ports.length === 0 || ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
          return reject(ApiError.badRequest('query parameter "port" is required').toStatus());
        }
        const protocol = chooseProtocol(offeredProtocols, [
          "v4.channel.k8s.io",
          "portforward.k8s.io",
          "channel.k8s.io",
        ]);
        if (!protocol) return reject(ApiError.badRequest("Upgrade request required").toStatus());
        if (!nodeName) return reject(ApiError.badRequest(`pod ${info.name} does not have a host assigned`).toStatus());
        const { kubelet, address } = await kubeletOf(request, nodeName);
        if (!kubelet) return reject(dialError(address));
        const namespace = info.namespace;
        const name = info.name;
        return {
          protocol,
          start: (socket: MessageSocket) => {
            const sessions = ports.map((port) => kubelet.portForward(namespace, name, port));
            const stop = bridgePortForward(socket, ports, sessions);
            closers.add(stop);
            socket.onClose(() => closers.delete(stop));
          },
        };
      }
      const phase = pod.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        return reject(
          ApiError.badRequest(`cannot exec into or attach to a completed pod; current phase is ${phase}`).toStatus(),
        );
      }
      const container = chooseContainer(pod, query.get("container"));
      const stdin = bool("stdin");
      const stdout = bool("stdout");
      const stderr = bool("stderr");
      const tty = bool("tty");
      if (!stdin && !stdout && !stderr) {
        return reject(ApiError.badRequest("you must specify at least 1 of stdin, stdout, stderr").toStatus());
      }
      const command = query.getAll("command");
      if (info.subresource === "exec" && command.length === 0) {
        return reject(ApiError.badRequest("you must specify at least one command for the container").toStatus());
      }
      const protocol = chooseProtocol(offeredProtocols, CHANNEL_PROTOCOLS);
      if (!protocol) return reject(ApiError.badRequest("Upgrade request required").toStatus());
      const nodeName: string | undefined = pod.spec?.nodeName;
      if (!nodeName) return reject(ApiError.badRequest(`pod ${info.name} does not have a host assigned`).toStatus());
      const { kubelet, address } = await kubeletOf(request, nodeName);
      if (!kubelet) return reject(dialError(address));
      const base = { namespace: info.namespace, pod: info.name, container, stdin, stdout, stderr, tty };
      // Start the process before the handshake so kubelet-side failures are HTTP errors, as upstream's.
      const session = info.subresource === "exec" ? kubelet.exec({ ...base, command }) : kubelet.attach(base);
      return {
        protocol,
        cancel: () => session.kill(),
        start: (socket: MessageSocket) => {
          const stop = bridgeSession(socket, session, info.subresource === "exec" ? command : undefined, {
            stdout,
            // With a TTY the terminal carries both streams on stdout, as upstream's.
            stderr: stderr && !tty,
          });
          closers.add(stop);
          socket.onClose(() => closers.delete(stop));
        },
      };
    } catch (error) {
      return reject(statusOf(error));
    }
  }

  function dialError(address: string): Status {
    return new ApiError(
      "",
      500,
      `error dialing backend: dial tcp ${address}:10250: connect: connection refused`,
    ).toStatus();
  }

  return {
    handle,
    upgrade,
    close() {
      for (const close of [...closers]) close();
      closers.clear();
    },
  };
}

import type { Operation } from "fast-json-patch";
import * as fastJsonPatch from "fast-json-patch";
import { parse as parseYaml } from "yaml";
import type { KubeObject, Status } from "../api/types";
import { apiVersionOf } from "../api/types";
import { type Clock, toRfc3339, toRfc3339Micro } from "../clock/Clock";
import { CompactedError, FutureRevisionError, type KeyValue, KeyValueStore } from "../store/KeyValueStore";
import { ApiError, isApiError, qualifiedKind } from "./ApiError";
import type { AdmissionAttributes, AdmissionContext, AdmissionPlugin } from "./admission/Admission";
import { defaultAdmissionPlugins } from "./admission/plugins";
import { ServiceAllocators } from "./allocators";
import { accessReviewDefinitions, handleAccessReview, isAccessReview } from "./auth/accessReviews";
import {
  type AuthorizationAttributes,
  type AuthorizationDecision,
  authorize,
  forbiddenError,
} from "./auth/rbacAuthorizer";
import { ServiceAccountKey, type ServiceAccountKeyPair } from "./auth/serviceAccountKey";
import { checkToken, type TokenCheck } from "./auth/serviceAccountTokens";
import { CustomResources } from "./crd/CustomResources";
import { builtinListTypes, type ListTypeResolver } from "./fieldmanager/fieldSet";
import { managedFieldsAfterUpdate, serverSideApply } from "./fieldmanager/managedFields";
import { KubeletRegistry } from "./KubeletRegistry";
import { applyMergePatch, isPlainObject } from "./patch/mergePatch";
import { applyStrategicMergePatch, deepEqual } from "./patch/strategicMergePatch";
import type { FieldError, ResourceDefinition, StrategyContext } from "./ResourceDefinition";
import { ResourceRegistry } from "./ResourceRegistry";
import type { ResourceRequest, ResourceResponse, UserInfo, Verb, WatchListener } from "./ResourceRequest";
import { DecodedObjects } from "./registry/DecodedObjects";
import { deleteCollection, deleteObject } from "./registry/deletion";
import { EventExpiry } from "./registry/EventExpiry";
import { type ListFilter, makeListFilter } from "./registry/filters";
import { validateListOptions } from "./registry/listOptions";
import { metadataTypeError, validateObjectMeta } from "./registry/metadata";
import {
  clone,
  cloneDroppingNulls,
  decodeObject,
  deepFreeze,
  encodeObject,
  storageKey,
  storagePrefix,
} from "./registry/objects";
import { handleSubresource, SUBRESOURCE_HANDLERS } from "./registry/subresources";
import { checkUnknownFields } from "./registry/unknownFields";
import { WatchBookmarks } from "./registry/WatchBookmarks";
import { watchResource } from "./registry/watch";
import { findTypeError } from "./resources/schema/typeErrors";

// Node's ESM loader sees fast-json-patch as CommonJS and exposes its functions only on `default`
// (under tsx, as `kubelab cluster up` runs); bundlers and vitest use its index.mjs with named exports.
const { compare: jsonPatchCompare, applyPatch: applyJsonPatch } =
  (fastJsonPatch as unknown as { default?: typeof fastJsonPatch }).default ?? fastJsonPatch;

/** Options for {@link createApiServer}. */
export interface ApiServerOptions {
  clock: Clock;
  /** The etcd; a fresh one when absent. */
  store?: KeyValueStore;
  /** Built-in resource definitions (shared, never copied). */
  resources?: readonly ResourceDefinition[];
  /** Source of randomness for uids, generated names and allocations (seed it in tests). */
  random?: () => number;
  /** Admission plugins in order; defaults to upstream's default set that matters here. */
  admission?: AdmissionPlugin[];
  /**
   * Receives internal errors (a strategy or admission plugin that threw on input it accepted),
   * which clients see as 500 InternalError; console.error when absent.
   */
  log?: (line: string) => void;
  /**
   * The kubelets' lease renewals where the cluster computes them lazily (cluster/NodeHeartbeats):
   * reads of a node's Lease in kube-node-lease show the latest renewal the kubelet's 10 s ticker
   * made, as a real cluster's would, though no write stored it.
   */
  leaseRenewals?: { lastRenewal(nodeName: string, now: number): number | undefined };
  /** Told when the cluster's service-account signing key is first made (kubeadm's sa.key shows it). */
  onServiceAccountKeyCreated?: (pair: ServiceAccountKeyPair) => void;
}

/** The namespace of the nodes' heartbeat Leases. */
const NODE_LEASE_NAMESPACE = "kube-node-lease";

/**
 * The API server's transport-independent core: the generic registry for every served resource,
 * admission, subresources and watch. The HTTP layer (apiserver/http) and the in-process client
 * both call into it.
 */
export interface ApiServer {
  readonly clock: Clock;
  readonly store: KeyValueStore;
  /** Served resources, for discovery and OpenAPI; listen with `resources.onChange` (CRDs). */
  readonly resources: ResourceRegistry;
  /** Each node's kubelet connection, for log/exec/attach/portforward. */
  readonly kubelets: KubeletRegistry;
  /** Handles one request; failures come back as a response carrying a `Status` (never thrown). */
  handle(request: ResourceRequest): Promise<ResourceResponse>;
  /** Same as `handle`, synchronously, throwing `ApiError` on failure (the in-process client uses it). */
  execute(request: ResourceRequest): ResourceResponse;
  /**
   * Starts a watch (request.verb "watch"-like: a list request with watch semantics). Throws
   * ApiError for a bad request (unknown resource, bad selector); an expired resourceVersion is
   * delivered as an ERROR event followed by `onClose`. Returns a disposer.
   */
  watch(request: ResourceRequest, listener: WatchListener, onClose?: (error?: Error) => void): () => void;
  /** The context strategies receive (time, allocators, reads). */
  readonly strategyContext: StrategyContext;
  /** Reads a stored object directly (no request pipeline), or undefined. */
  getObject(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Lists stored objects directly (no request pipeline). */
  listObjects(group: string, resource: string, namespace?: string): KubeObject[];
  /**
   * RBAC's decision for a request (the HTTP layer asks it for log/exec/attach/portforward, which
   * it serves itself; `handle` and `watch` already check every request).
   */
  authorize(attributes: AuthorizationAttributes): AuthorizationDecision;
  /**
   * The service account a bearer token stands for, as kube-apiserver's service-account
   * authenticator decides (signature, lifetime, audience, account and bound object still there);
   * undefined when it does not authenticate (the transports answer 401 Unauthorized).
   */
  authenticateToken(token: string): UserInfo | undefined;
  /** The same check with its reason and audiences (TokenReview). */
  reviewToken(token: string, audiences?: readonly string[]): TokenCheck;
}

/** Creates an API server over a store, serving the given resources. */
export function createApiServer(options: ApiServerOptions): ApiServer {
  return new ApiServerCore(options);
}

/** The upstream alphabet for generated name suffixes (no vowels, no confusable characters). */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** Attempts at a create with a generated name (upstream's maxNameGenerationCreateAttempts). */
const MAX_GENERATE_NAME_ATTEMPTS = 8;

/** Internals shared with the registry helper modules in `registry/`. */
export class ApiServerCore implements ApiServer {
  readonly clock: Clock;
  readonly store: KeyValueStore;
  readonly resources: ResourceRegistry;
  readonly kubelets = new KubeletRegistry();
  /** Stored objects decoded once and shared by GET, LIST and watches. */
  readonly decoded = new DecodedObjects();
  /** Periodic bookmarks of the watches that allow them (one timer, armed only while such watches exist). */
  readonly bookmarks: WatchBookmarks;
  readonly random: () => number;
  readonly strategyContext: StrategyContext;
  readonly admissionContext: AdmissionContext;
  readonly allocators: ServiceAllocators;
  readonly customResources: CustomResources;
  /** Signs and verifies service-account tokens; made on the first TokenRequest, kept in the store. */
  readonly serviceAccountKey: ServiceAccountKey;
  private readonly admission: AdmissionPlugin[];
  private readonly leaseRenewals: ApiServerOptions["leaseRenewals"];
  /** Deletes Events an hour after their last write (--event-ttl), swept as events are written. */
  private readonly eventExpiry: EventExpiry;
  readonly log: (line: string) => void;

  constructor(options: ApiServerOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    this.leaseRenewals = options.leaseRenewals;
    this.clock = options.clock;
    this.bookmarks = new WatchBookmarks(this.clock);
    this.store = options.store ?? new KeyValueStore();
    this.eventExpiry = new EventExpiry(this.store);
    this.resources = new ResourceRegistry(options.resources ?? []);
    for (const definition of accessReviewDefinitions) {
      if (!this.resources.lookup(definition.group, definition.resource)) this.resources.add(definition, false);
    }
    this.random = options.random ?? Math.random;
    this.admission = options.admission ?? defaultAdmissionPlugins;
    this.allocators = new ServiceAllocators(() => this.listObjects("", "services"), this.random);
    const get = (group: string, resource: string, namespace: string | undefined, name: string) =>
      this.getObject(group, resource, namespace, name);
    this.strategyContext = {
      clock: this.clock,
      get,
      allocateClusterIP: (requested) => this.allocators.allocateClusterIP(requested),
      releaseClusterIP: (ip) => this.allocators.releaseClusterIP(ip),
      allocateNodePort: (requested, field) => this.allocators.allocateNodePort(requested, field),
      releaseNodePort: (port) => this.allocators.releaseNodePort(port),
    };
    this.admissionContext = {
      clock: this.clock,
      random: this.random,
      get,
      list: (group, resource, namespace) => this.listObjects(group, resource, namespace),
      updateStatus: (group, resource, object) => this.writeStatusDirect(group, resource, object),
    };
    this.customResources = new CustomResources(this);
    this.serviceAccountKey = new ServiceAccountKey(this.store, options.onServiceAccountKeyCreated);
    // etcd restarted on another data dir: what was decoded, and the CRDs served, were the old store's.
    this.store.onReplaced(() => {
      this.decoded.clear();
      this.customResources.resync();
    });
  }

  authenticateToken(token: string): UserInfo | undefined {
    const check = this.reviewToken(token);
    return "user" in check ? check.user : undefined;
  }

  reviewToken(token: string, audiences?: readonly string[]): TokenCheck {
    const get = (group: string, resource: string, namespace: string | undefined, name: string) =>
      this.getObject(group, resource, namespace, name);
    return checkToken(this.serviceAccountKey, get, token, Math.floor(this.clock.now() / 1000), audiences);
  }

  async handle(request: ResourceRequest): Promise<ResourceResponse> {
    try {
      return this.execute(request);
    } catch (error) {
      const apiError = isApiError(error) ? error : ApiError.internal(error);
      return { status: apiError.code, body: apiError.toStatus() };
    }
  }

  execute(request: ResourceRequest): ResourceResponse {
    try {
      return this.dispatch(request);
    } catch (error) {
      if (isApiError(error)) throw error;
      if (error instanceof CompactedError) {
        throw ApiError.resourceExpired(
          `too old resource version: ${error.requestedRevision} (${error.compactRevision + 1})`,
        );
      }
      if (error instanceof FutureRevisionError) {
        throw ApiError.timeout(
          `Too large resource version: ${error.requestedRevision}, current: ${error.currentRevision}`,
          1,
        );
      }
      this.log(`internal error serving ${describeRequest(request)}: ${errorText(error)}`);
      throw ApiError.internal(error);
    } finally {
      this.allocators.settle();
    }
  }

  watch(request: ResourceRequest, listener: WatchListener, onClose?: (error?: Error) => void): () => void {
    const definition = this.definitionFor(request);
    this.checkAuthorized({ ...request, verb: "watch" as Verb });
    return watchResource(this, definition, request, listener, onClose);
  }

  getObject(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const served = this.resources.lookup(group, resource);
    if (!served) return undefined;
    const kv = this.store.get(storageKey(served.definition, namespace, name));
    return kv ? decodeObject(kv) : undefined;
  }

  listObjects(group: string, resource: string, namespace?: string): KubeObject[] {
    const served = this.resources.lookup(group, resource);
    if (!served) return [];
    return this.store
      .range(storagePrefix(served.definition, namespace), { prefix: true })
      .kvs.map((kv) => decodeObject(kv));
  }

  /** The definition serving a request, or the 404 a real apiserver gives for an unknown resource. */
  definitionFor(request: Pick<ResourceRequest, "gvr">): ResourceDefinition {
    const definition = this.resources.find(request.gvr);
    if (!definition) {
      throw new ApiError("NotFound", 404, "the server could not find the requested resource", {});
    }
    return definition;
  }

  authorize(attributes: AuthorizationAttributes): AuthorizationDecision {
    return authorize(this.rbacSource, attributes);
  }

  private readonly rbacSource = {
    list: (group: string, resource: string, namespace?: string) => this.listObjects(group, resource, namespace),
    get: (group: string, resource: string, namespace: string | undefined, name: string) =>
      this.getObject(group, resource, namespace, name),
  };

  /** Throws upstream's 403 when RBAC does not allow the request. */
  private checkAuthorized(request: ResourceRequest): void {
    const attributes: AuthorizationAttributes = {
      user: request.user,
      verb: request.verb,
      group: request.gvr.group,
      resource: request.gvr.resource,
      subresource: request.subresource,
      namespace: request.namespace,
      name: request.name,
    };
    if (!this.authorize(attributes).allowed) throw forbiddenError(attributes);
  }

  private dispatch(request: ResourceRequest): ResourceResponse {
    const definition = this.definitionFor(request);
    this.checkAuthorized(request);
    if (isAccessReview(definition)) return handleAccessReview(this.rbacSource, definition, request);
    if (
      definition.namespaced &&
      request.verb !== "list" &&
      request.verb !== "watch" &&
      request.verb !== "deletecollection"
    ) {
      if (!request.namespace) {
        if (request.verb === "create" && !request.subresource && isPlainObject(request.body)) {
          const namespace = (request.body as KubeObject).metadata?.namespace;
          if (namespace) request = { ...request, namespace };
        }
        if (!request.namespace) throw ApiError.badRequest("the server could not find the requested resource");
      }
    }
    if (!definition.namespaced) request = { ...request, namespace: undefined };
    if (request.subresource) return handleSubresource(this, definition, request);
    switch (request.verb) {
      case "get":
        return { status: 200, body: this.get(definition, request) };
      case "list":
        return { status: 200, body: this.list(definition, request) };
      case "create":
        return this.create(definition, request);
      case "update":
        return this.update(definition, request);
      case "patch":
        return this.patch(definition, request);
      case "delete":
        return deleteObject(this, definition, request);
      case "deletecollection":
        return deleteCollection(this, definition, request);
      case "watch":
        throw ApiError.badRequest("watch requests must use ApiServer.watch");
      default:
        throw ApiError.methodNotSupported(definition.group, definition.resource, String(request.verb));
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  /** Reads the current stored object and its key, or undefined. */
  read(
    definition: ResourceDefinition,
    namespace: string | undefined,
    name: string,
  ): { object: KubeObject; kv: KeyValue } | undefined {
    const kv = this.store.get(storageKey(definition, namespace, name));
    return kv
      ? { object: decodeObject(kv, definition.conversion ? undefined : storageApiVersion(definition)), kv }
      : undefined;
  }

  /** Reads the current object or throws NotFound. */
  readOrNotFound(
    definition: ResourceDefinition,
    namespace: string | undefined,
    name: string,
  ): { object: KubeObject; kv: KeyValue } {
    const found = this.read(definition, namespace, name);
    if (!found) throw ApiError.notFound(definition.group, definition.resource, name);
    return found;
  }

  private get(definition: ResourceDefinition, request: ResourceRequest): KubeObject {
    const name = requireName(request);
    const resourceVersion = request.options.resourceVersion;
    if (resourceVersion && resourceVersion !== "0") {
      const revision = parseResourceVersion(resourceVersion);
      if (revision > this.store.revision) {
        throw ApiError.timeout(`Too large resource version: ${revision}, current: ${this.store.revision}`, 1);
      }
    }
    const kv = this.store.get(storageKey(definition, request.namespace, name));
    if (!kv) throw ApiError.notFound(definition.group, definition.resource, name);
    const object = this.readKv(
      kv,
      apiVersionOf(request.gvr),
      this.presenter(definition, request),
      request.sharedResult,
    );
    return this.isNodeLeases(definition, request.namespace) ? this.withLatestRenewal(object) : object;
  }

  /** Whether reads of `definition` in `namespace` may hold node Leases renewed lazily. */
  private isNodeLeases(definition: ResourceDefinition, namespace: string | undefined): boolean {
    return (
      this.leaseRenewals !== undefined &&
      definition.resource === "leases" &&
      definition.group === "coordination.k8s.io" &&
      (namespace === undefined || namespace === NODE_LEASE_NAMESPACE)
    );
  }

  /** A node Lease as read: its renewTime is the kubelet's latest renewal when that is newer. */
  private withLatestRenewal(object: KubeObject): KubeObject {
    if (object.metadata?.namespace !== NODE_LEASE_NAMESPACE || !object.metadata.name) return object;
    const spec = (object as { spec?: { renewTime?: string } }).spec;
    const renewal = this.leaseRenewals?.lastRenewal(object.metadata.name, this.clock.now());
    if (renewal === undefined || !spec?.renewTime || Date.parse(spec.renewTime) >= renewal) return object;
    return { ...object, spec: { ...spec, renewTime: toRfc3339Micro(renewal) } } as KubeObject;
  }

  /**
   * A stored object as served: the shared, frozen decoded one when the caller only reads it
   * (`request.sharedResult`, the HTTP layer), else a fresh copy the caller may change.
   */
  private readKv(
    kv: KeyValue,
    apiVersion: string | undefined,
    present: ((object: KubeObject) => KubeObject) | undefined,
    shared: boolean | undefined,
  ): KubeObject {
    if (shared) return this.decoded.decode(kv.key, kv.modRevision, kv.value, apiVersion, present);
    const object = decodeObject(kv, present ? undefined : apiVersion);
    return present ? present(object) : object;
  }

  /** How stored objects of a converted resource (CRD versions) are shown in the request's version. */
  private presenter(
    definition: ResourceDefinition,
    request: Pick<ResourceRequest, "gvr">,
  ): ((object: KubeObject) => KubeObject) | undefined {
    const conversion = definition.conversion;
    return conversion ? (object) => conversion.fromStorage(object, request.gvr.version) : undefined;
  }

  private list(definition: ResourceDefinition, request: ResourceRequest): KubeObject {
    const filter = makeListFilter(definition, request);
    const { resourceVersion, resourceVersionMatch, limit: requestedLimit } = request.options;
    const optionErrors = validateListOptions(request.options, false);
    if (optionErrors.length > 0) throw ApiError.invalid("meta.k8s.io", "ListOptions", "", optionErrors);
    let revision = 0;
    let fromKey: string | undefined;
    if (request.options.continue) {
      const token = decodeContinue(request.options.continue);
      revision = token.rv;
      fromKey = `${storagePrefix(definition, request.namespace)}${token.start}`;
      if (revision <= this.store.compactRevision) {
        throw ApiError.resourceExpired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to receive an inconsistent list.",
        );
      }
    } else if (resourceVersion && resourceVersion !== "0") {
      const requested = parseResourceVersion(resourceVersion);
      if (resourceVersionMatch === "Exact") {
        if (requested <= this.store.compactRevision) {
          throw ApiError.resourceExpired(`too old resource version: ${requested} (${this.store.compactRevision + 1})`);
        }
        revision = requested;
      } else if (requested > this.store.revision) {
        throw ApiError.timeout(`Too large resource version: ${requested}, current: ${this.store.revision}`, 1);
      }
    }
    // resourceVersion=0 is served from the watch cache upstream, which ignores limit.
    const limit = resourceVersion === "0" && !request.options.continue ? 0 : (requestedLimit ?? 0);
    const prefix = storagePrefix(definition, request.namespace);
    const result = this.store.range(prefix, { prefix: true, revision: revision || undefined, fromKey });
    const apiVersion = apiVersionOf(request.gvr);
    const present = this.presenter(definition, request);
    const items: KubeObject[] = [];
    let continueKey: string | undefined;
    let remaining = 0;
    for (let index = 0; index < result.kvs.length; index++) {
      const kv = result.kvs[index];
      // Shared, frozen objects: a list of unchanged objects decodes nothing (see DecodedObjects).
      const stored = this.readKv(kv, present ? undefined : apiVersion, undefined, request.sharedResult);
      if (!filter.trivial && !filter.matches(stored)) continue;
      const object = !present
        ? stored
        : request.sharedResult
          ? this.readKv(kv, apiVersion, present, true)
          : present(stored);
      if (limit > 0 && items.length >= limit) {
        continueKey = result.kvs[index - 1].key.slice(prefix.length);
        if (filter.trivial) remaining = result.kvs.length - index;
        break;
      }
      items.push(object);
    }
    if (this.isNodeLeases(definition, request.namespace)) {
      for (let index = 0; index < items.length; index++) items[index] = this.withLatestRenewal(items[index]);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(result.revision) };
    if (continueKey !== undefined) {
      metadata.continue = encodeContinue(result.revision, `${continueKey}\u0000`);
      if (filter.trivial) metadata.remainingItemCount = remaining;
    }
    return { apiVersion, kind: `${definition.kind}List`, metadata, items } as unknown as KubeObject;
  }

  // ---- writes -----------------------------------------------------------------------------

  private create(definition: ResourceDefinition, request: ResourceRequest): ResourceResponse {
    const warnings: string[] = [];
    const object = this.decodeBody(definition, request, warnings);
    const stored = this.createObject(definition, request, object);
    return { status: 201, body: stored, warnings: warnings.length ? warnings : undefined };
  }

  /** The create pipeline after decoding: metadata, admission, strategy, validation, storage. */
  createObject(
    definition: ResourceDefinition,
    request: ResourceRequest,
    object: KubeObject,
    managedFieldsOverride?: KubeObject["metadata"]["managedFields"],
  ): KubeObject {
    const metadata = object.metadata;
    if (definition.namespaced) {
      if (metadata.namespace && request.namespace && metadata.namespace !== request.namespace) {
        throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      metadata.namespace = request.namespace;
    } else {
      delete metadata.namespace;
    }
    if (request.name && metadata.name && request.name !== metadata.name) {
      throw ApiError.badRequest(
        `the name of the object (${metadata.name}) does not match the name on the URL (${request.name})`,
      );
    }
    const generatedName = !metadata.name && !!metadata.generateName;
    if (generatedName && metadata.generateName) metadata.name = this.generateName(metadata.generateName);
    if (!metadata.name) {
      throw ApiError.invalid(definition.group, definition.kind, "", [
        { type: "FieldValueRequired", field: "metadata.name", detail: "name or generateName is required" },
      ]);
    }
    if (metadata.resourceVersion && metadata.resourceVersion !== "0") {
      // Upstream's storage layer refuses it with a plain error, which clients see as a 500.
      throw new ApiError("", 500, "resourceVersion should not be set on objects to be created");
    }
    const now = this.clock.now();
    metadata.uid = this.uuid();
    metadata.creationTimestamp = toRfc3339(now);
    delete metadata.resourceVersion;
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    delete (metadata as Record<string, unknown>).selfLink;
    const strategy = definition.strategy;
    this.guardStrategy(definition, request, object, () =>
      nameInvalidErrors(definition, metadata.name ?? "", () => strategy.defaults?.(object, this.strategyContext)),
    );
    this.guardStrategy(definition, request, object, () =>
      nameInvalidErrors(definition, metadata.name ?? "", () => this.createStrategyPhase(definition, request, object)),
    );
    const errors: FieldError[] = [...validateObjectMeta(definition, object, !strategy.validate)];
    errors.push(
      ...this.guardStrategy(definition, request, object, () => strategy.validate?.(object, this.strategyContext) ?? []),
    );
    errors.push(...this.customResources.validate(definition, object));
    if (errors.length > 0) throw ApiError.invalid(definition.group, definition.kind, metadata.name, errors);
    this.guardStrategy(definition, request, object, () =>
      this.validateAdmission({
        operation: "CREATE",
        definition,
        namespace: metadata.namespace,
        name: metadata.name ?? "",
        object,
        dryRun: !!request.options.dryRun,
        user: request.user,
      }),
    );
    return this.storeCreated(definition, request, object, generatedName, now, managedFieldsOverride);
  }

  /** Mutating admission, prepareForCreate and defaults again (an allocation may need them). */
  private createStrategyPhase(definition: ResourceDefinition, request: ResourceRequest, object: KubeObject): void {
    const metadata = object.metadata;
    const strategy = definition.strategy;
    const uid = metadata.uid;
    const creationTimestamp = metadata.creationTimestamp;
    this.admit({
      operation: "CREATE",
      definition,
      namespace: metadata.namespace,
      name: metadata.name ?? "",
      object,
      dryRun: !!request.options.dryRun,
      user: request.user,
    });
    // upstream strategies read the requesting user from the context (a CSR's spec.username).
    strategy.prepareForCreate?.(object, { ...this.strategyContext, user: request.user });
    this.customResources.prepareForCreate(definition, object);
    strategy.defaults?.(object, this.strategyContext);
    // Strategies set generation; a resource that tracks none keeps none, but the metadata is ours.
    object.metadata.uid = uid;
    object.metadata.creationTimestamp = creationTimestamp;
  }

  /** managedFields, then the create-only compare-and-swap (dryRun stops before it). */
  private storeCreated(
    definition: ResourceDefinition,
    request: ResourceRequest,
    object: KubeObject,
    generatedName: boolean,
    now: number,
    managedFieldsOverride: KubeObject["metadata"]["managedFields"] | undefined,
  ): KubeObject {
    const metadata = object.metadata as KubeObject["metadata"] & { name: string };
    object.metadata.managedFields =
      managedFieldsOverride ??
      managedFieldsAfterUpdate(
        undefined,
        object,
        { manager: fieldManager(request), operation: "Update", apiVersion: apiVersionOf(request.gvr) },
        toRfc3339(now),
        this.listTypes(definition),
      );
    if (!object.metadata.managedFields) delete object.metadata.managedFields;
    if (!definition.conversion) {
      object.apiVersion = storageApiVersion(definition);
      object.kind = definition.kind;
    }
    // A generated name already taken is generated again, up to 8 attempts in all, as upstream's
    // registry does since RetryGenerateName (GA in 1.32); only then is it a conflict.
    const taken = (attempt: number) => {
      if (!generatedName || attempt >= MAX_GENERATE_NAME_ATTEMPTS) {
        if (generatedName) throw ApiError.generateNameConflict(definition.group, definition.resource, metadata.name);
        throw ApiError.alreadyExists(definition.group, definition.resource, metadata.name);
      }
      metadata.name = this.generateName(metadata.generateName ?? "");
    };
    for (let attempt = 1; ; attempt++) {
      const key = storageKey(definition, metadata.namespace, metadata.name);
      if (request.options.dryRun) {
        if (!this.store.get(key)) return this.present(definition, object, request);
        taken(attempt);
        continue;
      }
      const response = this.store.txn({
        compare: [{ key, target: "createRevision", result: "=", value: 0 }],
        success: [{ type: "put", key, value: encodeObject(object) }],
      });
      if (response.succeeded) {
        object.metadata.resourceVersion = String(response.revision);
        this.customResources.afterWrite(definition, object);
        if (definition.storagePrefix === "events") this.eventExpiry.written(key, response.revision, this.clock.now());
        return this.present(definition, object, request);
      }
      taken(attempt);
    }
  }

  private update(definition: ResourceDefinition, request: ResourceRequest): ResourceResponse {
    const warnings: string[] = [];
    const object = this.decodeBody(definition, request, warnings);
    const name = requireName(request);
    if (object.metadata.name && object.metadata.name !== name) {
      throw ApiError.badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    object.metadata.name = name;
    const found = this.read(definition, request.namespace, name);
    if (!found) {
      if (allowCreateOnUpdate(definition)) {
        delete object.metadata.resourceVersion;
        return {
          status: 201,
          body: this.createObject(definition, request, object),
          warnings: warnings.length ? warnings : undefined,
        };
      }
      throw ApiError.notFound(definition.group, definition.resource, name);
    }
    const stored = this.updateObject(definition, request, found, object);
    return { status: 200, body: stored, warnings: warnings.length ? warnings : undefined };
  }

  /**
   * The update pipeline: preconditions, strategy, validation, managedFields and a compare-and-swap
   * on the key's modRevision. `subresource` "status" applies the status strategy instead.
   */
  updateObject(
    definition: ResourceDefinition,
    request: ResourceRequest,
    current: { object: KubeObject; kv: KeyValue },
    object: KubeObject,
    managedFieldsOverride?: KubeObject["metadata"]["managedFields"] | null,
  ): KubeObject {
    return this.guardStrategy(definition, request, object, () =>
      this.updateObjectUnguarded(definition, request, current, object, managedFieldsOverride),
    );
  }

  /**
   * Runs a part of the write pipeline that calls strategies and admission plugins. They are written
   * for well-typed objects (decoding checks types against the schema), so an exception from them
   * means either a body whose types no check caught — answered as decoding would, 400 BadRequest —
   * or a bug of ours, which `execute` logs and answers 500 InternalError.
   */
  guardStrategy<T>(definition: ResourceDefinition, request: ResourceRequest, object: KubeObject, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (isApiError(error) || error instanceof CompactedError || error instanceof FutureRevisionError) throw error;
      const typeError = this.typeError(definition, request, object, true);
      if (typeError) throw ApiError.badRequest(typeError);
      throw error;
    }
  }

  /**
   * The first field of `object` whose JSON type the kind's Go struct would not decode, as the full
   * message upstream's decoder gives (`Pod in version "v1" cannot be handled as a Pod: json: cannot
   * unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container`).
   * `stored` reads `object` in the stored shape rather than the request's version.
   */
  typeError(
    definition: ResourceDefinition,
    request: Pick<ResourceRequest, "gvr">,
    object: unknown,
    stored = false,
  ): string | undefined {
    if (!definition.schemaComponents || this.customResources.isCustom(definition)) return undefined;
    const version = stored ? definition.versions[0] : request.gvr.version;
    const schema = this.versionSchema(definition, version);
    if (!schema) return undefined;
    return findTypeError(object, schema, definition.schemaComponents, definition.kind, version);
  }

  /** The schema of one served version (autoscaling/v1 and v2 differ in shape). */
  versionSchema(definition: ResourceDefinition, version: string) {
    return definition.schemasByVersion?.[version] ?? definition.schema;
  }

  private updateObjectUnguarded(
    definition: ResourceDefinition,
    request: ResourceRequest,
    current: { object: KubeObject; kv: KeyValue },
    object: KubeObject,
    managedFieldsOverride?: KubeObject["metadata"]["managedFields"] | null,
  ): KubeObject {
    const old = current.object;
    const name = old.metadata.name ?? "";
    const requestedVersion = object.metadata.resourceVersion;
    if (requestedVersion && requestedVersion !== old.metadata.resourceVersion) {
      throw ApiError.modified(definition.group, definition.resource, name);
    }
    if (object.metadata.uid && object.metadata.uid !== old.metadata.uid) {
      throw ApiError.conflict(
        definition.group,
        definition.resource,
        name,
        `Precondition failed: UID in precondition: ${object.metadata.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (definition.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== request.namespace) {
        throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      object.metadata.namespace = request.namespace;
    } else delete object.metadata.namespace;
    // System-owned metadata cannot be changed by a client.
    object.metadata.uid = old.metadata.uid;
    object.metadata.creationTimestamp = old.metadata.creationTimestamp;
    object.metadata.name = name;
    setOrDelete(object.metadata, "deletionTimestamp", old.metadata.deletionTimestamp);
    setOrDelete(object.metadata, "deletionGracePeriodSeconds", old.metadata.deletionGracePeriodSeconds);
    setOrDelete(object.metadata, "generation", old.metadata.generation);
    if (object.metadata.generateName === undefined && old.metadata.generateName)
      object.metadata.generateName = old.metadata.generateName;
    const strategy = definition.strategy;
    const subresource = request.subresource;
    const context = this.strategyContext;
    if (subresource === "status") {
      if (strategy.status?.prepareForUpdate) strategy.status.prepareForUpdate(object, old, context);
      else keepAllButStatus(object, old);
    } else if (subresource === "approval") {
      strategy.approval?.prepareForUpdate?.(object, old, context);
    } else if (subresource === "finalize") {
      // namespaces/finalize (upstream's finalizeStrategy): the caller set only spec.finalizers.
      object.status = clone(old.status);
    } else if (subresource === "ephemeralcontainers") {
      strategy.ephemeralContainers?.prepareForUpdate(object, old, context);
    } else {
      if (definition.subresources?.status && !strategy.prepareForUpdate) object.status = clone(old.status);
      nameInvalidErrors(definition, name, () => strategy.prepareForUpdate?.(object, old, context));
      this.customResources.prepareForUpdate(definition, object, old);
    }
    strategy.defaults?.(object, context);
    if (!definition.conversion) {
      object.apiVersion = storageApiVersion(definition);
      object.kind = definition.kind;
    }
    const dryRun = !!request.options.dryRun;
    if (!subresource) {
      this.admit({
        operation: "UPDATE",
        definition,
        namespace: request.namespace,
        name,
        object,
        oldObject: old,
        dryRun,
        user: request.user,
      });
    }
    const errors: FieldError[] = [
      ...validateObjectMeta(definition, object, !strategy.validate && !strategy.validateUpdate),
    ];
    if (subresource === "status") errors.push(...(strategy.status?.validateUpdate?.(object, old, context) ?? []));
    else if (subresource === "approval")
      errors.push(...(strategy.approval?.validateUpdate?.(object, old, context) ?? []));
    else if (subresource === "ephemeralcontainers")
      errors.push(...(strategy.ephemeralContainers?.validateUpdate(object, old, context) ?? []));
    else if (strategy.validateUpdate) errors.push(...strategy.validateUpdate(object, old, context));
    else errors.push(...(strategy.validate?.(object, context) ?? []));
    errors.push(...this.customResources.validate(definition, object));
    if (errors.length > 0) throw ApiError.invalid(definition.group, definition.kind, name, errors);
    if (!subresource) {
      this.validateAdmission({
        operation: "UPDATE",
        definition,
        namespace: request.namespace,
        name,
        object,
        oldObject: old,
        dryRun,
        user: request.user,
      });
    }
    const now = toRfc3339(this.clock.now());
    if (managedFieldsOverride !== null) {
      const identity = {
        manager: fieldManager(request),
        operation: "Update" as const,
        apiVersion: apiVersionOf(request.gvr),
        subresource: subresource && managedSubresources.has(subresource) ? subresource : undefined,
      };
      object.metadata.managedFields =
        managedFieldsOverride ??
        managedFieldsAfterUpdate(
          old,
          { ...object, metadata: { ...object.metadata, managedFields: old.metadata.managedFields } },
          identity,
          now,
          this.listTypes(definition),
        );
    }
    if (!object.metadata.managedFields) delete object.metadata.managedFields;
    object.metadata.resourceVersion = old.metadata.resourceVersion;
    // A write that changes nothing is not written: upstream's GuaranteedUpdate skips it, so
    // level-triggered loops that write back the same object do not spin.
    if (deepEqual(stripVolatile(object), stripVolatile(old))) return this.present(definition, old, request);
    if (shouldDeleteDuringUpdate(object)) {
      if (dryRun) return this.present(definition, object, request);
      return this.removeFromStore(definition, object, current.kv, request).object;
    }
    if (dryRun) return this.present(definition, object, request);
    const key = current.kv.key;
    const response = this.store.txn({
      compare: [{ key, target: "modRevision", result: "=", value: current.kv.modRevision }],
      success: [{ type: "put", key, value: encodeObject(object) }],
    });
    if (!response.succeeded) throw ApiError.modified(definition.group, definition.resource, name);
    object.metadata.resourceVersion = String(response.revision);
    this.customResources.afterWrite(definition, object);
    if (definition.storagePrefix === "events") this.eventExpiry.written(key, response.revision, this.clock.now());
    return this.present(definition, object, request);
  }

  /** Deletes a key with a compare on its modRevision, then runs the strategy's afterDelete. */
  removeFromStore(
    definition: ResourceDefinition,
    object: KubeObject,
    kv: KeyValue,
    request: ResourceRequest,
  ): { object: KubeObject; revision: number } {
    const response = this.store.txn({
      compare: [{ key: kv.key, target: "modRevision", result: "=", value: kv.modRevision }],
      success: [{ type: "delete", key: kv.key }],
    });
    if (!response.succeeded) throw ApiError.modified(definition.group, definition.resource, object.metadata.name ?? "");
    definition.strategy.afterDelete?.(object, this.strategyContext);
    this.customResources.afterDelete(definition, object);
    const deleted = this.present(
      definition,
      { ...object, metadata: { ...object.metadata, resourceVersion: String(response.revision) } },
      request,
    );
    return { object: deleted, revision: response.revision };
  }

  private patch(definition: ResourceDefinition, request: ResourceRequest): ResourceResponse {
    const warnings: string[] = [];
    const result = this.patchObject(definition, request, warnings);
    return result;
  }

  /** PATCH of the main resource or of `status`/`scale` (the caller maps scale). */
  patchObject(definition: ResourceDefinition, request: ResourceRequest, warnings: string[] = []): ResourceResponse {
    const name = requireName(request);
    const patchType = request.patchType;
    if (!patchType) throw ApiError.unsupportedMediaType("");
    const document = parsePatchBody(request.body, patchType);
    const found = this.read(definition, request.namespace, name);
    const apiVersion = apiVersionOf(request.gvr);
    if (patchType === "apply") {
      if (!isPlainObject(document))
        throw ApiError.badRequest("error decoding YAML: the applied configuration must be an object");
      const applied = document as KubeObject;
      this.checkAppliedIdentity(definition, request, applied, name);
      this.checkMetadataTypes(definition, request, applied);
      const typeError = this.typeError(definition, request, applied);
      if (typeError) throw ApiError.badRequest(typeError);
      this.applyUnknownFields(definition, request, applied, warnings);
      const identity = {
        manager: request.options.fieldManager ?? "",
        operation: "Apply" as const,
        apiVersion,
        subresource: request.subresource === "status" ? "status" : undefined,
      };
      if (!identity.manager) {
        throw ApiError.badRequest("PATCH, application/apply-patch+yaml requests require fieldManager to be set");
      }
      const now = toRfc3339(this.clock.now());
      const resolve = this.listTypes(definition);
      if (!found) {
        if (request.subresource) throw ApiError.notFound(definition.group, definition.resource, name);
        const created = serverSideApply(undefined, clone(applied), identity, !!request.options.force, now, resolve);
        const object = this.accept(definition, created.object, request);
        object.metadata = { ...object.metadata, name, resourceVersion: undefined };
        return {
          status: 201,
          body: this.createObject(definition, request, object, created.managedFields),
          warnings: warnings.length ? warnings : undefined,
        };
      }
      const liveForApply = clone(this.present(definition, found.object, request));
      const applyResult = serverSideApply(
        liveForApply,
        clone(applied),
        identity,
        !!request.options.force,
        now,
        resolve,
      );
      const merged = this.accept(definition, applyResult.object, request);
      merged.metadata = { ...merged.metadata, resourceVersion: applied.metadata?.resourceVersion };
      const body = this.updateObject(definition, request, found, merged, applyResult.managedFields ?? undefined);
      return { status: 200, body, warnings: warnings.length ? warnings : undefined };
    }
    if (!found) throw ApiError.notFound(definition.group, definition.resource, name);
    const original = clone(this.present(definition, found.object, request));
    let patched: unknown;
    if (patchType === "json") {
      if (!Array.isArray(document))
        throw ApiError.badRequest("json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
      try {
        patched = applyJsonPatch(original, document as Operation[], true, false).newDocument;
      } catch (error) {
        throw new ApiError("Invalid", 422, `the server rejected our request due to an error in our request`, {
          causes: [{ message: jsonPatchError(error) }],
        });
      }
    } else if (patchType === "merge") {
      if (!isPlainObject(document))
        throw ApiError.badRequest("json: cannot unmarshal array into Go value of type map[string]interface {}");
      patched = applyMergePatch(original, document);
    } else if (patchType === "strategic") {
      if (this.customResources.isCustom(definition)) {
        throw ApiError.unsupportedMediaType("application/strategic-merge-patch+json");
      }
      // Lists merge as the request version's schema says (x-kubernetes-patch-strategy/-merge-key).
      const schema = this.versionSchema(definition, request.gvr.version);
      patched = applyStrategicMergePatch(
        original,
        document,
        schema && definition.schemaComponents ? { node: schema, components: definition.schemaComponents } : undefined,
      );
    } else {
      throw ApiError.unsupportedMediaType(String(patchType));
    }
    if (!isPlainObject(patched)) throw ApiError.badRequest("the patch produced something that is not an object");
    const presented = patched as KubeObject;
    if (!isPlainObject(presented.metadata)) presented.metadata = {};
    this.checkMetadataTypes(definition, request, presented);
    const typeError = this.typeError(definition, request, presented);
    if (typeError) {
      // Upstream's patcher decodes the patched object and reports a failure as an Invalid "patch".
      throw ApiError.invalid("", "", "", [
        {
          type: "FieldValueInvalid",
          field: "patch",
          // Upstream's jsonPatcher (json and merge) shows the patched object; the strategic patcher the patch, as %+v.
          badValue: patchType === "strategic" ? goValueString(document) : JSON.stringify(patched),
          detail: typeError.slice(typeError.indexOf(": ") + 2),
        },
      ]);
    }
    this.checkUnknown(definition, request, presented, warnings);
    const object = this.accept(definition, presented, request);
    // A patch that does not mention resourceVersion is unconditional; one that does is a precondition.
    const mentioned = patchMentionsResourceVersion(document, patchType);
    if (!mentioned) object.metadata.resourceVersion = undefined;
    if (object.metadata.name !== name) {
      throw ApiError.badRequest(
        `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const body = this.updateObject(definition, request, found, object);
    return { status: 200, body, warnings: warnings.length ? warnings : undefined };
  }

  private checkAppliedIdentity(
    definition: ResourceDefinition,
    request: ResourceRequest,
    applied: KubeObject,
    name: string,
  ): void {
    if (!applied.apiVersion || !applied.kind) {
      throw ApiError.badRequest(`Object 'Kind' is missing in '${JSON.stringify(applied)}'`);
    }
    if (applied.kind !== definition.kind || applied.apiVersion !== apiVersionOf(request.gvr)) {
      throw ApiError.badRequest(
        `the apiVersion and kind of the object (${applied.apiVersion}, Kind=${applied.kind}) do not match the request (${apiVersionOf(request.gvr)}, Kind=${definition.kind})`,
      );
    }
    if (!isPlainObject(applied.metadata)) applied.metadata = {};
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw ApiError.badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    applied.metadata.name = name;
    if (definition.namespaced) {
      if (applied.metadata.namespace && applied.metadata.namespace !== request.namespace) {
        throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
    } else delete applied.metadata.namespace;
  }

  private applyUnknownFields(
    definition: ResourceDefinition,
    request: ResourceRequest,
    object: KubeObject,
    warnings: string[],
  ): void {
    this.checkUnknown(definition, request, object, warnings);
  }

  /** Decodes a create/update body: kind and apiVersion checks, unknown fields per fieldValidation. */
  decodeBody(definition: ResourceDefinition, request: ResourceRequest, warnings: string[]): KubeObject {
    const body = request.body;
    if (!isPlainObject(body)) throw ApiError.badRequest("the body of the request must be a JSON object");
    // Built-in kinds drop nested nulls as Go's decoding does (see dropNulls), in the copy's walk.
    const custom = this.customResources.isCustom(definition);
    const object = (custom ? clone(body) : cloneDroppingNulls(body)) as KubeObject;
    const expectedVersion = apiVersionOf(request.gvr);
    if (object.apiVersion !== undefined && object.apiVersion !== expectedVersion) {
      throw ApiError.badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== definition.kind) {
      throw ApiError.badRequest(
        `${object.kind} in version "${request.gvr.version}" cannot be handled as a ${definition.kind}: no kind "${object.kind}" is registered for version "${expectedVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`,
      );
    }
    object.apiVersion = expectedVersion;
    object.kind = definition.kind;
    if (object.metadata !== undefined && object.metadata !== null && !isPlainObject(object.metadata)) {
      const type = Array.isArray(object.metadata) ? "array" : typeof object.metadata;
      throw this.undecodable(
        definition,
        request,
        `json: cannot unmarshal ${type} into Go struct field ${definition.kind}.metadata of type v1.ObjectMeta`,
      );
    }
    if (!isPlainObject(object.metadata)) object.metadata = {};
    this.checkMetadataTypes(definition, request, object, !custom);
    // A type error trumps unknown fields, as in upstream's decoder.
    const typeError = this.typeError(definition, request, object);
    if (typeError) throw ApiError.badRequest(typeError);
    this.checkUnknown(definition, request, object, warnings);
    return this.accept(definition, object, request);
  }

  /** `Pod in version "v1" cannot be handled as a Pod: <decoding error>`, upstream's 400 for undecodable bodies. */
  private undecodable(definition: ResourceDefinition, request: ResourceRequest, why: string): ApiError {
    return ApiError.badRequest(
      `${definition.kind} in version ${JSON.stringify(request.gvr.version)} cannot be handled as a ${definition.kind}: ${why}`,
    );
  }

  /**
   * Go decodes `null` into a built-in kind's field as the zero value, which encodes as absent
   * (omitempty): `creationTimestamp: null` in a pod template, `resources: null`. Dropping nulls
   * keeps stored objects (and hashes of their templates) as upstream's round trip leaves them.
   * Custom resources keep them: their schemas may say `nullable`.
   */
  private dropNulls(definition: ResourceDefinition, object: KubeObject): void {
    if (this.customResources.isCustom(definition)) return;
    const visit = (value: unknown) => {
      if (Array.isArray(value)) {
        for (const item of value) visit(item);
      } else if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        for (const [key, item] of Object.entries(record)) {
          if (item === null) delete record[key];
          else visit(item);
        }
      }
    };
    visit(object);
  }

  private checkMetadataTypes(
    definition: ResourceDefinition,
    request: ResourceRequest,
    object: KubeObject,
    nestedNullsDropped = false,
  ): void {
    if (!nestedNullsDropped) this.dropNulls(definition, object);
    else
      for (const [key, value] of Object.entries(object))
        if (value === null) delete (object as Record<string, unknown>)[key];
    const problem = metadataTypeError(object.metadata as Record<string, unknown>);
    if (problem) throw this.undecodable(definition, request, problem);
    // Go decodes an explicit null as absent.
    const metadata = object.metadata as Record<string, unknown>;
    for (const [key, value] of Object.entries(metadata)) if (value === null) delete metadata[key];
  }

  private checkUnknown(
    definition: ResourceDefinition,
    request: ResourceRequest,
    object: KubeObject,
    warnings: string[],
  ): void {
    const schema = this.versionSchema(definition, request.gvr.version);
    if (!schema) return;
    const unknown = checkUnknownFields(object, schema, definition.schemaComponents);
    if (unknown.length === 0) return;
    const mode = request.options.fieldValidation ?? "Warn";
    if (mode === "Strict") {
      throw ApiError.badRequest(
        `strict decoding error: ${unknown.map((path) => `unknown field ${JSON.stringify(path)}`).join(", ")}`,
      );
    }
    if (mode === "Warn") for (const path of unknown) warnings.push(`unknown field ${JSON.stringify(path)}`);
  }

  // ---- admission --------------------------------------------------------------------------

  admit(attributes: AdmissionAttributes): void {
    for (const plugin of this.admission) plugin.admit?.(attributes, this.admissionContext);
  }

  validateAdmission(attributes: AdmissionAttributes): void {
    for (const plugin of this.admission) plugin.validate?.(attributes, this.admissionContext);
  }

  /** Writes an object's status with no admission or strategy (quota usage, CRD conditions). */
  writeStatusDirect(group: string, resource: string, object: KubeObject): void {
    const served = this.resources.lookup(group, resource);
    if (!served) return;
    const key = storageKey(served.definition, object.metadata.namespace, object.metadata.name ?? "");
    const kv = this.store.get(key);
    if (!kv) return;
    const current = decodeObject(kv);
    if (deepEqual(current.status, object.status)) return;
    current.status = object.status;
    this.store.txn({
      compare: [{ key, target: "modRevision", result: "=", value: kv.modRevision }],
      success: [{ type: "put", key, value: encodeObject(current) }],
    });
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** An object as served through the request's version (conversion, or just the apiVersion). */
  present(definition: ResourceDefinition, object: KubeObject, request: Pick<ResourceRequest, "gvr">): KubeObject {
    if (definition.conversion) return definition.conversion.fromStorage(object, request.gvr.version);
    return { ...object, apiVersion: apiVersionOf(request.gvr) };
  }

  /** A received object (in the request's version) in the stored shape. */
  accept(definition: ResourceDefinition, object: KubeObject, request: Pick<ResourceRequest, "gvr">): KubeObject {
    if (definition.conversion) {
      const converted = definition.conversion.toStorage(object, request.gvr.version);
      if (!isPlainObject(converted.metadata)) converted.metadata = {};
      return converted;
    }
    return object;
  }

  /** List types for server-side apply: the CRD schema's markers, else the built-in table. */
  listTypes(definition: ResourceDefinition): ListTypeResolver {
    return this.customResources.listTypes(definition) ?? builtinListTypes;
  }

  /** `web-` → `web-x7k2q`, with upstream's alphabet. */
  generateName(base: string): string {
    const prefix = base.length > 58 ? base.slice(0, 58) : base;
    let suffix = "";
    for (let index = 0; index < 5; index++) suffix += NAME_ALPHABET[Math.floor(this.random() * NAME_ALPHABET.length)];
    return prefix + suffix;
  }

  /** A random (version 4) UUID from the injected randomness. */
  uuid(): string {
    const hex: string[] = [];
    for (let index = 0; index < 32; index++) hex.push(Math.floor(this.random() * 16).toString(16));
    hex[12] = "4";
    hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  /** Builds a status-like Success body as the delete of a resource returns it. */
  successStatus(definition: ResourceDefinition, object: KubeObject): Status {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: {
        name: object.metadata.name,
        group: definition.group || undefined,
        kind: definition.resource,
        uid: object.metadata.uid,
      },
    } as Status;
  }
}

export type { ListFilter };
export { SUBRESOURCE_HANDLERS };

/** `apps/v1`: the storage (first) version of a definition. */
export function storageApiVersion(definition: ResourceDefinition): string {
  return apiVersionOf({ group: definition.group, version: definition.versions[0] });
}

/** A JSON value as Go's `%+v` prints the map it decodes into: `map[spec:map[replicas:2]]`. */
function goValueString(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goValueString).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${goValueString(item)}`).join(" ")}]`;
  }
  return String(value);
}

/** `create pods default/web`, for the log of an internal error. */
function describeRequest(request: ResourceRequest): string {
  const resource = request.subresource ? `${request.gvr.resource}/${request.subresource}` : request.gvr.resource;
  const where = [request.namespace, request.name].filter(Boolean).join("/");
  return `${request.verb} ${request.gvr.group ? `${resource}.${request.gvr.group}` : resource}${where ? ` ${where}` : ""}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Allocators raise Invalid without knowing the object's name; upstream's message carries it. */
function nameInvalidErrors(definition: ResourceDefinition, name: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (isApiError(error, "Invalid") && !error.details?.name) {
      const unnamed = `${qualifiedKind(definition.group, definition.kind)} "" is invalid`;
      const named = `${qualifiedKind(definition.group, definition.kind)} ${JSON.stringify(name)} is invalid`;
      throw new ApiError("Invalid", 422, error.message.replace(unnamed, named), { ...error.details, name });
    }
    throw error;
  }
}

function requireName(request: ResourceRequest): string {
  if (!request.name) throw ApiError.badRequest("name is required");
  return request.name;
}

/** The field manager of a write: the request's, or upstream's default for clients that set none. */
export function fieldManager(request: ResourceRequest): string {
  if (request.options.fieldManager) return request.options.fieldManager;
  const fromAgent = request.userAgent?.split("/")[0]?.slice(0, 128);
  return fromAgent || "unknown";
}

function parseResourceVersion(value: string): number {
  const revision = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(revision)) {
    throw ApiError.badRequest(`Invalid value: "${value}": strconv.ParseUint: parsing "${value}": invalid syntax`);
  }
  return revision;
}

function encodeContinue(revision: number, start: string): string {
  return base64Encode(JSON.stringify({ v: "meta.k8s.io/v1", rv: revision, start }));
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(base64Decode(token));
    if (parsed.v !== "meta.k8s.io/v1" || !Number.isInteger(parsed.rv) || typeof parsed.start !== "string")
      throw new Error();
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw ApiError.badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}

function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function base64Decode(text: string): string {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new TextDecoder().decode(bytes);
}

/** Endpoints, leases and RBAC objects may be created by a PUT, as upstream allows for them. */
function allowCreateOnUpdate(definition: ResourceDefinition): boolean {
  return (
    (definition.group === "" && (definition.resource === "endpoints" || definition.resource === "events")) ||
    definition.group === "coordination.k8s.io" ||
    definition.group === "rbac.authorization.k8s.io"
  );
}

function setOrDelete<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** Subresources whose writes managedFields records as theirs (`subresource: status`). */
const managedSubresources = new Set(["status", "scale", "ephemeralcontainers", "approval"]);

/** The status subresource writes only status: everything else comes from the stored object. */
function keepAllButStatus(object: KubeObject, old: KubeObject): void {
  for (const key of Object.keys(object)) if (key !== "status" && key !== "metadata") delete object[key];
  for (const [key, value] of Object.entries(old))
    if (key !== "status" && key !== "metadata") object[key] = clone(value);
  const metadata = object.metadata;
  object.metadata = { ...clone(old.metadata), resourceVersion: metadata.resourceVersion };
}

function stripVolatile(object: KubeObject): unknown {
  const { managedFields, resourceVersion: _resourceVersion, ...metadata } = object.metadata;
  const fields = (managedFields ?? []).map(({ time: _time, ...rest }) => rest);
  return { ...object, metadata: { ...metadata, managedFields: fields } };
}

/**
 * Upstream's ShouldDeleteDuringUpdate: deletion requested, no finalizers left, no grace pending.
 * A namespace also waits for its spec.finalizers (ShouldDeleteNamespaceDuringUpdate).
 */
function shouldDeleteDuringUpdate(object: KubeObject): boolean {
  if (object.kind === "Namespace" && (object.spec?.finalizers?.length ?? 0) > 0) return false;
  return (
    !!object.metadata.deletionTimestamp &&
    (object.metadata.finalizers?.length ?? 0) === 0 &&
    (object.metadata.deletionGracePeriodSeconds ?? 0) === 0
  );
}

function parsePatchBody(body: unknown, patchType: string): unknown {
  if (typeof body !== "string") return body;
  if (patchType === "apply") {
    try {
      return parseYaml(body);
    } catch (error) {
      throw ApiError.badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw ApiError.badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

function patchMentionsResourceVersion(document: unknown, patchType: string): boolean {
  if (patchType === "json") {
    return (
      Array.isArray(document) &&
      document.some((op) => isPlainObject(op) && op.path === "/metadata/resourceVersion" && op.op !== "remove")
    );
  }
  return (
    isPlainObject(document) && isPlainObject(document.metadata) && typeof document.metadata.resourceVersion === "string"
  );
}

function jsonPatchError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split("\n")[0];
  if (/TEST_OPERATION_FAILED/.test(firstLine)) return "testing value failed";
  if (/OPERATION_PATH_UNRESOLVABLE|OPERATION_PATH_CANNOT_ADD/.test(firstLine))
    return `doc is missing path: ${firstLine.match(/path.*$/)?.[0] ?? ""}`;
  return firstLine;
}

export { deepFreeze, jsonPatchCompare };

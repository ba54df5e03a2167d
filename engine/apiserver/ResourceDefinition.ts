import type { KubeObject } from "../api/types";
import type { Clock } from "../clock/Clock";
import type { UserInfo } from "./ResourceRequest";

/**
 * Everything the generic registry needs to serve one resource, in the manner of upstream's
 * `genericregistry.Store` plus a `RESTCreateStrategy`/`RESTUpdateStrategy` and a `TableConvertor`.
 * One definition per resource lives under `apiserver/resources/<group>/<resource>.ts` and is listed
 * in `apiserver/resources/index.ts`.
 */
export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  group: string;
  /** The served versions; the first is the preferred and storage version. */
  versions: string[];
  /** Plural, lower case: `deployments`. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** `all` puts the resource into `kubectl get all`. */
  categories?: string[];
  /** Discovery verbs; defaults to the full set. */
  verbs?: string[];
  /** The etcd key prefix under /registry: `pods`, `deployments`, `services/specs`, `minions` for nodes. */
  storagePrefix: string;
  /** Subresources served besides the main resource. */
  subresources?: {
    status?: boolean;
    /** `/scale`: where the replica count and selector live, as upstream's scale subresource. */
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
    /** `/approval` (certificatesigningrequests): writes only the approval conditions, through `strategy.approval`. */
    approval?: boolean;
  };
  strategy: ResourceStrategy<T>;
  /** Server-side printing for `kubectl get` (upstream printers.go). */
  table?: TableConvertor<T>;
  /**
   * Field-selector fields beyond `metadata.name` and `metadata.namespace` (which every resource
   * supports), as upstream's `GetAttrs`/`ToSelectableFields`: `spec.nodeName`, `status.phase` …
   */
  selectableFields?: Record<string, (object: T) => string | undefined>;
  /**
   * Selectable fields whose watchers are indexed by value, as upstream's `TriggerFunc`
   * (`spec.nodeName` for pods, `metadata.name` for nodes): a watch whose field selector requires
   * `field=value` is reached only by changes whose new or previous object has that value, so a
   * pod write costs one kubelet's watch instead of every kubelet's.
   */
  watchTriggers?: readonly string[];
  /** OpenAPI v3 schema of the kind, used for strict field validation, `/openapi/v3` and `kubectl explain`. */
  schema?: OpenApiSchema;
  /**
   * The component schemas `schema` refers to with `$ref: "#/components/schemas/<name>"` (added by
   * the resources engineer). One shared, frozen map for all built-in kinds: put it under
   * `components.schemas` of every `/openapi/v3` group-version document, and resolve `$ref` (and
   * `allOf: [{$ref}]`) through it when walking a body for unknown fields. Never mutate it.
   */
  schemaComponents?: Readonly<Record<string, OpenApiSchema>>;
  /**
   * The schema of each served version when versions differ in shape (autoscaling v1 and v2);
   * `schema` is the preferred version's. Absent: `schema` serves every version. (Added by resources.)
   */
  schemasByVersion?: Record<string, OpenApiSchema | undefined>;
  /**
   * Conversion between the stored shape and the shape of a served version, for resources whose
   * versions differ in shape (added by the resources engineer). Absent: every served version has
   * the stored shape and only `apiVersion` changes.
   *
   * The registry must call `toStorage(body, version)` on every body received through `version`
   * (create, update, patch — apply the patch to `fromStorage(stored)`, then convert back) before
   * defaults and validation, and `fromStorage(object, version)` on every object it returns or sends
   * in a watch event through `version` (get, list items, watch, the response of a write). Both
   * return new objects and set `apiVersion`. The strategy and table always see the stored shape.
   *
   * Used by autoscaling/v1 HorizontalPodAutoscaler (stored as autoscaling/v2; v1 has
   * `targetCPUUtilizationPercentage`, v2 has `metrics`) and by events.k8s.io/v1 Event, a second
   * definition over the same storage as core/v1 events (same `storagePrefix: "events"`, stored in
   * the core/v1 shape; a watch on either sees writes made through the other).
   */
  conversion?: {
    /** The stored object as served through `version` of this definition's group. */
    fromStorage(object: KubeObject, version: string): KubeObject;
    /** A received object of `version` of this definition's group, in the stored shape. */
    toStorage(object: KubeObject, version: string): KubeObject;
  };
}

/** A JSON Schema as used by OpenAPI v3 documents, with the Kubernetes extensions we need. */
export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  allOf?: OpenApiSchema[];
  $ref?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-group-version-kind"?: Array<{ group: string; version: string; kind: string }>;
}

/** What a strategy may consult: time, the cluster's allocators, and reads of other objects. */
export interface StrategyContext {
  clock: Clock;
  /** The requesting user, on create (upstream's genericapirequest.UserFrom: a CSR records its requestor). */
  user?: UserInfo;
  /** Reads an object already stored (for admission-like checks); undefined if absent. */
  get(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Allocates a ClusterIP from the service CIDR (10.96.0.0/12), or reserves `requested`. */
  allocateClusterIP(requested?: string): string;
  releaseClusterIP(ip: string): void;
  /**
   * Allocates a NodePort from 30000–32767, or reserves `requested`. `field` names the port in
   * errors (`spec.ports[1].nodePort`; default `spec.ports[0].nodePort`) — added by the engine core.
   */
  allocateNodePort(requested?: number, field?: string): number;
  releaseNodePort(port: number): void;
}

/**
 * A field error as upstream's `field.Error`: rendered `spec.containers[0].name: Required value`
 * and carried in Status causes as `{reason: "FieldValueRequired", message, field}`.
 */
export interface FieldError {
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueNotFound"
    | "InternalError";
  /** The path in the object: `spec.template.spec.containers[0].image`. */
  field: string;
  badValue?: unknown;
  detail?: string;
  /** For NotSupported: the values that are. */
  supportedValues?: string[];
  /**
   * The bad value already rendered as upstream's Go formatting would print it, when JSON would
   * not match (`map[string]string{"app":"web"}`, `v1.LabelSelector{...}`). When set, renderers
   * print it verbatim instead of formatting `badValue` (added by the resources engineer).
   */
  renderedBadValue?: string;
}

export interface ResourceStrategy<T extends KubeObject = KubeObject> {
  /** Fills defaults as the versioned `SetDefaults_*` functions do; runs before validation on every write. */
  defaults?(object: T, context: StrategyContext): void;
  /** Clears status, sets generation 1 and whatever else upstream's PrepareForCreate does. */
  prepareForCreate?(object: T, context: StrategyContext): void;
  /** Keeps status from `old`, bumps generation only when spec changed. */
  prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
  validate?(object: T, context: StrategyContext): FieldError[];
  /** Update validation: immutable fields and selectors, plus everything `validate` checks. */
  validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
  /** Called after the object is deleted from storage, to release what it held (ClusterIPs, NodePorts). */
  afterDelete?(object: T, context: StrategyContext): void;
  /**
   * The `pods/ephemeralcontainers` subresource's strategy (upstream's
   * podEphemeralContainersStrategy): keeps all but the ephemeral containers from `old`.
   */
  ephemeralContainers?: {
    prepareForUpdate(object: T, old: T, context: StrategyContext): void;
    validateUpdate(object: T, old: T, context: StrategyContext): FieldError[];
  };
  /** The `/approval` subresource's strategy (CSRs): keeps all but the conditions from `old`. */
  approval?: {
    prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
    validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
  };
  /** The `/status` subresource's strategy: keeps spec from `old`, validates status. */
  status?: {
    prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
    validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
  };
}

export interface TableColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  /** 0 shows by default; 1 only with `-o wide`. */
  priority: number;
}

export interface TableConvertor<T extends KubeObject = KubeObject> {
  columns: TableColumnDefinition[];
  /** One row's cells, in column order. `now` (ms) lets ages be printed as upstream's `translateTimestampSince`. */
  cells(object: T, now: number): Array<string | number | boolean | null>;
  /**
   * The row's `conditions` (upstream sets `Completed` on succeeded and failed pods, which
   * kubectl hides without `--show-all`-style flags). Added by the engine core.
   */
  rowConditions?(object: T): Array<{ type: string; status: string; reason?: string; message?: string }> | undefined;
}

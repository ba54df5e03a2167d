import type { OpenApiSchema } from "../ResourceDefinition";

/**
 * The apimachinery meta/v1 schemas every group-version document refers to (ObjectMeta, ListMeta …),
 * under upstream's names. Descriptions are short paraphrases of upstream's, enough for
 * `kubectl explain` to be useful; the resources' own schemas may supply richer ones, which win.
 */

export const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const ref = (name: string): OpenApiSchema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const string = (description: string): OpenApiSchema => ({ type: "string", description });
const stringMap = (description: string): OpenApiSchema => ({
  type: "object",
  description,
  additionalProperties: { type: "string", default: "" },
});

export const metaSchemas: Record<string, OpenApiSchema> = {
  [`${META}.Time`]: {
    type: "string",
    format: "date-time",
    description: "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.",
  },
  [`${META}.MicroTime`]: {
    type: "string",
    format: "date-time",
    description: "MicroTime is version of Time with microsecond level precision.",
  },
  [`${META}.FieldsV1`]: {
    type: "object",
    description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.",
  },
  [`${META}.OwnerReference`]: {
    type: "object",
    description:
      "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
    required: ["apiVersion", "kind", "name", "uid"],
    properties: {
      apiVersion: string("API version of the referent."),
      blockOwnerDeletion: {
        type: "boolean",
        description:
          'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.',
      },
      controller: { type: "boolean", description: "If true, this reference points to the managing controller." },
      kind: string("Kind of the referent."),
      name: string("Name of the referent."),
      uid: string("UID of the referent."),
    },
    "x-kubernetes-map-type": "atomic",
  } as OpenApiSchema,
  [`${META}.ManagedFieldsEntry`]: {
    type: "object",
    description:
      "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
    properties: {
      apiVersion: string("APIVersion defines the version of this resource that this field set applies to."),
      fieldsType: string("FieldsType is the discriminator for the different fields format and version."),
      fieldsV1: {
        ...ref(`${META}.FieldsV1`),
        description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
      },
      manager: string("Manager is an identifier of the workflow managing these fields."),
      operation: string(
        "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.",
      ),
      subresource: string(
        "Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.",
      ),
      time: { ...ref(`${META}.Time`), description: "Time is the timestamp of when the ManagedFields entry was added." },
    },
  },
  [`${META}.ObjectMeta`]: {
    type: "object",
    description:
      "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
    properties: {
      annotations: stringMap(
        "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects.",
      ),
      creationTimestamp: {
        ...ref(`${META}.Time`),
        description:
          "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.",
      },
      deletionGracePeriodSeconds: {
        type: "integer",
        format: "int64",
        description:
          "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.",
      },
      deletionTimestamp: {
        ...ref(`${META}.Time`),
        description:
          "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client.",
      },
      finalizers: {
        type: "array",
        description:
          "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.",
        items: { type: "string", default: "" },
        "x-kubernetes-list-type": "set",
        "x-kubernetes-patch-strategy": "merge",
      },
      generateName: string(
        "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.",
      ),
      generation: {
        type: "integer",
        format: "int64",
        description:
          "A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.",
      },
      labels: stringMap(
        "Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services.",
      ),
      managedFields: {
        type: "array",
        description:
          "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field.",
        items: { ...ref(`${META}.ManagedFieldsEntry`), default: {} },
        "x-kubernetes-list-type": "atomic",
      },
      name: string(
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.",
      ),
      namespace: string(
        'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.',
      ),
      ownerReferences: {
        type: "array",
        description:
          "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true.",
        items: { ...ref(`${META}.OwnerReference`), default: {} },
        "x-kubernetes-list-map-keys": ["uid"],
        "x-kubernetes-list-type": "map",
        "x-kubernetes-patch-merge-key": "uid",
        "x-kubernetes-patch-strategy": "merge",
      },
      resourceVersion: string(
        "An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources.",
      ),
      selfLink: string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
      uid: string(
        "UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.",
      ),
    },
  },
  [`${META}.ListMeta`]: {
    type: "object",
    description:
      "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
    properties: {
      continue: string(
        "continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.",
      ),
      remainingItemCount: {
        type: "integer",
        format: "int64",
        description:
          "remainingItemCount is the number of subsequent items in the list which are not included in this list response.",
      },
      resourceVersion: string(
        "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed.",
      ),
      selfLink: string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
    },
  },
  [`${META}.Patch`]: {
    type: "object",
    description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
  },
  [`${META}.StatusCause`]: {
    type: "object",
    description:
      "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
    properties: {
      field: string("The field of the resource that has caused this error, as named by its JSON serialization."),
      message: string("A human-readable description of the cause of the error."),
      reason: string(
        "A machine-readable description of the cause of the error. If this value is empty there is no information available.",
      ),
    },
  },
  [`${META}.StatusDetails`]: {
    type: "object",
    description:
      "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
    properties: {
      causes: {
        type: "array",
        description: "The Causes array includes more details associated with the StatusReason failure.",
        items: { ...ref(`${META}.StatusCause`), default: {} },
        "x-kubernetes-list-type": "atomic",
      },
      group: string("The group attribute of the resource associated with the status StatusReason."),
      kind: string("The kind attribute of the resource associated with the status StatusReason."),
      name: string(
        "The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).",
      ),
      retryAfterSeconds: {
        type: "integer",
        format: "int32",
        description: "If specified, the time in seconds before the operation should be retried.",
      },
      uid: string("UID of the resource."),
    },
  },
  [`${META}.Status`]: {
    type: "object",
    description: "Status is a return value for calls that don't return other objects.",
    properties: {
      apiVersion: string("APIVersion defines the versioned schema of this representation of an object."),
      code: {
        type: "integer",
        format: "int32",
        description: "Suggested HTTP return code for this status, 0 if not set.",
      },
      details: { ...ref(`${META}.StatusDetails`), description: "Extended data associated with the reason." },
      kind: string("Kind is a string value representing the REST resource this object represents."),
      message: string("A human-readable description of the status of this operation."),
      metadata: { ...ref(`${META}.ListMeta`), default: {}, description: "Standard list metadata." },
      reason: string('A machine-readable description of why this operation is in the "Failure" status.'),
      status: string('Status of the operation. One of: "Success" or "Failure".'),
    },
  },
};

export const API_VERSION_DESCRIPTION =
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
export const KIND_DESCRIPTION =
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
export const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
export const LIST_METADATA_DESCRIPTION =
  "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/** core/v1 namespaces: upstream's pkg/registry/core/namespace strategy and printNamespace. */
import type { Namespace } from "../../../api/core";
import type { ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { invalid, isQualifiedName, nameIsDnsLabel, validateObjectMeta } from "../support/validation";

/** The label every namespace carries with its own name (SetDefaults_Namespace). */
export const namespaceNameLabel = "kubernetes.io/metadata.name";

function validateNamespace(namespace: Namespace) {
  const errors = validateObjectMeta(namespace.metadata, { namespaced: false, nameValidator: nameIsDnsLabel });
  (namespace.spec?.finalizers ?? []).forEach((finalizer, index) => {
    const messages = finalizer.includes("/") ? isQualifiedName(finalizer) : [];
    for (const message of messages) errors.push(invalid(`spec.finalizers[${index}]`, finalizer, message));
  });
  return errors;
}

export const namespaces: ResourceDefinition<Namespace> = {
  group: "",
  versions: ["v1"],
  resource: "namespaces",
  kind: "Namespace",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  storagePrefix: "namespaces",
  subresources: { status: true },
  strategy: {
    defaults(namespace) {
      if (namespace.metadata.name) {
        namespace.metadata.labels = { ...namespace.metadata.labels, [namespaceNameLabel]: namespace.metadata.name };
      }
    },
    prepareForCreate(namespace) {
      // The `kubernetes` finalizer lets the namespace controller empty the namespace before it goes.
      const finalizers = namespace.spec?.finalizers ?? [];
      namespace.spec = { finalizers: finalizers.includes("kubernetes") ? finalizers : [...finalizers, "kubernetes"] };
      namespace.status = { phase: "Active" };
    },
    prepareForUpdate(namespace, old) {
      namespace.spec = structuredClone(old.spec);
      namespace.status = structuredClone(old.status);
    },
    validate: validateNamespace,
    validateUpdate: validateNamespace,
    status: {
      prepareForUpdate(namespace, old) {
        namespace.spec = structuredClone(old.spec);
      },
    },
  },
  table: {
    columns: [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
    cells: (namespace, now) => [
      namespace.metadata.name ?? "",
      namespace.status?.phase ?? "",
      translateTimestampSince(namespace.metadata.creationTimestamp, now),
    ],
  },
  selectableFields: { "status.phase": (namespace) => namespace.status?.phase ?? "" },
  schema: kindSchema("", "v1", "Namespace"),
  schemaComponents,
};

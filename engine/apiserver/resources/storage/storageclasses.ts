/** storage.k8s.io/v1 storageclasses: SetDefaults_StorageClass, ValidateStorageClass(Update), printStorageClass. */
import type { StorageClass } from "../../../api/storage";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  forbidden,
  invalid,
  isQualifiedName,
  jsonEqual,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

/** The annotations that mark the default class (storageutil.IsDefaultAnnotation). */
export function isDefaultStorageClass(storageClass: StorageClass): boolean {
  const annotations = storageClass.metadata.annotations ?? {};
  return (
    annotations["storageclass.kubernetes.io/is-default-class"] === "true" ||
    annotations["storageclass.beta.kubernetes.io/is-default-class"] === "true"
  );
}

function validateStorageClass(storageClass: StorageClass): FieldError[] {
  const errors = validateObjectMeta(storageClass.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  if (!storageClass.provisioner) errors.push(required("provisioner"));
  else {
    for (const message of isQualifiedName(storageClass.provisioner.toLowerCase())) {
      errors.push(invalid("provisioner", storageClass.provisioner, message));
    }
  }
  const policies = ["Delete", "Retain"];
  if (storageClass.reclaimPolicy && !policies.includes(storageClass.reclaimPolicy)) {
    errors.push(notSupported("reclaimPolicy", storageClass.reclaimPolicy, policies));
  }
  const modes = ["Immediate", "WaitForFirstConsumer"];
  if (storageClass.volumeBindingMode && !modes.includes(storageClass.volumeBindingMode)) {
    errors.push(notSupported("volumeBindingMode", storageClass.volumeBindingMode, modes));
  }
  return errors;
}

export const storageClasses: ResourceDefinition<StorageClass> = {
  group: "storage.k8s.io",
  versions: ["v1"],
  resource: "storageclasses",
  kind: "StorageClass",
  singular: "storageclass",
  namespaced: false,
  shortNames: ["sc"],
  storagePrefix: "storageclasses",
  strategy: {
    defaults(storageClass) {
      storageClass.reclaimPolicy ||= "Delete";
      storageClass.volumeBindingMode ||= "Immediate";
    },
    validate: validateStorageClass,
    validateUpdate(storageClass, old) {
      const errors = validateStorageClass(storageClass);
      if (!jsonEqual(storageClass.parameters ?? {}, old.parameters ?? {}))
        errors.push(forbidden("parameters", "updates to parameters are forbidden."));
      if (storageClass.provisioner !== old.provisioner)
        errors.push(forbidden("provisioner", "updates to provisioner are forbidden."));
      if (storageClass.reclaimPolicy !== old.reclaimPolicy)
        errors.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
      if (storageClass.volumeBindingMode !== old.volumeBindingMode) {
        errors.push(forbidden("volumeBindingMode", "updates to volumeBindingMode are forbidden."));
      }
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Provisioner", "string", ["V1StorageClass", "provisioner"]),
      column("ReclaimPolicy", "string", ["V1StorageClass", "reclaimPolicy"]),
      column("VolumeBindingMode", "string", ["V1StorageClass", "volumeBindingMode"]),
      column("AllowVolumeExpansion", "string", ["V1StorageClass", "allowVolumeExpansion"]),
      ageColumn(),
    ],
    cells: (storageClass, now) => [
      `${storageClass.metadata.name ?? ""}${isDefaultStorageClass(storageClass) ? " (default)" : ""}`,
      storageClass.provisioner ?? "",
      storageClass.reclaimPolicy ?? "Delete",
      storageClass.volumeBindingMode ?? "Immediate",
      storageClass.allowVolumeExpansion === true,
      translateTimestampSince(storageClass.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("storage.k8s.io", "v1", "StorageClass"),
  schemaComponents,
};

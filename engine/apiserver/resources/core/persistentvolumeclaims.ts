/** core/v1 persistentvolumeclaims: defaults, ValidatePersistentVolumeClaim(Update), printPersistentVolumeClaim. */
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  forbidden,
  jsonEqual,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateLabelSelector,
  validateObjectMeta,
  validateQuantity,
} from "../support/validation";
import { accessModes, accessModesString, quantityString } from "./persistentvolumes";

/** The spec checks shared by claims and StatefulSet volumeClaimTemplates. */
export function validateClaimSpec(spec: PersistentVolumeClaimSpec | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const claim = spec ?? {};
  if (!claim.accessModes || claim.accessModes.length === 0) {
    errors.push(required(`${field}.accessModes`, "at least 1 access mode is required"));
  }
  for (const mode of claim.accessModes ?? []) {
    if (!accessModes.includes(mode)) errors.push(notSupported(`${field}.accessModes`, mode, accessModes));
  }
  errors.push(...validateLabelSelector(claim.selector, `${field}.selector`));
  const storage = claim.resources?.requests?.storage;
  if (storage === undefined) errors.push(required(`${field}.resources[storage]`));
  else errors.push(...validateQuantity(storage, `${field}.resources[storage]`));
  if (claim.volumeMode && !["Block", "Filesystem"].includes(claim.volumeMode)) {
    errors.push(notSupported(`${field}.volumeMode`, claim.volumeMode, ["Block", "Filesystem"]));
  }
  return errors;
}

/** SetDefaults_PersistentVolumeClaim(Spec). */
export function defaultClaim(claim: PersistentVolumeClaim): void {
  claim.spec ??= {};
  if (!claim.spec.volumeMode) claim.spec.volumeMode = "Filesystem";
}

function validateClaim(claim: PersistentVolumeClaim): FieldError[] {
  const errors = validateObjectMeta(claim.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateClaimSpec(claim.spec, "spec"));
  return errors;
}

export const persistentVolumeClaims: ResourceDefinition<PersistentVolumeClaim> = {
  group: "",
  versions: ["v1"],
  resource: "persistentvolumeclaims",
  kind: "PersistentVolumeClaim",
  singular: "persistentvolumeclaim",
  namespaced: true,
  shortNames: ["pvc"],
  storagePrefix: "persistentvolumeclaims",
  subresources: { status: true },
  strategy: {
    defaults: defaultClaim,
    prepareForCreate(claim) {
      claim.status = { phase: "Pending" };
    },
    prepareForUpdate(claim, old) {
      claim.status = structuredClone(old.status);
    },
    validate: validateClaim,
    validateUpdate(claim, old) {
      const errors = validateClaim(claim);
      // Everything but the requested size (expansion) and the binding to a volume is fixed.
      const spec = structuredClone(claim.spec ?? {});
      const oldSpec = structuredClone(old.spec ?? {});
      if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
      // validateStorageClassUpgradeFromNil: a claim without a class may get one (retroactive default class).
      if (
        (oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) &&
        !old.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"]
      )
        oldSpec.storageClassName = spec.storageClassName;
      spec.resources = oldSpec.resources;
      spec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
      if (!jsonEqual(spec, oldSpec)) {
        errors.push(
          forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
          ),
        );
      }
      return errors;
    },
    status: {
      prepareForUpdate(claim, old) {
        claim.spec = structuredClone(old.spec);
      },
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Status", "string", ["V1PersistentVolumeClaimStatus", "phase"]),
      column("Volume", "string", ["V1PersistentVolumeClaimSpec", "volumeName"]),
      column("Capacity", "string", ["V1PersistentVolumeClaimStatus", "capacity"]),
      column("Access Modes", "string", ["V1PersistentVolumeClaimStatus", "accessModes"]),
      column("StorageClass", "string", "StorageClass of the pvc"),
      column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
      ageColumn(),
      column("VolumeMode", "string", ["V1PersistentVolumeClaimSpec", "volumeMode"], 1),
    ],
    cells(claim, now) {
      const spec = claim.spec ?? {};
      const phase = claim.metadata.deletionTimestamp ? "Terminating" : (claim.status?.phase ?? "");
      let capacity = "";
      let modes = "";
      if (spec.volumeName) {
        modes = accessModesString(claim.status?.accessModes);
        capacity = quantityString(claim.status?.capacity?.storage);
      }
      const storageClass =
        claim.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? spec.storageClassName ?? "";
      return [
        claim.metadata.name ?? "",
        phase,
        spec.volumeName ?? "",
        capacity,
        modes,
        storageClass,
        spec.volumeAttributesClassName ?? "<unset>",
        translateTimestampSince(claim.metadata.creationTimestamp, now),
        spec.volumeMode ?? "<unset>",
      ];
    },
  },
  schema: kindSchema("", "v1", "PersistentVolumeClaim"),
  schemaComponents,
};

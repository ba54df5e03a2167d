/** core/v1 persistentvolumes: SetDefaults_PersistentVolume, ValidatePersistentVolume and printPersistentVolume. */
import type { PersistentVolume } from "../../../api/core";
import { canonicalQuantity, isQuantity } from "../../../api/quantity";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { volumeSourceKeys } from "../support/podDefaults";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  forbidden,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
  validateQuantity,
} from "../support/validation";

export const accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/** helper.GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that order. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const result: string[] = [];
  if (set.has("ReadWriteOnce")) result.push("RWO");
  if (set.has("ReadOnlyMany")) result.push("ROX");
  if (set.has("ReadWriteMany")) result.push("RWX");
  if (set.has("ReadWriteOncePod")) result.push("RWOP");
  return result.join(",");
}

/** A quantity as upstream's Quantity.String() prints it; `0` when absent. */
export function quantityString(value: string | number | undefined): string {
  if (value === undefined || !isQuantity(value)) return "0";
  return canonicalQuantity(value);
}

const pvSources = [
  ...volumeSourceKeys.filter(
    (key) =>
      ![
        "emptyDir",
        "secret",
        "configMap",
        "downwardAPI",
        "projected",
        "persistentVolumeClaim",
        "ephemeral",
        "gitRepo",
        "image",
      ].includes(key),
  ),
  "local",
];

function validatePersistentVolume(volume: PersistentVolume): FieldError[] {
  const errors = validateObjectMeta(volume.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  const spec = volume.spec ?? {};
  if (!spec.accessModes || spec.accessModes.length === 0) errors.push(required("spec.accessModes"));
  for (const mode of spec.accessModes ?? []) {
    if (!accessModes.includes(mode)) errors.push(notSupported("spec.accessModes", mode, accessModes));
  }
  if (!spec.capacity || Object.keys(spec.capacity).length === 0) errors.push(required("spec.capacity"));
  else if (spec.capacity.storage === undefined) errors.push(required("spec.capacity"));
  for (const [name, value] of Object.entries(spec.capacity ?? {})) {
    if (name !== "storage") errors.push(notSupported(`spec.capacity`, name, ["storage"]));
    else errors.push(...validateQuantity(value, `spec.capacity[${name}]`));
  }
  const policies = ["Delete", "Recycle", "Retain"];
  if (spec.persistentVolumeReclaimPolicy && !policies.includes(spec.persistentVolumeReclaimPolicy)) {
    errors.push(notSupported("spec.persistentVolumeReclaimPolicy", spec.persistentVolumeReclaimPolicy, policies));
  }
  const sources = pvSources.filter((key) => spec[key] !== undefined && spec[key] !== null);
  if (sources.length === 0) errors.push(required("spec", "must specify a volume type"));
  else if (sources.length > 1) errors.push(forbidden(`spec.${sources[1]}`, "may not specify more than 1 volume type"));
  if (spec.volumeMode && !["Block", "Filesystem"].includes(spec.volumeMode)) {
    errors.push(notSupported("spec.volumeMode", spec.volumeMode, ["Block", "Filesystem"]));
  }
  return errors;
}

export const persistentVolumes: ResourceDefinition<PersistentVolume> = {
  group: "",
  versions: ["v1"],
  resource: "persistentvolumes",
  kind: "PersistentVolume",
  singular: "persistentvolume",
  namespaced: false,
  shortNames: ["pv"],
  storagePrefix: "persistentvolumes",
  subresources: { status: true },
  strategy: {
    defaults(volume) {
      volume.spec ??= {};
      if (!volume.spec.persistentVolumeReclaimPolicy) volume.spec.persistentVolumeReclaimPolicy = "Retain";
      if (!volume.spec.volumeMode) volume.spec.volumeMode = "Filesystem";
      if (volume.spec.hostPath) volume.spec.hostPath.type ??= "";
    },
    prepareForCreate(volume, context) {
      volume.status = { phase: "Pending", lastPhaseTransitionTime: rfc3339(context.clock.now()) };
    },
    prepareForUpdate(volume, old) {
      volume.status = structuredClone(old.status);
    },
    validate: validatePersistentVolume,
    validateUpdate: validatePersistentVolume,
    status: {
      prepareForUpdate(volume, old, context) {
        volume.spec = structuredClone(old.spec);
        if (volume.status?.phase && volume.status.phase !== old.status?.phase) {
          volume.status.lastPhaseTransitionTime = rfc3339(context.clock.now());
        }
      },
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Capacity", "string", ["V1PersistentVolumeSpec", "capacity"]),
      column("Access Modes", "string", ["V1PersistentVolumeSpec", "accessModes"]),
      column("Reclaim Policy", "string", ["V1PersistentVolumeSpec", "persistentVolumeReclaimPolicy"]),
      column("Status", "string", ["V1PersistentVolumeStatus", "phase"]),
      column("Claim", "string", ["V1PersistentVolumeSpec", "claimRef"]),
      column("StorageClass", "string", "StorageClass of the pv"),
      column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
      column("Reason", "string", ["V1PersistentVolumeStatus", "reason"]),
      ageColumn(),
      column("VolumeMode", "string", ["V1PersistentVolumeSpec", "volumeMode"], 1),
    ],
    cells(volume, now) {
      const spec = volume.spec ?? {};
      const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : "";
      const phase = volume.metadata.deletionTimestamp ? "Terminating" : (volume.status?.phase ?? "");
      const storageClass =
        volume.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? spec.storageClassName ?? "";
      return [
        volume.metadata.name ?? "",
        quantityString(spec.capacity?.storage),
        accessModesString(spec.accessModes),
        spec.persistentVolumeReclaimPolicy ?? "",
        phase,
        claim,
        storageClass,
        spec.volumeAttributesClassName ?? "<unset>",
        volume.status?.reason ?? "",
        translateTimestampSince(volume.metadata.creationTimestamp, now),
        spec.volumeMode ?? "<unset>",
      ];
    },
  },
  schema: kindSchema("", "v1", "PersistentVolume"),
  schemaComponents,
};

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function rfc3339(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, "Z");
}

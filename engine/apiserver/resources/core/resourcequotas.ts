/** core/v1 resourcequotas: ValidateResourceQuota and printResourceQuota. */
import type { ResourceQuota } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { nameIsDnsSubdomain, notSupported, validateObjectMeta, validateQuantity } from "../support/validation";
import { quantityString } from "./persistentvolumes";

const scopes = [
  "Terminating",
  "NotTerminating",
  "BestEffort",
  "NotBestEffort",
  "PriorityClass",
  "CrossNamespacePodAffinity",
  "VolumeAttributesClass",
];

function validateQuota(quota: ResourceQuota): FieldError[] {
  const errors = validateObjectMeta(quota.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  for (const [name, value] of Object.entries(quota.spec?.hard ?? {}))
    errors.push(...validateQuantity(value, `spec.hard[${name}]`));
  for (const scope of quota.spec?.scopes ?? [])
    if (!scopes.includes(scope)) errors.push(notSupported("spec.scopes", scope, scopes));
  return errors;
}

/** printResourceQuota: `resource: used/hard` pairs, `limits.*` in the LIMIT column. */
function quotaColumns(quota: ResourceQuota): [string, string] {
  const hard = quota.status?.hard ?? {};
  const used = quota.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const text = `${resource}: ${quantityString(used[resource])}/${quantityString(hard[resource])}`;
    const pieces = resource.split(".");
    if (pieces.length > 1 && pieces[0] === "limits") limits.push(text);
    else requests.push(text);
  }
  return [requests.join(", "), limits.join(", ")];
}

export const resourceQuotas: ResourceDefinition<ResourceQuota> = {
  group: "",
  versions: ["v1"],
  resource: "resourcequotas",
  kind: "ResourceQuota",
  singular: "resourcequota",
  namespaced: true,
  shortNames: ["quota"],
  storagePrefix: "resourcequotas",
  subresources: { status: true },
  strategy: {
    prepareForCreate(quota) {
      delete quota.status;
    },
    prepareForUpdate(quota, old) {
      if (old.status === undefined) delete quota.status;
      else quota.status = structuredClone(old.status);
    },
    validate: validateQuota,
    validateUpdate: validateQuota,
    status: {
      prepareForUpdate(quota, old) {
        quota.spec = structuredClone(old.spec);
      },
    },
  },
  table: {
    columns: [
      nameColumn(),
      ageColumn(),
      column("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
      column(
        "Limit",
        "string",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
      ),
    ],
    cells(quota, now) {
      const [requests, limits] = quotaColumns(quota);
      return [
        quota.metadata.name ?? "",
        translateTimestampSince(quota.metadata.creationTimestamp, now),
        requests,
        limits,
      ];
    },
  },
  schema: kindSchema("", "v1", "ResourceQuota"),
  schemaComponents,
};

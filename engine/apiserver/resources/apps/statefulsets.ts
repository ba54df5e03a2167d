/** apps/v1 statefulsets: SetDefaults_StatefulSet, ValidateStatefulSet(Update), the strategy and printStatefulSet. */
import type { StatefulSet } from "../../../api/apps";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { defaultClaim, validateClaimSpec } from "../core/persistentvolumeclaims";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec } from "../support/podDefaults";
import { validatePodTemplateSpec } from "../support/podValidation";
import { ageColumn, column, layoutContainerCells, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  forbidden,
  jsonEqual,
  nameIsDnsSubdomain,
  notSupported,
  validateNonnegative,
  validateObjectMeta,
} from "../support/validation";
import { validateSelectorImmutable, validateWorkloadSelector } from "../support/workloads";

function validateStatefulSet(statefulSet: StatefulSet): FieldError[] {
  const errors = validateObjectMeta(statefulSet.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = statefulSet.spec;
  if (!spec) return errors;
  const policies = ["OrderedReady", "Parallel"];
  if (!spec.podManagementPolicy) errors.push({ type: "FieldValueRequired", field: "spec.podManagementPolicy" });
  else if (!policies.includes(spec.podManagementPolicy)) {
    errors.push(notSupported("spec.podManagementPolicy", spec.podManagementPolicy, policies));
  }
  const strategyTypes = ["OnDelete", "RollingUpdate"];
  const strategy = spec.updateStrategy ?? {};
  if (!strategy.type) errors.push({ type: "FieldValueRequired", field: "spec.updateStrategy" });
  else if (!strategyTypes.includes(strategy.type))
    errors.push(notSupported("spec.updateStrategy.type", strategy.type, strategyTypes));
  if (strategy.type === "OnDelete" && strategy.rollingUpdate) {
    errors.push(forbidden("spec.updateStrategy.rollingUpdate", "only allowed for updateStrategy 'RollingUpdate'"));
  }
  errors.push(...validateNonnegative(strategy.rollingUpdate?.partition, "spec.updateStrategy.rollingUpdate.partition"));
  errors.push(...validateNonnegative(spec.replicas, "spec.replicas"));
  errors.push(...validateNonnegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errors.push(...validateWorkloadSelector(spec.selector, spec.template));
  // Upstream (ValidatePodTemplateSpecForStatefulSet) skips the volume checks of the pod template,
  // since mounts may name volumeClaimTemplates; validate a copy that declares those volumes.
  const claimVolumes = (spec.volumeClaimTemplates ?? [])
    .filter((claim) => claim.metadata?.name)
    .map((claim) => ({
      name: claim.metadata?.name as string,
      persistentVolumeClaim: { claimName: claim.metadata?.name as string },
    }));
  const template =
    claimVolumes.length > 0 && spec.template?.spec
      ? {
          ...spec.template,
          spec: {
            ...spec.template.spec,
            volumes: [
              ...(spec.template.spec.volumes ?? []),
              ...claimVolumes.filter(
                (volume) => !(spec.template?.spec?.volumes ?? []).some((existing) => existing.name === volume.name),
              ),
            ],
          },
        }
      : spec.template;
  errors.push(...validatePodTemplateSpec(template, "spec.template", { restartPolicies: ["Always"] }));
  (spec.volumeClaimTemplates ?? []).forEach((claim, index) => {
    errors.push(...validateClaimSpec(claim.spec, `spec.volumeClaimTemplates[${index}].spec`));
  });
  const retention = ["Retain", "Delete"];
  const retentionPolicy = spec.persistentVolumeClaimRetentionPolicy;
  for (const key of ["whenDeleted", "whenScaled"] as const) {
    const value = retentionPolicy?.[key];
    if (value && !retention.includes(value)) {
      errors.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, retention));
    }
  }
  return errors;
}

/** Only these spec fields may change after creation (ValidateStatefulSetUpdate). */
function validateStatefulSetUpdate(statefulSet: StatefulSet, old: StatefulSet): FieldError[] {
  const errors = [
    ...validateStatefulSet(statefulSet),
    ...validateSelectorImmutable(statefulSet.spec?.selector, old.spec?.selector),
  ];
  const spec = structuredClone(statefulSet.spec ?? {});
  const oldSpec = old.spec ?? {};
  for (const key of [
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
    "selector",
  ] as const) {
    // biome-ignore lint/suspicious/noExplicitAny: copying one field between two specs of the same type
    (spec as any)[key] = (oldSpec as any)[key];
  }
  if (!jsonEqual(spec, oldSpec)) {
    errors.push(
      forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errors;
}

export const statefulSets: ResourceDefinition<StatefulSet> = {
  group: "apps",
  versions: ["v1"],
  resource: "statefulsets",
  kind: "StatefulSet",
  singular: "statefulset",
  namespaced: true,
  shortNames: ["sts"],
  categories: ["all"],
  storagePrefix: "statefulsets",
  subresources: {
    status: true,
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".spec.selector",
    },
  },
  strategy: specStatusStrategy<StatefulSet>(
    {
      defaults(statefulSet) {
        statefulSet.spec ??= { selector: {}, template: {} };
        const spec = statefulSet.spec;
        if (!spec.podManagementPolicy) spec.podManagementPolicy = "OrderedReady";
        spec.updateStrategy ??= {};
        if (!spec.updateStrategy.type) spec.updateStrategy.type = "RollingUpdate";
        if (spec.updateStrategy.type === "RollingUpdate") {
          spec.updateStrategy.rollingUpdate ??= {};
          spec.updateStrategy.rollingUpdate.partition ??= 0;
        }
        spec.persistentVolumeClaimRetentionPolicy ??= {};
        spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= "Retain";
        spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= "Retain";
        spec.replicas ??= 1;
        spec.revisionHistoryLimit ??= 10;
        defaultPodSpec(spec.template?.spec);
        for (const claim of spec.volumeClaimTemplates ?? []) {
          claim.apiVersion ??= "v1";
          claim.kind ??= "PersistentVolumeClaim";
          claim.metadata ??= {};
          defaultClaim(claim);
          claim.status ??= { phase: "Pending" };
        }
      },
      validate: validateStatefulSet,
      validateUpdate: validateStatefulSetUpdate,
    },
    { initialStatus: () => ({ replicas: 0, availableReplicas: 0 }) },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Ready", "string", "Number of the pod with ready state"),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
    ],
    cells(statefulSet, now) {
      const [containers, images] = layoutContainerCells(statefulSet.spec?.template?.spec?.containers);
      return [
        statefulSet.metadata.name ?? "",
        `${statefulSet.status?.readyReplicas ?? 0}/${statefulSet.spec?.replicas ?? 0}`,
        translateTimestampSince(statefulSet.metadata.creationTimestamp, now),
        containers,
        images,
      ];
    },
  },
  schema: kindSchema("apps", "v1", "StatefulSet"),
  schemaComponents,
};

/** apps/v1 replicasets: defaults, ValidateReplicaSet(Update), the strategy and printReplicaSet. */
import type { ReplicaSet } from "../../../api/apps";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec } from "../support/podDefaults";
import { validatePodTemplateSpec } from "../support/podValidation";
import {
  ageColumn,
  column,
  formatLabelSelector,
  layoutContainerCells,
  nameColumn,
  translateTimestampSince,
} from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import { nameIsDnsSubdomain, validateNonnegative, validateObjectMeta } from "../support/validation";
import { validateSelectorImmutable, validateWorkloadSelector } from "../support/workloads";

function validateReplicaSet(replicaSet: ReplicaSet): FieldError[] {
  const errors = validateObjectMeta(replicaSet.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = replicaSet.spec;
  if (!spec) return errors;
  errors.push(...validateNonnegative(spec.replicas, "spec.replicas"));
  errors.push(...validateNonnegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errors.push(...validateWorkloadSelector(spec.selector, spec.template));
  if (spec.template)
    errors.push(...validatePodTemplateSpec(spec.template, "spec.template", { restartPolicies: ["Always"] }));
  return errors;
}

export const replicaSets: ResourceDefinition<ReplicaSet> = {
  group: "apps",
  versions: ["v1"],
  resource: "replicasets",
  kind: "ReplicaSet",
  singular: "replicaset",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  storagePrefix: "replicasets",
  subresources: {
    status: true,
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".spec.selector",
    },
  },
  strategy: specStatusStrategy<ReplicaSet>(
    {
      defaults(replicaSet) {
        replicaSet.spec ??= { selector: {} };
        replicaSet.spec.replicas ??= 1;
        defaultPodSpec(replicaSet.spec.template?.spec);
      },
      validate: validateReplicaSet,
      validateUpdate: (replicaSet, old) => [
        ...validateReplicaSet(replicaSet),
        ...validateSelectorImmutable(replicaSet.spec?.selector, old.spec?.selector),
      ],
      validateStatusUpdate(replicaSet) {
        const status = replicaSet.status;
        if (!status) return [];
        return [
          ...validateNonnegative(status.replicas, "status.replicas"),
          ...validateNonnegative(status.fullyLabeledReplicas, "status.fullyLabeledReplicas"),
          ...validateNonnegative(status.readyReplicas, "status.readyReplicas"),
          ...validateNonnegative(status.availableReplicas, "status.availableReplicas"),
        ];
      },
    },
    { initialStatus: () => ({ replicas: 0 }) },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Desired", "integer", ["V1ReplicaSetSpec", "replicas"]),
      column("Current", "integer", ["V1ReplicaSetStatus", "replicas"]),
      column("Ready", "integer", ["V1ReplicaSetStatus", "readyReplicas"]),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", ["V1ReplicaSetSpec", "selector"], 1),
    ],
    cells(replicaSet, now) {
      const [containers, images] = layoutContainerCells(replicaSet.spec?.template?.spec?.containers);
      return [
        replicaSet.metadata.name ?? "",
        replicaSet.spec?.replicas ?? 0,
        replicaSet.status?.replicas ?? 0,
        replicaSet.status?.readyReplicas ?? 0,
        translateTimestampSince(replicaSet.metadata.creationTimestamp, now),
        containers,
        images,
        formatLabelSelector(replicaSet.spec?.selector),
      ];
    },
  },
  schema: kindSchema("apps", "v1", "ReplicaSet"),
  schemaComponents,
};

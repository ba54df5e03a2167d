/** apps/v1 deployments: SetDefaults_Deployment, ValidateDeployment(Update), the strategy and printDeployment. */
import type { Deployment } from "../../../api/apps";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec } from "../support/podDefaults";
import { validatePodTemplateSpec } from "../support/podValidation";
import {
  ageColumn,
  column,
  labelSelectorString,
  layoutContainerCells,
  nameColumn,
  translateTimestampSince,
} from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  forbidden,
  invalid,
  nameIsDnsSubdomain,
  notSupported,
  validateNonnegative,
  validateObjectMeta,
} from "../support/validation";
import {
  isZeroIntOrPercent,
  validateIntOrPercent,
  validateSelectorImmutable,
  validateWorkloadSelector,
} from "../support/workloads";

function defaultDeployment(deployment: Deployment): void {
  deployment.spec ??= { selector: {}, template: {} };
  const spec = deployment.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  if (!spec.strategy.type) spec.strategy.type = "RollingUpdate";
  if (spec.strategy.type === "RollingUpdate") {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
    spec.strategy.rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodSpec(spec.template?.spec);
}

function validateDeployment(deployment: Deployment): FieldError[] {
  const errors = validateObjectMeta(deployment.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = deployment.spec;
  if (!spec) return errors;
  errors.push(...validateNonnegative(spec.replicas, "spec.replicas"));
  errors.push(...validateWorkloadSelector(spec.selector, spec.template));
  errors.push(...validatePodTemplateSpec(spec.template, "spec.template", { restartPolicies: ["Always"] }));
  const strategy = spec.strategy ?? {};
  const types = ["Recreate", "RollingUpdate"];
  if (!strategy.type) errors.push({ type: "FieldValueRequired", field: "spec.strategy.type" });
  else if (!types.includes(strategy.type)) errors.push(notSupported("spec.strategy.type", strategy.type, types));
  if (strategy.type === "Recreate" && strategy.rollingUpdate) {
    errors.push(forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  }
  const rolling = strategy.rollingUpdate;
  if (strategy.type === "RollingUpdate" && rolling) {
    errors.push(...validateIntOrPercent(rolling.maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable"));
    errors.push(...validateIntOrPercent(rolling.maxSurge, "spec.strategy.rollingUpdate.maxSurge"));
    if (isZeroIntOrPercent(rolling.maxUnavailable) && isZeroIntOrPercent(rolling.maxSurge)) {
      errors.push(
        invalid(
          "spec.strategy.rollingUpdate.maxUnavailable",
          rolling.maxUnavailable,
          "may not be 0 when `maxSurge` is 0",
        ),
      );
    }
  }
  errors.push(...validateNonnegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errors.push(...validateNonnegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (spec.progressDeadlineSeconds !== undefined) {
    errors.push(...validateNonnegative(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errors.push(
        invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"),
      );
    }
  }
  return errors;
}

export const deployments: ResourceDefinition<Deployment> = {
  group: "apps",
  versions: ["v1"],
  resource: "deployments",
  kind: "Deployment",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  storagePrefix: "deployments",
  subresources: {
    status: true,
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".spec.selector",
    },
  },
  strategy: specStatusStrategy<Deployment>(
    {
      defaults: defaultDeployment,
      validate: validateDeployment,
      validateUpdate: (deployment, old) => [
        ...validateDeployment(deployment),
        ...validateSelectorImmutable(deployment.spec?.selector, old.spec?.selector),
      ],
    },
    {
      initialStatus: () => ({}),
      // Annotations are copied to the replica sets, so their change is a new generation too.
      generationAlsoTracks: (deployment) => deployment.metadata.annotations ?? {},
    },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Ready", "string", "Number of the pod with ready state"),
      column("Up-to-date", "string", ["V1DeploymentStatus", "updatedReplicas"]),
      column("Available", "string", ["V1DeploymentStatus", "availableReplicas"]),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", ["V1DeploymentSpec", "selector"], 1),
    ],
    cells(deployment, now) {
      const [containers, images] = layoutContainerCells(deployment.spec?.template?.spec?.containers);
      return [
        deployment.metadata.name ?? "",
        `${deployment.status?.readyReplicas ?? 0}/${deployment.spec?.replicas ?? 0}`,
        deployment.status?.updatedReplicas ?? 0,
        deployment.status?.availableReplicas ?? 0,
        translateTimestampSince(deployment.metadata.creationTimestamp, now),
        containers,
        images,
        labelSelectorString(deployment.spec?.selector),
      ];
    },
  },
  schema: kindSchema("apps", "v1", "Deployment"),
  schemaComponents,
};

/** apps/v1 daemonsets: SetDefaults_DaemonSet, ValidateDaemonSet(Update), the strategy and printDaemonSet. */
import type { DaemonSet } from "../../../api/apps";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec } from "../support/podDefaults";
import { validatePodTemplateSpec } from "../support/podValidation";
import {
  ageColumn,
  column,
  formatLabelSelector,
  formatLabels,
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

function validateDaemonSet(daemonSet: DaemonSet): FieldError[] {
  const errors = validateObjectMeta(daemonSet.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = daemonSet.spec;
  if (!spec) return errors;
  errors.push(...validateWorkloadSelector(spec.selector, spec.template));
  errors.push(...validatePodTemplateSpec(spec.template, "spec.template", { restartPolicies: ["Always"] }));
  const strategy = spec.updateStrategy ?? {};
  const types = ["OnDelete", "RollingUpdate"];
  if (!strategy.type) errors.push({ type: "FieldValueRequired", field: "spec.updateStrategy.type" });
  else if (!types.includes(strategy.type)) errors.push(notSupported("spec.updateStrategy.type", strategy.type, types));
  if (strategy.type === "OnDelete" && strategy.rollingUpdate) {
    errors.push(
      forbidden("spec.updateStrategy.rollingUpdate", "may not be specified when strategy `type` is 'OnDelete'"),
    );
  }
  const rolling = strategy.rollingUpdate;
  if (strategy.type === "RollingUpdate" && rolling) {
    errors.push(...validateIntOrPercent(rolling.maxUnavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable"));
    errors.push(...validateIntOrPercent(rolling.maxSurge, "spec.updateStrategy.rollingUpdate.maxSurge"));
    if (isZeroIntOrPercent(rolling.maxUnavailable) && isZeroIntOrPercent(rolling.maxSurge)) {
      errors.push(
        invalid(
          "spec.updateStrategy.rollingUpdate.maxUnavailable",
          rolling.maxUnavailable,
          "may not be 0 when `maxSurge` is 0",
        ),
      );
    }
  }
  errors.push(...validateNonnegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errors.push(...validateNonnegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  return errors;
}

export const daemonSets: ResourceDefinition<DaemonSet> = {
  group: "apps",
  versions: ["v1"],
  resource: "daemonsets",
  kind: "DaemonSet",
  singular: "daemonset",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  storagePrefix: "daemonsets",
  subresources: { status: true },
  strategy: specStatusStrategy<DaemonSet>(
    {
      defaults(daemonSet) {
        daemonSet.spec ??= { selector: {}, template: {} };
        const spec = daemonSet.spec;
        spec.updateStrategy ??= {};
        if (!spec.updateStrategy.type) spec.updateStrategy.type = "RollingUpdate";
        if (spec.updateStrategy.type === "RollingUpdate") {
          spec.updateStrategy.rollingUpdate ??= {};
          spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
          spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
        }
        spec.revisionHistoryLimit ??= 10;
        defaultPodSpec(spec.template?.spec);
      },
      validate: validateDaemonSet,
      validateUpdate: (daemonSet, old) => [
        ...validateDaemonSet(daemonSet),
        ...validateSelectorImmutable(daemonSet.spec?.selector, old.spec?.selector),
      ],
    },
    {
      initialStatus: () => ({
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
      }),
    },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Desired", "integer", ["V1DaemonSetStatus", "desiredNumberScheduled"]),
      column("Current", "integer", ["V1DaemonSetStatus", "currentNumberScheduled"]),
      column("Ready", "integer", ["V1DaemonSetStatus", "numberReady"]),
      column("Up-to-date", "integer", ["V1DaemonSetStatus", "updatedNumberScheduled"]),
      column("Available", "integer", ["V1DaemonSetStatus", "numberAvailable"]),
      column("Node Selector", "string", ["V1PodSpec", "nodeSelector"]),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", ["V1DaemonSetSpec", "selector"], 1),
    ],
    cells(daemonSet, now) {
      const status = daemonSet.status;
      const [containers, images] = layoutContainerCells(daemonSet.spec?.template?.spec?.containers);
      return [
        daemonSet.metadata.name ?? "",
        status?.desiredNumberScheduled ?? 0,
        status?.currentNumberScheduled ?? 0,
        status?.numberReady ?? 0,
        status?.updatedNumberScheduled ?? 0,
        status?.numberAvailable ?? 0,
        formatLabels(daemonSet.spec?.template?.spec?.nodeSelector),
        translateTimestampSince(daemonSet.metadata.creationTimestamp, now),
        containers,
        images,
        formatLabelSelector(daemonSet.spec?.selector),
      ];
    },
  },
  schema: kindSchema("apps", "v1", "DaemonSet"),
  schemaComponents,
};

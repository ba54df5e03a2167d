/** batch/v1 cronjobs: SetDefaults_CronJob, ValidateCronJob(Update) and printCronJob. */
import type { CronJob } from "../../../api/batch";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import {
  ageColumn,
  column,
  formatLabelSelector,
  layoutContainerCells,
  nameColumn,
  printBoolPointer,
  translateTimestampSince,
} from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
  validateNonnegative,
  validateObjectMeta,
} from "../support/validation";
import { cronScheduleError } from "./cronSchedule";
import { defaultJobSpec, validateJobSpec } from "./jobs";

/** Job names are the CronJob's name plus an 11-character suffix, and must stay labels (63). */
const maxCronJobNameLength = 52;

function validateCronJob(cronJob: CronJob): FieldError[] {
  const errors = validateObjectMeta(cronJob.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const name = cronJob.metadata.name ?? "";
  if (name.length > maxCronJobNameLength) {
    errors.push(invalid("metadata.name", name, `must be no more than ${maxCronJobNameLength} characters`));
  }
  const spec = cronJob.spec;
  if (!spec) return errors;
  if (!spec.schedule) errors.push(required("spec.schedule"));
  else if (/(^|\s)(CRON_)?TZ=/.test(spec.schedule)) {
    errors.push(
      invalid("spec.schedule", spec.schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    );
  } else {
    const message = cronScheduleError(spec.schedule);
    if (message) errors.push(invalid("spec.schedule", spec.schedule, message));
  }
  const policies = ["Allow", "Forbid", "Replace"];
  if (!spec.concurrencyPolicy) errors.push(required("spec.concurrencyPolicy"));
  else if (!policies.includes(spec.concurrencyPolicy)) {
    errors.push(notSupported("spec.concurrencyPolicy", spec.concurrencyPolicy, policies));
  }
  errors.push(...validateNonnegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  errors.push(...validateNonnegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  errors.push(...validateNonnegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  errors.push(...validateLabels(spec.jobTemplate?.metadata?.labels, "spec.jobTemplate.metadata.labels"));
  errors.push(...validateAnnotations(spec.jobTemplate?.metadata?.annotations, "spec.jobTemplate.metadata.annotations"));
  errors.push(...validateJobSpec(spec.jobTemplate?.spec, "spec.jobTemplate.spec", false));
  return errors;
}

export const cronJobs: ResourceDefinition<CronJob> = {
  group: "batch",
  versions: ["v1"],
  resource: "cronjobs",
  kind: "CronJob",
  singular: "cronjob",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  storagePrefix: "cronjobs",
  subresources: { status: true },
  strategy: specStatusStrategy<CronJob>(
    {
      defaults(cronJob) {
        cronJob.spec ??= { schedule: "", jobTemplate: {} };
        const spec = cronJob.spec;
        if (!spec.concurrencyPolicy) spec.concurrencyPolicy = "Allow";
        spec.suspend ??= false;
        spec.successfulJobsHistoryLimit ??= 3;
        spec.failedJobsHistoryLimit ??= 1;
        spec.jobTemplate ??= {};
        if (spec.jobTemplate.spec) defaultJobSpec(spec.jobTemplate.spec);
      },
      validate: validateCronJob,
      validateUpdate: validateCronJob,
    },
    { initialStatus: () => ({}) },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Schedule", "string", ["V1CronJobSpec", "schedule"]),
      column("Timezone", "string", ["V1CronJobSpec", "timeZone"]),
      column("Suspend", "boolean", ["V1CronJobSpec", "suspend"]),
      column("Active", "integer", ["V1CronJobStatus", "active"]),
      column("Last Schedule", "string", ["V1CronJobStatus", "lastScheduleTime"]),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", ["V1JobSpec", "selector"], 1),
    ],
    cells(cronJob, now) {
      const spec = cronJob.spec;
      const lastSchedule = cronJob.status?.lastScheduleTime
        ? translateTimestampSince(cronJob.status.lastScheduleTime, now)
        : "<none>";
      const [containers, images] = layoutContainerCells(spec?.jobTemplate?.spec?.template?.spec?.containers);
      return [
        cronJob.metadata.name ?? "",
        spec?.schedule ?? "",
        spec?.timeZone ?? "<none>",
        printBoolPointer(spec?.suspend),
        (cronJob.status?.active ?? []).length,
        lastSchedule,
        translateTimestampSince(cronJob.metadata.creationTimestamp, now),
        containers,
        images,
        formatLabelSelector(spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
  schema: kindSchema("batch", "v1", "CronJob"),
  schemaComponents,
};

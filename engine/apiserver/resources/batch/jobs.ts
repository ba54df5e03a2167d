/**
 * batch/v1 jobs: SetDefaults_Job, the generated selector and labels (PrepareForCreate),
 * ValidateJob(Update), GetAttrs and printJob.
 */
import type { Job, JobSpec } from "../../../api/batch";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec } from "../support/podDefaults";
import { validatePodTemplateSpec } from "../support/podValidation";
import {
  ageColumn,
  column,
  formatLabelSelector,
  humanDuration,
  layoutContainerCells,
  nameColumn,
  translateTimestampSince,
} from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  isDomainPrefixedPath,
  jsonEqual,
  nameIsDnsSubdomain,
  notSupported,
  required,
  selectorMatches,
  validateImmutable,
  validateNonnegative,
  validateObjectMeta,
} from "../support/validation";
import { goLabelSelector, validateSelectorImmutable, validateWorkloadSelector } from "../support/workloads";

export const controllerUidLabel = "batch.kubernetes.io/controller-uid";
export const legacyControllerUidLabel = "controller-uid";
export const jobNameLabel = "batch.kubernetes.io/job-name";
export const legacyJobNameLabel = "job-name";
/** maxManagedByLength. */
const maxManagedByLength = 63;

/** SetDefaults_Job (for jobs and CronJob job templates). */
export function defaultJobSpec(spec: JobSpec | undefined): void {
  if (!spec) return;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  if (spec.backoffLimit === undefined) {
    // With a per-index limit the global limit is effectively unbounded.
    spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  }
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  defaultPodSpec(spec.template?.spec);
}

/** generateSelector: the job's pods are labelled with its uid and name, and selected by the uid. */
function generateSelector(job: Job): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector === true) return;
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels ??= {};
  const labels = spec.template.metadata.labels;
  const name = job.metadata.name ?? "";
  const uid = job.metadata.uid ?? "";
  for (const key of [legacyJobNameLabel, jobNameLabel]) if (!(key in labels)) labels[key] = name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) if (!(key in labels)) labels[key] = uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  if (!(controllerUidLabel in spec.selector.matchLabels)) spec.selector.matchLabels[controllerUidLabel] = uid;
}

/** ValidateJobSpec for jobs and job templates, at `field`. */
export function validateJobSpec(spec: JobSpec | undefined, field: string, requireSelector: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (!spec) return [required(field)];
  errors.push(...validateNonnegative(spec.parallelism, `${field}.parallelism`));
  errors.push(...validateNonnegative(spec.completions, `${field}.completions`));
  errors.push(...validateNonnegative(spec.backoffLimit, `${field}.backoffLimit`));
  errors.push(...validateNonnegative(spec.ttlSecondsAfterFinished, `${field}.ttlSecondsAfterFinished`));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0) {
    errors.push(invalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, "must be greater than 0"));
  }
  if (spec.managedBy !== undefined && spec.managedBy !== null) {
    errors.push(...isDomainPrefixedPath(`${field}.managedBy`, spec.managedBy));
    if (spec.managedBy.length > maxManagedByLength) {
      // field.TooLongMaxLength's wording
      errors.push({
        type: "FieldValueTooLong",
        field: `${field}.managedBy`,
        badValue: spec.managedBy,
        detail: `may not be longer than ${maxManagedByLength}`,
      });
    }
  }
  const modes = ["NonIndexed", "Indexed"];
  if (spec.completionMode && !modes.includes(spec.completionMode)) {
    errors.push(notSupported(`${field}.completionMode`, spec.completionMode, modes));
  }
  if (spec.completionMode === "Indexed" && spec.completions === undefined) {
    errors.push(required(`${field}.completions`, "when completion mode is Indexed"));
  }
  if (requireSelector) errors.push(...validateWorkloadSelector(spec.selector, spec.template, field));
  else if (spec.selector && spec.template && !selectorMatches(spec.selector, spec.template.metadata?.labels)) {
    errors.push(
      invalid(
        `${field}.template.metadata.labels`,
        spec.template.metadata?.labels ?? {},
        "`selector` does not match template `labels`",
      ),
    );
  }
  errors.push(
    ...validatePodTemplateSpec(spec.template, `${field}.template`, { restartPolicies: ["OnFailure", "Never"] }),
  );
  return errors;
}

function validateJob(job: Job): FieldError[] {
  const errors = validateObjectMeta(job.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateJobSpec(job.spec, "spec", true));
  // ValidateGeneratedSelector: a generated selector must select this job's uid.
  const spec = job.spec;
  if (spec && spec.manualSelector !== true && job.metadata.uid && spec.selector) {
    if (!selectorMatches(spec.selector, { [controllerUidLabel]: job.metadata.uid })) {
      errors.push({
        ...invalid("spec.selector", spec.selector, "`selector` not auto-generated"),
        renderedBadValue: goLabelSelector(spec.selector),
      });
    }
  }
  return errors;
}

function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errors = [...validateJob(job), ...validateSelectorImmutable(job.spec?.selector, old.spec?.selector)];
  const spec = job.spec;
  const oldSpec = old.spec;
  if (!spec || !oldSpec) return errors;
  if (spec.completions !== oldSpec.completions && spec.completionMode !== "Indexed") {
    errors.push(invalid("spec.completions", spec.completions ?? null, "field is immutable"));
  }
  if (spec.completionMode !== oldSpec.completionMode) {
    errors.push(invalid("spec.completionMode", spec.completionMode ?? null, "field is immutable"));
  }
  errors.push(...validateImmutable(spec.managedBy ?? null, oldSpec.managedBy ?? null, "spec.managedBy"));
  // The template may only change while the job is suspended and has not started (scheduling directives).
  if (!jsonEqual(spec.template, oldSpec.template) && !(oldSpec.suspend === true && !old.status?.startTime)) {
    errors.push({
      ...invalid("spec.template", "", "field is immutable"),
      renderedBadValue: "core.PodTemplateSpec{...}",
    });
  }
  return errors;
}

function hasCondition(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((condition) => condition.type === type && condition.status === "True");
}

export const jobs: ResourceDefinition<Job> = {
  group: "batch",
  versions: ["v1"],
  resource: "jobs",
  kind: "Job",
  singular: "job",
  namespaced: true,
  categories: ["all"],
  storagePrefix: "jobs",
  subresources: { status: true },
  strategy: specStatusStrategy<Job>(
    {
      defaults(job) {
        job.spec ??= { template: {} };
        defaultJobSpec(job.spec);
      },
      prepareForCreate: generateSelector,
      validate: validateJob,
      validateUpdate: validateJobUpdate,
    },
    { initialStatus: () => ({}) },
  ),
  table: {
    columns: [
      nameColumn(),
      column("Status", "string", "Status of the job."),
      column("Completions", "string", ["V1JobStatus", "succeeded"]),
      column("Duration", "string", "Time required to complete the job."),
      ageColumn(),
      column("Containers", "string", "Names of each container in the template.", 1),
      column("Images", "string", "Images referenced by each container in the template.", 1),
      column("Selector", "string", ["V1JobSpec", "selector"], 1),
    ],
    cells(job, now) {
      const succeeded = job.status?.succeeded ?? 0;
      let completions: string;
      if (job.spec?.completions !== undefined && job.spec.completions !== null) {
        completions = `${succeeded}/${job.spec.completions}`;
      } else {
        const parallelism = job.spec?.parallelism ?? 0;
        completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
      }
      let duration = "";
      const start = job.status?.startTime;
      if (start && !job.status?.completionTime) duration = humanDuration(now - Date.parse(start));
      else if (start && job.status?.completionTime)
        duration = humanDuration(Date.parse(job.status.completionTime) - Date.parse(start));
      let status = "Running";
      if (hasCondition(job, "Complete")) status = "Complete";
      else if (hasCondition(job, "Failed")) status = "Failed";
      else if (job.metadata.deletionTimestamp) status = "Terminating";
      else if (hasCondition(job, "Suspended")) status = "Suspended";
      else if (hasCondition(job, "FailureTarget")) status = "FailureTarget";
      const [containers, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
      return [
        job.metadata.name ?? "",
        status,
        completions,
        duration,
        translateTimestampSince(job.metadata.creationTimestamp, now),
        containers,
        images,
        formatLabelSelector(job.spec?.selector),
      ];
    },
  },
  selectableFields: { "status.successful": (job) => String(job.status?.succeeded ?? 0) },
  schema: kindSchema("batch", "v1", "Job"),
  schemaComponents,
};

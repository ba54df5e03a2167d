/**
 * pkg/controller/deployment/util: revision bookkeeping, replica arithmetic and conditions,
 * transcribed from upstream's semantics.
 */
import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from "../../api/apps";
import type { PodTemplateSpec } from "../../api/core";
import { canonicalJson } from "../shared/hash";
import { resolveFenceposts } from "../shared/intOrPercent";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
const DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to";
/** Upstream's maxRevHistoryLengthInChars. */
const MAX_REVISION_HISTORY_CHARS = 2000;

export const Reasons = {
  newRSCreated: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  rsUpdated: "ReplicaSetUpdated",
  newRSAvailable: "NewReplicaSetAvailable",
  timedOut: "ProgressDeadlineExceeded",
  paused: "DeploymentPaused",
  resumed: "DeploymentResumed",
  failedRSCreate: "ReplicaSetCreateError",
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

export function replicasOf(object: Deployment | ReplicaSet): number {
  return object.spec?.replicas ?? 1;
}

export function isRollingUpdate(deployment: Deployment): boolean {
  return (deployment.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** deploymentutil.MaxSurge. */
export function maxSurge(deployment: Deployment): number {
  if (!isRollingUpdate(deployment)) return 0;
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(rolling?.maxSurge, rolling?.maxUnavailable, replicasOf(deployment)).surge;
}

/** deploymentutil.MaxUnavailable. */
export function maxUnavailable(deployment: Deployment): number {
  const replicas = replicasOf(deployment);
  if (!isRollingUpdate(deployment) || replicas === 0) return 0;
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(rolling?.maxSurge, rolling?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

export function revisionOf(rs: ReplicaSet): number {
  const value = rs.metadata.annotations?.[REVISION_ANNOTATION];
  const parsed = value === undefined ? 0 : Number(value);
  return Number.isInteger(parsed) ? parsed : 0;
}

export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) max = Math.max(max, revisionOf(rs));
  return max;
}

/** EqualIgnoreHash: templates equal once the pod-template-hash label is removed from both. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (template: PodTemplateSpec | undefined) => {
    const copy = structuredClone(template ?? {});
    if (copy.metadata?.labels) {
      delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    if (copy.metadata && Object.keys(copy.metadata).length === 0) delete copy.metadata;
    return canonicalJson(copy);
  };
  return strip(a) === strip(b);
}

function created(rs: ReplicaSet): number {
  return rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;
}

/** ReplicaSetsByCreationTimestamp: oldest first, ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const diff = created(a) - created(b);
  if (diff !== 0) return diff;
  return (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1;
}

/** ReplicaSetsByRevision: lowest revision first, ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const diff = revisionOf(a) - revisionOf(b);
  return diff !== 0 ? diff : byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, newer first among equals. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const diff = replicasOf(b) - replicasOf(a);
  return diff !== 0 ? diff : byCreation(b, a);
}

/** ReplicaSetsBySizeOlder: larger first, older first among equals. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const diff = replicasOf(b) - replicasOf(a);
  return diff !== 0 ? diff : byCreation(a, b);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the deployment's. */
export function findNewReplicaSet(deployment: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, deployment.spec?.template));
}

export function findOldReplicaSets(
  deployment: Deployment,
  replicaSets: readonly ReplicaSet[],
): { oldRSs: ReplicaSet[]; allOldRSs: ReplicaSet[] } {
  const newRS = findNewReplicaSet(deployment, replicaSets);
  const allOldRSs = replicaSets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
  return { allOldRSs, oldRSs: allOldRSs.filter((rs) => replicasOf(rs) !== 0) };
}

export function activeReplicaSets(replicaSets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
}

export function sumSpecReplicas(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  let total = 0;
  for (const rs of replicaSets) if (rs) total += replicasOf(rs);
  return total;
}

export function sumStatus(
  replicaSets: readonly (ReplicaSet | undefined)[],
  field: "replicas" | "readyReplicas" | "availableReplicas",
): number {
  let total = 0;
  for (const rs of replicaSets) if (rs) total += rs.status?.[field] ?? 0;
  return total;
}

/** NewRSNewReplicas: how many replicas the new ReplicaSet may have right now. */
export function newRSNewReplicas(deployment: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(deployment)) return replicasOf(deployment);
  const desired = replicasOf(deployment);
  const current = sumSpecReplicas(allRSs);
  const maxTotal = desired + maxSurge(deployment);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, desired - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** SetReplicasAnnotations; returns whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  rs.metadata.annotations ??= {};
  let changed = false;
  if (rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    rs.metadata.annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (rs.metadata.annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    rs.metadata.annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return (
    annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

function skipCopyAnnotation(key: string): boolean {
  return [
    LAST_APPLIED_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    DEPRECATED_ROLLBACK_TO,
  ].includes(key);
}

/** SetNewReplicaSetAnnotations; returns whether anything changed. */
export function setNewReplicaSetAnnotations(
  deployment: Deployment,
  rs: ReplicaSet,
  newRevision: string,
  exists: boolean,
): boolean {
  rs.metadata.annotations ??= {};
  const annotations = rs.metadata.annotations;
  let changed = false;
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  const oldRevision = annotations[REVISION_ANNOTATION];
  const hadRevision = oldRevision !== undefined;
  let oldRevisionNumber = 0;
  if (hadRevision) {
    oldRevisionNumber = Number(oldRevision);
    if (!Number.isInteger(oldRevisionNumber)) {
      if (oldRevision !== "") return false;
      oldRevisionNumber = 0;
    }
  }
  const newRevisionNumber = Number(newRevision);
  if (oldRevisionNumber < newRevisionNumber) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  if (hadRevision && oldRevisionNumber < newRevisionNumber) {
    const history = annotations[REVISION_HISTORY_ANNOTATION] ?? "";
    let old = history.split(",");
    if (old[0].length === 0) {
      annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > MAX_REVISION_HISTORY_CHARS && start < old.length) {
        total -= old[start].length + 1;
        start++;
      }
      if (total <= MAX_REVISION_HISTORY_CHARS) {
        old = [...old.slice(start), oldRevision];
        annotations[REVISION_HISTORY_ANNOTATION] = old.join(",");
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(deployment), replicasOf(deployment) + maxSurge(deployment))) {
    changed = true;
  }
  return changed;
}

export function conditionOf(status: DeploymentStatus | undefined, type: string): WorkloadCondition | undefined {
  return status?.conditions?.find((condition) => condition.type === type);
}

export function newCondition(
  type: string,
  status: WorkloadCondition["status"],
  reason: string,
  message: string,
  now: string,
): WorkloadCondition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: same status and reason → unchanged; same status → keep transition time. */
export function setCondition(status: DeploymentStatus, condition: WorkloadCondition): void {
  const current = conditionOf(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status) condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** spec.progressDeadlineSeconds with the apps/v1 default (600) when the API did not fill it in. */
export function progressDeadlineSeconds(deployment: Deployment): number {
  return deployment.spec?.progressDeadlineSeconds ?? 600;
}

export function hasProgressDeadline(deployment: Deployment): boolean {
  return progressDeadlineSeconds(deployment) !== 2147483647;
}

/** DeploymentComplete. */
export function deploymentComplete(deployment: Deployment, status: DeploymentStatus): boolean {
  const replicas = replicasOf(deployment);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas. */
export function deploymentProgressing(deployment: Deployment, status: DeploymentStatus): boolean {
  const old = deployment.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut. */
export function deploymentTimedOut(deployment: Deployment, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(deployment)) return false;
  const condition = conditionOf(status, "Progressing");
  if (!condition) return false;
  if (condition.reason === Reasons.newRSAvailable) return false;
  if (condition.reason === Reasons.timedOut) return true;
  const from = condition.lastUpdateTime ? Date.parse(condition.lastUpdateTime) : now;
  return from + progressDeadlineSeconds(deployment) * 1000 < now;
}

/** IsSaturated: the new RS is the whole deployment, and all of it available. */
export function isSaturated(deployment: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
  const replicas = replicasOf(deployment);
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** FindActiveOrLatest: the one active RS, or the newest when none is active; undefined if several. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sortedOld = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...sortedOld, newRS]);
  if (active.length === 0) return newRS ?? sortedOld[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** GetProportion / getReplicaSetFraction: the RS's share of a proportional scaling. */
export function proportion(
  rs: ReplicaSet,
  deployment: Deployment,
  toAdd: number,
  added: number,
  statusReplicas: number,
): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, deployment, statusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, deployment: Deployment, statusReplicas: number): number {
  if (replicasOf(deployment) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(deployment) + maxSurge(deployment);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
  const base =
    Number.isInteger(annotated) && rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION] !== undefined
      ? annotated
      : statusReplicas;
  if (base === 0) return 0;
  // integer.RoundToInt32 rounds half away from zero.
  const size = (replicasOf(rs) * deploymentReplicas) / base;
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
}

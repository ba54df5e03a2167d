import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  HPAScalingRules,
  MetricSpec,
  MetricStatus,
  MetricTarget,
} from "../../api/autoscaling";
import type { Pod } from "../../api/core";
import { quantityToMilli, quantityToNumber } from "../../api/quantity";
import { Deployments, HorizontalPodAutoscalers, Pods, ReplicaSets, StatefulSets } from "../../api/resources";
import type { GroupVersionResource, KubeObject, LabelSelector } from "../../api/types";
import { parseApiVersion } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { errorMessage } from "../replicaset/ReplicaSetController";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { selectorFromLabelSelector } from "../shared/labels";
import { isPodReady, keyOf, splitKey } from "../shared/pods";

/** One container's current usage, as metrics.k8s.io reports it (cores and bytes). */
export interface ContainerUsage {
  name: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

/**
 * Where the autoscaler reads pod usage (metrics-server's role). The controller manager's starter
 * wires it to the kubelets that serve metrics.k8s.io; undefined means no metrics for that pod.
 */
export type PodMetricsSource = (
  namespace: string,
  pod: string,
  node: string | undefined,
) => ContainerUsage[] | undefined;

/** --horizontal-pod-autoscaler-sync-period. */
export const HPA_SYNC_PERIOD_MS = 15_000;
/** --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;
const DEFAULT_SCALE_DOWN_WINDOW_S = 300;

const TARGETS: Record<string, GroupVersionResource> = {
  "apps/Deployment": Deployments,
  "apps/ReplicaSet": ReplicaSets,
  "apps/StatefulSet": StatefulSets,
};

interface Recommendation {
  time: number;
  replicas: number;
}

interface ScaleEvent {
  time: number;
  change: number;
}

/**
 * pkg/controller/podautoscaler (autoscaling/v2): every 15 s per autoscaler, desired =
 * ceil(current × currentUtilization / target) per metric (10 % tolerance), the largest wins, then
 * the behaviors: stabilization windows (scale-down 300 s by default) and rate policies, clamped to
 * min/max, with the AbleToScale / ScalingActive / ScalingLimited conditions and the
 * `SuccessfulRescale` event.
 */
export class HorizontalPodAutoscalerController {
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly autoscalers;
  private readonly pods;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(
    private readonly context: ControllerContext,
    private readonly metrics: PodMetricsSource,
  ) {
    this.recorder = context.recorder("horizontal-pod-autoscaler");
    this.autoscalers = context.informer<HorizontalPodAutoscaler>(HorizontalPodAutoscalers);
    this.pods = context.informer<Pod>(Pods);
    this.queue = context.loop("horizontalpodautoscaler", (key) => this.sync(key));
    this.autoscalers.addHandlers({
      add: (hpa) => this.queue.add(keyOf(hpa)),
      update: (old, hpa) => {
        if (JSON.stringify(old.spec) !== JSON.stringify(hpa.spec)) this.queue.add(keyOf(hpa));
      },
      delete: (hpa) => {
        this.recommendations.delete(keyOf(hpa));
        this.scaleUpEvents.delete(keyOf(hpa));
        this.scaleDownEvents.delete(keyOf(hpa));
      },
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.autoscalers.get(namespace, name);
    if (!cached) return;
    // Autoscalers are re-evaluated periodically as upstream does, only while one exists.
    this.queue.addAfter(key, HPA_SYNC_PERIOD_MS);
    const hpa = structuredClone(cached);
    const spec = hpa.spec;
    if (!spec) return;
    const now = this.context.clock.now();
    const time = toRfc3339(now);
    const conditions: HorizontalPodAutoscalerCondition[] = [...(hpa.status?.conditions ?? [])];
    const setCondition = (type: string, status: "True" | "False", reason: string, message: string) => {
      const index = conditions.findIndex((c) => c.type === type);
      const previous = index >= 0 ? conditions[index] : undefined;
      const condition: HorizontalPodAutoscalerCondition = {
        type,
        status,
        reason,
        message,
        lastTransitionTime: previous && previous.status === status ? previous.lastTransitionTime : time,
      };
      if (index >= 0) conditions[index] = condition;
      else conditions.push(condition);
    };

    const reference = spec.scaleTargetRef;
    const { group } = parseApiVersion(reference.apiVersion ?? "apps/v1");
    const gvr = TARGETS[`${group}/${reference.kind}`];
    let target: KubeObject | undefined;
    try {
      if (!gvr) throw new Error(`no matches for kind "${reference.kind}" in group "${group}"`);
      target = await this.context.client.get(gvr, namespace, reference.name);
    } catch (error) {
      const message = `the HPA controller was unable to get the target's current scale: ${errorMessage(error)}`;
      setCondition("AbleToScale", "False", "FailedGetScale", message);
      this.recorder.event(hpa, "Warning", "FailedGetScale", errorMessage(error));
      await this.writeStatus(hpa, { ...hpa.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
      return;
    }
    const currentReplicas: number = target.spec?.replicas ?? 1;
    const minReplicas = spec.minReplicas ?? 1;
    const maxReplicas = spec.maxReplicas;
    let desired = currentReplicas;
    let reason = "";
    let currentMetrics: MetricStatus[] | undefined = hpa.status?.currentMetrics;
    let rescale = false;

    if (currentReplicas === 0 && minReplicas !== 0) {
      setCondition(
        "ScalingActive",
        "False",
        "ScalingDisabled",
        "scaling is disabled since the replica count of the target is zero",
      );
      desired = 0;
    } else if (currentReplicas > maxReplicas) {
      desired = maxReplicas;
      reason = "Current number of replicas above Spec.MaxReplicas";
      rescale = true;
    } else if (currentReplicas < minReplicas) {
      desired = minReplicas;
      reason = "Current number of replicas below Spec.MinReplicas";
      rescale = true;
    } else {
      const selector = target.spec?.selector as LabelSelector | undefined;
      const pods = this.pods
        .list(namespace)
        .filter((pod) => selectorFromLabelSelector(selector).matches(pod.metadata.labels));
      const metricSpecs: MetricSpec[] = spec.metrics?.length
        ? spec.metrics
        : [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
      // computeReplicasForMetrics: the largest proposal wins; all metrics invalid, or some invalid
      // while the valid ones would scale down, is an error reported through the first failure.
      let best: { replicas: number; name: string } | undefined;
      const statuses: MetricStatus[] = [];
      let firstFailure: MetricFailure | undefined;
      let invalid = 0;
      for (const metric of metricSpecs) {
        try {
          const result = this.metricReplicas(metric, pods, currentReplicas, namespace ?? "");
          statuses.push(result.status);
          if (!best || result.replicas > best.replicas) best = { replicas: result.replicas, name: result.name };
        } catch (error) {
          const failure =
            error instanceof MetricFailure ? error : new MetricFailure("FailedGetResourceMetric", errorMessage(error));
          firstFailure ??= failure;
          invalid++;
          statuses.push({ type: "" });
        }
      }
      if (firstFailure) {
        // getUnableComputeReplicaCountCondition records one event per failing metric's reason.
        this.recorder.event(hpa, "Warning", firstFailure.reason, firstFailure.message);
      }
      if (!best || (firstFailure && best.replicas < currentReplicas)) {
        const failure = firstFailure ?? new MetricFailure("FailedGetResourceMetric", "no metrics");
        setCondition(
          "ScalingActive",
          "False",
          failure.reason,
          `the HPA was unable to compute the replica count: ${failure.message}`,
        );
        this.recorder.event(
          hpa,
          "Warning",
          "FailedComputeMetricsReplicas",
          `invalid metrics (${invalid} invalid out of ${metricSpecs.length}), first error is: ${failure.message}`,
        );
        await this.writeStatus(hpa, {
          ...hpa.status,
          currentReplicas,
          desiredReplicas: hpa.status?.desiredReplicas ?? currentReplicas,
          currentMetrics: statuses,
          conditions,
        });
        return;
      }
      currentMetrics = statuses;
      setCondition(
        "ScalingActive",
        "True",
        "ValidMetricFound",
        `the HPA was able to successfully calculate a replica count from ${best.name}`,
      );
      const normalized = this.normalize(key, hpa, best.replicas, currentReplicas, now, setCondition);
      desired = normalized;
      // rescaleReason: the winning metric when scaling up; going down, every metric was below.
      reason = desired > currentReplicas ? `${best.name} above target` : "All metrics below target";
      rescale = desired !== currentReplicas;
    }

    const status = { ...(hpa.status ?? { desiredReplicas: 0 }) };
    if (rescale && gvr) {
      try {
        await this.context.client.patch(
          gvr,
          namespace,
          reference.name,
          "merge",
          { spec: { replicas: desired } },
          { subresource: "scale" },
        );
      } catch (error) {
        setCondition(
          "AbleToScale",
          "False",
          "FailedUpdateScale",
          `the HPA controller was unable to update the target scale: ${errorMessage(error)}`,
        );
        this.recorder.event(
          hpa,
          "Warning",
          "FailedRescale",
          `New size: ${desired}; reason: ${reason}; error: ${errorMessage(error)}`,
        );
        await this.writeStatus(hpa, { ...status, conditions });
        throw error;
      }
      setCondition(
        "AbleToScale",
        "True",
        "SucceededRescale",
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      this.recorder.event(hpa, "Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
      const change = desired - currentReplicas;
      (change > 0 ? this.scaleUpEvents : this.scaleDownEvents).set(key, [
        ...((change > 0 ? this.scaleUpEvents : this.scaleDownEvents).get(key) ?? []),
        { time: now, change: Math.abs(change) },
      ]);
      status.lastScaleTime = time;
    }
    status.observedGeneration = hpa.metadata.generation;
    status.currentReplicas = currentReplicas;
    status.desiredReplicas = desired;
    if (currentMetrics) status.currentMetrics = currentMetrics;
    status.conditions = conditions;
    await this.writeStatus(hpa, status);
  }

  /**
   * computeReplicasForMetric: Resource and ContainerResource metrics come from metrics.k8s.io (the
   * kubelets' usage); Pods, Object and External metrics need custom.metrics.k8s.io /
   * external.metrics.k8s.io, which this cluster does not serve, so they fail as they do on a
   * real cluster without an adapter (`no custom metrics API (custom.metrics.k8s.io) registered`).
   */
  private metricReplicas(metric: MetricSpec, pods: readonly Pod[], currentReplicas: number, namespace: string) {
    switch (metric.type) {
      case "Resource":
        if (!metric.resource) break;
        return this.resourceReplicas(
          metric.resource.name,
          metric.resource.target,
          undefined,
          pods,
          currentReplicas,
          namespace,
        );
      case "ContainerResource":
        if (!metric.containerResource) break;
        return this.resourceReplicas(
          metric.containerResource.name,
          metric.containerResource.target,
          metric.containerResource.container,
          pods,
          currentReplicas,
          namespace,
        );
      case "Pods": {
        const name = metric.pods?.metric.name ?? "";
        throw new MetricFailure("FailedGetPodsMetric", `unable to get metric ${name}: ${NO_CUSTOM_METRICS}`);
      }
      case "Object": {
        const name = metric.object?.metric.name ?? "";
        const described = metric.object?.describedObject;
        throw new MetricFailure(
          "FailedGetObjectMetric",
          `unable to get metric ${name}: ${described?.kind} on ${namespace} ${described?.name}/${NO_CUSTOM_METRICS}`,
        );
      }
      case "External": {
        const name = metric.external?.metric.name ?? "";
        throw new MetricFailure(
          "FailedGetExternalMetric",
          `unable to get external metric ${namespace}/${name}/${selectorString(metric.external?.metric.selector)}: ${NO_EXTERNAL_METRICS}`,
        );
      }
    }
    throw new MetricFailure("InvalidMetricSourceType", `unknown metric source type "${metric.type}"`);
  }

  /** GetResourceReplicas / GetRawResourceReplicas for a pod-level or one-container resource metric. */
  private resourceReplicas(
    resource: string,
    target: MetricTarget,
    container: string | undefined,
    pods: readonly Pod[],
    currentReplicas: number,
    namespace: string,
  ) {
    const failureReason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    const what = target.type === "Utilization" ? "utilization" : "usage";
    const fail = (message: string): never => {
      throw new MetricFailure(failureReason, `failed to get ${resource} ${what}: ${message}`);
    };
    if (resource !== "cpu" && resource !== "memory") {
      fail(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
    }
    const label = container
      ? `${resource} container resource${target.type === "Utilization" ? " utilization (percentage of request)" : ""}`
      : `${resource} resource${target.type === "Utilization" ? " utilization (percentage of request)" : ""}`;
    const usageOf = (usage: ContainerUsage) => (resource === "cpu" ? usage.cpuNanoCores / 1e6 : usage.memoryBytes); // millicores or bytes
    const measured = new Map<string, number>();
    const requests = new Map<string, number>();
    const missing: string[] = [];
    const unready: string[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp || pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded")
        continue;
      const name = pod.metadata.name ?? "";
      if (pod.status?.phase === "Pending") {
        unready.push(name);
        continue;
      }
      const reported = this.metrics(namespace, name, pod.spec?.nodeName);
      if (!reported) {
        missing.push(name);
        continue;
      }
      const usage = container ? reported.filter((c) => c.name === container) : reported;
      if (container && usage.length === 0) {
        fail(
          `failed to get container metrics: container ${container} not present in metrics for pod ${namespace}/${name}`,
        );
      }
      // CPU samples of pods that are not ready yet (starting up) are not trusted.
      if (resource === "cpu" && !isPodReady(pod)) {
        unready.push(name);
        continue;
      }
      measured.set(
        name,
        usage.reduce((sum, container) => sum + usageOf(container), 0),
      );
      let request = 0;
      for (const spec of pod.spec?.containers ?? []) {
        if (container && spec.name !== container) continue;
        const value = spec.resources?.requests?.[resource];
        if (value === undefined) {
          if (target.type === "Utilization")
            fail(`missing request for ${resource} in container ${spec.name} of Pod ${name}`);
          continue;
        }
        request += resource === "cpu" ? quantityToMilli(value) : quantityToNumber(value);
      }
      requests.set(name, request);
    }
    if (measured.size === 0) {
      fail(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
    }
    const totalUsage = [...measured.values()].reduce((a, b) => a + b, 0);
    if (target.type === "Utilization") {
      const totalRequest = [...requests.values()].reduce((a, b) => a + b, 0);
      const utilization = Math.floor((totalUsage * 100) / totalRequest);
      const targetUtilization = target.averageUtilization ?? 80;
      let ratio = utilization / targetUtilization;
      let replicas = currentReplicas;
      const within = Math.abs(1 - ratio) <= TOLERANCE;
      if (!within || missing.length + unready.length > 0) {
        if (within && missing.length + unready.length > 0) {
          replicas = currentReplicas;
        } else {
          // Missing pods count as 100 % on the way down and 0 % on the way up; unready as 0 % up.
          let usageSum = totalUsage;
          let requestSum = totalRequest;
          const averageRequest = totalRequest / Math.max(1, requests.size);
          const scaleUp = ratio > 1;
          for (const _ of missing) {
            requestSum += averageRequest;
            if (!scaleUp) usageSum += averageRequest * (targetUtilization / 100);
          }
          if (scaleUp) for (const _ of unready) requestSum += averageRequest;
          const adjusted = (usageSum * 100) / requestSum / targetUtilization;
          if (Math.abs(1 - adjusted) <= TOLERANCE || adjusted > 1 !== scaleUp) replicas = currentReplicas;
          else {
            ratio = adjusted;
            replicas = Math.ceil(ratio * (requests.size + missing.length + (scaleUp ? unready.length : 0)));
          }
        }
      }
      const averageValue =
        resource === "cpu"
          ? `${Math.round(totalUsage / measured.size)}m`
          : `${Math.round(totalUsage / measured.size / 1024)}Ki`;
      return {
        replicas,
        status: metricStatus(resource, container, { averageUtilization: utilization, averageValue }),
        name: label,
      };
    }
    // AverageValue (or Value treated as a per-pod average).
    const targetValue =
      resource === "cpu"
        ? quantityToMilli(target.averageValue ?? target.value ?? "0")
        : quantityToNumber(target.averageValue ?? target.value ?? "0");
    const average = totalUsage / measured.size;
    const ratio = targetValue > 0 ? totalUsage / (targetValue * currentReplicas) : 1;
    const replicas = Math.abs(1 - ratio) <= TOLERANCE ? currentReplicas : Math.ceil(totalUsage / targetValue);
    const averageValue = resource === "cpu" ? `${Math.round(average)}m` : `${Math.round(average / 1024)}Ki`;
    return { replicas, status: metricStatus(resource, container, { averageValue }), name: label };
  }

  /** normalizeDesiredReplicasWithBehaviors: stabilization windows, rate policies, min/max. */
  private normalize(
    key: string,
    hpa: HorizontalPodAutoscaler,
    recommended: number,
    current: number,
    now: number,
    setCondition: (type: string, status: "True" | "False", reason: string, message: string) => void,
  ): number {
    const spec = hpa.spec;
    const minReplicas = spec?.minReplicas ?? 1;
    const maxReplicas = spec?.maxReplicas ?? current;
    const up: HPAScalingRules = spec?.behavior?.scaleUp ?? {};
    const down: HPAScalingRules = spec?.behavior?.scaleDown ?? {};
    const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downWindow = (down.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN_WINDOW_S) * 1000;
    const history = (this.recommendations.get(key) ?? []).filter((r) => r.time > now - Math.max(upWindow, downWindow));
    history.push({ time: now, replicas: recommended });
    this.recommendations.set(key, history);
    let upRecommendation = recommended;
    let downRecommendation = recommended;
    for (const entry of history) {
      if (entry.time > now - upWindow) upRecommendation = Math.min(upRecommendation, entry.replicas);
      if (entry.time > now - downWindow) downRecommendation = Math.max(downRecommendation, entry.replicas);
    }
    let stabilized = current;
    if (upRecommendation > current) stabilized = upRecommendation;
    else if (downRecommendation < current) stabilized = downRecommendation;
    if (stabilized !== recommended) {
      setCondition(
        "AbleToScale",
        "True",
        "ScaleDownStabilized",
        "recent recommendations were higher than current one, applying the highest recent recommendation",
      );
    } else {
      setCondition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
    }
    // Rate limits (defaults: up max(100 %, 4 pods) per 15 s; down 100 % per 15 s).
    let limited = stabilized;
    if (stabilized > current) {
      const policies = up.policies ?? [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ];
      const limit = this.rateLimit(
        this.scaleUpEvents.get(key) ?? [],
        policies,
        up.selectPolicy ?? "Max",
        current,
        now,
        true,
      );
      if (limited > limit) {
        limited = limit;
        setCondition(
          "ScalingLimited",
          "True",
          "ScaleUpLimit",
          "the desired replica count is increasing faster than the maximum scale rate",
        );
      }
    } else if (stabilized < current) {
      const policies = down.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }];
      const limit = this.rateLimit(
        this.scaleDownEvents.get(key) ?? [],
        policies,
        down.selectPolicy ?? "Max",
        current,
        now,
        false,
      );
      if (limited < limit) {
        limited = limit;
        setCondition(
          "ScalingLimited",
          "True",
          "ScaleDownLimit",
          "the desired replica count is decreasing faster than the maximum scale rate",
        );
      }
    }
    if (limited > maxReplicas) {
      setCondition(
        "ScalingLimited",
        "True",
        "TooManyReplicas",
        "the desired replica count is more than the maximum replica count",
      );
      return maxReplicas;
    }
    if (limited < minReplicas) {
      setCondition(
        "ScalingLimited",
        "True",
        "TooFewReplicas",
        "the desired replica count is less than the minimum replica count",
      );
      return minReplicas;
    }
    if (limited === stabilized)
      setCondition("ScalingLimited", "False", "DesiredWithinRange", "the desired count is within the acceptable range");
    return limited;
  }

  private rateLimit(
    events: ScaleEvent[],
    policies: NonNullable<HPAScalingRules["policies"]>,
    select: string,
    current: number,
    now: number,
    up: boolean,
  ): number {
    if (select === "Disabled") return current;
    const limits: number[] = [];
    for (const policy of policies) {
      const recent = events
        .filter((event) => event.time > now - policy.periodSeconds * 1000)
        .reduce((sum, event) => sum + event.change, 0);
      const base = up ? current - recent : current + recent;
      if (policy.type === "Pods") limits.push(up ? base + policy.value : base - policy.value);
      else limits.push(up ? Math.ceil(base * (1 + policy.value / 100)) : Math.ceil(base * (1 - policy.value / 100)));
    }
    const pickLargestChange = select !== "Min";
    return up
      ? pickLargestChange
        ? Math.max(...limits)
        : Math.min(...limits)
      : pickLargestChange
        ? Math.min(...limits)
        : Math.max(...limits);
  }

  private async writeStatus(
    hpa: HorizontalPodAutoscaler,
    status: NonNullable<HorizontalPodAutoscaler["status"]>,
  ): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    hpa.status = status;
    try {
      await this.context.client.update(HorizontalPodAutoscalers, hpa, { subresource: "status" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** A metric that could not be evaluated: the condition/event reason and upstream's message. */
class MetricFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the custom and external metrics clients say when no adapter serves those APIs. */
const NO_CUSTOM_METRICS =
  "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";
const NO_EXTERNAL_METRICS =
  "unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered";

function metricStatus(
  resource: string,
  container: string | undefined,
  current: { averageUtilization?: number; averageValue?: string },
): MetricStatus {
  return container
    ? { type: "ContainerResource", containerResource: { name: resource, container, current } }
    : { type: "Resource", resource: { name: resource, current } };
}

/** labels.Selector's String(): `a=b,c in (d,e)`, empty for no selector. */
function selectorString(selector: LabelSelector | undefined): string {
  if (!selector) return "";
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(",");
    if (expression.operator === "In") parts.push(`${expression.key} in (${values})`);
    else if (expression.operator === "NotIn") parts.push(`${expression.key} notin (${values})`);
    else if (expression.operator === "Exists") parts.push(expression.key);
    else if (expression.operator === "DoesNotExist") parts.push(`!${expression.key}`);
  }
  return parts.sort().join(",");
}

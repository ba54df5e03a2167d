/**
 * autoscaling/v2 (stored) and autoscaling/v1 horizontalpodautoscalers: SetDefaults, the v1 ⇄ v2
 * conversion of the CPU target, ValidateHorizontalPodAutoscaler and printHorizontalPodAutoscaler.
 */
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerV1,
  MetricSpec,
  MetricStatus,
} from "../../../api/autoscaling";
import type { Quantity } from "../../../api/core";
import type { KubeObject } from "../../../api/types";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { quantityString } from "../core/persistentvolumes";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import { invalid, nameIsDnsSubdomain, notSupported, required, validateObjectMeta } from "../support/validation";

/** autoscaling.DefaultCPUUtilization. */
const defaultCpuUtilization = 80;

function defaultHpa(hpa: HorizontalPodAutoscaler): void {
  hpa.spec ??= { scaleTargetRef: { kind: "", name: "" }, maxReplicas: 0 };
  const spec = hpa.spec;
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: defaultCpuUtilization } },
      },
    ];
  }
  const behavior = spec.behavior;
  if (behavior) {
    behavior.scaleUp ??= {};
    behavior.scaleUp.stabilizationWindowSeconds ??= 0;
    behavior.scaleUp.selectPolicy ??= "Max";
    behavior.scaleUp.policies ??= [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ];
    behavior.scaleDown ??= {};
    behavior.scaleDown.stabilizationWindowSeconds ??= 300;
    behavior.scaleDown.selectPolicy ??= "Max";
    behavior.scaleDown.policies ??= [{ type: "Percent", value: 100, periodSeconds: 15 }];
  }
}

function validateHpa(hpa: HorizontalPodAutoscaler): FieldError[] {
  const errors = validateObjectMeta(hpa.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = hpa.spec;
  if (!spec) return [...errors, required("spec")];
  if (!spec.scaleTargetRef?.kind) errors.push(required("spec.scaleTargetRef.kind"));
  if (!spec.scaleTargetRef?.name) errors.push(required("spec.scaleTargetRef.name"));
  const minReplicas = spec.minReplicas ?? 1;
  if (minReplicas < 1) errors.push(invalid("spec.minReplicas", minReplicas, "must be greater than or equal to 1"));
  if (spec.maxReplicas < 1) errors.push(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than 0"));
  if (spec.maxReplicas < minReplicas) {
    errors.push(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`"));
  }
  const types = ["ContainerResource", "External", "Object", "Pods", "Resource"];
  (spec.metrics ?? []).forEach((metric, index) => {
    const path = `spec.metrics[${index}]`;
    if (!types.includes(metric.type)) errors.push(notSupported(`${path}.type`, metric.type, types));
    if (metric.type === "Resource" && !metric.resource)
      errors.push(required(`${path}.resource`, "must populate information for the given metric source"));
    const target = metric.resource?.target;
    if (target && target.type === "Utilization" && (target.averageUtilization ?? 1) <= 0) {
      errors.push(
        invalid(`${path}.resource.target.averageUtilization`, target.averageUtilization, "must be greater than 0"),
      );
    }
  });
  return errors;
}

function cpuTarget(metrics: MetricSpec[] | undefined): number | undefined {
  const metric = metrics?.find((candidate) => candidate.type === "Resource" && candidate.resource?.name === "cpu");
  return metric?.resource?.target.type === "Utilization" ? metric.resource.target.averageUtilization : undefined;
}

/** v2 → v1 and v1 → v2 (only the CPU utilization target exists in v1). */
export const hpaConversion = {
  fromStorage(object: KubeObject, version: string): KubeObject {
    const hpa = structuredClone(object) as HorizontalPodAutoscaler;
    if (version !== "v1") return { ...hpa, apiVersion: `autoscaling/${version}` };
    const spec = hpa.spec;
    const currentCpu = hpa.status?.currentMetrics?.find(
      (metric) => metric.type === "Resource" && metric.resource?.name === "cpu",
    )?.resource?.current.averageUtilization;
    const converted: HorizontalPodAutoscalerV1 = {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: hpa.metadata,
      spec: spec && {
        scaleTargetRef: spec.scaleTargetRef,
        minReplicas: spec.minReplicas,
        maxReplicas: spec.maxReplicas,
        targetCPUUtilizationPercentage: cpuTarget(spec.metrics),
      },
      status: hpa.status && {
        observedGeneration: hpa.status.observedGeneration,
        lastScaleTime: hpa.status.lastScaleTime,
        currentReplicas: hpa.status.currentReplicas ?? 0,
        desiredReplicas: hpa.status.desiredReplicas,
        currentCPUUtilizationPercentage: currentCpu,
      },
    };
    return JSON.parse(JSON.stringify(converted));
  },
  toStorage(object: KubeObject, version: string): KubeObject {
    if (version !== "v1") return { ...structuredClone(object), apiVersion: "autoscaling/v2" };
    const hpa = structuredClone(object) as HorizontalPodAutoscalerV1;
    const target = hpa.spec?.targetCPUUtilizationPercentage;
    const converted: HorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: hpa.metadata,
      spec: hpa.spec && {
        scaleTargetRef: hpa.spec.scaleTargetRef,
        minReplicas: hpa.spec.minReplicas,
        maxReplicas: hpa.spec.maxReplicas,
        metrics:
          target === undefined
            ? undefined
            : [
                {
                  type: "Resource",
                  resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } },
                },
              ],
      },
      status: hpa.status && {
        observedGeneration: hpa.status.observedGeneration,
        lastScaleTime: hpa.status.lastScaleTime,
        currentReplicas: hpa.status.currentReplicas,
        desiredReplicas: hpa.status.desiredReplicas,
        currentMetrics:
          hpa.status.currentCPUUtilizationPercentage === undefined
            ? undefined
            : [
                {
                  type: "Resource",
                  resource: {
                    name: "cpu",
                    current: { averageUtilization: hpa.status.currentCPUUtilizationPercentage },
                  },
                },
              ],
      },
    };
    return JSON.parse(JSON.stringify(converted));
  },
};

const text = (value: Quantity | undefined) => quantityString(value);

/** formatHPAMetrics: `cpu: 50%/80%`, up to two, then `+ N more...`. */
export function formatHpaMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs || specs.length === 0) return "<none>";
  const list: string[] = [];
  specs.forEach((spec, index) => {
    const status = statuses?.[index];
    switch (spec.type) {
      case "External": {
        const target = spec.external?.target;
        if (target?.averageValue !== undefined) {
          const current =
            status?.external?.current.averageValue !== undefined
              ? text(status.external.current.averageValue)
              : "<unknown>";
          list.push(`${current}/${text(target.averageValue)} (avg)`);
        } else {
          const current = status?.external ? text(status.external.current.value) : "<unknown>";
          list.push(`${current}/${text(target?.value)}`);
        }
        break;
      }
      case "Pods": {
        const current = status?.pods ? text(status.pods.current.averageValue) : "<unknown>";
        list.push(`${current}/${text(spec.pods?.target.averageValue)}`);
        break;
      }
      case "Object": {
        const target = spec.object?.target;
        if (target?.averageValue !== undefined) {
          const current =
            status?.object?.current.averageValue !== undefined ? text(status.object.current.averageValue) : "<unknown>";
          list.push(`${current}/${text(target.averageValue)} (avg)`);
        } else {
          const current = status?.object ? text(status.object.current.value) : "<unknown>";
          list.push(`${current}/${text(target?.value)}`);
        }
        break;
      }
      case "Resource":
      case "ContainerResource": {
        const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const current = spec.type === "Resource" ? status?.resource : status?.containerResource;
        const target = source?.target;
        if (target?.averageValue !== undefined) {
          const value = current ? text(current.current.averageValue) : "<unknown>";
          list.push(`${source?.name}: ${value}/${text(target.averageValue)}`);
        } else {
          const value =
            current?.current.averageUtilization !== undefined ? `${current.current.averageUtilization}%` : "<unknown>";
          const goal = target?.averageUtilization !== undefined ? `${target.averageUtilization}%` : "<auto>";
          list.push(`${source?.name}: ${value}/${goal}`);
        }
        break;
      }
      default:
        list.push("<unknown type>");
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(", ")} + ${list.length - max} more...`;
  return list.join(", ");
}

export const horizontalPodAutoscalers: ResourceDefinition<HorizontalPodAutoscaler> = {
  group: "autoscaling",
  versions: ["v2", "v1"],
  resource: "horizontalpodautoscalers",
  kind: "HorizontalPodAutoscaler",
  singular: "horizontalpodautoscaler",
  namespaced: true,
  shortNames: ["hpa"],
  categories: ["all"],
  storagePrefix: "horizontalpodautoscalers",
  subresources: { status: true },
  strategy: specStatusStrategy<HorizontalPodAutoscaler>(
    { defaults: defaultHpa, validate: validateHpa, validateUpdate: validateHpa },
    { initialStatus: () => ({ desiredReplicas: 0 }) },
  ),
  conversion: hpaConversion,
  table: {
    columns: [
      nameColumn(),
      column("Reference", "string", ["V2HorizontalPodAutoscalerSpec", "scaleTargetRef"]),
      column("Targets", "string", ["V2HorizontalPodAutoscalerSpec", "metrics"]),
      column("MinPods", "string", ["V2HorizontalPodAutoscalerSpec", "minReplicas"]),
      column("MaxPods", "string", ["V2HorizontalPodAutoscalerSpec", "maxReplicas"]),
      column("Replicas", "string", ["V2HorizontalPodAutoscalerStatus", "currentReplicas"]),
      ageColumn(),
    ],
    cells(hpa, now) {
      const spec = hpa.spec;
      return [
        hpa.metadata.name ?? "",
        `${spec?.scaleTargetRef?.kind ?? ""}/${spec?.scaleTargetRef?.name ?? ""}`,
        formatHpaMetrics(spec?.metrics, hpa.status?.currentMetrics),
        spec?.minReplicas !== undefined ? String(spec.minReplicas) : "<unset>",
        spec?.maxReplicas ?? 0,
        hpa.status?.currentReplicas ?? 0,
        translateTimestampSince(hpa.metadata.creationTimestamp, now),
      ];
    },
  },
  schema: kindSchema("autoscaling", "v2", "HorizontalPodAutoscaler"),
  schemasByVersion: {
    v2: kindSchema("autoscaling", "v2", "HorizontalPodAutoscaler"),
    v1: kindSchema("autoscaling", "v1", "HorizontalPodAutoscaler"),
  },
  schemaComponents,
};

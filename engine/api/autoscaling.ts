/** autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler shapes (plain JSON as on the wire). */
import type { Quantity } from "./core";
import type { KubeObject, LabelSelector } from "./types";

export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

/** autoscaling/v1 HorizontalPodAutoscaler. */
export interface HorizontalPodAutoscalerV1 extends KubeObject {
  spec?: {
    scaleTargetRef: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage?: number;
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas: number;
    desiredReplicas: number;
    currentCPUUtilizationPercentage?: number;
  };
}

export interface MetricTarget {
  type: "Utilization" | "Value" | "AverageValue" | string;
  value?: Quantity;
  averageValue?: Quantity;
  averageUtilization?: number;
}

export interface MetricValueStatus {
  value?: Quantity;
  averageValue?: Quantity;
  averageUtilization?: number;
}

export interface MetricIdentifier {
  name: string;
  selector?: LabelSelector;
}

export interface MetricSpec {
  type: "Object" | "Pods" | "Resource" | "ContainerResource" | "External" | string;
  object?: { describedObject: CrossVersionObjectReference; target: MetricTarget; metric: MetricIdentifier };
  pods?: { metric: MetricIdentifier; target: MetricTarget };
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; target: MetricTarget; container: string };
  external?: { metric: MetricIdentifier; target: MetricTarget };
}

export interface MetricStatus {
  type: string;
  object?: { describedObject: CrossVersionObjectReference; current: MetricValueStatus; metric: MetricIdentifier };
  pods?: { metric: MetricIdentifier; current: MetricValueStatus };
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; current: MetricValueStatus; container: string };
  external?: { metric: MetricIdentifier; current: MetricValueStatus };
}

export interface HPAScalingPolicy {
  type: "Pods" | "Percent" | string;
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: "Max" | "Min" | "Disabled" | string;
  policies?: HPAScalingPolicy[];
  tolerance?: Quantity;
}

export interface HorizontalPodAutoscalerCondition {
  type: "ScalingActive" | "AbleToScale" | "ScalingLimited" | string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** autoscaling/v2 HorizontalPodAutoscaler, the storage version. */
export interface HorizontalPodAutoscaler extends KubeObject {
  spec?: {
    scaleTargetRef: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas: number;
    currentMetrics?: MetricStatus[];
    conditions?: HorizontalPodAutoscalerCondition[];
  };
}

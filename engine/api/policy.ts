/** policy/v1 object shapes (plain JSON as on the wire). */
import type { IntOrString } from "./core";
import type { KubeObject, LabelSelector } from "./types";

export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrString;
  selector?: LabelSelector;
  maxUnavailable?: IntOrString;
  unhealthyPodEvictionPolicy?: "IfHealthyBudget" | "AlwaysAllow" | string;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Array<{
    type: string;
    status: "True" | "False" | "Unknown";
    observedGeneration?: number;
    lastTransitionTime: string;
    reason: string;
    message: string;
  }>;
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

/** The body POSTed to `pods/<name>/eviction`. */
export interface Eviction extends KubeObject {
  deleteOptions?: Record<string, unknown>;
}

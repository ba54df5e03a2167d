/** scheduling.k8s.io/v1 object shapes (plain JSON as on the wire). */
import type { KubeObject } from "./types";

export interface PriorityClass extends KubeObject {
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never" | string;
}

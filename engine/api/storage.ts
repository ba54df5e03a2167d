/** storage.k8s.io/v1 object shapes (plain JSON as on the wire). */
import type { NodeSelectorRequirement } from "./core";
import type { KubeObject } from "./types";

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: "Retain" | "Delete" | "Recycle" | string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer" | string;
  allowedTopologies?: Array<{ matchLabelExpressions?: Array<Pick<NodeSelectorRequirement, "key" | "values">> }>;
}

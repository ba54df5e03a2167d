/** apiextensions.k8s.io/v1 CustomResourceDefinition shape (plain JSON as on the wire). */
import type { OpenApiSchema } from "../apiserver/ResourceDefinition";
import type { KubeObject } from "./types";

export interface CustomResourceColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CustomResourceDefinitionVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: OpenApiSchema & Record<string, unknown> };
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: CustomResourceColumnDefinition[];
  selectableFields?: Array<{ jsonPath: string }>;
}

export interface CustomResourceDefinitionNames {
  plural: string;
  singular?: string;
  shortNames?: string[];
  kind: string;
  listKind?: string;
  categories?: string[];
}

export interface CustomResourceDefinitionCondition {
  type:
    | "Established"
    | "NamesAccepted"
    | "NonStructuralSchema"
    | "Terminating"
    | "KubernetesAPIApprovalPolicyConformant"
    | string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CustomResourceDefinition extends KubeObject {
  spec?: {
    group: string;
    names: CustomResourceDefinitionNames;
    scope: "Namespaced" | "Cluster" | string;
    versions: CustomResourceDefinitionVersion[];
    conversion?: { strategy: "None" | "Webhook" | string; webhook?: Record<string, unknown> };
    preserveUnknownFields?: boolean;
  };
  status?: {
    conditions?: CustomResourceDefinitionCondition[];
    acceptedNames?: CustomResourceDefinitionNames;
    storedVersions?: string[];
  };
}

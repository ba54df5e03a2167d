/**
 * The OpenAPI v3 schemas of every built-in kind, one module-level copy shared by all clusters.
 * Built from @kubernetes/client-node's models by `generate.ts` (run on `npm install`).
 */
import type { OpenApiSchema } from "../../ResourceDefinition";
import type { GeneratedSchemas } from "./generate";
import { generatedSchemasJson } from "./generated/openapi";

const generated = JSON.parse(generatedSchemasJson) as GeneratedSchemas;

/**
 * Every component schema by definition name (`io.k8s.api.core.v1.Pod`); schemas refer to each
 * other with `$ref: "#/components/schemas/<name>"`. Shared and frozen: never mutate.
 */
export const schemaComponents: Readonly<Record<string, OpenApiSchema>> = deepFreeze(generated.components);

/** The definition name of a served kind: `kindDefinitionName("apps", "v1", "Deployment")`. */
export function kindDefinitionName(group: string, version: string, kind: string): string | undefined {
  return generated.kinds[`${group}/${version}/${kind}`];
}

/** The schema of a served kind (with `x-kubernetes-group-version-kind`), or undefined. */
export function kindSchema(group: string, version: string, kind: string): OpenApiSchema | undefined {
  const name = kindDefinitionName(group, version, kind);
  return name ? schemaComponents[name] : undefined;
}

/** The schema of a client-node model (`V1PodSpec`), or undefined. */
export function modelSchema(model: string): OpenApiSchema | undefined {
  const name = generated.models[model];
  return name ? schemaComponents[name] : undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

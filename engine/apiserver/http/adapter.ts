import type { ApiServer } from "../ApiServer";
import type { OpenApiSchema } from "../ResourceDefinition";
import type { HttpApiServer } from "./types";

/**
 * The HTTP surface's view of the engine's API server: its pipeline and watches, the registry's
 * definitions (CRDs included), the kubelet registry and the shared schema components.
 */
export function httpApiServerOf(
  apiServer: ApiServer,
  schemaComponents?: Readonly<Record<string, OpenApiSchema>>,
): HttpApiServer & {
  generation(): number;
  customResources(): string[];
  schemaComponents(): Readonly<Record<string, OpenApiSchema>> | undefined;
} {
  return {
    handle: (request) => apiServer.handle(request),
    watch: (request, listener, onClose) => apiServer.watch(request, listener, onClose),
    definitions: () => apiServer.resources.all().map((served) => served.definition),
    kubelet: (nodeName) => apiServer.kubelets.get(nodeName),
    authorize: (attributes) => apiServer.authorize(attributes),
    generation: () => apiServer.resources.generation,
    customResources: () =>
      apiServer.resources
        .all()
        .filter((served) => served.custom)
        .map((served) => `${served.definition.group}/${served.definition.resource}`),
    schemaComponents: () => schemaComponents,
  };
}

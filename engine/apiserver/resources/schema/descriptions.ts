import { modelSchema } from "./schemas";

/**
 * The API documentation of a field, as upstream's `SwaggerDoc()` gives it to the printers' column
 * descriptions: `fieldDescription("V1ObjectMeta", "name")`. Empty when unknown.
 */
export function fieldDescription(model: string, field: string): string {
  const property = modelSchema(model)?.properties?.[field];
  return property?.description ?? "";
}

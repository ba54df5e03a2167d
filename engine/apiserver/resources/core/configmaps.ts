/** core/v1 configmaps: ValidateConfigMap(Update) and printConfigMap. */
import type { ConfigMap } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { invalid, jsonEqual, nameIsDnsSubdomain, tooLong, validateObjectMeta } from "../support/validation";
import { validateDataKeys, validateImmutableData } from "./configData";

const maxConfigMapSize = 1024 * 1024;

function validateConfigMap(configMap: ConfigMap): FieldError[] {
  const errors = validateObjectMeta(configMap.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateDataKeys(configMap.data, "data"));
  errors.push(...validateDataKeys(configMap.binaryData, "binaryData"));
  let size = 0;
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    size += String(value).length;
    if (configMap.binaryData && key in configMap.binaryData) {
      errors.push(invalid("data", key, "duplicate of key present in binaryData"));
    }
  }
  for (const value of Object.values(configMap.binaryData ?? {})) size += Math.floor((String(value).length * 3) / 4);
  if (size > maxConfigMapSize) errors.push(tooLong("", "", maxConfigMapSize));
  return errors;
}

export const configMaps: ResourceDefinition<ConfigMap> = {
  group: "",
  versions: ["v1"],
  resource: "configmaps",
  kind: "ConfigMap",
  singular: "configmap",
  namespaced: true,
  shortNames: ["cm"],
  storagePrefix: "configmaps",
  strategy: {
    validate: validateConfigMap,
    validateUpdate: (configMap, old) => [
      ...validateConfigMap(configMap),
      ...validateImmutableData(configMap, old, jsonEqual, ["data", "binaryData"]),
    ],
  },
  table: {
    columns: [nameColumn(), column("Data", "string", ["V1ConfigMap", "data"]), ageColumn()],
    cells: (configMap, now) => [
      configMap.metadata.name ?? "",
      Object.keys(configMap.data ?? {}).length + Object.keys(configMap.binaryData ?? {}).length,
      translateTimestampSince(configMap.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("", "v1", "ConfigMap"),
  schemaComponents,
};

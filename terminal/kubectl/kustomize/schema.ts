/**
 * The Kustomization's Go types as kustomize v5.5 declares them, so a kustomization file is
 * checked as `yaml.UnmarshalStrict` checks it: unknown fields and mistyped values get
 * encoding/json's errors (`json: unknown field "foo"`, `json: cannot unmarshal number into Go
 * struct field Image.images.newTag of type string`), the first one in document order.
 */

type FieldType = "string" | "bool" | "int" | "strings" | "stringMap" | "boolMap" | "any" | StructType | ListType;
interface StructType {
  name: string;
  fields: Record<string, FieldType>;
}
interface ListType {
  items: StructType;
  goType: string;
}

const list = (items: StructType): ListType => ({ items, goType: `[]types.${items.name}` });

const fieldSpec: StructType = {
  name: "FieldSpec",
  fields: { group: "string", version: "string", kind: "string", path: "string", create: "bool" },
};
const selector: StructType = {
  name: "Selector",
  fields: {
    group: "string",
    version: "string",
    kind: "string",
    name: "string",
    namespace: "string",
    labelSelector: "string",
    annotationSelector: "string",
  },
};
const patch: StructType = {
  name: "Patch",
  fields: { path: "string", patch: "string", target: selector, options: "boolMap" },
};
const generatorOptions: StructType = {
  name: "GeneratorOptions",
  fields: { labels: "stringMap", annotations: "stringMap", disableNameSuffixHash: "bool", immutable: "bool" },
};
const generatorFields: Record<string, FieldType> = {
  namespace: "string",
  name: "string",
  behavior: "string",
  literals: "strings",
  files: "strings",
  envs: "strings",
  env: "string",
  options: generatorOptions,
};

/** types.Kustomization. */
export const kustomizationType: StructType = {
  name: "Kustomization",
  fields: {
    apiVersion: "string",
    kind: "string",
    metadata: {
      name: "ObjectMeta",
      fields: { name: "string", namespace: "string", labels: "stringMap", annotations: "stringMap" },
    },
    openapi: "stringMap",
    namePrefix: "string",
    nameSuffix: "string",
    namespace: "string",
    commonLabels: "stringMap",
    labels: list({
      name: "Label",
      fields: { pairs: "stringMap", includeSelectors: "bool", includeTemplates: "bool", fields: list(fieldSpec) },
    }),
    commonAnnotations: "stringMap",
    patchesStrategicMerge: "strings",
    patchesJson6902: list(patch),
    patches: list(patch),
    images: list({
      name: "Image",
      fields: { name: "string", newName: "string", tagSuffix: "string", newTag: "string", digest: "string" },
    }),
    replacements: "any",
    replicas: list({ name: "Replica", fields: { name: "string", count: "int" } }),
    vars: "any",
    sortOptions: "any",
    resources: "strings",
    components: "strings",
    crds: "strings",
    bases: "strings",
    configMapGenerator: list({ name: "ConfigMapArgs", fields: generatorFields }),
    secretGenerator: list({ name: "SecretArgs", fields: { ...generatorFields, type: "string" } }),
    helmGlobals: "any",
    helmCharts: "any",
    helmChartInflationGenerator: "any",
    generatorOptions,
    configurations: "strings",
    generators: "strings",
    transformers: "strings",
    validators: "strings",
    buildMetadata: "strings",
  },
};

/** How encoding/json names a JSON value's type in its errors. */
function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** The first strict-decoding error of `value` against the Kustomization type, or undefined. */
export function strictDecodeError(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    return `json: cannot unmarshal ${jsonTypeName(value)} into Go value of type types.Kustomization`;
  }
  return checkStruct(value as Record<string, unknown>, kustomizationType, "");
}

function checkStruct(value: Record<string, unknown>, type: StructType, path: string): string | undefined {
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const fieldType = type.fields[key];
    if (fieldType === undefined) return `json: unknown field ${JSON.stringify(key)}`;
    const error = checkField(item, fieldType, type.name, path ? `${path}.${key}` : key);
    if (error) return error;
  }
  return undefined;
}

function mismatch(value: unknown, structName: string, path: string, goType: string): string {
  return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${structName}.${path} of type ${goType}`;
}

function checkField(value: unknown, type: FieldType, structName: string, path: string): string | undefined {
  if (value === null || type === "any") return undefined;
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : mismatch(value, structName, path, "string");
    case "bool":
      return typeof value === "boolean" ? undefined : mismatch(value, structName, path, "bool");
    case "int":
      return typeof value === "number" && Number.isInteger(value)
        ? undefined
        : mismatch(value, structName, path, "int");
    case "strings":
      if (!Array.isArray(value)) return mismatch(value, structName, path, "[]string");
      for (const item of value) if (typeof item !== "string") return mismatch(item, structName, path, "string");
      return undefined;
    case "stringMap":
    case "boolMap": {
      const goType = type === "stringMap" ? "map[string]string" : "map[string]bool";
      if (typeof value !== "object" || Array.isArray(value)) return mismatch(value, structName, path, goType);
      for (const item of Object.values(value as Record<string, unknown>)) {
        const ok = type === "stringMap" ? typeof item === "string" : typeof item === "boolean";
        if (!ok && item !== null) return mismatch(item, structName, path, type === "stringMap" ? "string" : "bool");
      }
      return undefined;
    }
  }
  if ("items" in type) {
    if (!Array.isArray(value)) return mismatch(value, structName, path, type.goType);
    for (const item of value) {
      const error = checkField(item, type.items, structName, path);
      if (error) return error;
    }
    return undefined;
  }
  if (typeof value !== "object" || Array.isArray(value)) return mismatch(value, structName, path, `types.${type.name}`);
  return checkStruct(value as Record<string, unknown>, type, path);
}

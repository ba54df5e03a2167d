/**
 * The type errors Go's JSON decoding reports when a body's field has the wrong JSON type, found by
 * walking the body against the kind's OpenAPI schema. The registry should reject such bodies with
 * 400 BadRequest before any strategy runs, with upstream's message:
 * `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct
 * field PodSpec.spec.containers of type []v1.Container`.
 */
import { isQuantity, quantityErrorMessage } from "../../../api/quantity";
import type { OpenApiSchema } from "../../ResourceDefinition";

const quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const intOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
type Components = Readonly<Record<string, OpenApiSchema>>;

/** Reference names by schema node: every write's body walks the same frozen schemas. */
const referenceNames = new WeakMap<OpenApiSchema, string | null>();

function referenceName(schema: OpenApiSchema): string | undefined {
  let name = referenceNames.get(schema);
  if (name === undefined) {
    const reference = schema.$ref ?? schema.allOf?.[0]?.$ref;
    name = reference ? reference.replace("#/components/schemas/", "") : null;
    referenceNames.set(schema, name);
  }
  return name ?? undefined;
}

const structNames = new Map<string, string>();

function structName(name: string): string {
  let struct = structNames.get(name);
  if (struct === undefined) {
    struct = name.split(".").pop() ?? name;
    structNames.set(name, struct);
  }
  return struct;
}

/** The Go type upstream's decoder names in its message: `[]v1.Container`, `int32`, `map[string]string`. */
function goType(schema: OpenApiSchema): string {
  const name = referenceName(schema);
  if (name === quantityName) return "resource.Quantity";
  if (name === intOrStringName) return "intstr.IntOrString";
  if (name) {
    const parts = name.split(".");
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  switch (schema.type) {
    case "array":
      return `[]${schema.items ? goType(schema.items) : "interface {}"}`;
    case "object":
      return typeof schema.additionalProperties === "object"
        ? `map[string]${goType(schema.additionalProperties)}`
        : "map[string]interface {}";
    case "integer":
      return schema.format === "int64" ? "int64" : "int32";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      return "string";
  }
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value === "object" ? "object" : typeof value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Where a value sits: the Go struct holding it and the field path, spelled out only for an error. */
interface Position {
  struct: string;
  parent?: Position;
  key: string;
}

function pathOf(at: Position): string {
  return at.parent?.key ? `${pathOf(at.parent)}.${at.key}` : at.key;
}

function mismatch(value: unknown, schema: OpenApiSchema, at: Position, detail = jsonType(value)): string {
  return `json: cannot unmarshal ${detail} into Go struct field ${at.struct}.${pathOf(at)} of type ${goType(schema)}`;
}

function check(value: unknown, schema: OpenApiSchema, components: Components, at: Position): string | undefined {
  if (value === null || value === undefined) return undefined;
  const name = referenceName(schema);
  if (name === quantityName) {
    if (typeof value === "string" || typeof value === "number")
      return isQuantity(value) ? undefined : quantityErrorMessage;
    return quantityErrorMessage;
  }
  if (name === intOrStringName) {
    if (typeof value === "string" || typeof value === "number") return undefined;
    return `json: cannot unmarshal ${jsonType(value)} into Go value of type string`;
  }
  if (name) {
    const target = components[name];
    if (!target) return undefined;
    if (target["x-kubernetes-preserve-unknown-fields"] && !target.properties) return undefined;
    if (!isPlainObject(value)) return mismatch(value, schema, at);
    const struct = structName(name);
    for (const [key, child] of Object.entries(value)) {
      const property = target.properties?.[key];
      if (!property) continue;
      const error = check(child, property, components, { struct, parent: at, key });
      if (error) return error;
    }
    return undefined;
  }
  if (schema["x-kubernetes-preserve-unknown-fields"]) return undefined;
  switch (schema.type) {
    case "array":
      if (!Array.isArray(value)) return mismatch(value, schema, at);
      for (const item of value) {
        const error = schema.items && check(item, schema.items, components, at);
        if (error) return error;
      }
      return undefined;
    case "object":
      if (!isPlainObject(value)) return mismatch(value, schema, at);
      if (typeof schema.additionalProperties === "object") {
        for (const child of Object.values(value)) {
          const error = check(child, schema.additionalProperties, components, at);
          if (error) return error;
        }
      }
      return undefined;
    case "integer": {
      if (typeof value !== "number") return mismatch(value, schema, at);
      const limit = schema.format === "int64" ? 2 ** 63 : 2 ** 31;
      if (!Number.isInteger(value) || value >= limit || value < -limit)
        return mismatch(value, schema, at, `number ${value}`);
      return undefined;
    }
    case "number":
      return typeof value === "number" ? undefined : mismatch(value, schema, at);
    case "boolean":
      return typeof value === "boolean" ? undefined : mismatch(value, schema, at);
    case "string":
      return typeof value === "string" ? undefined : mismatch(value, schema, at);
    default:
      return undefined;
  }
}

/**
 * The first type error in `object` against the kind's `schema` (a top-level kind schema whose
 * properties refer into `components`), as the full message upstream's decoder returns, or
 * undefined when every field has an acceptable JSON type. Unknown fields are not its concern.
 */
export function findTypeError(
  object: unknown,
  schema: OpenApiSchema,
  components: Components,
  kind: string,
  version: string,
): string | undefined {
  if (!isPlainObject(object)) return undefined;
  const gvk = schema["x-kubernetes-group-version-kind"]?.[0];
  const struct = gvk?.kind ?? kind;
  for (const [key, child] of Object.entries(object)) {
    const property = schema.properties?.[key];
    if (!property) continue;
    const error = check(child, property, components, { struct, key });
    if (error) return `${kind} in version "${version}" cannot be handled as a ${kind}: ${error}`;
  }
  return undefined;
}

/**
 * Builds the OpenAPI v3 component schemas of every served kind from @kubernetes/client-node's
 * generated models (`attributeTypeMap` for the structure, the `.d.ts` JSDoc for descriptions) and
 * writes them to `generated/openapi.ts` (git-ignored). Run by `npm run postinstall`
 * (`tsx engine/apiserver/resources/schema/generate.ts`) so a fresh clone has it after `npm ci`.
 *
 * This is a build step, so it may read files; the engine itself only imports the JSON it writes.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as clientNode from "@kubernetes/client-node";
import type { OpenApiSchema } from "../../ResourceDefinition";
import { groupPackage, metaModels, schemaKinds } from "./kinds";
import { listSemantics, quantityFields } from "./patchStrategies";

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** What generated/openapi.json holds. */
export interface GeneratedSchemas {
  /** Component schemas by upstream-style definition name (`io.k8s.api.core.v1.Pod`). */
  components: Record<string, OpenApiSchema>;
  /** `group/version/Kind` (core: `/v1/Pod`) → definition name. */
  kinds: Record<string, string>;
  /** client-node model name → definition name, for descriptions looked up by model. */
  models: Record<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const modelsDirectory = join(dirname(require.resolve("@kubernetes/client-node")), "gen", "models");

const models = clientNode as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;

function attributesOf(model: string): Attribute[] {
  const attributes = models[model]?.attributeTypeMap;
  if (!attributes) throw new Error(`client-node has no model ${model}`);
  return attributes;
}

interface ModelDocs {
  description?: string;
  fields: Record<string, string>;
  required: string[];
}

function unescapeDoc(text: string): string {
  return text.replace(/\\(['"\\])/g, "$1").trim();
}

const docsCache = new Map<string, ModelDocs>();

function readDocs(model: string): ModelDocs {
  const cached = docsCache.get(model);
  if (cached) return cached;
  const source = readFileSync(join(modelsDirectory, `${model}.d.ts`), "utf8");
  const docs: ModelDocs = { fields: {}, required: [] };
  const classMatch = /\/\*\*\n\* ((?:(?!\*\/)[\s\S])*?)\n\*\/\nexport declare class/.exec(source);
  if (classMatch) docs.description = unescapeDoc(classMatch[1]);
  const fieldPattern = /\/\*\*\n\s+\* ((?:(?!\*\/)[\s\S])*?)\n\s+\*\/\n\s+'([^']+)'(\??):/g;
  for (const match of source.matchAll(fieldPattern)) {
    docs.fields[match[2]] = unescapeDoc(match[1]);
  }
  for (const match of source.matchAll(/\n\s+'([^']+)':/g)) docs.required.push(match[1]);
  docsCache.set(model, docs);
  return docs;
}

/** `V1Container` → version `v1`, name `Container`; `CoreV1Event` → group prefix `core`. */
function splitModelName(model: string): { prefix?: string; version: string; name: string } {
  const match = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  if (!match) throw new Error(`unexpected model name ${model}`);
  return { prefix: match[1]?.toLowerCase(), version: match[2].toLowerCase(), name: match[3] };
}

const definitionNames: Record<string, string> = {};

function definitionName(model: string, groupOfReferrer: string): string {
  const existing = definitionNames[model];
  if (existing) return existing;
  const { prefix, version, name } = splitModelName(model);
  let full: string;
  if (metaModels.has(model)) full = `io.k8s.apimachinery.pkg.apis.meta.v1.${name}`;
  else if (prefix === "apiextensions" || groupOfReferrer === "apiextensions.k8s.io")
    full = `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${name}`;
  else full = `io.k8s.api.${prefix ?? groupPackage(groupOfReferrer)}.${version}.${name}`;
  definitionNames[model] = full;
  return full;
}

const intOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const components: Record<string, OpenApiSchema> = {
  [quantityName]: {
    description:
      'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
    type: "string",
    "x-kubernetes-int-or-string": true,
  },
  [intOrStringName]: {
    description:
      "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
    type: "string",
    format: "int-or-string",
    "x-kubernetes-int-or-string": true,
  },
};
const pending: Array<{ model: string; group: string }> = [];

function reference(model: string, group: string): string {
  const name = definitionName(model, group);
  if (!(name in components) && !pending.some((entry) => entry.model === model)) pending.push({ model, group });
  return `#/components/schemas/${name}`;
}

function typeSchema(type: string, format: string, group: string): OpenApiSchema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: "array", items: typeSchema(array[1], "", group) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1], "", group) };
  switch (type) {
    case "string":
      return format ? { type: "string", format } : { type: "string" };
    case "number":
      if (format === "double") return { type: "number", format: "double" };
      return { type: "integer", format: format || "int32" };
    case "boolean":
      return { type: "boolean" };
    case "Date":
      return { type: "string", format: "date-time" };
    case "V1MicroTime":
      return { type: "string", format: "date-time" };
    case "IntOrString":
      return { $ref: `#/components/schemas/${intOrStringName}` };
    case "any":
    case "object":
      return { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    default:
      return { $ref: reference(type, group) };
  }
}

function referencedModelDescription(type: string): string | undefined {
  const model = /^(?:Array<)?([A-Z]\w*)>?$/.exec(type)?.[1] ?? /^\{ \[key: string\]: ([A-Z]\w*); \}$/.exec(type)?.[1];
  if (!model || model === "IntOrString" || model === "Date" || !models[model]) return undefined;
  return readDocs(model).description;
}

function buildModel(model: string, group: string): OpenApiSchema {
  const docs = readDocs(model);
  const properties: Record<string, OpenApiSchema> = {};
  for (const attribute of attributesOf(model)) {
    let schema = typeSchema(attribute.type, attribute.format, group);
    const quantity = quantityFields[`${model}.${attribute.baseName}`];
    if (quantity === "value") schema = { $ref: `#/components/schemas/${quantityName}` };
    if (quantity === "map")
      schema = { type: "object", additionalProperties: { $ref: `#/components/schemas/${quantityName}` } };
    // The generated models drop the documentation of fields whose type is another model; the
    // referenced model's own description is the closest text we have for them.
    const description = docs.fields[attribute.name] ?? referencedModelDescription(attribute.type);
    if (schema.$ref) {
      // Upstream wraps references in allOf so a field keeps its own description.
      schema = description ? { allOf: [schema], description } : { allOf: [schema] };
      if (!description) schema = { $ref: schema.allOf?.[0].$ref };
    } else if (description) {
      schema = { description, ...schema };
    }
    const semantics = listSemantics[`${model}.${attribute.baseName}`];
    if (semantics) {
      if (semantics.patchMergeKey) schema["x-kubernetes-patch-merge-key"] = semantics.patchMergeKey;
      if (semantics.patchStrategy) schema["x-kubernetes-patch-strategy"] = semantics.patchStrategy;
      if (semantics.listType) schema["x-kubernetes-list-type"] = semantics.listType;
      if (semantics.listMapKeys) schema["x-kubernetes-list-map-keys"] = semantics.listMapKeys;
    }
    properties[attribute.baseName] = schema;
  }
  const schema: OpenApiSchema = { type: "object", properties };
  if (docs.description) schema.description = docs.description;
  const required = docs.required.filter((field) => field in properties);
  if (required.length > 0) schema.required = required;
  return schema;
}

export function generate(): GeneratedSchemas {
  const kinds: Record<string, string> = {};
  for (const kind of schemaKinds) {
    const name = definitionName(kind.model, kind.group);
    kinds[`${kind.group}/${kind.version}/${kind.kind}`] = name;
    const schema = buildModel(kind.model, kind.group);
    schema["x-kubernetes-group-version-kind"] = [{ group: kind.group, version: kind.version, kind: kind.kind }];
    components[name] = schema;
    while (pending.length > 0) {
      const next = pending.shift();
      if (!next) break;
      const nextName = definitionName(next.model, next.group);
      if (!(nextName in components)) components[nextName] = buildModel(next.model, next.group);
    }
  }
  // Kinds reachable both at top level and nested (Status, DeleteOptions) keep their GVK.
  return { components, kinds, models: { ...definitionNames } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = generate();
  const directory = join(here, "generated");
  mkdirSync(directory, { recursive: true });
  // A TypeScript module holding one JSON string: cheap for the compiler to check and for Node to parse.
  const text = `// Generated by engine/apiserver/resources/schema/generate.ts from @kubernetes/client-node. Do not edit.\nexport const generatedSchemasJson = ${JSON.stringify(JSON.stringify(result))};\n`;
  writeFileSync(join(directory, "openapi.ts"), text);
  console.log(
    `kubelab: wrote ${Object.keys(result.components).length} OpenAPI schemas to ${join(directory, "openapi.ts")}`,
  );
}

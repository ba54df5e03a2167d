import type { OpenApiSchema, ResourceDefinition } from "../ResourceDefinition";
import {
  API_VERSION_DESCRIPTION,
  KIND_DESCRIPTION,
  LIST_METADATA_DESCRIPTION,
  META,
  METADATA_DESCRIPTION,
  metaSchemas,
} from "./metaSchemas";
import { sha256, toHex } from "./sha256";

/**
 * OpenAPI v3 as the real apiserver serves it: an index at `/openapi/v3` pointing at one document
 * per group-version (`/openapi/v3/apis/apps/v1?hash=…`), each with the kinds' schemas under
 * upstream's names and the REST paths. kubectl reads these for `explain` and, finding a PATCH
 * operation tagged with the kind's `x-kubernetes-group-version-kind` and a `fieldValidation`
 * parameter, sends `fieldValidation=Strict` so the server rejects unknown fields.
 */

/** upstream's model name prefix for a group: `io.k8s.api.apps.v1`, `com.example.stable.v1` for CRDs. */
export function schemaPrefix(group: string, version: string, custom = false): string {
  if (group === "") return `io.k8s.api.core.${version}`;
  if (group === "apiextensions.k8s.io") return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
  if (group === "apiregistration.k8s.io") return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}`;
  if (!custom && (group.endsWith(".k8s.io") || !group.includes("."))) {
    return `io.k8s.api.${group.replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "")}.${version}`;
  }
  return `${group.split(".").reverse().join(".")}.${version}`;
}

/** What the documents are built from. */
export interface OpenApiSource {
  definitions: readonly ResourceDefinition[];
  /** Names of CRD-served resources (`group/resource`), named by the reversed group as upstream. */
  custom?: ReadonlySet<string>;
  /** Shared named schemas the definitions' `$ref`s point at (`io.k8s.api.core.v1.PodSpec` …). */
  components?: Record<string, OpenApiSchema>;
  gitVersion: string;
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
const refTo = (name: string): OpenApiSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The full schema of a kind: the definition's schema with apiVersion, kind and metadata filled in
 * where it leaves them out, tagged with the kind's group-version-kind. Undefined without a schema.
 */
export function kindSchema(definition: ResourceDefinition, version: string): OpenApiSchema | undefined {
  // Versions that differ in shape (autoscaling/v1 vs v2) carry their own schema.
  const schema = definition.schemasByVersion?.[version] ?? definition.schema;
  if (!schema) return undefined;
  const properties: Record<string, OpenApiSchema> = { ...(schema.properties ?? {}) };
  properties.apiVersion ??= { type: "string", description: API_VERSION_DESCRIPTION };
  properties.kind ??= { type: "string", description: KIND_DESCRIPTION };
  if (
    !properties.metadata ||
    (!properties.metadata.$ref && !properties.metadata.allOf && !properties.metadata.properties)
  ) {
    properties.metadata = { allOf: [refTo(`${META}.ObjectMeta`)], default: {}, description: METADATA_DESCRIPTION };
  }
  return {
    ...schema,
    type: schema.type ?? "object",
    properties,
    "x-kubernetes-group-version-kind": [{ group: definition.group, kind: definition.kind, version }],
  };
}

function listSchema(itemName: string, definition: ResourceDefinition, version: string): OpenApiSchema {
  return {
    type: "object",
    description: `${definition.kind}List is a list of ${definition.kind} objects.`,
    required: ["items"],
    properties: {
      apiVersion: { type: "string", description: API_VERSION_DESCRIPTION },
      items: {
        type: "array",
        description: `List of ${definition.resource}.`,
        items: { allOf: [refTo(itemName)], default: {} },
      },
      kind: { type: "string", description: KIND_DESCRIPTION },
      metadata: { allOf: [refTo(`${META}.ListMeta`)], default: {}, description: LIST_METADATA_DESCRIPTION },
    },
    "x-kubernetes-group-version-kind": [{ group: definition.group, kind: `${definition.kind}List`, version }],
  };
}

function queryParameter(name: string, description: string, type = "string"): object {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const DRY_RUN = queryParameter(
  "dryRun",
  "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
);
const FIELD_MANAGER = queryParameter(
  "fieldManager",
  "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
);
const FIELD_VALIDATION = queryParameter(
  "fieldValidation",
  "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
);
const FORCE = queryParameter(
  "force",
  'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  "boolean",
);
const PRETTY = queryParameter("pretty", "If 'true', then the output is pretty printed.");
const LIST_PARAMETERS = [
  queryParameter("allowWatchBookmarks", 'allowWatchBookmarks requests watch events with type "BOOKMARK".', "boolean"),
  queryParameter("continue", "The continue option should be set when retrieving more results from the server."),
  queryParameter(
    "fieldSelector",
    "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
  ),
  queryParameter(
    "labelSelector",
    "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
  ),
  queryParameter("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
  queryParameter(
    "resourceVersion",
    "resourceVersion sets a constraint on what resource versions a request may be served from.",
  ),
  queryParameter(
    "resourceVersionMatch",
    "resourceVersionMatch determines how resourceVersion is applied to list calls.",
  ),
  queryParameter("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", "boolean"),
  queryParameter("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  queryParameter(
    "watch",
    "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
    "boolean",
  ),
];

function pathParameter(name: string, description: string): object {
  return { name, in: "path", description, required: true, schema: { type: "string", uniqueItems: true } };
}

function jsonContent(schema: OpenApiSchema): object {
  return {
    "application/json": { schema },
    "application/yaml": { schema },
    "application/vnd.kubernetes.protobuf": { schema },
  };
}

function operation(
  action: string,
  verb: string,
  definition: ResourceDefinition,
  version: string,
  responseSchema: OpenApiSchema,
  extra: Record<string, unknown> = {},
): object {
  const gv = version;
  return {
    tags: [definition.group ? `${definition.group.split(".")[0]}_${gv}` : `core_${gv}`],
    description: `${verb} ${definition.kind}`,
    operationId: `${action}${definition.kind}`,
    responses: {
      "200": { description: "OK", content: jsonContent(responseSchema) },
      "401": { description: "Unauthorized" },
    },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: definition.group, version, kind: definition.kind },
    ...extra,
  };
}

function pathsFor(
  definition: ResourceDefinition,
  version: string,
  itemName: string,
  listName: string,
): Record<string, object> {
  const base = definition.group ? `/apis/${definition.group}/${version}` : `/api/${version}`;
  const collection = definition.namespaced
    ? `${base}/namespaces/{namespace}/${definition.resource}`
    : `${base}/${definition.resource}`;
  const namespaceParameter = definition.namespaced
    ? [pathParameter("namespace", "object name and auth scope, such as for teams and projects")]
    : [];
  const nameParameter = pathParameter("name", `name of the ${definition.kind}`);
  const item = refTo(itemName);
  const list = refTo(listName);
  const paths: Record<string, object> = {};
  paths[collection] = {
    get: operation("list", "list or watch objects of kind", definition, version, list),
    post: operation("post", "create a", definition, version, item, {
      requestBody: { content: { "*/*": { schema: item } }, required: true },
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
    }),
    delete: operation("deletecollection", "delete collection of", definition, version, refTo(`${META}.Status`)),
    parameters: [...namespaceParameter, PRETTY, ...LIST_PARAMETERS],
  };
  const patchBody = {
    content: {
      "application/apply-patch+yaml": { schema: refTo(`${META}.Patch`) },
      "application/json-patch+json": { schema: refTo(`${META}.Patch`) },
      "application/merge-patch+json": { schema: refTo(`${META}.Patch`) },
      "application/strategic-merge-patch+json": { schema: refTo(`${META}.Patch`) },
    },
    required: true,
  };
  paths[`${collection}/{name}`] = {
    get: operation("get", "read the specified", definition, version, item),
    put: operation("put", "replace the specified", definition, version, item, {
      requestBody: { content: { "*/*": { schema: item } }, required: true },
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
    }),
    patch: operation("patch", "partially update the specified", definition, version, item, {
      requestBody: patchBody,
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
    }),
    delete: operation("delete", "delete a", definition, version, refTo(`${META}.Status`), {
      parameters: [
        DRY_RUN,
        queryParameter("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", "integer"),
        queryParameter("propagationPolicy", "Whether and how garbage collection will be performed."),
      ],
    }),
    parameters: [nameParameter, ...namespaceParameter, PRETTY],
  };
  if (definition.subresources?.status) {
    paths[`${collection}/{name}/status`] = {
      get: operation("get", "read status of the specified", definition, version, item),
      put: operation("put", "replace status of the specified", definition, version, item, {
        requestBody: { content: { "*/*": { schema: item } }, required: true },
        parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      }),
      patch: operation("patch", "partially update status of the specified", definition, version, item, {
        requestBody: patchBody,
        parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      }),
      parameters: [nameParameter, ...namespaceParameter, PRETTY],
    };
  }
  return paths;
}

/** Collects every component a schema refers to, transitively, from `pool`. */
function collectReferences(
  schema: unknown,
  pool: Record<string, OpenApiSchema>,
  out: Record<string, OpenApiSchema>,
): void {
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const name = value.replace(/^#\/(components\/schemas|definitions)\//, "");
        if (!out[name] && pool[name]) {
          out[name] = pool[name];
          stack.push(pool[name]);
        }
      } else if (value && typeof value === "object") {
        stack.push(value);
      }
    }
  }
}

export interface OpenApiDocuments {
  /** `/openapi/v3` */
  index: { paths: Record<string, { serverRelativeURL: string }> };
  /** Keyed by `api/v1`, `apis/apps/v1`: the serialized document and its hash. */
  documents: Map<string, { body: string; hash: string }>;
}

/** Builds the index and every group-version document. */
export function buildOpenApi(source: OpenApiSource): OpenApiDocuments {
  const pool: Record<string, OpenApiSchema> = { ...metaSchemas, ...(source.components ?? {}) };
  const byGroupVersion = new Map<string, Array<{ definition: ResourceDefinition; version: string }>>();
  for (const definition of source.definitions) {
    for (const version of definition.versions) {
      const key = gvPath(definition.group, version);
      let entries = byGroupVersion.get(key);
      if (!entries) {
        entries = [];
        byGroupVersion.set(key, entries);
      }
      entries.push({ definition, version });
    }
  }
  const documents = new Map<string, { body: string; hash: string }>();
  const index: OpenApiDocuments["index"] = { paths: {} };
  for (const [key, entries] of [...byGroupVersion.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const schemas: Record<string, OpenApiSchema> = {};
    let paths: Record<string, object> = {};
    for (const { definition, version } of entries) {
      const custom = source.custom?.has(`${definition.group}/${definition.resource}`) ?? false;
      const prefix = schemaPrefix(definition.group, version, custom);
      const itemName = `${prefix}.${definition.kind}`;
      const listName = `${prefix}.${definition.kind}List`;
      const schema = kindSchema(definition, version) ?? {
        type: "object",
        description: `${definition.kind} of ${key}.`,
        properties: {
          apiVersion: { type: "string", description: API_VERSION_DESCRIPTION },
          kind: { type: "string", description: KIND_DESCRIPTION },
          metadata: { allOf: [refTo(`${META}.ObjectMeta`)], default: {}, description: METADATA_DESCRIPTION },
        },
        "x-kubernetes-preserve-unknown-fields": true,
        "x-kubernetes-group-version-kind": [{ group: definition.group, kind: definition.kind, version }],
      };
      schemas[itemName] = schema;
      schemas[listName] = listSchema(itemName, definition, version);
      paths = { ...paths, ...pathsFor(definition, version, itemName, listName) };
    }
    const referenced: Record<string, OpenApiSchema> = {};
    collectReferences(schemas, pool, referenced);
    collectReferences(pool[`${META}.Status`], pool, referenced);
    referenced[`${META}.Status`] = pool[`${META}.Status`];
    referenced[`${META}.Patch`] = pool[`${META}.Patch`];
    const allSchemas = Object.fromEntries(
      Object.entries({ ...referenced, ...schemas }).sort(([a], [b]) => a.localeCompare(b)),
    );
    const document = {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: source.gitVersion },
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
      components: {
        schemas: allSchemas,
        securitySchemes: {
          BearerToken: {
            type: "apiKey",
            description: "Bearer Token authentication",
            name: "authorization",
            in: "header",
          },
        },
      },
    };
    const body = JSON.stringify(document);
    const hash = toHex(sha256(body)).toUpperCase().slice(0, 128);
    documents.set(key, { body, hash });
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { index, documents };
}

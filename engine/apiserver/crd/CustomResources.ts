import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import type { ApiServerCore } from "../ApiServer";
import type { ListTypeResolver } from "../fieldmanager/fieldSet";
import { builtinListTypes } from "../fieldmanager/fieldSet";
import { deepEqual } from "../patch/strategicMergePatch";
import type {
  FieldError,
  OpenApiSchema,
  ResourceDefinition,
  ResourceStrategy,
  TableConvertor,
} from "../ResourceDefinition";
import { humanDuration } from "./humanDuration";
import { evaluateJsonPath } from "./jsonPath";
import { type StructuralSchema, validateAgainstSchema } from "./schemaValidation";

const CRD_GROUP = "apiextensions.k8s.io";
const CRD_RESOURCE = "customresourcedefinitions";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: StructuralSchema };
  subresources?: {
    status?: object;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
  additionalPrinterColumns?: Array<{
    name: string;
    type: string;
    format?: string;
    description?: string;
    priority?: number;
    jsonPath: string;
  }>;
}

/**
 * The apiextensions part of the API server: a stored CustomResourceDefinition becomes a served
 * resource (each served version, namespaced or cluster-scoped), validated and pruned by its
 * openAPIV3Schema, printed with its additionalPrinterColumns, with status and scale subresources
 * when declared. The CRD gets NamesAccepted and Established conditions; deleting it removes the
 * resource and all its objects.
 */
export class CustomResources {
  private readonly schemas = new Map<ResourceDefinition, StructuralSchema>();

  constructor(private readonly server: ApiServerCore) {
    for (const crd of this.storedCrds()) this.register(crd);
  }

  /**
   * Serves what the store's CRDs declare, and no other custom resource: the store was replaced
   * (etcd restarted on another data dir), as a restarted kube-apiserver reads its CRDs afresh.
   */
  resync(): void {
    const stored = this.storedCrds();
    const names = new Set(stored.map((crd) => `${crd.spec?.group}/${crd.spec?.names?.plural}`));
    for (const served of this.server.resources.all()) {
      if (!served.custom || names.has(`${served.definition.group}/${served.definition.resource}`)) continue;
      this.schemas.delete(served.definition);
      this.server.resources.remove(served.definition.group, served.definition.resource);
    }
    for (const crd of stored) this.register(crd);
  }

  /** True for a resource served from a CRD. */
  isCustom(definition: ResourceDefinition): boolean {
    return (
      this.schemas.has(definition) || !!this.server.resources.lookup(definition.group, definition.resource)?.custom
    );
  }

  /** List types declared by a CRD schema (`x-kubernetes-list-type`); undefined for built-ins. */
  listTypes(definition: ResourceDefinition): ListTypeResolver | undefined {
    const schema = this.schemas.get(definition);
    if (!schema) return undefined;
    return (parents, field) => {
      let node: StructuralSchema | undefined = schema;
      for (const parent of parents) node = node?.properties?.[parent] ?? node?.items?.properties?.[parent];
      const list = node?.properties?.[field] ?? node?.items?.properties?.[field];
      const type = list?.["x-kubernetes-list-type"];
      if (type === "map") return { type: "map", keys: list?.["x-kubernetes-list-map-keys"] ?? [] };
      if (type === "set") return { type: "set" };
      if (list) return { type: "atomic" };
      return builtinListTypes(parents, field);
    };
  }

  prepareForCreate(definition: ResourceDefinition, object: KubeObject): void {
    if (isCrdResource(definition)) object.status = this.crdStatus(object);
  }

  prepareForUpdate(definition: ResourceDefinition, object: KubeObject, old: KubeObject): void {
    if (isCrdResource(definition)) object.status = this.crdStatus(object, old.status);
  }

  /** Schema validation of custom objects, and basic structural checks of CRDs. */
  validate(definition: ResourceDefinition, object: KubeObject): FieldError[] {
    const schema = this.schemas.get(definition);
    if (schema) return validateAgainstSchema(object, schema);
    // The CRD resource's own strategy validates CRDs when it has one; this is the fallback.
    if (isCrdResource(definition) && !definition.strategy.validate) return validateCrd(object);
    return [];
  }

  afterWrite(definition: ResourceDefinition, object: KubeObject): void {
    if (isCrdResource(definition)) this.register(object);
  }

  afterDelete(definition: ResourceDefinition, object: KubeObject): void {
    if (!isCrdResource(definition)) return;
    const group = object.spec?.group;
    const plural = object.spec?.names?.plural;
    if (!group || !plural) return;
    const served = this.server.resources.lookup(group, plural);
    if (served?.custom) {
      this.schemas.delete(served.definition);
      this.server.resources.remove(group, plural);
    }
    // Upstream's customresourcecleanup finalizer deletes every object before the CRD goes.
    this.server.store.delete(`/registry/${group}/${plural}/`, true);
  }

  private storedCrds(): KubeObject[] {
    return this.server.listObjects(CRD_GROUP, CRD_RESOURCE);
  }

  private crdStatus(crd: KubeObject, previous?: Record<string, unknown>): Record<string, unknown> {
    const now = toRfc3339(this.server.clock.now());
    const names = crd.spec?.names ?? {};
    const acceptedNames = {
      ...names,
      singular: names.singular ?? String(names.kind ?? "").toLowerCase(),
      listKind: names.listKind ?? `${names.kind}List`,
    };
    const conflict = this.namesConflict(crd);
    const previousConditions = (previous?.conditions as Array<Record<string, unknown>>) ?? [];
    const keep = (type: string, status: string) => {
      const existing = previousConditions.find((condition) => condition.type === type);
      return existing && existing.status === status ? String(existing.lastTransitionTime) : now;
    };
    const conditions = conflict
      ? [
          {
            type: "NamesAccepted",
            status: "False",
            lastTransitionTime: keep("NamesAccepted", "False"),
            reason: "NameConflict",
            message: conflict,
          },
          {
            type: "Established",
            status: "False",
            lastTransitionTime: keep("Established", "False"),
            reason: "NotAccepted",
            message: "not all names are accepted",
          },
        ]
      : [
          {
            type: "NamesAccepted",
            status: "True",
            lastTransitionTime: keep("NamesAccepted", "True"),
            reason: "NoConflicts",
            message: "no conflicts found",
          },
          {
            type: "Established",
            status: "True",
            lastTransitionTime: keep("Established", "True"),
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
          },
        ];
    const storage = (crd.spec?.versions ?? []).find((version: CrdVersion) => version.storage)?.name;
    const storedVersions = [
      ...new Set([...((previous?.storedVersions as string[]) ?? []), ...(storage ? [storage] : [])]),
    ];
    return { conditions, acceptedNames: conflict ? {} : acceptedNames, storedVersions };
  }

  private namesConflict(crd: KubeObject): string | undefined {
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    const served = this.server.resources.lookup(group, plural);
    if (served && !served.custom) return `"${plural}" is already in use`;
    return undefined;
  }

  private register(crd: KubeObject): void {
    const definition = definitionFromCrd(crd);
    if (!definition) return;
    const existing = this.server.resources.lookup(definition.group, definition.resource);
    if (existing && !existing.custom) return;
    if (existing) this.schemas.delete(existing.definition);
    const schema =
      (crd.spec.versions as CrdVersion[]).find((version) => version.storage)?.schema?.openAPIV3Schema ?? {};
    this.schemas.set(definition, schema);
    if (existing && deepEqual(summary(existing.definition), summary(definition))) {
      // Same shape: keep the registry quiet, but serve the new definition object.
      this.server.resources.add(definition, true);
      return;
    }
    this.server.resources.add(definition, true);
  }
}

function summary(definition: ResourceDefinition): unknown {
  return { ...definition, strategy: undefined, table: definition.table?.columns, selectableFields: undefined };
}

function isCrdResource(definition: ResourceDefinition): boolean {
  return definition.group === CRD_GROUP && definition.resource === CRD_RESOURCE;
}

function validateCrd(crd: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = crd.spec ?? {};
  if (!spec.group) errors.push({ type: "FieldValueRequired", field: "spec.group", detail: "" });
  if (!spec.names?.plural) errors.push({ type: "FieldValueRequired", field: "spec.names.plural", detail: "" });
  if (!spec.names?.kind) errors.push({ type: "FieldValueRequired", field: "spec.names.kind", detail: "" });
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster") {
    errors.push({
      type: "FieldValueNotSupported",
      field: "spec.scope",
      badValue: spec.scope ?? "",
      supportedValues: ["Cluster", "Namespaced"],
    });
  }
  const versions: CrdVersion[] = spec.versions ?? [];
  if (versions.length === 0)
    errors.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      badValue: [],
      detail: "must have exactly one version marked as storage version",
    });
  else if (versions.filter((version) => version.storage).length !== 1) {
    errors.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      badValue: versions.map((version) => version.name),
      detail: "must have exactly one version marked as storage version",
    });
  }
  if (spec.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    errors.push({
      type: "FieldValueInvalid",
      field: "metadata.name",
      badValue: crd.metadata.name,
      detail: `must be spec.names.plural+"."+spec.group`,
    });
  }
  versions.forEach((version, index) => {
    if (!version.schema?.openAPIV3Schema) {
      errors.push({
        type: "FieldValueRequired",
        field: `spec.versions[${index}].schema.openAPIV3Schema`,
        detail: "schemas are required",
      });
    }
  });
  return errors;
}

/** The ResourceDefinition a CRD serves (undefined when it is not servable). */
export function definitionFromCrd(crd: KubeObject): ResourceDefinition | undefined {
  const spec = crd.spec;
  if (!spec?.group || !spec.names?.plural || !spec.names?.kind) return undefined;
  const versions = (spec.versions ?? []) as CrdVersion[];
  const served = versions.filter((version) => version.served);
  if (served.length === 0) return undefined;
  const storage = versions.find((version) => version.storage) ?? served[0];
  const ordered = [storage, ...served.filter((version) => version !== storage)].filter((version) => version.served);
  const primary = ordered[0] ?? served[0];
  const scale = primary.subresources?.scale;
  const schema = (primary.schema?.openAPIV3Schema ?? {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  }) as OpenApiSchema;
  const hasStatus = !!primary.subresources?.status;
  return {
    group: spec.group,
    versions: ordered.map((version) => version.name),
    resource: spec.names.plural,
    kind: spec.names.kind,
    singular: spec.names.singular ?? String(spec.names.kind).toLowerCase(),
    namespaced: spec.scope !== "Cluster",
    shortNames: spec.names.shortNames,
    categories: spec.names.categories,
    storagePrefix: `${spec.group}/${spec.names.plural}`,
    subresources: {
      status: hasStatus,
      scale: scale
        ? {
            specReplicasPath: scale.specReplicasPath,
            statusReplicasPath: scale.statusReplicasPath,
            labelSelectorPath: scale.labelSelectorPath,
          }
        : undefined,
    },
    strategy: customResourceStrategy(hasStatus),
    table: printerColumns(primary),
    schema,
  };
}

/**
 * Upstream's customResourceStrategy: generation 1 on create and bumped on any change outside
 * metadata and status; with a status subresource, the main resource cannot write status.
 */
function customResourceStrategy(hasStatus: boolean): ResourceStrategy {
  return {
    prepareForCreate(object) {
      if (hasStatus) delete object.status;
      object.metadata.generation = 1;
    },
    prepareForUpdate(object, old) {
      if (hasStatus) {
        if (old.status === undefined) delete object.status;
        else object.status = old.status;
      }
      const strip = (value: KubeObject) => {
        const { metadata: _metadata, status: _status, ...rest } = value;
        return rest;
      };
      const changed = !deepEqual(strip(object), strip(old)) || (!hasStatus && !deepEqual(object.status, old.status));
      object.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    },
    status: {
      prepareForUpdate(object, old) {
        const status = object.status;
        for (const key of Object.keys(object)) if (key !== "metadata") delete object[key];
        for (const [key, value] of Object.entries(old))
          if (key !== "metadata" && key !== "status") object[key] = structuredClone(value);
        if (status === undefined) delete object.status;
        else object.status = status;
        const labels = object.metadata.labels;
        const annotations = object.metadata.annotations;
        object.metadata = { ...structuredClone(old.metadata), resourceVersion: object.metadata.resourceVersion };
        if (labels !== undefined) object.metadata.labels = labels;
        if (annotations !== undefined) object.metadata.annotations = annotations;
      },
    },
  };
}

function printerColumns(version: CrdVersion): TableConvertor {
  const declared = version.additionalPrinterColumns ?? [];
  const columns: TableConvertor["columns"] = [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name must be unique within a namespace.",
      priority: 0,
    },
  ];
  const extra =
    declared.length > 0
      ? declared
      : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "", priority: 0 }];
  for (const column of extra) {
    columns.push({
      name: column.name,
      type: (["string", "integer", "number", "boolean", "date"].includes(column.type)
        ? column.type
        : "string") as TableConvertor["columns"][number]["type"],
      format: column.format ?? "",
      description: column.description ?? "",
      priority: column.priority ?? 0,
    });
  }
  return {
    columns,
    cells(object, now) {
      const cells: Array<string | number | boolean | null> = [object.metadata.name ?? ""];
      for (const column of extra) {
        const values = evaluateJsonPath(object, column.jsonPath);
        if (values.length === 0) {
          cells.push(null);
          continue;
        }
        const value = values[0];
        if (column.type === "date") {
          const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
          cells.push(Number.isNaN(time) ? String(value) : humanDuration(now - time));
        } else if (column.type === "integer" || column.type === "number") {
          cells.push(typeof value === "number" ? value : Number(value));
        } else if (column.type === "boolean") {
          cells.push(Boolean(value));
        } else {
          cells.push(values.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).join(","));
        }
      }
      return cells;
    },
  };
}

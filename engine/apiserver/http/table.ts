import type { KubeObject } from "../../api/types";
import type { ResourceDefinition, TableColumnDefinition, TableConvertor } from "../ResourceDefinition";

/**
 * Server-side printing: meta.k8s.io Tables built from a definition's TableConvertor, as upstream's
 * `transformResponseObject` answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 */

export type IncludeObject = "None" | "Metadata" | "Object";

/** upstream's default table convertor (rest.NewDefaultTableConvertor) for resources without printers. */
const defaultConvertor: TableConvertor = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description:
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
      priority: 0,
    },
    {
      name: "Created At",
      type: "date",
      format: "",
      description:
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      priority: 0,
    },
  ],
  cells: (object) => [object.metadata.name ?? "", object.metadata.creationTimestamp ?? null],
};

export function convertorOf(definition: ResourceDefinition): TableConvertor {
  return (definition.table as TableConvertor | undefined) ?? defaultConvertor;
}

/** Partial metadata of shared (frozen) objects, made once: it cannot change either. */
const partials = { v1: new WeakMap<KubeObject, KubeObject>(), v1beta1: new WeakMap<KubeObject, KubeObject>() };

/**
 * The PartialObjectMetadata of an object (managedFields left out, as they are noise in rows). For
 * a frozen (shared) object, the same frozen result every time, so its JSON is made once.
 */
export function partialObjectMetadata(object: KubeObject, version = "v1"): KubeObject {
  const cache = Object.isFrozen(object) ? partials[version as keyof typeof partials] : undefined;
  const cached = cache?.get(object);
  if (cached) return cached;
  const { managedFields: _managed, ...metadata } = object.metadata;
  const partial: KubeObject = { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata };
  if (cache) {
    // The metadata's values belong to the frozen object; freezing the two new shells freezes all.
    Object.freeze(metadata);
    cache.set(object, Object.freeze(partial));
  }
  return partial;
}

function rowOf(convertor: TableConvertor, object: KubeObject, now: number, include: IncludeObject): object {
  const row: Record<string, unknown> = { cells: convertor.cells(object, now) };
  const conditions = (convertor as { rowConditions?: (object: KubeObject) => unknown[] | undefined }).rowConditions?.(
    object,
  );
  if (conditions && conditions.length > 0) row.conditions = conditions;
  if (include === "Object") row.object = object;
  else if (include === "Metadata") row.object = partialObjectMetadata(object);
  return row;
}

export interface TableOptions {
  now: number;
  include: IncludeObject;
  version: "v1" | "v1beta1";
  /** Leave out columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
}

function columnsOf(convertor: TableConvertor): TableColumnDefinition[] {
  return convertor.columns;
}

/** A Table for a list body (`items`) or a single object. */
export function toTable(definition: ResourceDefinition, body: KubeObject, options: TableOptions): object {
  const convertor = convertorOf(definition);
  const isList = Array.isArray((body as { items?: unknown }).items);
  const items: KubeObject[] = isList ? (body as unknown as { items: KubeObject[] }).items : [body];
  const metadata: Record<string, unknown> = {};
  const listMeta = body.metadata as { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  if (isList) {
    if (listMeta.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
    if (listMeta.continue) metadata.continue = listMeta.continue;
    if (listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = listMeta.remainingItemCount;
  } else if (body.metadata.resourceVersion) {
    metadata.resourceVersion = body.metadata.resourceVersion;
  }
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata,
    columnDefinitions: options.noHeaders ? null : columnsOf(convertor),
    rows: items.map((item) => rowOf(convertor, item, options.now, options.include)),
  };
}

/** A PartialObjectMetadataList for a list body. */
export function toPartialList(body: KubeObject, version: "v1" | "v1beta1"): object {
  const items = (body as unknown as { items: KubeObject[] }).items ?? [];
  return {
    kind: "PartialObjectMetadataList",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: body.metadata,
    items: items.map((item) => partialObjectMetadata(item, version)),
  };
}

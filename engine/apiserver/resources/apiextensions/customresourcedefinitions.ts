/**
 * apiextensions.k8s.io/v1 customresourcedefinitions: SetDefaults, the strategy (storedVersions on
 * create) and ValidateCustomResourceDefinition(Update). No printer upstream: Name/Created At.
 * Serving the custom resources themselves is the registry's job (see customResourceDefinitionFor).
 */
import type { CustomResourceDefinition } from "../../../api/apiextensions";
import type { KubeObject } from "../../../api/types";
import type { FieldError, OpenApiSchema, ResourceDefinition, TableColumnDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultTableConvertor, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  isDns1035Label,
  isDns1123Subdomain,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

const scopes = ["Cluster", "Namespaced"];

function validateNames(
  names: NonNullable<CustomResourceDefinition["spec"]>["names"] | undefined,
  field: string,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!names) return [required(field)];
  if (!names.plural) errors.push(required(`${field}.plural`));
  else
    for (const message of isDns1035Label(names.plural)) errors.push(invalid(`${field}.plural`, names.plural, message));
  if (names.singular)
    for (const message of isDns1035Label(names.singular))
      errors.push(invalid(`${field}.singular`, names.singular, message));
  if (!names.kind) errors.push(required(`${field}.kind`, "kind must be specified"));
  else if (!/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind)) {
    errors.push(
      invalid(
        `${field}.kind`,
        names.kind,
        "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?",
      ),
    );
  }
  (names.shortNames ?? []).forEach((shortName, index) => {
    for (const message of isDns1035Label(shortName))
      errors.push(invalid(`${field}.shortNames[${index}]`, shortName, message));
  });
  (names.categories ?? []).forEach((category, index) => {
    for (const message of isDns1035Label(category))
      errors.push(invalid(`${field}.categories[${index}]`, category, message));
  });
  return errors;
}

function validateCrd(crd: CustomResourceDefinition): FieldError[] {
  const errors = validateObjectMeta(crd.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  const spec = crd.spec;
  if (!spec) return [...errors, required("spec")];
  if (
    crd.metadata.name &&
    spec.names?.plural &&
    spec.group &&
    crd.metadata.name !== `${spec.names.plural}.${spec.group}`
  ) {
    errors.push(invalid("metadata.name", crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.group) errors.push(required("spec.group"));
  else {
    for (const message of isDns1123Subdomain(spec.group)) errors.push(invalid("spec.group", spec.group, message));
    if (spec.group.split(".").length < 2)
      errors.push(invalid("spec.group", spec.group, "should be a domain with at least one dot"));
  }
  if (!spec.scope) errors.push(required("spec.scope"));
  else if (!scopes.includes(spec.scope)) errors.push(notSupported("spec.scope", spec.scope, scopes));
  errors.push(...validateNames(spec.names, "spec.names"));
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    errors.push(invalid("spec.versions", versions, "must have exactly one version marked as storage version"));
  const storage = versions.filter((version) => version.storage);
  if (versions.length > 0 && storage.length !== 1) {
    errors.push(invalid("spec.versions", versions, "must have exactly one version marked as storage version"));
  }
  const seen = new Set<string>();
  versions.forEach((version, index) => {
    const path = `spec.versions[${index}]`;
    if (!version.name) errors.push(required(`${path}.name`));
    else
      for (const message of isDns1035Label(version.name)) errors.push(invalid(`${path}.name`, version.name, message));
    if (seen.has(version.name)) errors.push(invalid("spec.versions", versions, "must contain unique version names"));
    seen.add(version.name);
    if (!version.schema?.openAPIV3Schema)
      errors.push(required(`${path}.schema.openAPIV3Schema`, "schemas are required"));
    else if (version.schema.openAPIV3Schema.type !== "object" && version.schema.openAPIV3Schema.type !== undefined) {
      errors.push(
        invalid(
          `${path}.schema.openAPIV3Schema.type`,
          version.schema.openAPIV3Schema.type,
          "must be object at the root",
        ),
      );
    }
    (version.additionalPrinterColumns ?? []).forEach((printerColumn, columnIndex) => {
      const columnPath = `${path}.additionalPrinterColumns[${columnIndex}]`;
      if (!printerColumn.name) errors.push(required(`${columnPath}.name`));
      if (!printerColumn.jsonPath) errors.push(required(`${columnPath}.jsonPath`));
      const types = ["boolean", "date", "integer", "number", "string"];
      if (!types.includes(printerColumn.type))
        errors.push(notSupported(`${columnPath}.type`, printerColumn.type, types));
    });
  });
  if (versions.length > 0 && !versions.some((version) => version.served)) {
    errors.push(invalid("spec.versions", versions, "must have at least one version marked as served"));
  }
  return errors;
}

function validateCrdUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const errors = validateCrd(crd);
  if (crd.spec?.group !== old.spec?.group) errors.push(invalid("spec.group", crd.spec?.group, "field is immutable"));
  if (crd.spec?.names?.plural !== old.spec?.names?.plural) {
    errors.push(invalid("spec.names.plural", crd.spec?.names?.plural, "field is immutable"));
  }
  if (crd.spec?.scope !== old.spec?.scope && old.status?.storedVersions?.length) {
    errors.push(invalid("spec.scope", crd.spec?.scope, "field is immutable"));
  }
  return errors;
}

export const customResourceDefinitions: ResourceDefinition<CustomResourceDefinition> = {
  group: "apiextensions.k8s.io",
  versions: ["v1"],
  resource: "customresourcedefinitions",
  kind: "CustomResourceDefinition",
  singular: "customresourcedefinition",
  namespaced: false,
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  storagePrefix: "apiextensions.k8s.io/customresourcedefinitions",
  subresources: { status: true },
  strategy: specStatusStrategy<CustomResourceDefinition>(
    {
      defaults(crd) {
        const spec = crd.spec;
        if (!spec) return;
        spec.conversion ??= { strategy: "None" };
        if (spec.names) {
          if (!spec.names.singular && spec.names.kind) spec.names.singular = spec.names.kind.toLowerCase();
          if (!spec.names.listKind && spec.names.kind) spec.names.listKind = `${spec.names.kind}List`;
        }
      },
      prepareForCreate(crd) {
        const storage = crd.spec?.versions?.find((version) => version.storage)?.name;
        crd.status = {
          conditions: [],
          acceptedNames: { plural: "", kind: "" },
          storedVersions: storage ? [storage] : [],
        };
      },
      prepareForUpdate(crd, old) {
        // Every version that was ever the storage version stays listed.
        const storage = crd.spec?.versions?.find((version) => version.storage)?.name;
        if (crd.status && storage && !(crd.status.storedVersions ?? []).includes(storage)) {
          crd.status.storedVersions = [...(old.status?.storedVersions ?? []), storage];
        }
      },
      validate: validateCrd,
      validateUpdate: validateCrdUpdate,
      validateStatusUpdate(crd) {
        const errors: FieldError[] = [];
        const versions = new Set((crd.spec?.versions ?? []).map((version) => version.name));
        (crd.status?.storedVersions ?? []).forEach((version, index) => {
          if (!versions.has(version)) {
            errors.push(invalid(`status.storedVersions[${index}]`, version, "must appear in spec.versions"));
          }
        });
        return errors;
      },
    },
    { initialStatus: () => undefined },
  ),
  table: defaultTableConvertor(),
  schema: kindSchema("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
  schemaComponents,
};

/**
 * Printer columns of a custom resource version: Name, the CRD's additionalPrinterColumns, and Age
 * when none of them is named Age (upstream's tableconvertor for custom resources). `evaluate`
 * resolves a column's JSONPath against the object (the registry has a JSONPath evaluator).
 */
export function customResourceTable(
  crd: CustomResourceDefinition,
  version: string,
  evaluate: (object: KubeObject, jsonPath: string) => unknown,
) {
  const definition = crd.spec?.versions.find((candidate) => candidate.name === version);
  const printerColumns = definition?.additionalPrinterColumns;
  if (!printerColumns) {
    // Without printer columns upstream uses the default convertor plus Age.
    return {
      columns: [
        nameColumn(),
        { name: "Age", type: "date", format: "", description: "", priority: 0 } as TableColumnDefinition,
      ],
      cells: (object: KubeObject, now: number) => [
        object.metadata.name ?? "",
        translateTimestampSince(object.metadata.creationTimestamp, now),
      ],
    };
  }
  const columns: TableColumnDefinition[] = [
    nameColumn(),
    ...printerColumns.map((printerColumn) => ({
      name: printerColumn.name,
      type: printerColumn.type as TableColumnDefinition["type"],
      format: printerColumn.format ?? "",
      description: printerColumn.description ?? "",
      priority: printerColumn.priority ?? 0,
    })),
  ];
  return {
    columns,
    cells(object: KubeObject, now: number) {
      const cells: Array<string | number | boolean | null> = [object.metadata.name ?? ""];
      for (const printerColumn of printerColumns) {
        const value = evaluate(object, printerColumn.jsonPath);
        if (value === undefined || value === null) cells.push(null);
        else if (printerColumn.type === "date" && typeof value === "string")
          cells.push(translateTimestampSince(value, now));
        else if (typeof value === "object") cells.push(JSON.stringify(value));
        else cells.push(value as string | number | boolean);
      }
      return cells;
    },
  };
}

/** The OpenAPI schema of a custom resource version (`x-kubernetes-preserve-unknown-fields` when absent). */
export function customResourceSchema(crd: CustomResourceDefinition, version: string): OpenApiSchema {
  const definition = crd.spec?.versions.find((candidate) => candidate.name === version);
  const schema = (definition?.schema?.openAPIV3Schema ?? {
    type: "object",
    "x-kubernetes-preserve-unknown-fields": true,
  }) as OpenApiSchema;
  return {
    ...schema,
    "x-kubernetes-group-version-kind": [{ group: crd.spec?.group ?? "", version, kind: crd.spec?.names.kind ?? "" }],
  };
}

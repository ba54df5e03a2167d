/** apps/v1 controllerrevisions: ValidateControllerRevision(Update) and printControllerRevision. */
import type { ControllerRevision } from "../../../api/apps";
import { parseApiVersion } from "../../../api/types";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  invalid,
  jsonEqual,
  nameIsDnsSubdomain,
  required,
  validateNonnegative,
  validateObjectMeta,
} from "../support/validation";

function validateRevision(revision: ControllerRevision): FieldError[] {
  const errors = validateObjectMeta(revision.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  if (revision.data === undefined || revision.data === null) errors.push(required("data"));
  errors.push(...validateNonnegative(revision.revision, "revision"));
  return errors;
}

export const controllerRevisions: ResourceDefinition<ControllerRevision> = {
  group: "apps",
  versions: ["v1"],
  resource: "controllerrevisions",
  kind: "ControllerRevision",
  singular: "controllerrevision",
  namespaced: true,
  storagePrefix: "controllerrevisions",
  strategy: {
    validate: validateRevision,
    validateUpdate(revision, old) {
      const errors = validateRevision(revision);
      if (!jsonEqual(revision.data, old.data)) errors.push(invalid("data", "", "field is immutable"));
      return errors;
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Controller", "string", "Controller of the object"),
      column("Revision", "string", ["V1ControllerRevision", "revision"]),
      ageColumn(),
    ],
    cells(revision, now) {
      const owner = revision.metadata.ownerReferences?.find((reference) => reference.controller === true);
      let controller = "<none>";
      if (owner) {
        const { group } = parseApiVersion(owner.apiVersion);
        controller = `${(group ? `${owner.kind}.${group}` : owner.kind).toLowerCase()}/${owner.name}`;
      }
      return [
        revision.metadata.name ?? "",
        controller,
        revision.revision ?? 0,
        translateTimestampSince(revision.metadata.creationTimestamp, now),
      ];
    },
  },
  schema: kindSchema("apps", "v1", "ControllerRevision"),
  schemaComponents,
};

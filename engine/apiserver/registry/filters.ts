import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest } from "../ResourceRequest";
import {
  type FieldRequirement,
  FieldSelectorParseError,
  fieldsMatch,
  parseFieldSelector,
} from "../selectors/FieldSelector";
import { everything, parseLabelSelector, type Selector, SelectorParseError } from "../selectors/LabelSelector";

/** A request's label and field selectors, compiled. */
export interface ListFilter {
  matches(object: KubeObject): boolean;
  /** True when nothing is filtered (remainingItemCount can be computed). */
  trivial: boolean;
  /** The field selector's requirements (a watch takes its indexed trigger from them). */
  fields: readonly FieldRequirement[];
}

/** Compiles `labelSelector` and `fieldSelector`; bad selectors are 400s with upstream's message. */
export function makeListFilter(definition: ResourceDefinition, request: Pick<ResourceRequest, "options">): ListFilter {
  const labels = compileLabelSelector(request.options.labelSelector);
  const fields = compileFieldSelector(definition, request.options.fieldSelector);
  const trivial = labels.empty() && fields.length === 0;
  return {
    trivial,
    fields,
    matches: (object) =>
      trivial ||
      (labels.matches(object.metadata.labels) && fieldsMatch(fields, (field) => fieldValue(definition, object, field))),
  };
}

function compileLabelSelector(selector: string | undefined): Selector {
  if (!selector) return everything();
  try {
    return parseLabelSelector(selector);
  } catch (error) {
    if (error instanceof SelectorParseError) throw ApiError.badRequest(error.message);
    throw error;
  }
}

function compileFieldSelector(definition: ResourceDefinition, selector: string | undefined): FieldRequirement[] {
  if (!selector) return [];
  let requirements: FieldRequirement[];
  try {
    requirements = parseFieldSelector(selector);
  } catch (error) {
    if (error instanceof FieldSelectorParseError) throw ApiError.badRequest(error.message);
    throw error;
  }
  for (const requirement of requirements) {
    if (requirement.field === "metadata.name" || requirement.field === "metadata.namespace") continue;
    if (!definition.selectableFields?.[requirement.field]) {
      throw ApiError.badRequest(`field label not supported: ${requirement.field}`);
    }
  }
  return requirements;
}

/** The value of a selectable field of an object. */
export function fieldValue(definition: ResourceDefinition, object: KubeObject, field: string): string | undefined {
  if (field === "metadata.name") return object.metadata.name;
  if (field === "metadata.namespace") return object.metadata.namespace;
  return definition.selectableFields?.[field]?.(object);
}

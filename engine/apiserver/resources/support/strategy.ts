/**
 * The strategy shapes most resources share, as upstream's registry strategies write them over
 * and over: status is cleared on create and kept on update, generation starts at 1 and moves only
 * when the spec changes, and the `/status` subresource keeps the spec.
 */
import type { KubeObject } from "../../../api/types";
import type { FieldError, ResourceStrategy, StrategyContext } from "../../ResourceDefinition";
import { clone } from "../../registry/objects";
import { jsonEqual } from "./validation";

/** Options for specStatusStrategy. */
export interface SpecStatusOptions<T extends KubeObject> {
  /** The status a new object starts with (upstream sets some, e.g. Pending phase); default none. */
  initialStatus?: (object: T) => unknown;
  /** Whether the object tracks metadata.generation (most workloads do). Default true. */
  generation?: boolean;
  /** Extra fields whose change bumps generation, besides `spec` (deployments: annotations). */
  generationAlsoTracks?: (object: T) => unknown;
  /** The fields the main resource keeps from the stored object on update; default `["status"]`. */
  keptOnUpdate?: string[];
  /** The fields the status subresource keeps from the stored object; default `["spec"]`. */
  keptOnStatusUpdate?: string[];
}

/**
 * A strategy with upstream's standard PrepareForCreate/PrepareForUpdate and a status strategy.
 * `rest` supplies defaults and validation.
 */
export function specStatusStrategy<T extends KubeObject>(
  rest: Omit<ResourceStrategy<T>, "prepareForCreate" | "prepareForUpdate" | "status"> & {
    prepareForCreate?: (object: T, context: StrategyContext) => void;
    prepareForUpdate?: (object: T, old: T, context: StrategyContext) => void;
    validateStatusUpdate?: (object: T, old: T, context: StrategyContext) => FieldError[];
  },
  options: SpecStatusOptions<T> = {},
): ResourceStrategy<T> {
  const tracksGeneration = options.generation ?? true;
  const keptOnUpdate = options.keptOnUpdate ?? ["status"];
  const keptOnStatusUpdate = options.keptOnStatusUpdate ?? ["spec"];
  const { prepareForCreate, prepareForUpdate, validateStatusUpdate, ...others } = rest;
  return {
    ...others,
    prepareForCreate(object, context) {
      const status = options.initialStatus?.(object);
      if (status === undefined) delete object.status;
      else (object as KubeObject).status = status;
      if (tracksGeneration) object.metadata.generation = 1;
      prepareForCreate?.(object, context);
    },
    prepareForUpdate(object, old, context) {
      for (const field of keptOnUpdate) copyField(object, old, field);
      if (tracksGeneration) {
        const changed =
          !jsonEqual(object.spec, old.spec) ||
          (options.generationAlsoTracks !== undefined &&
            !jsonEqual(options.generationAlsoTracks(object), options.generationAlsoTracks(old)));
        object.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
      }
      prepareForUpdate?.(object, old, context);
    },
    status: {
      prepareForUpdate(object, old) {
        for (const field of keptOnStatusUpdate) copyField(object, old, field);
        if (tracksGeneration) object.metadata.generation = old.metadata.generation;
      },
      validateUpdate: validateStatusUpdate,
    },
  };
}

function copyField(target: KubeObject, source: KubeObject, field: string): void {
  if (source[field] === undefined) delete target[field];
  else target[field] = clone(source[field]);
}

/** Upstream's strategies for objects without spec/status (ConfigMaps, Secrets, RBAC …): nothing to prepare. */
export function plainStrategy<T extends KubeObject>(rest: ResourceStrategy<T>): ResourceStrategy<T> {
  return rest;
}

/** Combines a create validator with update checks: update = validate(new) + extra(new, old). */
export function withUpdateValidation<T extends KubeObject>(
  validate: (object: T, context: StrategyContext) => FieldError[],
  updateOnly: (object: T, old: T, context: StrategyContext) => FieldError[],
): Pick<ResourceStrategy<T>, "validate" | "validateUpdate"> {
  return {
    validate,
    validateUpdate: (object, old, context) => [...validate(object, context), ...updateOnly(object, old, context)],
  };
}

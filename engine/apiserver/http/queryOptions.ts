import { ApiError, quote } from "../ApiError";
import type { RequestOptions } from "../ResourceRequest";
import { validateListOptions } from "../registry/listOptions";
import { parseGoBool } from "./requestInfo";

/**
 * Decodes the query parameters of a resource request into {@link RequestOptions}, as upstream's
 * ParameterCodec does for ListOptions/CreateOptions/UpdateOptions/PatchOptions/DeleteOptions.
 * Unknown parameters are ignored, as upstream ignores them; malformed values are a 400 with Go's
 * strconv wording, and unsupported enum values are a 422 on the options kind.
 */
export function parseQueryOptions(query: URLSearchParams, verb: string): RequestOptions {
  const options: RequestOptions = {};
  const text = (name: string): string | undefined => {
    const value = query.get(name);
    return value === null ? undefined : value;
  };
  const integer = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined || value === "") return undefined;
    if (!/^[+-]?\d+$/.test(value)) {
      throw ApiError.badRequest(`strconv.ParseInt: parsing ${quote(value)}: invalid syntax`);
    }
    return Number(value);
  };
  const boolean = (name: string): boolean | undefined => {
    const value = text(name);
    if (value === undefined || value === "") return undefined;
    const parsed = parseGoBool(value);
    if (parsed === undefined) throw ApiError.badRequest(`strconv.ParseBool: parsing ${quote(value)}: invalid syntax`);
    return parsed;
  };

  const labelSelector = text("labelSelector");
  if (labelSelector) options.labelSelector = labelSelector;
  const fieldSelector = text("fieldSelector");
  if (fieldSelector) options.fieldSelector = fieldSelector;
  const limit = integer("limit");
  if (limit !== undefined && limit > 0) options.limit = limit;
  const continueToken = text("continue");
  if (continueToken) options.continue = continueToken;
  const resourceVersion = text("resourceVersion");
  if (resourceVersion !== undefined && resourceVersion !== "") options.resourceVersion = resourceVersion;
  const resourceVersionMatch = text("resourceVersionMatch");
  const allowWatchBookmarks = boolean("allowWatchBookmarks");
  if (allowWatchBookmarks !== undefined) options.allowWatchBookmarks = allowWatchBookmarks;
  const sendInitialEvents = boolean("sendInitialEvents");
  if (sendInitialEvents !== undefined) options.sendInitialEvents = sendInitialEvents;
  if (verb === "list" || verb === "watch") {
    const errors = validateListOptions(
      { resourceVersion, resourceVersionMatch, continue: continueToken, sendInitialEvents },
      verb === "watch",
    );
    if (errors.length > 0) throw ApiError.invalid("meta.k8s.io", "ListOptions", "", errors);
  }
  if (resourceVersionMatch === "Exact" || resourceVersionMatch === "NotOlderThan") {
    options.resourceVersionMatch = resourceVersionMatch;
  }
  const timeoutSeconds = integer("timeoutSeconds");
  if (timeoutSeconds !== undefined) options.timeoutSeconds = timeoutSeconds;

  const optionsKind =
    verb === "create"
      ? "CreateOptions"
      : verb === "update"
        ? "UpdateOptions"
        : verb === "patch"
          ? "PatchOptions"
          : verb === "delete" || verb === "deletecollection"
            ? "DeleteOptions"
            : "ListOptions";
  const dryRun = query.getAll("dryRun").filter((value) => value !== "");
  if (dryRun.length > 0) {
    if (dryRun.some((value) => value !== "All")) {
      throw optionsInvalid(optionsKind, "dryRun", `[]string{${dryRun.map(quote).join(", ")}}`, ["All"], true);
    }
    options.dryRun = true;
  }
  const fieldManager = text("fieldManager");
  if (fieldManager) {
    if (fieldManager.length > 128) {
      throw new ApiError(
        "Invalid",
        422,
        `${optionsKind}.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes`,
        {
          group: "meta.k8s.io",
          kind: optionsKind,
          causes: [
            { reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes", field: "fieldManager" },
          ],
        },
      );
    }
    options.fieldManager = fieldManager;
  }
  const fieldValidation = text("fieldValidation");
  if (fieldValidation) {
    if (fieldValidation !== "Strict" && fieldValidation !== "Warn" && fieldValidation !== "Ignore") {
      throw optionsInvalid(optionsKind, "fieldValidation", fieldValidation, ["", "Ignore", "Strict", "Warn"]);
    }
    options.fieldValidation = fieldValidation;
  }
  const force = boolean("force");
  if (force !== undefined) options.force = force;
  const gracePeriodSeconds = integer("gracePeriodSeconds");
  if (gracePeriodSeconds !== undefined) options.gracePeriodSeconds = gracePeriodSeconds;
  const propagationPolicy = text("propagationPolicy");
  if (propagationPolicy) options.propagationPolicy = checkPropagationPolicy(propagationPolicy);
  const orphanDependents = boolean("orphanDependents");
  if (orphanDependents !== undefined && !options.propagationPolicy) {
    options.propagationPolicy = orphanDependents ? "Orphan" : "Background";
  }
  return options;
}

/** Reads a DeleteOptions body into the options (the body wins over the query, as upstream). */
export function applyDeleteOptionsBody(options: RequestOptions, body: Record<string, unknown>): void {
  if (typeof body.gracePeriodSeconds === "number") options.gracePeriodSeconds = body.gracePeriodSeconds;
  if (typeof body.propagationPolicy === "string") {
    options.propagationPolicy = checkPropagationPolicy(body.propagationPolicy);
  } else if (typeof body.orphanDependents === "boolean") {
    options.propagationPolicy = body.orphanDependents ? "Orphan" : "Background";
  }
  const preconditions = body.preconditions as { uid?: unknown; resourceVersion?: unknown } | undefined;
  if (preconditions && typeof preconditions === "object") {
    options.preconditions = {};
    if (typeof preconditions.uid === "string") options.preconditions.uid = preconditions.uid;
    if (typeof preconditions.resourceVersion === "string") {
      options.preconditions.resourceVersion = preconditions.resourceVersion;
    }
  }
  if (Array.isArray(body.dryRun) && body.dryRun.length > 0) {
    if (body.dryRun.some((value) => value !== "All")) {
      throw optionsInvalid(
        "DeleteOptions",
        "dryRun",
        `[]string{${body.dryRun.map((value) => quote(String(value))).join(", ")}}`,
        ["All"],
        true,
      );
    }
    options.dryRun = true;
  }
}

function checkPropagationPolicy(value: string): "Background" | "Foreground" | "Orphan" {
  if (value === "Background" || value === "Foreground" || value === "Orphan") return value;
  throw optionsInvalid("DeleteOptions", "propagationPolicy", value, ["Foreground", "Background", "Orphan", "nil"]);
}

/** `CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "x": supported values: …`. */
function optionsInvalid(kind: string, field: string, value: string, supported: string[], rendered = false): ApiError {
  const body = `Unsupported value: ${rendered ? value : quote(value)}: supported values: ${supported.map(quote).join(", ")}`;
  return new ApiError("Invalid", 422, `${kind}.meta.k8s.io "" is invalid: ${field}: ${body}`, {
    group: "meta.k8s.io",
    kind,
    causes: [{ reason: "FieldValueNotSupported", message: body, field }],
  });
}

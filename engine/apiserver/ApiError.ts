import type { Status, StatusCause } from "../api/types";
import type { FieldError } from "./ResourceDefinition";

/** metav1.StatusReason values the engine produces. */
export type StatusReason =
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "ServerTimeout"
  | "Timeout"
  | "TooManyRequests"
  | "BadRequest"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "InternalError"
  | "Expired"
  | "ServiceUnavailable"
  | "";

/** `pods` for the core group, `deployments.apps` otherwise: upstream's GroupResource.String(). */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** `Pod` for the core group, `Deployment.apps` otherwise: upstream's GroupKind.String(). */
export function qualifiedKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

/**
 * An error the API returns, shaped and worded exactly as upstream's `StatusError` built by
 * `k8s.io/apimachinery/pkg/api/errors`. Everything that reaches a client as a failure is one of
 * these; anything else thrown inside the pipeline is a bug and becomes an InternalError.
 */
export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: Status["details"];

  constructor(reason: StatusReason, code: number, message: string, details?: Status["details"]) {
    super(message);
    this.name = "ApiError";
    this.reason = reason;
    this.code = code;
    this.details = details;
  }

  /** The Status body to send. */
  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason || undefined,
      code: this.code,
    };
    if (!this.reason) delete status.reason;
    if (this.details) status.details = this.details;
    return status;
  }

  /** Rebuilds an ApiError from a Status body (for clients reading a response). */
  static fromStatus(status: Status): ApiError {
    return new ApiError((status.reason ?? "") as StatusReason, status.code, status.message ?? "", status.details);
  }

  static notFound(group: string, resource: string, name: string): ApiError {
    return new ApiError("NotFound", 404, `${qualifiedResource(group, resource)} ${quote(name)} not found`, {
      name,
      group: group || undefined,
      kind: resource,
    });
  }

  static alreadyExists(group: string, resource: string, name: string): ApiError {
    return new ApiError("AlreadyExists", 409, `${qualifiedResource(group, resource)} ${quote(name)} already exists`, {
      name,
      group: group || undefined,
      kind: resource,
    });
  }

  static generateNameConflict(group: string, resource: string, name: string): ApiError {
    return new ApiError(
      "AlreadyExists",
      409,
      `${qualifiedResource(group, resource)} ${quote(name)} already exists, the server was not able to generate a unique name for the object`,
      { name, group: group || undefined, kind: resource, retryAfterSeconds: 1 },
    );
  }

  /** `Operation cannot be fulfilled on pods "web": <why>`. */
  static conflict(group: string, resource: string, name: string, why: string): ApiError {
    return new ApiError(
      "Conflict",
      409,
      `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} ${quote(name)}: ${why}`,
      { name, group: group || undefined, kind: resource },
    );
  }

  /** The optimistic-concurrency conflict of a stale resourceVersion. */
  static modified(group: string, resource: string, name: string): ApiError {
    return ApiError.conflict(
      group,
      resource,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }

  static applyConflict(causes: StatusCause[], message: string): ApiError {
    return new ApiError("Conflict", 409, message, { causes });
  }

  /** `pods "x" is forbidden: <why>`, or `pods is forbidden: <why>` without a name. */
  static forbidden(group: string, resource: string, name: string | undefined, why: string): ApiError {
    const subject = qualifiedResource(group, resource);
    const message = !resource
      ? `forbidden: ${why}`
      : name
        ? `${subject} ${quote(name)} is forbidden: ${why}`
        : `${subject} is forbidden: ${why}`;
    return new ApiError("Forbidden", 403, message, {
      name: name || undefined,
      group: group || undefined,
      kind: resource || undefined,
    });
  }

  /** `Pod "x" is invalid: spec.containers[0].image: Required value` (several errors in `[a, b]`). */
  static invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
    const causes: StatusCause[] = errors.map((error) => ({
      reason: error.type,
      message: fieldErrorBody(error),
      field: error.field,
    }));
    const messages = [...new Set(errors.map(renderFieldError))];
    const subject = `${qualifiedKind(group, kind)} ${quote(name)} is invalid`;
    const message =
      messages.length === 0
        ? subject
        : messages.length === 1
          ? `${subject}: ${messages[0]}`
          : `${subject}: [${messages.join(", ")}]`;
    // StatusDetails.name is omitempty: an object without a name has none in the Status.
    return new ApiError("Invalid", 422, message, { name: name || undefined, group: group || undefined, kind, causes });
  }

  static badRequest(message: string): ApiError {
    return new ApiError("BadRequest", 400, message);
  }

  /** `create is not supported on resources of kind "bindings"`. */
  static methodNotSupported(group: string, resource: string, action: string): ApiError {
    return new ApiError(
      "MethodNotAllowed",
      405,
      `${action} is not supported on resources of kind ${quote(qualifiedResource(group, resource))}`,
      { group: group || undefined, kind: resource },
    );
  }

  /** 410 with reason Expired: `too old resource version: 5 (100)`. */
  static resourceExpired(message: string): ApiError {
    return new ApiError("Expired", 410, message);
  }

  static gone(message: string): ApiError {
    return new ApiError("Gone", 410, message);
  }

  static tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
    return new ApiError("TooManyRequests", 429, message, { retryAfterSeconds });
  }

  static requestEntityTooLarge(message: string): ApiError {
    return new ApiError("RequestEntityTooLarge", 413, `Request entity too large: ${message}`);
  }

  static unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(
      "UnsupportedMediaType",
      415,
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
    );
  }

  static internal(error: unknown): ApiError {
    const text = error instanceof Error ? error.message : String(error);
    return new ApiError("InternalError", 500, `Internal error occurred: ${text}`, { causes: [{ message: text }] });
  }

  static serviceUnavailable(message: string): ApiError {
    return new ApiError("ServiceUnavailable", 503, message);
  }

  static timeout(message: string, retryAfterSeconds: number): ApiError {
    return new ApiError("Timeout", 504, `Timeout: ${message}`, { retryAfterSeconds });
  }

  static unauthorized(message = "Unauthorized"): ApiError {
    return new ApiError("Unauthorized", 401, message);
  }
}

/** True when `error` is an ApiError with this reason. */
export function isApiError(error: unknown, reason?: StatusReason): error is ApiError {
  return error instanceof ApiError && (reason === undefined || error.reason === reason);
}

export const isNotFound = (error: unknown): boolean => isApiError(error, "NotFound");
export const isAlreadyExists = (error: unknown): boolean => isApiError(error, "AlreadyExists");
export const isConflict = (error: unknown): boolean => isApiError(error, "Conflict");
/** A 410: the resourceVersion is too old (Expired or Gone). */
export const isResourceExpired = (error: unknown): boolean =>
  error instanceof ApiError && (error.reason === "Expired" || error.reason === "Gone");

const TYPE_TEXT: Record<string, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** upstream field.Error.ErrorBody(): the message without the field path. */
export function fieldErrorBody(error: FieldError): string {
  const type = TYPE_TEXT[error.type] ?? error.type;
  let text: string;
  if (
    error.type === "FieldValueRequired" ||
    error.type === "FieldValueForbidden" ||
    error.type === "FieldValueTooLong" ||
    error.type === "InternalError"
  ) {
    text = type;
  } else if (error.type === "FieldValueTooMany" && error.badValue === undefined) {
    text = type;
  } else {
    text = `${type}: ${error.renderedBadValue ?? formatBadValue(error.badValue)}`;
  }
  let detail = error.detail ?? "";
  if (error.type === "FieldValueNotSupported" && !detail && error.supportedValues?.length) {
    detail = `supported values: ${error.supportedValues.map(quote).join(", ")}`;
  }
  return detail ? `${text}: ${detail}` : text;
}

/** upstream field.Error.Error(): `spec.containers[0].image: Required value`. */
export function renderFieldError(error: FieldError): string {
  return `${error.field}: ${fieldErrorBody(error)}`;
}

function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === "string")) return `[]string{${value.map(quote).join(", ")}}`;
    return JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** Go's %q for the strings the API puts in messages. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

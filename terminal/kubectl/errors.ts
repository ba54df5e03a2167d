/**
 * Errors a kubectl command ends with. `message` is printed to stderr verbatim (it already carries
 * kubectl's "error: " or "Error from server (Reason): " prefix); `exitCode` is the process status.
 */
export class KubectlError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** Printed to stdout before the message (kubectl's go-template printer dumps its input there). */
    readonly stdout = "",
  ) {
    super(message);
    this.name = "KubectlError";
  }
}

/** A usage error as cobra reports it: `error: <msg>\nSee 'kubectl <cmd> -h' for help and examples`. */
export function usageError(commandPath: string, message: string): KubectlError {
  return new KubectlError(`error: ${message}\nSee '${commandPath} -h' for help and examples`);
}

/** A plain `error: …` failure. */
export function plainError(message: string): KubectlError {
  return new KubectlError(`error: ${message}`);
}

/** The body of a Kubernetes `Status` returned by the API server on failure. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

/** An error response from the API server, keeping the decoded Status. */
export class ApiStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: StatusBody,
    readonly rawBody: string,
  ) {
    super(status.message ?? rawBody);
    this.name = "ApiStatusError";
  }

  get reason(): string {
    return this.status.reason ?? "";
  }
}

/**
 * Formats an API error as kubectl's `StandardErrorMessage` does:
 * `Error from server (NotFound): pods "nope" not found`.
 */
export function formatApiError(error: ApiStatusError, messagePrefix = ""): string {
  const reason = error.status.reason;
  const message = messagePrefix + (error.status.message ?? error.rawBody);
  const details = error.status.details;
  if (reason === "Invalid") {
    // cmdutil.checkErr: invalid objects list their field errors.
    if (!details) return `The request is invalid${message ? `: ${message}` : ""}`;
    const head =
      details.kind || details.name
        ? `The ${details.kind ?? ""} "${details.name ?? ""}" is invalid`
        : `The request is invalid`;
    const causes = (details.causes ?? []).map((cause) =>
      cause.field ? `${cause.field}: ${cause.message ?? ""}` : (cause.message ?? ""),
    );
    if (causes.length === 0) return head;
    if (causes.length === 1) return `${head}: ${causes[0]}`;
    return `${head}: \n${causes.map((cause) => `* ${cause}`).join("\n")}`;
  }
  if (reason === "Unauthorized") return `error: You must be logged in to the server (${message})`;
  if (error.status.kind === "Status" || reason) {
    if (reason && reason !== "Unknown") return `Error from server (${reason}): ${message}`;
    return `Error from server: ${message}`;
  }
  return `error: ${message}`;
}

/** Converts any thrown value into the text and status kubectl would end with. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof KubectlError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ApiStatusError) return { message: formatApiError(error), exitCode: 1 };
  if (error instanceof Error) return { message: `error: ${error.message}`, exitCode: 1 };
  return { message: `error: ${String(error)}`, exitCode: 1 };
}

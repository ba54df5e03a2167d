import { stringify as toYaml } from "yaml";
import type { Status } from "../../api/types";
import { ApiError } from "../ApiError";
import type { HttpResponseWriter } from "./types";

/** Response helpers shared by the handler's routes. */

/** upstream's 404 for paths nothing serves (notfoundhandler): note the empty `details`. */
export function notFoundStatus(): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "the server could not find the requested resource",
    reason: "NotFound",
    details: {},
    code: 404,
  };
}

/** The Status for anything thrown: ApiErrors as they are, anything else as upstream's unknown-error Status. */
export function statusOf(error: unknown): Status {
  if (error instanceof ApiError) return error.toStatus();
  if (error && typeof error === "object" && "toStatus" in error && typeof error.toStatus === "function") {
    return (error as { toStatus(): Status }).toStatus();
  }
  return ApiError.internal(error).toStatus();
}

/** A warning header value as upstream's warning recorder writes it: `299 - "text"`. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

export interface BaseHeaders {
  "Audit-Id": string;
  "Cache-Control": string;
}

export function encode(body: unknown, encoding: "json" | "yaml"): string {
  return encoding === "yaml" ? toYaml(body) : `${JSON.stringify(body)}\n`;
}

export function writeBody(
  response: HttpResponseWriter,
  status: number,
  headers: Record<string, string | string[]>,
  body: unknown,
  encoding: "json" | "yaml" = "json",
  contentType?: string,
): void {
  const text = encode(body, encoding);
  response.writeHead(status, {
    ...headers,
    "Content-Type": contentType ?? (encoding === "yaml" ? "application/yaml" : "application/json"),
  });
  response.end(text);
}

export function writeStatus(
  response: HttpResponseWriter,
  headers: Record<string, string | string[]>,
  status: Status,
): void {
  writeBody(response, status.code || 500, headers, status);
}

export function writeText(
  response: HttpResponseWriter,
  status: number,
  headers: Record<string, string | string[]>,
  text: string,
): void {
  response.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
  });
  response.end(text);
}

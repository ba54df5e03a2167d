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

/**
 * Serialized JSON of frozen objects (the registry's shared, immutable copies), so a list of
 * unchanged objects is encoded by concatenation instead of serializing every item again.
 */
const frozenJson = new WeakMap<object, string>();

function jsonOf(value: unknown): string {
  if (value && typeof value === "object" && Object.isFrozen(value)) {
    let text = frozenJson.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      frozenJson.set(value, text);
    }
    return text;
  }
  return JSON.stringify(value);
}

function encodeJson(body: unknown): string {
  const items = (body as { items?: unknown })?.items;
  if (Array.isArray(items) && items.length > 0 && Object.isFrozen(items[0])) {
    const { items: _items, ...rest } = body as Record<string, unknown>;
    const head = JSON.stringify(rest);
    const parts = items.map(jsonOf);
    return `${head.length > 2 ? `${head.slice(0, -1)},` : "{"}"items":[${parts.join(",")}]}`;
  }
  return jsonOf(body);
}

export function encode(body: unknown, encoding: "json" | "yaml"): string {
  return encoding === "yaml" ? toYaml(body) : `${encodeJson(body)}\n`;
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

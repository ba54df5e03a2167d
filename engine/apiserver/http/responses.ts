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
 * The JSON of stored objects, keyed by apiVersion, uid and resourceVersion: a stored object never
 * changes without a new resourceVersion, so lists and watch events of unchanged objects are
 * encoded by concatenation instead of serializing each object again (a watch event goes to every
 * watcher; a list repeats mostly unchanged objects). Bounded by bytes, oldest entries first out.
 */
class StoredObjectJson {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  of(object: unknown): string {
    const metadata = (object as { metadata?: { uid?: string; resourceVersion?: string } } | null)?.metadata;
    if (!metadata?.uid || !metadata.resourceVersion) return JSON.stringify(object);
    const key = `${(object as { apiVersion?: string }).apiVersion}|${metadata.uid}|${metadata.resourceVersion}`;
    let text = this.entries.get(key);
    if (text === undefined) {
      text = JSON.stringify(object);
      this.entries.set(key, text);
      this.bytes += text.length;
      for (const [oldest, value] of this.entries) {
        if (this.bytes <= this.budget) break;
        this.entries.delete(oldest);
        this.bytes -= value.length;
      }
    }
    return text;
  }
}

const storedJson = new StoredObjectJson(8 * 1024 * 1024);

function encodeJson(body: unknown): string {
  const items = (body as { items?: unknown })?.items;
  if (Array.isArray(items) && items.length > 0) {
    const { items: _items, ...rest } = body as Record<string, unknown>;
    const head = JSON.stringify(rest);
    const parts = items.map((item) => storedJson.of(item));
    return `${head.length > 2 ? `${head.slice(0, -1)},` : "{"}"items":[${parts.join(",")}]}`;
  }
  return JSON.stringify(body);
}

/** One line of a watch stream: `{"type":…,"object":…}` and a newline. */
export function encodeWatchEvent(type: string, object: unknown): string {
  return `{"type":${JSON.stringify(type)},"object":${storedJson.of(object)}}\n`;
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

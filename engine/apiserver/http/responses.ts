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
 * The UTF-8 JSON of frozen objects. The API server answers reads and watch events with shared,
 * frozen objects decoded once per stored revision (registry/DecodedObjects); they cannot change,
 * so each is serialized and encoded once however many lists, GETs and watchers carry it, and a
 * list body is assembled by copying bytes. Held weakly: the bytes go when the object does.
 * Objects that are not frozen are serialized every time.
 */
const frozenJson = new WeakMap<object, Uint8Array>();
const utf8 = new TextEncoder();

function jsonBytesOf(value: unknown): Uint8Array {
  if (value === null || typeof value !== "object" || !Object.isFrozen(value)) {
    return utf8.encode(JSON.stringify(value));
  }
  let bytes = frozenJson.get(value);
  if (bytes === undefined) {
    bytes = utf8.encode(JSON.stringify(value));
    frozenJson.set(value, bytes);
  }
  return bytes;
}

const COMMA = utf8.encode(",");
const NEWLINE = utf8.encode("\n");
const EVENT_END = utf8.encode("}\n");
const eventStarts = new Map<string, Uint8Array>();

/** The JSON text of frozen objects (Table rows' objects), held weakly as the bytes are. */
const frozenText = new WeakMap<object, string>();

function jsonTextOf(value: object): string {
  let text = frozenText.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    frozenText.set(value, text);
  }
  return text;
}

/**
 * A Table as toTable makes it: the rows' cells change with the clock, their objects (the frozen
 * partial metadata of shared objects) do not, so each object's JSON text is spliced in. Any other
 * row is serialized as it is.
 */
function encodeTable(body: Record<string, unknown>, rows: unknown[]): Uint8Array {
  const { rows: _rows, ...rest } = body;
  let text = `${openObject(JSON.stringify(rest))}"rows":[`;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as Record<string, unknown>;
    if (index > 0) text += ",";
    const object = row.object;
    const keys = Object.keys(row);
    const shaped =
      keys[0] === "cells" &&
      ((keys.length === 2 && keys[1] === "object") ||
        (keys.length === 3 && keys[1] === "conditions" && keys[2] === "object"));
    if (!shaped || object === null || typeof object !== "object" || !Object.isFrozen(object)) {
      text += JSON.stringify(row);
      continue;
    }
    text += `{"cells":${JSON.stringify(row.cells)}`;
    if (keys.length === 3) text += `,"conditions":${JSON.stringify(row.conditions)}`;
    text += `,"object":${jsonTextOf(object)}}`;
  }
  return utf8.encode(`${text}]}\n`);
}

/** Builds one UTF-8 buffer from strings and already-encoded parts, growing as needed. */
class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(256, capacity));
  }

  string(text: string): void {
    this.reserve(text.length * 3);
    this.length += utf8.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + more));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/** `{"a":1}` → `{"a":1,` (or `{` for `{}`), to append more members to a serialized object. */
function openObject(json: string): string {
  return json.length > 2 ? `${json.slice(0, -1)},` : "{";
}

/**
 * A JSON body and its newline, as bytes: a list's items are copied from their encoded JSON, a
 * Table's row objects spliced in as cached text (splicing them as bytes, one encodeInto per row,
 * measured slower than a single JSON.stringify; as text it is faster).
 */
function encodeJson(body: unknown): Uint8Array {
  const rows = (body as { kind?: unknown; rows?: unknown })?.rows;
  if ((body as { kind?: unknown })?.kind === "Table" && Array.isArray(rows) && rows.length > 0) {
    return encodeTable(body as Record<string, unknown>, rows);
  }
  const items = (body as { items?: unknown })?.items;
  if (Array.isArray(items) && items.length > 0) {
    const { items: _items, ...rest } = body as Record<string, unknown>;
    const head = `${openObject(JSON.stringify(rest))}"items":[`;
    const encoded = items.map(jsonBytesOf);
    let size = head.length * 3 + 4;
    for (const item of encoded) size += item.length + 1;
    const out = new ByteWriter(size);
    out.string(head);
    for (let index = 0; index < encoded.length; index++) {
      if (index > 0) out.bytes(COMMA);
      out.bytes(encoded[index]);
    }
    out.string("]}\n");
    return out.result();
  }
  const encoded = jsonBytesOf(body);
  const out = new ByteWriter(encoded.length + 1);
  out.bytes(encoded);
  out.bytes(NEWLINE);
  return out.result();
}

/** One line of a watch stream: `{"type":…,"object":…}` and a newline, as bytes. */
export function encodeWatchEvent(type: string, object: unknown): Uint8Array {
  let start = eventStarts.get(type);
  if (start === undefined) {
    start = utf8.encode(`{"type":${JSON.stringify(type)},"object":`);
    if (eventStarts.size < 16) eventStarts.set(type, start);
  }
  const encoded = jsonBytesOf(object);
  const out = new ByteWriter(start.length + encoded.length + EVENT_END.length);
  out.bytes(start);
  out.bytes(encoded);
  out.bytes(EVENT_END);
  return out.result();
}

/** A response body: JSON (lists assembled from their items' cached bytes) or YAML. */
export function encode(body: unknown, encoding: "json" | "yaml"): string | Uint8Array {
  return encoding === "yaml" ? toYaml(body) : encodeJson(body);
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

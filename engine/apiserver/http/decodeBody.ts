import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { ApiError, quote } from "../ApiError";
import { decodeJson, JsonSyntaxError } from "./decodeJson";
import { decodeProtobufObject, ProtobufDecodeError } from "./protobuf/decodeProtobuf";

/**
 * Decoding of request bodies with upstream's error wording (apiserver/pkg/endpoints/handlers/rest.go
 * `transformDecodeError`, `summarizeData`; apimachinery's json and yaml serializers).
 */

const textDecoder = new TextDecoder();

export const PROTOBUF = "application/vnd.kubernetes.protobuf";

/** The body media types a create/update accepts, in upstream's words. */
export const BODY_MEDIA_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

export interface ParsedBody {
  value: unknown;
  /** Strict-decoding problems besides unknown fields: `duplicate field "spec.replicas"` or YAML's wording. */
  duplicateErrors: string[];
}

/** A body that could not be parsed at all. `message` is upstream's serializer error. */
export class BodySyntaxError extends Error {}

/** upstream summarizeData: the first 30 bytes, as text for JSON objects, hex otherwise. */
export function summarizeData(data: Uint8Array, maxLength = 30): string {
  if (data.length === 0) return "<empty>";
  if (data[0] === 0x7b) {
    const text = textDecoder.decode(data.subarray(0, Math.min(data.length, maxLength)));
    return data.length > maxLength ? `${text} ...` : text;
  }
  let hex = "";
  for (const byte of data.subarray(0, Math.min(data.length, maxLength))) hex += byte.toString(16).padStart(2, "0");
  return data.length > maxLength ? `${hex} ...` : hex;
}

/** Parses JSON, collecting duplicate fields. Throws BodySyntaxError with Go's wording. */
export function parseJsonBody(text: string): ParsedBody {
  try {
    const decoded = decodeJson(text);
    return {
      value: decoded.value,
      duplicateErrors: decoded.duplicates.map((path) => `duplicate field ${quote(path)}`),
    };
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new BodySyntaxError(error.message);
    throw error;
  }
}

/**
 * Parses YAML (one document) into plain JSON values. Duplicate keys are reported as go-yaml's
 * strict mode reports them: `yaml: unmarshal errors:\n  line 11: key "foo" already set in map`.
 */
export function parseYamlBody(text: string): ParsedBody {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: false, lineCounter, prettyErrors: false, strict: false });
  if (document.errors.length > 0) {
    const error = document.errors[0];
    const line = error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line;
    const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new BodySyntaxError(`error converting YAML to JSON: yaml: line ${line}: ${lowerFirst(reason)}`);
  }
  const duplicates: string[] = [];
  collectYamlDuplicates(document.contents as YamlNode | null, lineCounter, duplicates);
  const value = document.toJS({ maxAliasCount: 100 });
  return {
    value: value === undefined ? null : value,
    duplicateErrors: duplicates.length > 0 ? [`yaml: unmarshal errors:\n  ${duplicates.join("\n  ")}`] : [],
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function collectYamlDuplicates(node: YamlNode | null | undefined, lines: LineCounter, out: string[]): void {
  if (!node) return;
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : JSON.stringify(keyNode);
      if (seen.has(key)) {
        const offset = keyNode?.range?.[0] ?? 0;
        out.push(`line ${lines.linePos(offset).line}: key ${quote(key)} already set in map`);
      }
      seen.add(key);
      collectYamlDuplicates(pair.value as YamlNode | null, lines, out);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) collectYamlDuplicates(item as YamlNode | null, lines, out);
  }
}

/** Parses `body` by its media type (`application/json`, `application/yaml` or Kubernetes protobuf). */
export function parseBody(body: Uint8Array, mediaType: string): ParsedBody {
  if (mediaType === PROTOBUF) {
    try {
      return { value: decodeProtobufObject(body), duplicateErrors: [] };
    } catch (error) {
      if (error instanceof ProtobufDecodeError || error instanceof Error) throw new BodySyntaxError(error.message);
      throw error;
    }
  }
  const text = textDecoder.decode(body);
  return mediaType === "application/yaml" ? parseYamlBody(text) : parseJsonBody(text);
}

/** Go's description of a JSON value's type in unmarshal errors. */
function goJsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  return "object";
}

export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * Decodes the body of a create or update into an object of the expected kind, defaulting
 * apiVersion and kind from the URL as upstream's decoder does, and failing as upstream fails.
 * Returns the object and its strict-decoding problems (duplicates); unknown fields are checked
 * by the caller against the schema.
 */
export function decodeObjectBody(
  body: Uint8Array,
  mediaType: string,
  expected: ExpectedKind,
): { object: Record<string, unknown>; duplicateErrors: string[] } {
  const unrecognized = (why: string) =>
    ApiError.badRequest(
      `the object provided is unrecognized (must be of type ${expected.kind}): ${why} (${summarizeData(body)})`,
    );
  let parsed: ParsedBody;
  try {
    parsed = parseBody(body, mediaType);
  } catch (error) {
    if (error instanceof BodySyntaxError) {
      const prefix = mediaType === "application/json" ? "couldn't get version/kind; json parse error: " : "";
      throw unrecognized(`${prefix}${error.message}`);
    }
    throw error;
  }
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    if (value === null) throw unrecognized(`Object 'Kind' is missing in 'null'`);
    throw unrecognized(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  const object = value as Record<string, unknown>;
  const expectedApiVersion = expected.group ? `${expected.group}/${expected.version}` : expected.version;
  if (object.apiVersion !== undefined && typeof object.apiVersion !== "string") {
    throw unrecognized(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(object.apiVersion)} into Go struct field .apiVersion of type string`,
    );
  }
  if (object.kind !== undefined && typeof object.kind !== "string") {
    throw unrecognized(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonType(object.kind)} into Go struct field .kind of type string`,
    );
  }
  const kind = (object.kind as string | undefined) || expected.kind;
  const apiVersion = (object.apiVersion as string | undefined) || expectedApiVersion;
  if (kind !== expected.kind) {
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    throw ApiError.badRequest(
      `${kind} in version ${quote(version)} cannot be handled as a ${expected.kind}: no kind ${quote(kind)} is registered for version ${quote(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  if (apiVersion !== expectedApiVersion) {
    throw ApiError.badRequest(
      `the API version in the data (${apiVersion}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  object.apiVersion = apiVersion;
  object.kind = kind;
  return { object, duplicateErrors: parsed.duplicateErrors };
}

/** The strict-decoding 400 of upstream's typed decoders. */
export function strictDecodingError(expected: ExpectedKind, problems: string[]): ApiError {
  return ApiError.badRequest(
    `${expected.kind} in version ${quote(expected.version)} cannot be handled as a ${expected.kind}: strict decoding error: ${problems.join(", ")}`,
  );
}

import { createHash } from "node:crypto";
import { isMap, type JsonMap } from "./Resource";

/**
 * Go's encoding/json: map keys sorted by bytes, and `<`, `>`, `&`, U+2028 and U+2029 escaped
 * as HTML-safe `\u…` sequences (JSON.stringify leaves them).
 */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (isMap(value)) {
    const keys = Object.keys(value).sort(byUtf8);
    return `{${keys.map((key) => `${goString(key)}:${goJson(value[key])}`).join(",")}}`;
  }
  if (typeof value === "string") return goString(value);
  return JSON.stringify(value ?? null);
}

function goString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * kubectl's hash encoding (api/hasher encode): the first ten hex digits of the SHA-256, with
 * 0, 1, 3, a and e swapped for letters so the suffix never looks like a number or a word.
 */
export function encodeHash(json: string): string {
  const hex = createHash("sha256").update(json).digest("hex").slice(0, 10);
  return hex.replace(/[013ae]/g, (char) => ({ "0": "g", "1": "h", "3": "k", a: "m", e: "t" })[char] ?? char);
}

/**
 * The name suffix of a generated ConfigMap or Secret (api/hasher Hasher.Hash). Kustomize looks
 * the name up under the single field "metadata/name", which never exists, so every hash is of an
 * empty name: only the kind, type and data count. A missing data map hashes as "".
 */
export function resourceHash(object: JsonMap): string {
  const mapOrEmpty = (value: unknown) => (isMap(value) ? value : "");
  if (object.kind === "Secret") {
    const encoded: JsonMap = {
      kind: "Secret",
      type: typeof object.type === "string" ? object.type : "",
      name: "",
      data: mapOrEmpty(object.data),
    };
    if (isMap(object.stringData)) encoded.stringData = object.stringData;
    return encodeHash(goJson(encoded));
  }
  if (object.kind === "ConfigMap") {
    const encoded: JsonMap = { kind: "ConfigMap", name: "", data: mapOrEmpty(object.data) };
    if (isMap(object.binaryData)) encoded.binaryData = object.binaryData;
    return encodeHash(goJson(encoded));
  }
  return encodeHash(goJson(object));
}

/** core/v1 secrets: SetDefaults_Secret, the stringData conversion, ValidateSecret(Update), printSecret. */
import type { Secret } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  invalid,
  jsonEqual,
  nameIsDnsSubdomain,
  required,
  tooLong,
  validateImmutable,
  validateObjectMeta,
} from "../support/validation";
import { validateDataKeys, validateImmutableData } from "./configData";

const maxSecretSize = 1024 * 1024;

/** Keys each secret type requires in `data`. */
const requiredKeys: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

/** Base64 of UTF-8 text, without Buffer (the engine has no Node APIs). */
function encodeBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function validateSecret(secret: Secret): FieldError[] {
  const errors = validateObjectMeta(secret.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateDataKeys(secret.data, "data"));
  let size = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
      errors.push(invalid(`data[${key}]`, "<secret contents redacted>", "must be base64-encoded"));
    }
    size += Math.floor((String(value).length * 3) / 4);
  }
  if (size > maxSecretSize) errors.push(tooLong("data", "", maxSecretSize));
  const type = secret.type ?? "Opaque";
  if (
    type === "kubernetes.io/service-account-token" &&
    !secret.metadata.annotations?.["kubernetes.io/service-account.name"]
  ) {
    errors.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
  }
  if (type === "kubernetes.io/basic-auth" && !secret.data?.username && !secret.data?.password) {
    errors.push(required("data[username]"));
    errors.push(required("data[password]"));
  }
  for (const key of requiredKeys[type] ?? [])
    if (!secret.data || !(key in secret.data)) errors.push(required(`data[${key}]`));
  return errors;
}

export const secrets: ResourceDefinition<Secret> = {
  group: "",
  versions: ["v1"],
  resource: "secrets",
  kind: "Secret",
  singular: "secret",
  namespaced: true,
  storagePrefix: "secrets",
  strategy: {
    defaults(secret) {
      if (!secret.type) secret.type = "Opaque";
      // stringData is write-only: the v1 conversion merges it into data (overriding) and drops it.
      if (secret.stringData) {
        secret.data ??= {};
        for (const [key, value] of Object.entries(secret.stringData)) secret.data[key] = encodeBase64(String(value));
        delete secret.stringData;
      }
    },
    validate: validateSecret,
    validateUpdate: (secret, old) => [
      ...validateSecret(secret),
      ...validateImmutable(secret.type, old.type, "type"),
      ...validateImmutableData(secret, old, jsonEqual, ["data"]),
    ],
  },
  table: {
    columns: [
      nameColumn(),
      column("Type", "string", ["V1Secret", "type"]),
      column("Data", "string", ["V1Secret", "data"]),
      ageColumn(),
    ],
    cells: (secret, now) => [
      secret.metadata.name ?? "",
      secret.type ?? "",
      Object.keys(secret.data ?? {}).length,
      translateTimestampSince(secret.metadata.creationTimestamp, now),
    ],
  },
  selectableFields: { type: (secret) => secret.type ?? "" },
  schema: kindSchema("", "v1", "Secret"),
  schemaComponents,
};

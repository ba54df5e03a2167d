/** Validation shared by ConfigMaps and Secrets: keys, sizes and the `immutable` flag. */
import type { FieldError } from "../../ResourceDefinition";
import { forbidden, invalid } from "../support/validation";

const configKeyPattern = /^[-._a-zA-Z0-9]+$/;

/** validation.IsConfigMapKey. */
export function isConfigKey(key: string): string[] {
  const errors: string[] = [];
  if (key.length > 253) errors.push("must be no more than 253 characters");
  if (!configKeyPattern.test(key)) {
    errors.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === ".") errors.push("must not be '.'");
  else if (key === "..") errors.push("must not be '..'");
  else if (key.startsWith("..")) errors.push("must not start with '..'");
  return errors;
}

/** Key checks for a data map at `field`. */
export function validateDataKeys(data: Record<string, unknown> | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(data ?? {})) {
    for (const message of isConfigKey(key)) errors.push(invalid(field, key, message));
  }
  return errors;
}

/** Updates of an object marked `immutable: true` may not touch its data. */
export function validateImmutableData(
  object: { immutable?: boolean; data?: unknown; binaryData?: unknown },
  old: { immutable?: boolean; data?: unknown; binaryData?: unknown },
  equal: (a: unknown, b: unknown) => boolean,
  fields: string[],
): FieldError[] {
  const errors: FieldError[] = [];
  if (old.immutable !== true) return errors;
  if (object.immutable !== true) errors.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const field of fields) {
    const key = field as "data" | "binaryData";
    if (!equal(object[key] ?? {}, old[key] ?? {}))
      errors.push(forbidden(field, "field is immutable when `immutable` is set"));
  }
  return errors;
}

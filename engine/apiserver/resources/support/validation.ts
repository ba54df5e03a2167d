/**
 * Validation building blocks with upstream's messages, from apimachinery's
 * pkg/util/validation/validation.go and pkg/api/validation/objectmeta.go, and the field-error
 * constructors of pkg/util/validation/field.
 */
import { isQuantity, parseQuantity, quantityErrorMessage } from "../../../api/quantity";
import type { KubeObject, LabelSelector, ObjectMeta } from "../../../api/types";
import type { FieldError } from "../../ResourceDefinition";

// ---------------------------------------------------------------------------------------------
// field.Error constructors

export const required = (field: string, detail = ""): FieldError => ({ type: "FieldValueRequired", field, detail });
export const invalid = (field: string, badValue: unknown, detail = ""): FieldError => ({
  type: "FieldValueInvalid",
  field,
  badValue,
  detail,
});
export const forbidden = (field: string, detail = ""): FieldError => ({ type: "FieldValueForbidden", field, detail });
export const duplicate = (field: string, badValue: unknown): FieldError => ({
  type: "FieldValueDuplicate",
  field,
  badValue,
});
export const notFound = (field: string, badValue: unknown): FieldError => ({
  type: "FieldValueNotFound",
  field,
  badValue,
});
export const notSupported = (field: string, badValue: unknown, supportedValues: string[]): FieldError => ({
  type: "FieldValueNotSupported",
  field,
  badValue,
  supportedValues,
});
export const tooLong = (field: string, badValue: unknown, maxLength: number): FieldError => ({
  type: "FieldValueTooLong",
  field,
  badValue,
  detail: `must have at most ${maxLength} bytes`,
});

// ---------------------------------------------------------------------------------------------
// Name formats

const dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFormat = `${dns1123LabelFormat}(\\.${dns1123LabelFormat})*`;
const dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
const qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelValueFormat = `(${qualifiedNameFormat})?`;

const dns1123Label = new RegExp(`^${dns1123LabelFormat}$`);
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFormat}$`);
const dns1035Label = new RegExp(`^${dns1035LabelFormat}$`);
const qualifiedName = new RegExp(`^${qualifiedNameFormat}$`);
const labelValue = new RegExp(`^${labelValueFormat}$`);

/** upstream validation.RegexError: the message with examples and the regex. */
function regexError(message: string, format: string, ...examples: string[]): string {
  let text = `${message} (`;
  if (examples.length > 0) {
    text += "e.g. ";
    text += examples.map((example) => `'${example}'`).join(",  or ");
    text += ", ";
  }
  return `${text}regex used for validation is '${format}')`;
}

const maxLengthMessage = (length: number) => `must be no more than ${length} characters`;

export const dns1123LabelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const dns1123SubdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const dns1035LabelMessage =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

/** validation.IsDNS1123Label. */
export function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthMessage(63));
  if (!dns1123Label.test(value)) errors.push(regexError(dns1123LabelMessage, dns1123LabelFormat, "my-name", "123-abc"));
  return errors;
}

/** validation.IsDNS1123Subdomain. */
export function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLengthMessage(253));
  if (!dns1123Subdomain.test(value))
    errors.push(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, "example.com"));
  return errors;
}

const httpPathFormat = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPath = new RegExp(`^${httpPathFormat}$`);

/**
 * validation.IsDomainPrefixedPath (`acme.io/foo`): a DNS-1123 subdomain, a slash, then RFC 3986
 * path characters.
 */
export function isDomainPrefixedPath(field: string, value: string): FieldError[] {
  if (value.length === 0) return [required(field)];
  const slash = value.indexOf("/");
  const host = slash < 0 ? "" : value.slice(0, slash);
  const path = slash < 0 ? "" : value.slice(slash + 1);
  if (!host || !path) return [invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errors = isDns1123Subdomain(host).map((message) => invalid(field, host, message));
  if (!httpPath.test(path)) errors.push(invalid(field, path, regexError("Invalid path", httpPathFormat)));
  return errors;
}

/** validation.IsDNS1035Label. */
export function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthMessage(63));
  if (!dns1035Label.test(value)) errors.push(regexError(dns1035LabelMessage, dns1035LabelFormat, "my-name", "abc-123"));
  return errors;
}

/** validation.IsQualifiedName: `prefix/name` label and annotation keys. */
export function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) errors.push(`prefix part ${emptyError()}`);
    else for (const message of isDns1123Subdomain(prefix)) errors.push(`prefix part ${message}`);
  } else {
    return [
      `a qualified name ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFormat, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push(`name part ${emptyError()}`);
  else if (name.length > 63) errors.push(`name part ${maxLengthMessage(63)}`);
  if (!qualifiedName.test(name)) {
    errors.push(
      `name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFormat, "MyName", "my.name", "123-abc")}`,
    );
  }
  return errors;
}

const emptyError = () => "must be non-empty";

/** validation.IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLengthMessage(63));
  if (!labelValue.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFormat,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return errors;
}

/** validation.IsValidPortNum. */
export function isValidPortNumber(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ["must be between 1 and 65535, inclusive"];
}

/** validation.IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) errors.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) errors.push("must contain at least one letter (a-z)");
  if (name.includes("--")) errors.push("must not contain consecutive hyphens");
  if (name.startsWith("-") || name.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

/** validation.IsValidIP (IPv4 or IPv6). */
export function isValidIp(value: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(value)) {
    return value.split(".").every((part) => Number(part) <= 255 && (part === "0" || !part.startsWith("0")));
  }
  return /^[0-9a-fA-F:]+$/.test(value) && value.includes(":") && value.split("::").length <= 2;
}

/** A name validator as upstream's ValidateNameFunc: messages for a name (or a generateName prefix). */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** Trailing dashes of a generateName are allowed: the generated suffix follows them. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDnsSubdomain: NameValidator = (name, prefix) =>
  isDns1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDnsLabel: NameValidator = (name, prefix) => isDns1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDns1035Label: NameValidator = (name, prefix) =>
  isDns1035Label(prefix ? maskTrailingDash(name) : name);

/** path.ValidatePathSegmentName: names of RBAC objects, which only exclude path-breaking characters. */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  if (!prefix && (name === "." || name === "..")) return [`may not be '${name}'`];
  for (const illegal of ["/", "%"]) if (name.includes(illegal)) return [`may not contain '${illegal}'`];
  return [];
};

// ---------------------------------------------------------------------------------------------
// Object metadata

const totalAnnotationSizeLimit = 256 * 1024;

/** ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: Record<string, string> | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const message of isQualifiedName(key)) errors.push(invalid(field, key, message));
    if (typeof value !== "string") {
      errors.push(invalid(`${field}[${key}]`, value, "must be a string"));
      continue;
    }
    for (const message of isValidLabelValue(value)) errors.push(invalid(field, value, message));
  }
  return errors;
}

/** ValidateAnnotations: keys are qualified names (lower-cased), total size at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const message of isQualifiedName(key.toLowerCase())) errors.push(invalid(field, key, message));
    size += key.length + String(value).length;
  }
  if (size > totalAnnotationSizeLimit) errors.push(tooLong(field, "", totalAnnotationSizeLimit));
  return errors;
}

/** Options of validateObjectMeta. */
export interface ObjectMetaOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
}

/**
 * The resource-specific part of ValidateObjectMeta: the name (or generateName prefix) checked with
 * the resource's name rule, and owner references. The registry's generic metadata validation
 * (registry/metadata.ts) already checks namespaces, labels, annotations, finalizers and that a
 * name is a valid path segment, so those are not repeated here.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, options: ObjectMetaOptions): FieldError[] {
  const errors: FieldError[] = [];
  const metadata = meta ?? {};
  if (metadata.generateName) {
    for (const message of options.nameValidator(metadata.generateName, true)) {
      errors.push(invalid("metadata.generateName", metadata.generateName, message));
    }
  }
  if (!metadata.name) {
    if (!metadata.generateName) errors.push(required("metadata.name", "name or generateName is required"));
  } else if (isValidPathSegment(metadata.name)) {
    for (const message of options.nameValidator(metadata.name, false)) {
      errors.push(invalid("metadata.name", metadata.name, message));
    }
  }
  (metadata.ownerReferences ?? []).forEach((reference, index) => {
    const path = `metadata.ownerReferences[${index}]`;
    if (!reference.apiVersion)
      errors.push(invalid(`${path}.apiVersion`, reference.apiVersion ?? "", "version must not be empty"));
    if (!reference.kind) errors.push(invalid(`${path}.kind`, reference.kind ?? "", "kind must not be empty"));
    if (!reference.name) errors.push(invalid(`${path}.name`, reference.name ?? "", "name must not be empty"));
    if (!reference.uid) errors.push(invalid(`${path}.uid`, reference.uid ?? "", "uid must not be empty"));
  });
  const controllers = (metadata.ownerReferences ?? []).filter((reference) => reference.controller === true);
  if (controllers.length > 1) {
    errors.push(
      invalid(
        "metadata.ownerReferences",
        metadata.ownerReferences,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers
          .map((reference) => `${reference.kind}/${reference.name}`)
          .join(" and ")}`,
      ),
    );
  }
  return errors;
}

/** Names the registry rejects as path segments (`.`, `..`, `/`, `%`) get its message, not a second one. */
function isValidPathSegment(name: string): boolean {
  return name !== "." && name !== ".." && !name.includes("/") && !name.includes("%");
}

/** A validate function for resources that only need their metadata checked. */
export function metaOnly(options: ObjectMetaOptions) {
  return (object: KubeObject) => validateObjectMeta(object.metadata, options);
}

// ---------------------------------------------------------------------------------------------
// Selectors, quantities, numbers

/** ValidateLabelSelector (metav1validation). */
export function validateLabelSelector(selector: LabelSelector | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!selector) return errors;
  errors.push(...validateLabels(selector.matchLabels, `${field}.matchLabels`));
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const path = `${field}.matchExpressions[${index}]`;
    switch (expression.operator) {
      case "In":
      case "NotIn":
        if (!expression.values || expression.values.length === 0) {
          errors.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        }
        break;
      case "Exists":
      case "DoesNotExist":
        if (expression.values && expression.values.length > 0) {
          errors.push(
            forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        }
        break;
      default:
        errors.push(invalid(`${path}.operator`, expression.operator, "not a valid selector operator"));
    }
    for (const message of isQualifiedName(expression.key ?? ""))
      errors.push(invalid(`${path}.key`, expression.key, message));
  });
  return errors;
}

/** True when the selector's requirements select `labels` (as labels.Selector.Matches). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (set[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(set, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case "In":
        if (!has || !values.includes(set[expression.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(set[expression.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when the selector has no requirements (selects everything). */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** Go's %#v of a map[string]string, as upstream prints template labels in messages. */
export function goStringMap(map: Record<string, string> | undefined): string {
  if (!map) return "map[string]string(nil)";
  const entries = Object.keys(map ?? {})
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(map?.[key])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** ValidateNonnegativeField. */
export function validateNonnegative(value: number | undefined, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "number" || value < 0) return [invalid(field, value, "must be greater than or equal to 0")];
  return [];
}

/** ValidateResourceQuantityValue / ValidateNonnegativeQuantity for one quantity. */
export function validateQuantity(value: unknown, field: string, nonNegative = true): FieldError[] {
  if (typeof value !== "string" && typeof value !== "number") return [invalid(field, value, quantityErrorMessage)];
  if (!isQuantity(value)) return [invalid(field, value, quantityErrorMessage)];
  if (nonNegative && parseQuantity(value).nanos < 0n)
    return [invalid(field, String(value), "must be greater than or equal to 0")];
  return [];
}

/** Validates a name with a NameValidator at `field`. */
export function validateName(name: string | undefined, field: string, validator: NameValidator): FieldError[] {
  if (!name) return [required(field)];
  return validator(name, false).map((message) => invalid(field, name, message));
}

/** Structural equality of JSON values (objects compared by keys, ignoring key order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  const left = Object.entries(a as Record<string, unknown>).filter(([, value]) => value !== undefined);
  const right = Object.entries(b as Record<string, unknown>).filter(([, value]) => value !== undefined);
  if (left.length !== right.length) return false;
  return left.every(([key, value]) => jsonEqual(value, (b as Record<string, unknown>)[key]));
}

/** `field is immutable` when `value` differs from `old`. */
export function validateImmutable(value: unknown, old: unknown, field: string): FieldError[] {
  return jsonEqual(value, old) ? [] : [invalid(field, value, "field is immutable")];
}

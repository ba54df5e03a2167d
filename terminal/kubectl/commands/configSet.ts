import { randomBytes } from "node:crypto";
import { KubectlError } from "../errors";
import type { KubeconfigData, Stanza } from "../kubeconfigAccess";

/**
 * `kubectl config set` / `unset`: a dotted property path walked over clientcmdapi.Config as
 * kubectl's navigation_step_parser.go and set.go walk it with reflection — over the *internal*
 * types, so their json tags (`act-as`, not `as`) are the names, map keys may hold dots, and the
 * errors name Go types (`unable to parse x after [] at api.Config`).
 */

/** A Go type as far as the walk needs it: its printed name, its kind and, for structs and maps, what is inside. */
type GoType =
  | { kind: "struct"; name: string; fields: [string, GoType][] }
  | { kind: "map"; name: string; element: GoType }
  | { kind: "string" | "bool" | "bytes" | "slice" | "ptr" | "interface"; name: string };

const scalar = (kind: "string" | "bool" | "bytes" | "slice" | "ptr" | "interface", name: string): GoType => ({
  kind,
  name,
});
const text = scalar("string", "string");
const flag = scalar("bool", "bool");
const bytes = scalar("bytes", "[]uint8");
const extensions: GoType = {
  kind: "map",
  name: "map[string]runtime.Object",
  element: scalar("interface", "runtime.Object"),
};
const origin: [string, GoType] = ["-", text];

const cluster: GoType = {
  kind: "struct",
  name: "api.Cluster",
  fields: [
    origin,
    ["server", text],
    ["tls-server-name", text],
    ["insecure-skip-tls-verify", flag],
    ["certificate-authority", text],
    ["certificate-authority-data", bytes],
    ["proxy-url", text],
    ["disable-compression", flag],
    ["extensions", extensions],
  ],
};
const authInfo: GoType = {
  kind: "struct",
  name: "api.AuthInfo",
  fields: [
    origin,
    ["client-certificate", text],
    ["client-certificate-data", bytes],
    ["client-key", text],
    ["client-key-data", bytes],
    ["token", text],
    ["tokenFile", text],
    ["act-as", text],
    ["act-as-uid", text],
    ["act-as-groups", scalar("slice", "[]string")],
    ["act-as-user-extra", { kind: "map", name: "map[string][]string", element: scalar("slice", "[]string") }],
    ["username", text],
    ["password", text],
    ["auth-provider", scalar("ptr", "*api.AuthProviderConfig")],
    ["exec", scalar("ptr", "*api.ExecConfig")],
    ["extensions", extensions],
  ],
};
const context: GoType = {
  kind: "struct",
  name: "api.Context",
  fields: [origin, ["cluster", text], ["user", text], ["namespace", text], ["extensions", extensions]],
};
const preferences: GoType = {
  kind: "struct",
  name: "api.Preferences",
  fields: [
    ["colors", flag],
    ["extensions", extensions],
  ],
};
const configType: GoType = {
  kind: "struct",
  name: "api.Config",
  fields: [
    ["kind", text],
    ["apiVersion", text],
    ["preferences", preferences],
    ["clusters", { kind: "map", name: "map[string]*api.Cluster", element: cluster }],
    ["users", { kind: "map", name: "map[string]*api.AuthInfo", element: authInfo }],
    ["contexts", { kind: "map", name: "map[string]*api.Context", element: context }],
    ["current-context", text],
    ["extensions", extensions],
  ],
};

/** The kubeconfig (v1) name of an internal field where the two differ. */
const v1Name: Record<string, string> = {
  "act-as": "as",
  "act-as-uid": "as-uid",
  "act-as-groups": "as-groups",
  "act-as-user-extra": "as-user-extra",
};

interface Step {
  value: string;
  type: GoType;
}

function fieldsOf(type: GoType): Map<string, GoType> {
  if (type.kind !== "struct") throw new KubectlError(`error: ${type.name} is not of type struct`);
  return new Map(type.fields);
}

/**
 * The steps as fmt's `%v` prints them: a step's reflect.Type inside a struct comes out as the
 * address of its type descriptor (`[{preferences 0x203acc0}]`), fixed for a given kubectl binary.
 */
function formatSteps(steps: Step[]): string {
  return `[${steps.map((step) => `{${step.value} 0x${typeAddress(step.type.name)}}`).join(" ")}]`;
}

/** A stand-in for a type descriptor's address (kubectl 1.32.4's for api.Preferences). */
function typeAddress(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) & 0xffff;
  return name === "api.Preferences" ? "203acc0" : (0x2030000 + (hash << 4)).toString(16);
}

/** newNavigationSteps: the path split into field names and map keys (a key runs to the next known field). */
export function navigationSteps(path: string): Step[] {
  const steps: Step[] = [];
  const parts = path.split(".");
  let type = configType;
  let index = 0;
  while (index < parts.length) {
    if (type.kind === "map") {
      if (type.element.kind === "interface") throw new GoPanic(`reflect: Elem of invalid type ${type.element.name}`);
      const known = fieldsOf(type.element);
      const rest = parts.slice(index);
      const next = rest.slice(1).findIndex((part) => known.has(part));
      const key = rest.slice(0, next < 0 ? rest.length : next + 1).join(".");
      steps.push({ value: key, type: type.element });
      index += key.split(".").length;
      type = type.element;
    } else if (type.kind === "struct") {
      const part = parts[index] as string;
      const field = fieldsOf(type).get(part);
      if (!field) throw new KubectlError(`error: unable to parse ${path} after ${formatSteps(steps)} at ${type.name}`);
      steps.push({ value: part, type: field });
      index += 1;
      type = field;
    } else {
      throw new KubectlError(`error: unable to parse one or more field values of ${path}`);
    }
  }
  return steps;
}

/** A Go runtime panic: kubectl dies with it (exit 2). */
class GoPanic extends KubectlError {
  constructor(message: string) {
    super(`panic: ${message}\n\ngoroutine 1 [running]:`, 2);
  }
}

/** strconv.ParseBool, with kubectl's toBool treating "" as false. */
function toBool(value: string): boolean {
  if (value === "") return false;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new KubectlError(`error: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

/** base64.StdEncoding.DecodeString, strict as Go's (padding required), with its error offset. */
function decodeStdBase64(value: string): Buffer {
  const bad = value.search(/[^A-Za-z0-9+/=]/);
  const padding = value.indexOf("=");
  let at = bad;
  if (at < 0 && padding >= 0 && !/^[^=]*={0,2}$/.test(value)) at = padding;
  if (at < 0 && value.length % 4 !== 0) at = value.length - (value.length % 4);
  if (at >= 0) throw new KubectlError(`error: error decoding input value: illegal base64 data at input byte ${at}`);
  return Buffer.from(value, "base64");
}

/** fmt's `%v` of a map of pointers: `map[a:0xc000123400 b:0xc000123480]`. */
function formatPointerMap(keys: string[]): string {
  const base = 0xc000000000 + (randomBytes(3).readUIntBE(0, 3) << 4);
  return `map[${[...keys]
    .sort()
    .map((key, index) => `${key}:0x${(base + index * 0x80).toString(16)}`)
    .join(" ")}]`;
}

/** The map-valued parts of the config, by the internal field name. */
function stanzaMap(config: KubeconfigData, field: string): Map<string, Stanza> | undefined {
  if (field === "clusters" || field === "users" || field === "contexts") return config[field];
  return undefined;
}

/**
 * modifyConfig: walks `steps` over `config`, setting `value` at the end (or unsetting it). The
 * stanzas are changed in place; a stanza created on the way has no origin yet (the default file).
 */
export function modifyConfig(
  config: KubeconfigData,
  steps: Step[],
  value: string,
  options: { unset: boolean; rawBytes: boolean },
): void {
  const [first, ...rest] = steps;
  if (!first) return;
  const last = rest.length === 0;
  if (first.value === "current-context") {
    config.currentContext = options.unset ? "" : value;
    return;
  }
  if (first.value === "kind" || first.value === "apiVersion") return;
  if (first.value === "preferences") {
    if (last && options.unset) config.preferences = {};
    else if (last) throw new GoPanic("unrecognized type: {false map[]}");
    else modifyFields(config.preferences, preferences, rest, value, options);
    return;
  }
  if (first.value === "extensions") {
    if (last && options.unset) delete config.extensions;
    else throw new KubectlError("error: can't set a map to a value: map[]");
    return;
  }
  const map = stanzaMap(config, first.value) as Map<string, Stanza>;
  if (last && options.unset) {
    map.clear();
    return;
  }
  const [key, ...inner] = rest;
  if (!key) throw new KubectlError(`error: can't set a map to a value: ${formatPointerMap([...map.keys()])}`);
  if (inner.length === 0 && options.unset) {
    map.delete(key.value);
    return;
  }
  if (inner.length === 0)
    throw new KubectlError(`error: can't set a map to a value: ${formatPointerMap([...map.keys()])}`);
  let stanza = map.get(key.value);
  if (!stanza) {
    if (options.unset) throw new KubectlError(`error: current map key \`${key.value}\` is invalid`);
    stanza = { value: {}, origin: "" };
    map.set(key.value, stanza);
  }
  modifyFields(stanza.value, key.type, inner, value, options);
}

/** The struct case of modifyConfig on a stanza's (v1-named) fields. */
function modifyFields(
  body: Record<string, unknown>,
  type: GoType,
  steps: Step[],
  value: string,
  options: { unset: boolean; rawBytes: boolean },
): void {
  const [step, ...rest] = steps as [Step, ...Step[]];
  const name = v1Name[step.value] ?? step.value;
  const fieldType = fieldsOf(type).get(step.value) as GoType;
  if (fieldType.kind === "map") {
    // Only extensions and act-as-user-extra are maps inside a stanza; neither takes a value here.
    if (rest.length === 0 && options.unset) {
      delete body[name];
      return;
    }
    if (rest.length === 0) throw new KubectlError(`error: can't set a map to a value: map[]`);
    throw new GoPanic(`reflect: Elem of invalid type ${fieldType.element.name}`);
  }
  if (fieldType.kind === "slice") throw new KubectlError(`error: unrecognized slice type. string`);
  if (options.unset) {
    delete body[name];
    return;
  }
  switch (fieldType.kind) {
    case "string":
      if (value === "") delete body[name];
      else body[name] = value;
      return;
    case "bool":
      if (toBool(value)) body[name] = true;
      else delete body[name];
      return;
    case "bytes": {
      const data = options.rawBytes ? Buffer.from(value, "utf8") : decodeStdBase64(value);
      if (data.length > 0) body[name] = data.toString("base64");
      else delete body[name];
      return;
    }
    default:
      throw new GoPanic(`unrecognized type: <nil>`);
  }
}

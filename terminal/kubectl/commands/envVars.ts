import { parseQuantity, quantityToInteger, quantityToMilli } from "../../../engine/api/quantity";
import { KubectlError } from "../errors";
import { goQuote } from "../printers/goFmt";
import type { RestClient } from "../RestClient";
import type { KubeObject } from "./common";

// biome-ignore lint/suspicious/noExplicitAny: a container's env entries are untyped JSON
type Any = any;

/** A container's environment variable as the API holds it. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Any;
}

/** envutil.IsEnvironmentArgument: `anything=anything`, with at least one character before the `=`. */
function isEnvironmentArgument(arg: string): boolean {
  return /^[\s\S]+=[\s\S]*$/.test(arg);
}

/**
 * envutil.SplitEnvironmentFromResources: resources first, then `KEY=VALUE` and `KEY-` arguments;
 * undefined when a resource follows an environment argument.
 */
export function splitEnvironmentFromResources(args: string[]): { resources: string[]; envArgs: string[] } | undefined {
  const resources: string[] = [];
  const envArgs: string[] = [];
  for (const arg of args) {
    const isEnv = isEnvironmentArgument(arg) || arg.endsWith("-");
    if (isEnv) envArgs.push(arg);
    else if (envArgs.length === 0) resources.push(arg);
    else return undefined;
  }
  return { resources, envArgs };
}

/** validation.IsEnvVarName's messages (the client-side rule kubectl 1.32 checks `KEY=VALUE` with). */
function envVarNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name))
    errors.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  if (name === ".") errors.push("must not be '.'");
  else if (name === "..") errors.push("must not be '..'");
  else if (name.startsWith("..")) errors.push("must not start with '..'");
  return errors;
}

/**
 * envutil.ParseEnv: `KEY=VALUE` to set, `KEY-` to remove, `-` for `KEY=VALUE` lines on standard
 * input (after a `#` a line is a comment; names from there are not checked).
 */
export async function parseEnv(
  specs: string[],
  readStdin: () => Promise<string>,
): Promise<{ env: EnvVar[]; remove: string[] }> {
  const env: EnvVar[] = [];
  const remove: string[] = [];
  const set = new Set<string>();
  for (const spec of specs) {
    if (spec === "-") {
      for (let line of (await readStdin()).split("\n")) {
        const comment = line.indexOf("#");
        if (comment >= 0) line = line.slice(0, comment);
        const equals = line.indexOf("=");
        if (equals >= 0) env.push({ name: line.slice(0, equals), value: line.slice(equals + 1) });
      }
    } else if (spec.includes("=")) {
      const equals = spec.indexOf("=");
      const name = spec.slice(0, equals);
      const errors = envVarNameErrors(name);
      if (errors.length > 0)
        throw new KubectlError(`error: ${goQuote(name)} is not a valid key name: ${errors.join(";")}`);
      set.add(name);
      env.push({ name, value: spec.slice(equals + 1) });
    } else if (spec.endsWith("-")) remove.push(spec.slice(0, -1));
    else throw new KubectlError(`error: unknown environment variable: ${spec}`);
  }
  if (remove.some((name) => set.has(name)))
    throw new KubectlError("error: can not both modify and remove the same environment variable in the same command");
  return { env, remove };
}

/** keyToEnvName: a ConfigMap's or Secret's key as a variable name (upper case, other characters `_`). */
export function keyToEnvName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, "_").toUpperCase();
}

/**
 * The variables `--from=configmap/NAME` or `--from=secret/NAME` brings: one reference per key of its
 * data (only the --keys ones when given). kubectl ranges over a Go map, so their order is random
 * there; here it is the object's. A key that is not a variable name already is reported.
 */
export function envFromSource(source: KubeObject, keys: string[], warn: (text: string) => void): EnvVar[] {
  const refField = source.kind === "Secret" ? "secretKeyRef" : "configMapKeyRef";
  const data = ((source as Any).data ?? {}) as Record<string, string>;
  const env: EnvVar[] = [];
  for (const key of Object.keys(data)) {
    if (keys.length > 0 && !keys.includes(key)) continue;
    const name = keyToEnvName(key);
    if (name !== key) warn(`Warning: key ${key} transferred to ${name}\n`);
    env.push({ name, valueFrom: { [refField]: { key, name: source.metadata?.name } } });
  }
  return env;
}

/**
 * set env's updateEnv: a variable being set replaces every existing one of its name (where the first
 * of them was), new ones are appended, removals win; unrelated duplicates stay.
 */
export function updateEnv(existing: EnvVar[], env: EnvVar[], remove: string[]): EnvVar[] {
  const out: EnvVar[] = [];
  const covered = new Set(remove);
  for (const entry of existing) {
    if (covered.has(entry.name)) continue;
    const newer = env.find((candidate) => candidate.name === entry.name);
    if (newer) {
      covered.add(entry.name);
      out.push(newer);
    } else out.push(entry);
  }
  for (const entry of env) {
    if (covered.has(entry.name)) continue;
    covered.add(entry.name);
    out.push(entry);
  }
  return out;
}

/** validateNoOverwrites, for --overwrite=false. */
export function overwriteError(existing: EnvVar[], env: EnvVar[]): string | undefined {
  for (const entry of env) {
    const current = existing.find((candidate) => candidate.name === entry.name);
    if (current && (current.value ?? "") !== (entry.value ?? ""))
      return `'${current.name}' already has a value (${current.value ?? ""}), and --overwrite is false`;
  }
  return undefined;
}

/** envutil.GetEnvVarRefString: how `--list` shows a reference it does not resolve. */
export function envVarRefString(from: Any): string {
  if (from?.configMapKeyRef)
    return `configmap ${from.configMapKeyRef.name ?? ""}, key ${from.configMapKeyRef.key ?? ""}`;
  if (from?.secretKeyRef) return `secret ${from.secretKeyRef.name ?? ""}, key ${from.secretKeyRef.key ?? ""}`;
  if (from?.fieldRef) return `field path ${from.fieldRef.fieldPath ?? ""}`;
  if (from?.resourceFieldRef) {
    const container = from.resourceFieldRef.containerName ? `${from.resourceFieldRef.containerName}/` : "";
    return `resource field ${container}${from.resourceFieldRef.resource ?? ""}`;
  }
  return "invalid valueFrom";
}

/**
 * What `--list --resolve` looks references up in: envutil.GetEnvVarRefValue over one ResourceStore
 * per container (each ConfigMap and Secret fetched once), in the command's namespace.
 */
export class EnvRefResolver {
  private readonly fetched = new Map<string, Promise<KubeObject>>();

  constructor(
    private readonly client: RestClient,
    private readonly namespace: string,
  ) {}

  async value(from: Any, object: KubeObject, container: Any): Promise<string> {
    if (from?.secretKeyRef) {
      const { name, key } = from.secretKeyRef;
      const secret = await this.get("secrets", name);
      const data = (secret as Any).data ?? {};
      if (key in data) return Buffer.from(String(data[key]), "base64").toString("utf8");
      throw new Error(`key ${key} not found in secret ${name}`);
    }
    if (from?.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const configMap = await this.get("configmaps", name);
      const data = (configMap as Any).data ?? {};
      if (key in data) return String(data[key]);
      throw new Error(`key ${key} not found in config map ${name}`);
    }
    if (from?.fieldRef) return fieldPathValue(object, String(from.fieldRef.fieldPath ?? ""));
    if (from?.resourceFieldRef) return containerResourceValue(from.resourceFieldRef, container);
    throw new Error("invalid valueFrom");
  }

  private get(resource: string, name: string): Promise<KubeObject> {
    const path = `/api/v1/namespaces/${this.namespace}/${resource}/${name}`;
    let pending = this.fetched.get(path);
    if (!pending) {
      pending = this.client.get<KubeObject>(path);
      // A failed read is not kept: the store holds only what was found.
      pending.catch(() => this.fetched.delete(path));
      this.fetched.set(path, pending);
    }
    return pending;
  }
}

/** extractFieldPathAsString over the listed object (the Deployment, not a pod). */
function fieldPathValue(object: KubeObject, fieldPath: string): string {
  const metadata = (object.metadata ?? {}) as Any;
  const subscripted = /^(.+?)\['(.*)'\]$/s.exec(fieldPath);
  if (subscripted) {
    const [, path, key] = subscripted as unknown as [string, string, string];
    if (path === "metadata.annotations") return metadata.annotations?.[key] ?? "";
    if (path === "metadata.labels") return metadata.labels?.[key] ?? "";
    throw new Error(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
  }
  const formatMap = (map: Record<string, string> | undefined) =>
    Object.keys(map ?? {})
      .sort()
      .map((key) => `${key}=${goQuote(String(map?.[key]))}`)
      .join("\n");
  switch (fieldPath) {
    case "metadata.annotations":
      return formatMap(metadata.annotations);
    case "metadata.labels":
      return formatMap(metadata.labels);
    case "metadata.name":
      return metadata.name ?? "";
    case "metadata.namespace":
      return metadata.namespace ?? "";
    case "metadata.uid":
      return metadata.uid ?? "";
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** extractContainerResourceValue: the container's request or limit over the divisor, rounded up. */
function containerResourceValue(selector: Any, container: Any): string {
  const divisorText = selector.divisor;
  const divisor = divisorText === undefined || parseQuantity(divisorText).nanos === 0n ? "1" : divisorText;
  const resource = String(selector.resource ?? "");
  const [kind, name] = [resource.slice(0, resource.indexOf(".")), resource.slice(resource.indexOf(".") + 1)];
  const list =
    kind === "limits" ? container?.resources?.limits : kind === "requests" ? container?.resources?.requests : undefined;
  const known = ["cpu", "memory", "ephemeral-storage"].includes(name) || name.startsWith("hugepages-");
  if (list === undefined && !(kind === "limits" || kind === "requests")) throw unsupported(resource);
  if (!known) throw unsupported(resource);
  const quantity = list?.[name] ?? "0";
  if (name === "cpu") return String(Math.ceil(quantityToMilli(quantity) / quantityToMilli(divisor)));
  return String(Math.ceil(quantityToInteger(quantity) / quantityToInteger(divisor)));
}

function unsupported(resource: string): Error {
  return new Error(`Unsupported container resource : ${resource}`);
}

/**
 * `set env --list` for one container: plain values as KEY=value, references as `# KEY from …`
 * (resolved with --resolve where they can be); the resolution errors, grouped by message and
 * sorted, for standard error.
 */
export async function listContainerEnv(
  kind: string,
  object: KubeObject,
  container: Any,
  resolver: EnvRefResolver | undefined,
): Promise<{ text: string; errors: string[] }> {
  let text = `# ${kind} ${object.metadata?.name ?? ""}, container ${container.name}\n`;
  const failed = new Map<string, string[]>();
  for (const env of (container.env ?? []) as EnvVar[]) {
    if (!env.valueFrom) {
      text += `${env.name}=${env.value ?? ""}\n`;
      continue;
    }
    if (resolver) {
      try {
        text += `${env.name}=${await resolver.value(env.valueFrom, object, container)}\n`;
        continue;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failed.set(message, [...(failed.get(message) ?? []), env.name]);
      }
    }
    text += `# ${env.name} from ${envVarRefString(env.valueFrom)}\n`;
  }
  const errors = [...failed].map(
    ([message, names]) => `error retrieving reference for ${[...names].sort().join(", ")}: ${message}`,
  );
  return { text, errors: errors.sort() };
}

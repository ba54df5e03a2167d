import type { KustomizeFiles } from "./files";
import type { JsonMap, Resource } from "./Resource";

/** A configMapGenerator or secretGenerator entry (types.GeneratorArgs). */
export interface GeneratorArgs {
  name?: string;
  namespace?: string;
  behavior?: string;
  literals?: string[];
  files?: string[];
  envs?: string[];
  env?: string;
  type?: string;
  options?: GeneratorOptions;
}

/** types.GeneratorOptions. */
export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

/** The file access a generator needs: reading relative to the kustomization's folder. */
export interface GeneratorLoader {
  files: KustomizeFiles;
  /** Resolves a path under the kustomization root, or throws kustomize's security error. */
  resolve(path: string): string;
}

/** kv.go removeQuotes: one pair of matching outer quotes is dropped from a literal's value. */
function removeQuotes(text: string): string {
  if (text.length < 2 || text[0] !== text[text.length - 1]) return text;
  return text[0] === '"' || text[0] === "'" ? text.slice(1, -1) : text;
}

function parseLiteral(source: string): [string, string] {
  const equals = source.indexOf("=");
  if (equals <= 0) throw new Error(`invalid literal source ${source}, expected key=value`);
  return [source.slice(0, equals), removeQuotes(source.slice(equals + 1))];
}

const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** kv.go KeyValuesFromLines: `KEY=value` lines, blank lines and `#` comments skipped, values kept verbatim. */
export function parseEnvFile(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "").replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    const key = equals < 0 ? line : line.slice(0, equals);
    if (!envVarName.test(key)) {
      throw new Error(
        `${JSON.stringify(key)} is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
      );
    }
    pairs.push([key, equals < 0 ? "" : line.slice(equals + 1)]);
  }
  return pairs;
}

/** The key/value pairs of a generator, in kustomize's order: literals, then files, then env files. */
async function pairsOf(args: GeneratorArgs, loader: GeneratorLoader): Promise<[string, string][]> {
  const pairs: [string, string][] = [];
  for (const literal of args.literals ?? []) pairs.push(parseLiteral(literal));
  for (const source of args.files ?? []) {
    const equals = source.indexOf("=");
    const key = equals < 0 ? source.slice(source.lastIndexOf("/") + 1) : source.slice(0, equals);
    const path = equals < 0 ? source : source.slice(equals + 1);
    if (equals === 0 || (equals > 0 && path === "")) {
      throw new Error(`key or file path is missing from source ${source}`);
    }
    pairs.push([key, await loader.files.readFile(loader.resolve(path))]);
  }
  const envs = [...(args.envs ?? []), ...(args.env ? [args.env] : [])];
  for (const env of envs) pairs.push(...parseEnvFile(await loader.files.readFile(loader.resolve(env))));
  return pairs;
}

/** Global generatorOptions merged into a generator's own (the generator's labels win). */
export function mergeOptions(
  global: GeneratorOptions | undefined,
  local: GeneratorOptions | undefined,
): GeneratorOptions {
  return {
    labels: { ...global?.labels, ...local?.labels },
    annotations: { ...global?.annotations, ...local?.annotations },
    disableNameSuffixHash: Boolean(global?.disableNameSuffixHash || local?.disableNameSuffixHash),
    immutable: Boolean(global?.immutable || local?.immutable),
  };
}

/** Builds one ConfigMap or Secret as kustomize's generators do. */
export async function generate(
  kind: "ConfigMap" | "Secret",
  args: GeneratorArgs,
  global: GeneratorOptions | undefined,
  loader: GeneratorLoader,
): Promise<Resource> {
  const options = mergeOptions(global, args.options);
  const metadata: JsonMap = { name: args.name ?? "" };
  if (args.namespace) metadata.namespace = args.namespace;
  if (Object.keys(options.labels ?? {}).length > 0) metadata.labels = options.labels;
  if (Object.keys(options.annotations ?? {}).length > 0) metadata.annotations = options.annotations;
  const object: JsonMap = { apiVersion: "v1", kind, metadata };
  const data: Record<string, string> = {};
  for (const [key, value] of await pairsOf(args, loader)) {
    if (key in data) {
      throw new Error(`${kind.toLowerCase()} ${args.name ?? ""} illegally repeats the key \`${key}\``);
    }
    data[key] = kind === "Secret" ? Buffer.from(value).toString("base64") : value;
  }
  if (Object.keys(data).length > 0) object.data = data;
  if (kind === "Secret") object.type = args.type || "Opaque";
  if (options.immutable) object.immutable = true;
  return {
    object,
    previous: [],
    prefixes: [],
    suffixes: [],
    hashName: !options.disableNameSuffixHash,
    behavior: args.behavior || "create",
  };
}

import { parse } from "yaml";
import { KubectlError } from "./errors";
import type { KubectlIO } from "./KubectlIO";
import { toGoYaml } from "./printers/goYaml";

/**
 * How `kubectl config` reads and writes kubeconfig files, as client-go's clientcmd does it
 * (tools/clientcmd: PathOptions, ClientConfigLoadingRules.Load, ModifyConfig, WriteToFile).
 *
 * Files are merged in loading order (--kubeconfig alone; else every $KUBECONFIG path; else
 * ~/.kube/config), the first file naming a cluster, user or context winning. A change is written
 * into the file its stanza came from, a new stanza into the default file, and each written file is
 * re-encoded as clientcmd encodes it: unknown fields dropped, entries sorted by name, keys sorted.
 */

/** One named cluster, user or context, in its kubeconfig (v1) field names, and the file it came from. */
export interface Stanza {
  value: Record<string, unknown>;
  /** clientcmdapi's LocationOfOrigin: the file it was read from ("" for a new one). */
  origin: string;
}

/** clientcmdapi.Config: the merged (or one file's) configuration. */
export interface KubeconfigData {
  preferences: Record<string, unknown>;
  clusters: Map<string, Stanza>;
  users: Map<string, Stanza>;
  contexts: Map<string, Stanza>;
  currentContext: string;
  extensions?: unknown;
}

export type StanzaKind = "clusters" | "users" | "contexts";

/** The v1 fields each stanza keeps (clientcmd/api/v1/types.go); `always` ones are written even when empty. */
export const fieldsOf: Record<StanzaKind | "preferences", { keys: string[]; always: string[] }> = {
  clusters: {
    keys: [
      "server",
      "tls-server-name",
      "insecure-skip-tls-verify",
      "certificate-authority",
      "certificate-authority-data",
      "proxy-url",
      "disable-compression",
      "extensions",
    ],
    always: ["server"],
  },
  users: {
    keys: [
      "client-certificate",
      "client-certificate-data",
      "client-key",
      "client-key-data",
      "token",
      "tokenFile",
      "as",
      "as-uid",
      "as-groups",
      "as-user-extra",
      "username",
      "password",
      "auth-provider",
      "exec",
      "extensions",
    ],
    always: [],
  },
  contexts: { keys: ["cluster", "user", "namespace", "extensions"], always: ["cluster", "user"] },
  preferences: { keys: ["colors", "extensions"], always: [] },
};

/** The object key holding a stanza's body in a v1 named entry. */
const bodyKey: Record<StanzaKind, string> = { clusters: "cluster", users: "user", contexts: "context" };

/** Go's omitempty: the zero value of a field's type. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return false;
}

/** An exec plugin's config as ExecConfig decodes it (v1 defaults an older apiVersion's interactiveMode). */
function normalizedExec(exec: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of ["command", "args", "env", "apiVersion", "installHint", "provideClusterInfo", "interactiveMode"])
    if (!isEmpty(exec[key])) result[key] = exec[key];
  if (Array.isArray(result.env))
    result.env = (result.env as { name?: string; value?: string }[]).map((entry) => ({
      name: entry.name ?? "",
      value: entry.value ?? "",
    }));
  const apiVersion = result.apiVersion;
  if (
    !result.interactiveMode &&
    (apiVersion === "client.authentication.k8s.io/v1beta1" || apiVersion === "client.authentication.k8s.io/v1alpha1")
  )
    result.interactiveMode = "IfAvailable";
  return result;
}

/** A stanza's body with only the fields clientcmd knows, empty ones left out (as decoding drops them). */
export function normalizedBody(kind: StanzaKind | "preferences", body: unknown): Record<string, unknown> {
  const source = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of fieldsOf[kind].keys) {
    const value = source[key];
    if (isEmpty(value)) continue;
    if (key === "exec") result[key] = normalizedExec(value as Record<string, unknown>);
    else if (key === "auth-provider") {
      const provider = value as { name?: string; config?: Record<string, string> };
      result[key] = { name: provider.name ?? "", ...(isEmpty(provider.config) ? {} : { config: provider.config }) };
    } else if (key.endsWith("-data")) result[key] = Buffer.from(String(value), "base64").toString("base64");
    else result[key] = value;
  }
  return result;
}

/** clientcmdapi.NewConfig(). */
export function emptyKubeconfig(): KubeconfigData {
  return { preferences: {}, clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: "" };
}

/** clientcmd.Load + LoadFromFile: one file's text decoded, each stanza marked with `origin`. */
export function decodeKubeconfig(text: string, origin: string): KubeconfigData {
  let raw: Record<string, unknown>;
  try {
    raw = ((text.trim() ? parse(text) : {}) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new KubectlError(`error: error loading config file "${origin}": ${(error as Error).message.split("\n")[0]}`);
  }
  const config = emptyKubeconfig();
  config.preferences = normalizedBody("preferences", raw.preferences);
  config.currentContext = typeof raw["current-context"] === "string" ? raw["current-context"] : "";
  if (!isEmpty(raw.extensions)) config.extensions = raw.extensions;
  for (const kind of ["clusters", "users", "contexts"] as const) {
    const entries = Array.isArray(raw[kind]) ? (raw[kind] as Record<string, unknown>[]) : [];
    for (const entry of entries) {
      const name = String(entry?.name ?? "");
      if (config[kind].has(name)) continue;
      config[kind].set(name, { value: normalizedBody(kind, entry?.[bodyKey[kind]]), origin });
    }
  }
  return config;
}

/** Keys sorted at every level, as sigs.k8s.io/yaml writes the JSON of a Go struct. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** A stanza's v1 body as clientcmd encodes it: its fields, the ones without omitempty even when empty. */
function encodedBody(kind: StanzaKind | "preferences", body: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of fieldsOf[kind].always) result[key] = body[key] ?? "";
  for (const [key, value] of Object.entries(body)) {
    if (key === "exec") {
      // ExecConfig's command, args, env and provideClusterInfo have no omitempty.
      const exec = value as Record<string, unknown>;
      result[key] = {
        ...exec,
        command: exec.command ?? "",
        args: exec.args ?? null,
        env: exec.env ?? null,
        provideClusterInfo: exec.provideClusterInfo ?? false,
      };
    } else result[key] = value;
  }
  return result;
}

/** A view of the configuration as clientcmd's v1 Config (lists sorted by name), for printing and writing. */
export function toV1(config: KubeconfigData): Record<string, unknown> {
  const named = (kind: StanzaKind) =>
    config[kind].size === 0
      ? null
      : [...config[kind].keys()].sort().map((name) => ({
          name,
          [bodyKey[kind]]: encodedBody(kind, (config[kind].get(name) as Stanza).value),
        }));
  return {
    kind: "Config",
    apiVersion: "v1",
    preferences: encodedBody("preferences", config.preferences),
    clusters: named("clusters"),
    users: named("users"),
    contexts: named("contexts"),
    "current-context": config.currentContext,
    ...(config.extensions === undefined ? {} : { extensions: config.extensions }),
  };
}

/** clientcmd.Write: the file's text. */
export function encodeKubeconfig(config: KubeconfigData): string {
  return toGoYaml(sortedKeys(toV1(config)));
}

/** Structural equality of two JSON-like values (reflect.DeepEqual on what clientcmd decodes). */
function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortedKeys(a)) === JSON.stringify(sortedKeys(b));
}

/** Go's filepath.Clean for slash-separated paths. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part === ".." && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/** Go's filepath.Rel for two absolute paths. */
function relativePath(base: string, target: string): string {
  const from = cleanPath(base).split("/").filter(Boolean);
  const to = cleanPath(target).split("/").filter(Boolean);
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  const up = from.slice(common).map(() => "..");
  return [...up, ...to.slice(common)].join("/") || ".";
}

/**
 * The paths kubectl config reads and writes (clientcmd.PathOptions with kubectl's --kubeconfig),
 * and client-go's ModifyConfig over them.
 */
export class KubeconfigAccess {
  constructor(
    private readonly io: KubectlIO,
    private readonly explicitFile: string,
  ) {}

  get isExplicit(): boolean {
    return this.explicitFile !== "";
  }

  /** filepath.Abs: `path` against the working directory. */
  absolute(path: string): string {
    if (path.startsWith("/")) return cleanPath(path);
    return cleanPath(`${this.io.cwd ?? this.io.env.PWD ?? "/"}/${path}`);
  }

  /** GetLoadingPrecedence: --kubeconfig, else $KUBECONFIG's paths (deduplicated), else ~/.kube/config. */
  precedence(): string[] {
    if (this.explicitFile) return [this.explicitFile];
    const fromEnv = [...new Set((this.io.env.KUBECONFIG ?? "").split(":").filter((path) => path !== ""))];
    if (fromEnv.length > 0) return fromEnv;
    return [this.globalFile()];
  }

  private globalFile(): string {
    return `${this.io.env.HOME ?? "/root"}/.kube/config`;
  }

  /** GetDefaultFilename: where new stanzas go (the first existing $KUBECONFIG file, else the last). */
  async defaultFilename(): Promise<string> {
    if (this.explicitFile) return this.explicitFile;
    const files = this.precedence();
    if (files.length === 1) return files[0] as string;
    for (const file of files) if ((await this.read(file)) !== undefined) return file;
    return files[files.length - 1] as string;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      return await this.io.readFile(file);
    } catch {
      return undefined;
    }
  }

  /** getConfigFromFile: a missing file reads as an empty config. */
  async loadFile(file: string): Promise<KubeconfigData> {
    const text = await this.read(file);
    return text === undefined ? emptyKubeconfig() : decodeKubeconfig(text, file);
  }

  /** GetStartingConfig: the files merged, the first to set a value winning. */
  async startingConfig(): Promise<KubeconfigData> {
    const merged = emptyKubeconfig();
    for (const file of this.precedence()) {
      const text = await this.read(file);
      if (text === undefined) continue;
      const config = decodeKubeconfig(text, file);
      merged.currentContext ||= config.currentContext;
      for (const [key, value] of Object.entries(config.preferences))
        if (merged.preferences[key] === undefined) merged.preferences[key] = value;
      merged.extensions ??= config.extensions;
      for (const kind of ["clusters", "users", "contexts"] as const)
        for (const [name, stanza] of config[kind]) if (!merged[kind].has(name)) merged[kind].set(name, stanza);
    }
    return merged;
  }

  /** The file a stanza (or a new one) belongs to. */
  private async destination(stanza: Stanza | undefined): Promise<string> {
    return stanza?.origin || (await this.defaultFilename());
  }

  /** WriteToFile. */
  async writeFile(file: string, config: KubeconfigData): Promise<void> {
    await this.io.writeFile(file, encodeKubeconfig(config));
  }

  /**
   * RelativizeClusterLocalPaths / RelativizeAuthInfoLocalPaths: absolute paths under the
   * kubeconfig's folder become relative to it; ones that would need `..` stay absolute.
   */
  private relativize(kind: StanzaKind, body: Record<string, unknown>, file: string): void {
    const base = this.absolute(file.slice(0, file.lastIndexOf("/") + 1) || ".");
    const relative = (path: string): string => {
      if (!path.startsWith("/")) return cleanPath(path);
      const rel = relativePath(base, path);
      return rel.startsWith("../") ? path : rel;
    };
    const keys =
      kind === "clusters"
        ? ["certificate-authority"]
        : kind === "users"
          ? ["client-certificate", "client-key", "tokenFile"]
          : [];
    for (const key of keys)
      if (typeof body[key] === "string" && body[key] !== "") body[key] = relative(body[key] as string);
    const exec = body.exec as { command?: string } | undefined;
    if (kind === "users" && exec?.command?.includes("/")) exec.command = relative(exec.command);
  }

  /**
   * ModifyConfig: writes what differs between the starting configuration and `next` — the current
   * context and preferences into the default file, each changed or new stanza into its own file,
   * and removes deleted stanzas from theirs.
   */
  async modify(next: KubeconfigData, relativizePaths: boolean): Promise<void> {
    const starting = await this.startingConfig();
    if (starting.currentContext !== next.currentContext) await this.writeCurrentContext(next.currentContext);
    if (!deepEqual(starting.preferences, next.preferences)) await this.writePreferences(next.preferences);
    for (const kind of ["clusters", "contexts", "users"] as const) {
      for (const [name, stanza] of next[kind]) {
        const before = starting[kind].get(name);
        if (before && deepEqual(before.value, stanza.value) && before.origin === stanza.origin) continue;
        const file = await this.destination(stanza);
        const config = await this.loadFile(file);
        const value = structuredClone(stanza.value);
        if (relativizePaths && kind !== "contexts") this.relativize(kind, value, file);
        config[kind].set(name, { value, origin: file });
        await this.writeFile(file, config);
      }
    }
    for (const kind of ["clusters", "contexts", "users"] as const) {
      for (const [name, stanza] of starting[kind]) {
        if (next[kind].has(name)) continue;
        const file = await this.destination(stanza);
        const config = await this.loadFile(file);
        config[kind].delete(name);
        await this.writeFile(file, config);
      }
    }
  }

  private async writeCurrentContext(name: string): Promise<void> {
    if (this.explicitFile || name !== "") {
      const file = this.explicitFile || (await this.defaultFilename());
      const config = await this.loadFile(file);
      config.currentContext = name;
      await this.writeFile(file, config);
      return;
    }
    // Clearing it: the first file in the chain that sets it.
    for (const file of this.precedence()) {
      const text = await this.read(file);
      if (text === undefined) continue;
      const config = decodeKubeconfig(text, file);
      if (config.currentContext) {
        config.currentContext = "";
        await this.writeFile(file, config);
        return;
      }
    }
    throw new KubectlError("error: no config found to write context");
  }

  private async writePreferences(preferences: Record<string, unknown>): Promise<void> {
    for (const file of this.explicitFile ? [this.explicitFile] : this.precedence()) {
      const config = await this.loadFile(file);
      if (this.explicitFile || !deepEqual(config.preferences, preferences)) {
        config.preferences = preferences;
        await this.writeFile(file, config);
        return;
      }
    }
    throw new KubectlError("error: no config found to write preferences");
  }
}

import type { Command, CommandContext } from "../Command";
import { KubectlError, usageError } from "../errors";
import { fieldsOf, KubeconfigAccess, type Stanza, toV1 } from "../kubeconfigAccess";
import { parseOutputFormat, printObject } from "../printers/output";
import { formatTabbed } from "../printers/tabwriter";
import { rejectArguments } from "./common";
import { modifyAuthInfo, modifyCluster, parsePairs, validateCluster, validateCredentials } from "./configEntries";
import { modifyConfig, navigationSteps } from "./configSet";

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

interface RawConfig {
  apiVersion?: string;
  kind?: string;
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster?: string; user?: string; namespace?: string } }[];
  users?: { name: string; user: Record<string, unknown> }[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The kubeconfig files `kubectl config` reads and writes (--kubeconfig, $KUBECONFIG or ~/.kube/config). */
function configAccess(context: CommandContext): KubeconfigAccess {
  return new KubeconfigAccess(context.io, context.globals.string("kubeconfig"));
}

/** The merged configuration in clientcmd's v1 shape (what `config view` prints), and the first file's path. */
async function readConfig(context: CommandContext): Promise<{ path: string; config: RawConfig }> {
  const access = configAccess(context);
  const config = toV1(await access.startingConfig()) as RawConfig;
  return { path: access.precedence()[0] as string, config };
}

/** The file `delete-*` name in their messages: --kubeconfig, else the default file. */
async function reportedFile(access: KubeconfigAccess): Promise<string> {
  return access.defaultFilename();
}

/** cmd.Help() then the error, as set/set-cluster/set-credentials' complete() fail. */
async function helpThenError(context: CommandContext, message: string): Promise<never> {
  const texts = (await import("../help/helpTexts.json", { with: { type: "json" } })).default as Record<string, string>;
  throw new KubectlError(`error: ${message}`, 1, texts[context.commandPath.replace(/^kubectl /, "")] ?? "");
}

function redact(config: RawConfig): RawConfig {
  const copy = structuredClone(config);
  for (const cluster of copy.clusters ?? []) {
    if (cluster.cluster?.["certificate-authority-data"]) cluster.cluster["certificate-authority-data"] = "DATA+OMITTED";
  }
  for (const user of copy.users ?? []) {
    for (const key of ["client-certificate-data", "client-key-data"])
      if (user.user?.[key]) user.user[key] = "DATA+OMITTED";
    for (const key of ["token", "password"]) if (user.user?.[key]) user.user[key] = "REDACTED";
  }
  return copy;
}

/**
 * clientcmdapi.FlattenConfig: a cluster's certificate-authority and a user's client-certificate and
 * client-key files read into their -data fields (paths relative to the kubeconfig's folder).
 */
async function flatten(context: CommandContext, config: RawConfig, configPath: string): Promise<RawConfig> {
  const copy = structuredClone(config);
  const folder = configPath.slice(0, configPath.lastIndexOf("/") + 1) || "./";
  const inline = async (entry: Record<string, unknown> | undefined, fileKey: string) => {
    const file = entry?.[fileKey];
    if (!entry || typeof file !== "string" || file === "") return;
    const absolute = file.startsWith("/") ? file : `${folder}${file}`;
    let text: string;
    try {
      text = await context.io.readFile(absolute);
    } catch {
      throw new KubectlError(`error: open ${absolute}: no such file or directory`);
    }
    entry[`${fileKey}-data`] = Buffer.from(text, "utf8").toString("base64");
    delete entry[fileKey];
  };
  for (const cluster of copy.clusters ?? []) await inline(cluster.cluster, "certificate-authority");
  for (const user of copy.users ?? []) {
    await inline(user.user, "client-certificate");
    await inline(user.user, "client-key");
  }
  return copy;
}

/** Field order of clientcmd/api/v1's types, which `config view -o json` prints in. */
const goFieldOrder = {
  config: ["kind", "apiVersion", "preferences", "clusters", "users", "contexts", "current-context", "extensions"],
  cluster: fieldsOf.clusters.keys,
  user: fieldsOf.users.keys,
  context: fieldsOf.contexts.keys,
  exec: ["command", "args", "env", "apiVersion", "installHint", "provideClusterInfo", "interactiveMode"],
  authProvider: ["name", "config"],
};

/** Keys sorted at every level, as Go marshals the map an extension (a RawExtension) decodes to. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedDeep((value as Record<string, unknown>)[key])]),
  );
}

function ordered(object: Record<string, unknown> | undefined, order: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of order) if (object && object[key] !== undefined) result[key] = object[key];
  if (result.exec) result.exec = ordered(result.exec as Record<string, unknown>, goFieldOrder.exec);
  if (result["auth-provider"])
    result["auth-provider"] = ordered(result["auth-provider"] as Record<string, unknown>, goFieldOrder.authProvider);
  // NamedExtension: name, then the extension's own (map) keys.
  if (Array.isArray(result.extensions))
    result.extensions = result.extensions.map((entry: { name?: string; extension?: unknown }) => ({
      name: entry.name,
      extension: sortedDeep(entry.extension),
    }));
  return result;
}

function inGoOrder(config: RawConfig): Record<string, unknown> {
  const named = (entries: { name: string }[] | undefined | null, field: string, order: string[]) =>
    entries === null || entries === undefined
      ? entries
      : entries.map((entry) => ({
          name: entry.name,
          [field]: ordered((entry as Record<string, unknown>)[field] as Record<string, unknown>, order),
        }));
  return ordered(
    {
      ...config,
      clusters: named(config.clusters, "cluster", goFieldOrder.cluster),
      users: named(config.users, "user", goFieldOrder.user),
      contexts: named(config.contexts, "context", goFieldOrder.context),
    },
    goFieldOrder.config,
  );
}

function minify(config: RawConfig, override?: string): RawConfig {
  const current = override || config["current-context"];
  const ctx = config.contexts?.find((entry) => entry.name === current);
  if (!ctx) throw new KubectlError("error: current-context must exist in order to minify");
  return {
    ...config,
    "current-context": current,
    contexts: [ctx],
    clusters: (config.clusters ?? []).filter((entry) => entry.name === ctx.context.cluster),
    users: (config.users ?? []).filter((entry) => entry.name === ctx.context.user),
  };
}

const view: Command = {
  name: "view",
  short: "Display merged kubeconfig settings or a specified kubeconfig file",
  use: "view [flags]",
  flags: [
    { name: "minify", kind: "bool", usage: "Remove all information not used by current-context from the output" },
    { name: "raw", kind: "bool", usage: "Display raw byte data and sensitive data" },
    {
      name: "flatten",
      kind: "bool",
      usage:
        "Flatten the resulting kubeconfig file into self-contained output (useful for creating portable kubeconfig files)",
    },
    { name: "merge", kind: "bool", default: true, usage: "Merge the full hierarchy of kubeconfig files" },
    {
      name: "output",
      shorthand: "o",
      kind: "string",
      default: "yaml",
      usage:
        "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).",
    },
  ],
  async run(context, flags) {
    rejectArguments(context, flags);
    const { path, config } = await readConfig(context);
    let shown = config;
    if (flags.bool("minify")) shown = minify(shown, context.globals.string("context"));
    // view.go: --flatten inlines the files the config names and shows everything; otherwise
    // secrets are redacted and byte data shortened unless --raw.
    if (flags.bool("flatten")) shown = await flatten(context, shown, path);
    else if (!flags.bool("raw")) shown = redact(shown);
    const format = parseOutputFormat(flags.string("output"), { tableAllowed: false });
    // JSON keeps the Go struct's field order (clientcmd/api/v1); YAML sorts keys, as kubectl's does.
    if (format.type === "json") context.io.stdout(printObject(inGoOrder(shown), format, false, false));
    else context.io.stdout(printObject(shown as Record<string, unknown>, format));
    return 0;
  },
};

const currentContext: Command = {
  name: "current-context",
  short: "Display the current-context",
  use: "current-context [options]",
  async run(context) {
    const { config } = await readConfig(context);
    const current = config["current-context"];
    if (!current) throw new KubectlError("error: current-context is not set");
    context.io.stdout(`${current}\n`);
    return 0;
  },
};

const getContexts: Command = {
  name: "get-contexts",
  short: "Describe one or many contexts",
  use: "get-contexts [(-o|--output=)name)]",
  flags: [
    {
      name: "no-headers",
      kind: "bool",
      usage: "When using the default or custom-column output format, don't print headers (default print headers).",
    },
    { name: "output", shorthand: "o", kind: "string", usage: "Output format. One of: (name)." },
  ],
  async run(context, flags) {
    const { config } = await readConfig(context);
    const wanted = flags.positional;
    const contexts = (config.contexts ?? []).filter((entry) => wanted.length === 0 || wanted.includes(entry.name));
    const missing = wanted.filter((name) => !(config.contexts ?? []).some((entry) => entry.name === name));
    if (flags.string("output") === "name") {
      context.io.stdout(contexts.map((entry) => `${entry.name}\n`).join(""));
    } else {
      let text = flags.bool("no-headers") ? "" : "CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n";
      for (const entry of [...contexts].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const mark = entry.name === config["current-context"] ? "*" : "";
        text += `${mark}\t${entry.name}\t${entry.context.cluster ?? ""}\t${entry.context.user ?? ""}\t${entry.context.namespace ?? ""}\n`;
      }
      context.io.stdout(formatTabbed(text));
    }
    if (missing.length > 0) throw new KubectlError(`error: context ${missing[0]} not found`);
    return 0;
  },
};

const useContext: Command = {
  name: "use-context",
  aliases: ["use"],
  short: "Set the current-context in a kubeconfig file",
  use: "use-context CONTEXT_NAME",
  async run(context, flags) {
    const name = flags.positional[0];
    if (!name) throw new KubectlError("error: empty context names are not allowed");
    const access = configAccess(context);
    const config = await access.startingConfig();
    if (!config.contexts.has(name)) throw new KubectlError(`error: no context exists with the name: "${name}"`);
    config.currentContext = name;
    await access.modify(config, true);
    context.io.stdout(`Switched to context "${name}".\n`);
    return 0;
  },
};

const setContext: Command = {
  name: "set-context",
  short: "Set a context entry in kubeconfig",
  use: "set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]",
  flags: [
    { name: "cluster", kind: "string", usage: "cluster for the context entry in kubeconfig" },
    { name: "current", kind: "bool", usage: "Modify the current context" },
    { name: "namespace", kind: "string", usage: "namespace for the context entry in kubeconfig" },
    { name: "user", kind: "string", usage: "user for the context entry in kubeconfig" },
  ],
  async run(context, flags) {
    if (flags.positional.length > 1) await helpThenError(context, `Unexpected args: [${flags.positional.join(" ")}]`);
    let name = flags.positional[0] ?? "";
    const current = flags.bool("current");
    if (!name && !current) throw new KubectlError("error: you must specify a non-empty context name or --current");
    if (name && current) throw new KubectlError("error: you cannot specify both a context name and --current");
    const access = configAccess(context);
    const config = await access.startingConfig();
    if (current) {
      if (!config.currentContext) throw new KubectlError("error: no current context is set");
      name = config.currentContext;
    }
    const existing = config.contexts.get(name);
    const entry: Stanza = existing ? { ...existing, value: { ...existing.value } } : { value: {}, origin: "" };
    for (const field of ["cluster", "user", "namespace"]) {
      if (!flags.changed(field)) continue;
      const value = flags.string(field);
      if (value) entry.value[field] = value;
      else delete entry.value[field];
    }
    config.contexts.set(name, entry);
    await access.modify(config, true);
    context.io.stdout(`Context "${name}" ${existing ? "modified" : "created"}.\n`);
    return 0;
  },
};

/** get-clusters and get-users: the names, under a NAME heading (users sorted, clusters as the map gives them). */
const listNames = (key: "clusters" | "users"): Command => ({
  name: key === "clusters" ? "get-clusters" : "get-users",
  short: key === "clusters" ? "Display clusters defined in the kubeconfig" : "Display users defined in the kubeconfig",
  use: key === "clusters" ? "get-clusters [flags]" : "get-users [flags]",
  async run(context) {
    const config = await configAccess(context).startingConfig();
    const names = [...config[key].keys()];
    if (key === "users") names.sort();
    context.io.stdout(`NAME\n${names.map((name) => `${name}\n`).join("")}`);
    return 0;
  },
});

/**
 * delete-context, delete-cluster, delete-user: the entry removed from the file it is in; the
 * message names the default file, as kubectl's does.
 */
const deleteEntry = (key: "contexts" | "clusters" | "users"): Command => {
  const noun = { contexts: "context", clusters: "cluster", users: "user" }[key];
  return {
    name: `delete-${noun}`,
    short: `Delete the specified ${noun} from the kubeconfig`,
    use: `delete-${noun} ${key === "contexts" ? "CONTEXT_NAME" : "NAME"}`,
    async run(context, flags) {
      if (flags.positional.length !== 1) {
        if (key === "users") throw usageError(context.commandPath, "user to delete is required");
        // delete-context and delete-cluster print their help and succeed.
        const texts = (await import("../help/helpTexts.json", { with: { type: "json" } })).default as Record<
          string,
          string
        >;
        context.io.stdout(texts[context.commandPath.replace(/^kubectl /, "")] ?? "");
        return 0;
      }
      const name = flags.positional[0] as string;
      const access = configAccess(context);
      const config = await access.startingConfig();
      const file = await reportedFile(access);
      if (!config[key].has(name)) throw new KubectlError(`error: cannot delete ${noun} ${name}, not in ${file}`);
      config[key].delete(name);
      if (key === "contexts" && config.currentContext === name)
        context.io.stderr(
          'warning: this removed your active context, use "kubectl config use-context" to select a different one\n',
        );
      await access.modify(config, true);
      context.io.stdout(`deleted ${noun} ${name} from ${file}\n`);
      return 0;
    },
  };
};

const renameContext: Command = {
  name: "rename-context",
  short: "Rename a context from the kubeconfig file",
  use: "rename-context CONTEXT_NAME NEW_NAME",
  async run(context, flags) {
    if (flags.positional.length !== 2) await helpThenError(context, `Unexpected args: [${flags.positional.join(" ")}]`);
    const [from, to] = flags.positional as [string, string];
    const access = configAccess(context);
    const config = await access.startingConfig();
    const file = await reportedFile(access);
    const entry = config.contexts.get(from);
    if (!entry) throw new KubectlError(`error: cannot rename the context "${from}", it's not in ${file}`);
    if (config.contexts.has(to))
      throw new KubectlError(
        `error: cannot rename the context "${from}", the context "${to}" already exists in ${file}`,
      );
    config.contexts.set(to, entry);
    config.contexts.delete(from);
    if (config.currentContext === from) config.currentContext = to;
    await access.modify(config, true);
    context.io.stdout(`Context "${from}" renamed to "${to}".\n`);
    return 0;
  },
};

const setCredentials: Command = {
  name: "set-credentials",
  short: "Set a user entry in kubeconfig",
  use: "set-credentials NAME",
  flags: [
    { name: "auth-provider", kind: "string", usage: "Auth provider for the user entry in kubeconfig" },
    { name: "auth-provider-arg", kind: "stringSlice", usage: "'key=value' arguments for the auth provider" },
    {
      name: "client-certificate",
      kind: "string",
      usage: "Path to client-certificate file for the user entry in kubeconfig",
    },
    { name: "client-key", kind: "string", usage: "Path to client-key file for the user entry in kubeconfig" },
    { name: "embed-certs", kind: "bool", usage: "Embed client cert/key for the user entry in kubeconfig" },
    {
      name: "exec-api-version",
      kind: "string",
      usage: "API version of the exec credential plugin for the user entry in kubeconfig",
    },
    {
      name: "exec-arg",
      kind: "stringSlice",
      usage: "New arguments for the exec credential plugin command for the user entry in kubeconfig",
    },
    {
      name: "exec-command",
      kind: "string",
      usage: "Command for the exec credential plugin for the user entry in kubeconfig",
    },
    { name: "exec-env", kind: "stringArray", usage: "'key=value' environment values for the exec credential plugin" },
    {
      name: "exec-interactive-mode",
      kind: "string",
      usage: "InteractiveMode of the exec credentials plugin for the user entry in kubeconfig",
    },
    {
      name: "exec-provide-cluster-info",
      kind: "bool",
      usage: "ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig",
    },
    { name: "password", kind: "string", usage: "password for the user entry in kubeconfig" },
    { name: "token", kind: "string", usage: "token for the user entry in kubeconfig" },
    { name: "username", kind: "string", usage: "username for the user entry in kubeconfig" },
  ],
  async run(context, flags) {
    if (flags.positional.length !== 1) await helpThenError(context, `unexpected args: [${flags.positional.join(" ")}]`);
    let pairs: Parameters<typeof modifyAuthInfo>[4];
    try {
      const env = flags.list("exec-env");
      pairs = {
        provider: parsePairs(flags.list("auth-provider-arg"), "auth-provider-arg"),
        ...(env.length > 0 ? { env: parsePairs(env, "exec-env") } : {}),
      };
    } catch (error) {
      return helpThenError(context, (error as Error).message.replace(/^error: /, ""));
    }
    const name = flags.positional[0] as string;
    await validateCredentials(context, flags, name);
    const access = configAccess(context);
    const config = await access.startingConfig();
    const existing = config.users.get(name);
    const entry: Stanza = existing ? structuredClone(existing) : { value: {}, origin: "" };
    await modifyAuthInfo(context, access, flags, entry.value, pairs);
    config.users.set(name, entry);
    await access.modify(config, true);
    context.io.stdout(`User "${name}" set.\n`);
    return 0;
  },
};

const setCluster: Command = {
  name: "set-cluster",
  short: "Set a cluster entry in kubeconfig",
  use: "set-cluster NAME",
  flags: [
    {
      name: "certificate-authority",
      kind: "string",
      usage: "Path to certificate-authority file for the cluster entry in kubeconfig",
    },
    { name: "embed-certs", kind: "bool", usage: "embed-certs for the cluster entry in kubeconfig" },
    {
      name: "insecure-skip-tls-verify",
      kind: "bool",
      usage: "insecure-skip-tls-verify for the cluster entry in kubeconfig",
    },
    { name: "proxy-url", kind: "string", usage: "proxy-url for the cluster entry in kubeconfig" },
    { name: "server", kind: "string", usage: "server for the cluster entry in kubeconfig" },
    { name: "tls-server-name", kind: "string", usage: "tls-server-name for the cluster entry in kubeconfig" },
  ],
  async run(context, flags) {
    if (flags.positional.length !== 1) await helpThenError(context, `Unexpected args: [${flags.positional.join(" ")}]`);
    const name = flags.positional[0] as string;
    await validateCluster(context, flags, name);
    const access = configAccess(context);
    const config = await access.startingConfig();
    const existing = config.clusters.get(name);
    const entry: Stanza = existing ? structuredClone(existing) : { value: {}, origin: "" };
    await modifyCluster(context, access, flags, entry.value);
    config.clusters.set(name, entry);
    await access.modify(config, true);
    context.io.stdout(`Cluster "${name}" set.\n`);
    return 0;
  },
};

/** `config set` and `config unset` (set.go, unset.go). */
const setProperty = (unset: boolean): Command => ({
  name: unset ? "unset" : "set",
  short: unset ? "Unset an individual value in a kubeconfig file" : "Set an individual value in a kubeconfig file",
  use: unset ? "unset PROPERTY_NAME" : "set PROPERTY_NAME PROPERTY_VALUE",
  flags: unset
    ? []
    : [
        {
          name: "set-raw-bytes",
          kind: "bool",
          usage: "When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.",
        },
      ],
  async run(context, flags) {
    const args = flags.positional;
    if (args.length !== (unset ? 1 : 2)) await helpThenError(context, `Unexpected args: [${args.join(" ")}]`);
    const [property, value = ""] = args as [string, string?];
    if (!unset && value === "") throw new KubectlError("error: you cannot use set to unset a property");
    if (property === "") throw new KubectlError("error: you must specify a property");
    const access = configAccess(context);
    const config = await access.startingConfig();
    const steps = navigationSteps(property);
    modifyConfig(config, steps, value, { unset, rawBytes: flags.bool("set-raw-bytes") });
    await access.modify(config, false);
    context.io.stdout(`Property "${property}" ${unset ? "unset" : "set"}.\n`);
    return 0;
  },
});

export const configCommand: Command = {
  name: "config",
  short: "Modify kubeconfig files",
  long: `Modify kubeconfig files using subcommands like "kubectl config set current-context my-context".

 The loading order follows these rules:

  1.  If the --kubeconfig flag is set, then only that file is loaded. The flag may only be set once and no merging takes place.
  2.  If $KUBECONFIG environment variable is set, then it is used as a list of paths (normal path delimiting rules for your system). These paths are merged. When a value is modified, it is modified in the file that defines the stanza. When a value is created, it is created in the first file that exists. If no files in the chain exist, then it creates the last file in the list.
  3.  Otherwise, \${HOME}/.kube/config is used and no merging takes place.`,
  use: "config SUBCOMMAND",
  subcommands: [
    currentContext,
    deleteEntry("clusters"),
    deleteEntry("contexts"),
    deleteEntry("users"),
    listNames("clusters"),
    getContexts,
    listNames("users"),
    renameContext,
    setProperty(false),
    setCluster,
    setContext,
    setCredentials,
    setProperty(true),
    useContext,
    view,
  ],
};

export type { NamedEntry };

import { parse } from "yaml";
import type { Command, CommandContext } from "../Command";
import { KubectlError } from "../errors";
import { kubeconfigPath } from "../kubeconfig";
import { toGoYaml } from "../printers/goYaml";
import { parseOutputFormat, printObject } from "../printers/output";
import { formatTabbed } from "../printers/tabwriter";
import { rejectArguments } from "./common";

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

async function readConfig(context: CommandContext): Promise<{ path: string; config: RawConfig }> {
  const path = kubeconfigPath(context.io, context.globals.string("kubeconfig") || undefined);
  let text = "";
  try {
    text = await context.io.readFile(path);
  } catch {
    // A missing kubeconfig reads as empty, as kubectl treats it.
  }
  const config = ((text.trim() ? parse(text) : {}) ?? {}) as RawConfig;
  return { path, config };
}

function normalized(config: RawConfig): RawConfig {
  return {
    apiVersion: "v1",
    clusters: config.clusters ?? null,
    contexts: config.contexts ?? null,
    "current-context": config["current-context"] ?? "",
    kind: "Config",
    preferences: config.preferences ?? {},
    users: config.users ?? null,
  } as RawConfig;
}

async function writeConfig(context: CommandContext, path: string, config: RawConfig): Promise<void> {
  await context.io.writeFile(path, toGoYaml(normalized(config)));
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
  cluster: [
    "server",
    "tls-server-name",
    "insecure-skip-tls-verify",
    "certificate-authority",
    "certificate-authority-data",
    "proxy-url",
    "disable-compression",
    "extensions",
  ],
  user: [
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
  context: ["cluster", "user", "namespace", "extensions"],
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
    let shown = normalized(config);
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
    const { path, config } = await readConfig(context);
    if (!(config.contexts ?? []).some((entry) => entry.name === name)) {
      throw new KubectlError(`error: no context exists with the name: "${name}"`);
    }
    config["current-context"] = name;
    await writeConfig(context, path, config);
    context.io.stdout(`Switched to context "${name}".\n`);
    return 0;
  },
};

const setContext: Command = {
  name: "set-context",
  short: "Set a context entry in kubeconfig",
  use: "set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace]",
  flags: [{ name: "current", kind: "bool", usage: "Modify the current context" }],
  async run(context, flags) {
    const { path, config } = await readConfig(context);
    let name: string | undefined = flags.positional[0];
    if (flags.bool("current")) {
      if (name) throw new KubectlError("error: you cannot specify both a context name and --current");
      name = config["current-context"];
      if (!name) throw new KubectlError("error: no current context is set");
    }
    if (!name)
      throw new KubectlError(
        "error: you must specify a non-empty context name or --current\nSee 'kubectl config set-context -h' for help and examples",
      );
    config.contexts ??= [];
    let entry = config.contexts.find((candidate) => candidate.name === name);
    const existed = Boolean(entry);
    if (!entry) {
      entry = { name, context: {} };
      config.contexts.push(entry);
    }
    if (context.globals.changed("cluster")) entry.context.cluster = context.globals.string("cluster");
    if (context.globals.changed("user")) entry.context.user = context.globals.string("user");
    if (context.globals.changed("namespace")) {
      const namespace = context.globals.string("namespace");
      if (namespace) entry.context.namespace = namespace;
      else delete entry.context.namespace;
    }
    await writeConfig(context, path, config);
    context.io.stdout(`Context "${name}" ${existed ? "modified" : "created"}.\n`);
    return 0;
  },
};

const listNames = (title: string, key: "clusters" | "users"): Command => ({
  name: key === "clusters" ? "get-clusters" : "get-users",
  short: key === "clusters" ? "Display clusters defined in the kubeconfig" : "Display users defined in the kubeconfig",
  use: key === "clusters" ? "get-clusters [flags]" : "get-users [flags]",
  async run(context) {
    const { config } = await readConfig(context);
    const names = (config[key] ?? []).map((entry) => entry.name);
    context.io.stdout(`${title}\n${names.map((name) => `${name}\n`).join("")}`);
    return 0;
  },
});

const deleteContext: Command = {
  name: "delete-context",
  short: "Delete the specified context from the kubeconfig",
  use: "delete-context CONTEXT_NAME",
  async run(context, flags) {
    const name = flags.positional[0] ?? "";
    const { path, config } = await readConfig(context);
    const index = (config.contexts ?? []).findIndex((entry) => entry.name === name);
    if (index < 0) throw new KubectlError(`error: cannot delete context ${name}, not in ${path}`);
    config.contexts?.splice(index, 1);
    if (config["current-context"] === name) {
      context.io.stderr(
        'warning: this removed your active context, use "kubectl config use-context" to select a different one\n',
      );
    }
    await writeConfig(context, path, config);
    context.io.stdout(`deleted context ${name} from ${path}\n`);
    return 0;
  },
};

const renameContext: Command = {
  name: "rename-context",
  short: "Rename a context from the kubeconfig file",
  use: "rename-context CONTEXT_NAME NEW_NAME",
  async run(context, flags) {
    const [from, to] = flags.positional;
    if (!from || !to)
      throw new KubectlError(
        "error: Unexpected args: []\nSee 'kubectl config rename-context -h' for help and examples",
      );
    const { path, config } = await readConfig(context);
    const entry = (config.contexts ?? []).find((candidate) => candidate.name === from);
    if (!entry) throw new KubectlError(`error: cannot rename the context "${from}", it's not in ${path}`);
    entry.name = to;
    if (config["current-context"] === from) config["current-context"] = to;
    await writeConfig(context, path, config);
    context.io.stdout(`Context "${from}" renamed to "${to}".\n`);
    return 0;
  },
};

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
    deleteContext,
    listNames("NAME", "clusters"),
    getContexts,
    listNames("NAME", "users"),
    renameContext,
    setContext,
    useContext,
    view,
  ],
};

export type { NamedEntry };

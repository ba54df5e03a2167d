import type { Command, CommandContext } from "../Command";
import { groupVersion } from "../Discovery";
import { KubectlError } from "../errors";
import type { Flags } from "../flags";
import { toGoJson } from "../printers/goJson";
import { toGoYaml } from "../printers/goYaml";
import { formatTabbed } from "../printers/tabwriter";
import { clusterInfoDumpCommand } from "./clusterInfoDump";
import { rejectArguments } from "./common";

/** The client version this kubectl reports. */
export const clientVersion = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean",
  buildDate: "2025-04-22T16:03:02Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

export const versionCommand: Command = {
  name: "version",
  short: "Print the client and server version information",
  long: "Print the client and server version information for the current context.",
  use: "version [flags]",
  flags: [
    { name: "client", kind: "bool", usage: "If true, shows client version only (no server required)." },
    { name: "output", shorthand: "o", kind: "string", usage: "One of 'yaml' or 'json'." },
  ],
  async run(context, flags) {
    // version.go keeps the arguments only when it will ask the server; --client ignores them.
    if (!flags.bool("client") && flags.positional.length > 0)
      throw new KubectlError(`error: extra arguments: [${flags.positional.join(" ")}]`);
    const output = flags.string("output");
    if (output && output !== "yaml" && output !== "json")
      throw new KubectlError("error: --output must be 'yaml' or 'json'");
    const result: Record<string, unknown> = { clientVersion, kustomizeVersion: "v5.5.0" };
    let serverError: unknown;
    if (!flags.bool("client")) {
      try {
        const client = await context.client();
        result.serverVersion = await client.get("/version");
      } catch (error) {
        serverError = error;
      }
    }
    if (output === "json") context.io.stdout(toGoJson(result, { indent: "  ", sortKeys: false }));
    // yaml.Marshal then Fprintln: the document ends with a blank line.
    else if (output === "yaml") context.io.stdout(`${toGoYaml(result)}\n`);
    else {
      let text = `Client Version: ${clientVersion.gitVersion}\nKustomize Version: v5.5.0\n`;
      const server = result.serverVersion as { gitVersion?: string } | undefined;
      if (server) text += `Server Version: ${server.gitVersion}\n`;
      context.io.stdout(text);
    }
    if (serverError) throw serverError;
    return 0;
  },
};

export const apiResourcesCommand: Command = {
  name: "api-resources",
  short: "Print the supported API resources on the server",
  long: "Print the supported API resources on the server.",
  use: "api-resources [flags]",
  flags: [
    { name: "api-group", kind: "string", usage: "Limit to resources in the specified API group." },
    { name: "cached", kind: "bool", usage: "Use the cached list of resources if available." },
    { name: "categories", kind: "stringSlice", usage: "Limit to resources that belong to the specified categories." },
    {
      name: "namespaced",
      kind: "bool",
      default: true,
      usage:
        "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.",
    },
    {
      name: "no-headers",
      kind: "bool",
      usage: "When using the default or custom-column output format, don't print headers (default print headers).",
    },
    { name: "output", shorthand: "o", kind: "string", usage: "Output format. One of: (wide, name)." },
    {
      name: "sort-by",
      kind: "string",
      usage: "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'.",
    },
    { name: "verbs", kind: "stringSlice", usage: "Limit to resources that support the specified verbs." },
  ],
  async run(context, flags) {
    rejectArguments(context, flags);
    const output = flags.string("output");
    if (output && output !== "wide" && output !== "name") {
      throw new KubectlError(`error: --output ${output} is not available`);
    }
    if (flags.string("sort-by") && !["name", "kind"].includes(flags.string("sort-by")))
      throw new KubectlError("error: --sort-by accepts only name or kind");
    const discovery = await context.discovery();
    // Always fresh from the server unless --cached, as kubectl invalidates its discovery cache.
    if (!flags.bool("cached")) discovery.invalidate();
    let resources = [...(await discovery.all())];
    if (flags.changed("namespaced"))
      resources = resources.filter((info) => info.namespaced === flags.bool("namespaced"));
    if (flags.changed("api-group")) resources = resources.filter((info) => info.group === flags.string("api-group"));
    for (const verb of flags.list("verbs")) resources = resources.filter((info) => info.verbs.includes(verb));
    for (const category of flags.list("categories"))
      resources = resources.filter((info) => info.categories.includes(category));
    const sortBy = flags.string("sort-by");
    const keyOf = (info: (typeof resources)[number]) =>
      sortBy === "name" ? info.resource : sortBy === "kind" ? info.kind : info.group;
    resources = resources
      .map((info, index) => ({ info, index }))
      .sort((a, b) => {
        const left = keyOf(a.info);
        const right = keyOf(b.info);
        return left < right ? -1 : left > right ? 1 : a.index - b.index;
      })
      .map((entry) => entry.info);
    if (output === "name") {
      context.io.stdout(
        resources.map((info) => (info.group ? `${info.resource}.${info.group}\n` : `${info.resource}\n`)).join(""),
      );
      return 0;
    }
    let text = "";
    if (!flags.bool("no-headers"))
      text += `NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND${output === "wide" ? "\tVERBS\tCATEGORIES" : ""}\n`;
    for (const info of resources) {
      text += `${info.resource}\t${info.shortNames.join(",")}\t${groupVersion(info)}\t${info.namespaced}\t${info.kind}`;
      if (output === "wide") text += `\t${[...info.verbs].sort().join(",")}\t${info.categories.join(",")}`;
      text += "\n";
    }
    context.io.stdout(formatTabbed(text));
    return 0;
  },
};

export const apiVersionsCommand: Command = {
  name: "api-versions",
  short: 'Print the supported API versions on the server, in the form of "group/version"',
  long: 'Print the supported API versions on the server, in the form of "group/version".',
  use: "api-versions",
  async run(context, flags) {
    rejectArguments(context, flags);
    const discovery = await context.discovery();
    // kubectl's api-versions always asks the server (it invalidates its discovery cache).
    discovery.invalidate();
    const versions = (await discovery.apiGroups()).flatMap((group) =>
      group.versions.map((version) => version.groupVersion),
    );
    context.io.stdout(`${[...new Set(versions)].sort().join("\n")}\n`);
    return 0;
  },
};

export const clusterInfoCommand: Command = {
  name: "cluster-info",
  short: "Display cluster information",
  long: "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.",
  use: "cluster-info [flags]",
  subcommands: [clusterInfoDumpCommand],
  async run(context) {
    const client = await context.client();
    const server = client.server;
    const green = (text: string) => (context.io.isTerminal ? `\x1b[0;32m${text}\x1b[0m` : text);
    const yellow = (text: string) => (context.io.isTerminal ? `\x1b[0;33m${text}\x1b[0m` : text);
    let out = `${green("Kubernetes control plane")} is running at ${yellow(server)}\n`;
    const services = await client.get<{
      items: {
        metadata: { name: string; labels?: Record<string, string> };
        spec: { ports?: { name?: string; port: number }[] };
      }[];
    }>("/api/v1/namespaces/kube-system/services", { query: { labelSelector: "kubernetes.io/cluster-service=true" } });
    for (const service of services.items) {
      const name = service.metadata.labels?.["kubernetes.io/name"] ?? service.metadata.name;
      const port = service.spec.ports?.[0];
      const portPart = port ? (port.name ? `:${port.name}` : `:${port.port}`) : "";
      out += `${green(name)} is running at ${yellow(`${server}/api/v1/namespaces/kube-system/services/${service.metadata.name}${portPart}/proxy`)}\n`;
    }
    out += "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
    context.io.stdout(out);
    return 0;
  },
};

/** A short bash completion script; the Kubelab shell completes kubectl natively, so sourcing it is harmless. */
export const completionCommand: Command = {
  name: "completion",
  short: "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)",
  use: "completion SHELL",
  async run(context: CommandContext, flags: Flags) {
    const shell = flags.positional[0];
    if (!shell)
      throw new KubectlError("error: Shell not specified.\nSee 'kubectl completion -h' for help and examples");
    if (!["bash", "zsh", "fish", "powershell"].includes(shell))
      throw new KubectlError(`error: Unsupported shell type "${shell}".`);
    context.io.stdout(
      `# ${shell} completion for kubectl                                 -*- shell-script -*-\n# Kubelab's terminal completes kubectl natively; this script only marks completion as loaded.\n__kubelab_kubectl_completion_loaded=1\n`,
    );
    return 0;
  },
};

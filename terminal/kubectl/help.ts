import type { Command } from "./Command";
import type { FlagSpec } from "./flags";

/** Root command groups, in kubectl's order (also the order cobra suggests commands in). */
export const commandGroups: { title: string; names: string[] }[] = [
  { title: "Basic Commands (Beginner)", names: ["create", "expose", "run", "set"] },
  { title: "Basic Commands (Intermediate)", names: ["explain", "get", "edit", "delete"] },
  { title: "Deploy Commands", names: ["rollout", "scale", "autoscale"] },
  {
    title: "Cluster Management Commands",
    names: ["certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint"],
  },
  {
    title: "Troubleshooting and Debugging Commands",
    names: ["describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events"],
  },
  { title: "Advanced Commands", names: ["diff", "apply", "patch", "replace", "wait", "kustomize"] },
  { title: "Settings Commands", names: ["label", "annotate", "completion"] },
  { title: "Other Commands", names: ["api-resources", "api-versions", "config", "plugin", "version"] },
];

function flagDefault(spec: FlagSpec): string {
  if (spec.default !== undefined) {
    if (Array.isArray(spec.default)) return `[${spec.default.join(",")}]`;
    if (typeof spec.default === "string") return spec.default === "" ? "''" : spec.default;
    return String(spec.default);
  }
  switch (spec.kind) {
    case "bool":
      return "false";
    case "int":
      return "0";
    case "stringArray":
    case "stringSlice":
      return "[]";
    default:
      return "''";
  }
}

/** Renders kubectl's flag list (`Options:` section) for some flags. */
export function renderFlags(specs: FlagSpec[]): string {
  return [...specs]
    .filter((spec) => !spec.hidden)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((spec) => {
      const names = spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `--${spec.name}`;
      return `    ${names}=${flagDefault(spec)}:\n\t${spec.usage ?? ""}\n`;
    })
    .join("\n");
}

/** The help text of a command, in kubectl's template. */
export function renderHelp(command: Command, path: string): string {
  let out = "";
  out += `${command.long ?? `${command.short}.`}\n\n`;
  if (command.subcommands && command.subcommands.length > 0) {
    out += "Available Commands:\n";
    // cobra pads names to the longest sibling (at least 11), kubectl's template adds two more.
    const width = Math.max(11, ...command.subcommands.map((sub) => sub.name.length)) + 2;
    for (const sub of command.subcommands) out += `  ${sub.name.padEnd(width)} ${sub.short}\n`;
    out += "\n";
  }
  if (command.examples) out += `Examples:\n${command.examples}\n\n`;
  if (command.flags && command.flags.length > 0) out += `Options:\n${renderFlags(command.flags)}\n`;
  const use = command.use ?? `${command.name} [flags]`;
  out += `Usage:\n  ${path.split(" ").slice(0, -1).concat(use).join(" ")} [options]\n\n`;
  if (command.subcommands && command.subcommands.length > 0) {
    out += `Use "${path} <command> --help" for more information about a given command.\n`;
  }
  out += 'Use "kubectl options" for a list of global command-line options (applies to all commands).\n';
  return out;
}

/** The root help (`kubectl` with no arguments). */
export function renderRootHelp(commands: Command[]): string {
  let out =
    "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\n";
  for (const group of commandGroups) {
    out += `${group.title}:\n`;
    for (const name of group.names) {
      const command = commands.find((candidate) => candidate.name === name);
      if (command) out += `  ${name.padEnd(16)}${command.short}\n`;
    }
    out += "\n";
    if (group.title === "Settings Commands") out += "Subcommands provided by plugins:\n\n";
  }
  out +=
    'Usage:\n  kubectl [flags] [options]\n\nUse "kubectl <command> --help" for more information about a given command.\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n';
  return out;
}

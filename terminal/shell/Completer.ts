import { type Command, globalFlags } from "../kubectl/Command";
import { allCommands } from "../kubectl/commands/registry";
import type { Completion } from "./LineEditor";

/** What completion needs to know about the cluster (through the Kubernetes API). */
export interface ClusterNames {
  resourceTypes(): Promise<string[]>;
  objectNames(resourceType: string, namespace: string | undefined): Promise<string[]>;
}

/** What completion needs to know about the shell. */
export interface ShellNames {
  commands(): string[];
  aliases(): Map<string, string>;
  listDirectory(path: string): Promise<{ name: string; directory: boolean }[]>;
  cwd(): string;
  home(): string;
  /** The cluster's node names, for `ssh` (when the shell has node access). */
  nodeNames?(): Promise<string[]>;
}

/** Subcommands of the node tools, completed after the tool's name. */
const toolSubcommands: Record<string, string[]> = {
  crictl: ["images", "inspect", "inspecti", "inspectp", "logs", "pods", "ps", "version"],
  etcdctl: ["endpoint", "get", "member", "snapshot", "version"],
  kubeadm: ["certs", "config", "init", "join", "reset", "token", "upgrade", "version"],
  systemctl: ["is-active", "is-enabled", "restart", "status"],
  journalctl: ["-u", "-f", "--no-pager"],
  ip: ["addr", "link", "route"],
};

const resourceVerbs = new Set([
  "get",
  "describe",
  "delete",
  "edit",
  "label",
  "annotate",
  "patch",
  "scale",
  "expose",
  "wait",
  "autoscale",
  "cordon",
  "uncordon",
  "drain",
  "taint",
]);
const podVerbs = new Set(["logs", "exec", "attach", "port-forward"]);

function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
      continue;
    }
    if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = "";
      started = false;
      continue;
    }
    current += ch;
    started = true;
  }
  words.push(started ? current : "");
  return words;
}

function flagNames(command: Command | undefined): string[] {
  return [...(command?.flags ?? []), ...globalFlags].flatMap((flag) => [
    `--${flag.name}${flag.kind === "bool" ? "" : "="}`.replace(/=$/, ""),
    ...(flag.shorthand ? [`-${flag.shorthand}`] : []),
  ]);
}

/**
 * Tab completion for the learner shell: command names, file paths, and kubectl subcommands,
 * flags, resource types and object names.
 */
export class Completer {
  constructor(
    private readonly shell: ShellNames,
    private readonly cluster: ClusterNames,
  ) {}

  async complete(line: string, cursor: number): Promise<Completion> {
    const before = line.slice(0, cursor);
    const boundaries = [
      ["|", 1],
      [";", 1],
      ["&&", 2],
      ["$(", 2],
      ["`", 1],
    ] as const;
    const segmentStart = Math.max(
      0,
      ...boundaries.map(([token, length]) => {
        const index = before.lastIndexOf(token);
        return index < 0 ? 0 : index + length;
      }),
    );
    const segment = before.slice(segmentStart);
    const words = splitWords(segment);
    const current = words[words.length - 1] ?? "";
    const from = cursor - current.length;
    if (words.length === 1) {
      if (current.includes("/")) return { from, ...(await this.files(current)) };
      const names = [...this.shell.commands(), ...this.shell.aliases().keys()];
      return { from, candidates: names.filter((name) => name.startsWith(current)) };
    }
    let command = words[0] as string;
    const alias = this.shell.aliases().get(command);
    if (alias) command = alias.split(/\s+/)[0] as string;
    if (command === "kubectl") return { from, candidates: await this.kubectl(words.slice(1), current) };
    if (command === "ssh" && words.length === 2 && this.shell.nodeNames) {
      const nodes = await this.shell.nodeNames().catch(() => []);
      return { from, candidates: nodes.filter((name) => name.startsWith(current)) };
    }
    const subcommands = toolSubcommands[command];
    if (subcommands && words.length === 2 && !current.includes("/"))
      return { from, candidates: subcommands.filter((name) => name.startsWith(current)) };
    if (
      (command === "systemctl" || (command === "journalctl" && words[words.length - 2] === "-u")) &&
      words.length >= 3
    )
      return { from, candidates: ["kubelet", "containerd"].filter((name) => name.startsWith(current)) };
    if (command === "cd") {
      const files = await this.files(current);
      return { from, candidates: files.candidates.filter((name) => name.endsWith("/")) };
    }
    return { from, ...(await this.files(current)) };
  }

  private async files(word: string): Promise<{ candidates: string[]; noSpace?: boolean }> {
    const slash = word.lastIndexOf("/");
    const directoryPart = slash >= 0 ? word.slice(0, slash + 1) : "";
    let directory = directoryPart === "" ? this.shell.cwd() : directoryPart;
    if (directory.startsWith("~")) directory = this.shell.home() + directory.slice(1);
    else if (!directory.startsWith("/")) directory = `${this.shell.cwd()}/${directory}`;
    const entries = await this.shell.listDirectory(directory).catch(() => []);
    const prefix = word.slice(slash + 1);
    return {
      candidates: entries
        .filter((entry) => entry.name.startsWith(prefix) && (prefix.startsWith(".") || !entry.name.startsWith(".")))
        .map((entry) => `${directoryPart}${entry.name}${entry.directory ? "/" : ""}`),
    };
  }

  private async kubectl(args: string[], current: string): Promise<string[]> {
    const commands = allCommands();
    const previous = args[args.length - 2];
    const positional: string[] = [];
    let namespace: string | undefined;
    for (let index = 0; index < args.length - 1; index++) {
      const arg = args[index] as string;
      if (arg === "-n" || arg === "--namespace") {
        namespace = args[index + 1];
        index++;
        continue;
      }
      if (arg.startsWith("--namespace=")) namespace = arg.slice(12);
      if (arg.startsWith("-")) {
        if (
          [
            "-o",
            "-f",
            "-l",
            "-c",
            "--context",
            "--output",
            "--filename",
            "--selector",
            "--container",
            "--kubeconfig",
          ].includes(arg)
        )
          index++;
        continue;
      }
      positional.push(arg);
    }
    if (previous === "-n" || previous === "--namespace") return this.cluster.objectNames("namespaces", undefined);
    if (previous === "-o" || previous === "--output")
      return ["json", "yaml", "wide", "name", "jsonpath=", "custom-columns=", "jsonpath-as-json="];
    if (previous === "-f" || previous === "--filename" || previous === "--kubeconfig")
      return (await this.files(current)).candidates;
    let level = commands;
    let command: Command | undefined;
    let consumed = 0;
    for (const word of positional) {
      const found = level.find((candidate) => candidate.name === word || candidate.aliases?.includes(word));
      if (!found) break;
      command = found;
      consumed++;
      if (!found.subcommands?.length) break;
      level = found.subcommands;
    }
    if (current.startsWith("-")) return flagNames(command);
    if (!command || (command.subcommands?.length && consumed === positional.length && !command.run)) {
      return (command?.subcommands ?? commands).map((candidate) => candidate.name);
    }
    if (command.subcommands?.length && consumed === positional.length)
      return command.subcommands.map((candidate) => candidate.name);
    const rest = positional.slice(consumed);
    const verb = command.name;
    if (podVerbs.has(verb)) return rest.length === 0 ? this.cluster.objectNames("pods", namespace) : [];
    const takesResource =
      resourceVerbs.has(verb) ||
      ["history", "status", "undo", "restart", "pause", "resume", "image", "env", "resources"].includes(verb) ||
      verb === "pod" ||
      verb === "node";
    if (!takesResource) return [];
    if (verb === "cordon" || verb === "uncordon" || verb === "drain" || verb === "node")
      return this.cluster.objectNames("nodes", undefined);
    if (verb === "pod") return this.cluster.objectNames("pods", namespace);
    if (current.includes("/")) {
      const [type] = current.split("/");
      const names = await this.cluster.objectNames(type as string, namespace);
      return names.map((name) => `${type}/${name}`);
    }
    if (rest.length === 0) {
      const types = await this.cluster.resourceTypes();
      if (["history", "status", "undo", "restart", "pause", "resume"].includes(verb))
        return ["deployment", "daemonset", "statefulset", "deployment/", "daemonset/", "statefulset/"];
      return types;
    }
    const type = rest[0] as string;
    if (type.includes("/")) return [];
    return this.cluster.objectNames(type.split(",")[0] as string, namespace);
  }
}

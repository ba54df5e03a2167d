import type { Node, Pod } from "../../../engine/api/core";
import { Nodes, Pods } from "../../../engine/api/resources";
import type { Client } from "../../../engine/client/Client";
import type { Cluster } from "../../../engine/cluster/createCluster";
import type { NodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import type { NodeInfo } from "../NodeBackend";

/** What a node tool runs with: the cluster (server side), the node, its files and the caller's streams. */
export interface ToolContext {
  cluster: Cluster;
  client: Client;
  node: NodeInfo;
  fs: NodeFileSystem;
  args: string[];
  stdin: string;
  stdout(text: string): void;
  stderr(text: string): void;
  signal?: AbortSignal;
  columns: number;
  /** The caller's working directory on the node. */
  cwd: string;
  now(): number;
}

/** A file argument as a path on the node. */
export function nodePath(context: ToolContext, file: string): string {
  return file.startsWith("/") ? file : `${context.cwd.replace(/\/$/, "")}/${file}`;
}

export type NodeTool = (context: ToolContext) => Promise<number>;

/** The pods bound to the context's node (what its kubelet runs). */
export async function podsOnNode(context: ToolContext): Promise<Pod[]> {
  const list = await context.client.list<Pod>(Pods, undefined, { fieldSelector: `spec.nodeName=${context.node.name}` });
  return list.items;
}

export async function nodeObject(context: ToolContext): Promise<Node | undefined> {
  try {
    return await context.client.get<Node>(Nodes, undefined, context.node.name);
  } catch {
    return undefined;
  }
}

/** Go's text/tabwriter with a minimum cell width, as crictl and etcdctl configure it; the last cell is not padded. */
export function tabulate(rows: string[][], minWidth: number, padding: number): string {
  const widths: number[] = [];
  for (const row of rows)
    row.slice(0, -1).forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? minWidth, cell.length + padding);
    });
  return rows
    .map((row) => row.map((cell, index) => (index < row.length - 1 ? cell.padEnd(widths[index] ?? 0) : cell)).join(""))
    .map((line) => `${line}\n`)
    .join("");
}

/** docker/go-units HumanDuration ("2 minutes", "About an hour"). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** docker/go-units HumanSizeWithPrecision(size, 3): decimal units ("72.1MB", "742kB"). */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let size = bytes;
  let index = 0;
  while (size >= 1000 && index < units.length - 1) {
    size /= 1000;
    index++;
  }
  return `${Number(size.toPrecision(3))}${units[index]}`;
}

/** Parses `--flag value`, `--flag=value`, `-f value` and boolean flags; the rest are positional. */
export function parseFlags(
  args: string[],
  spec: { values?: string[]; booleans?: string[] },
): { flags: Map<string, string>; positional: string[]; unknown?: string } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  const values = new Set(spec.values ?? []);
  const booleans = new Set(spec.booleans ?? []);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      positional.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (values.has(name)) {
      const value = equals > 0 ? arg.slice(equals + 1) : args[++index];
      if (value === undefined) return { flags, positional, unknown: `flag needs an argument: ${name}` };
      flags.set(name, value);
    } else if (booleans.has(name)) {
      flags.set(name, equals > 0 ? arg.slice(equals + 1) : "true");
    } else if (/^-[a-zA-Z]{2,}$/.test(arg) && [...arg.slice(1)].every((letter) => booleans.has(`-${letter}`))) {
      for (const letter of arg.slice(1)) flags.set(`-${letter}`, "true");
    } else {
      return { flags, positional, unknown: name };
    }
  }
  return { flags, positional };
}

/** The first flag of `names` that was given. */
export function flag(flags: Map<string, string>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = flags.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

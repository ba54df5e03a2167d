import { type Command, CommandContext, globalFlags, type SharedClients } from "./Command";
import { allCommands } from "./commands/registry";
import { describeFailure, KubectlError } from "./errors";
import { type FlagSpec, Flags, HelpRequested, parseFlags } from "./flags";
import { commandGroups, renderFlags, renderHelp, renderRootHelp } from "./help";
import type { KubectlIO } from "./KubectlIO";
import { readOutputTemplateFile } from "./printers/templateFiles";
import { AbortedError } from "./RestClient";

const globalValueFlags = new Set(
  globalFlags
    .filter((spec) => spec.kind !== "bool")
    .flatMap((spec) => [`--${spec.name}`, spec.shorthand ? `-${spec.shorthand}` : ""]),
);

/** Cobra's Levenshtein distance, for "Did you mean this?". */
function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** Cobra's command suggestions: distance ≤ 2 or a prefix match, in command order. */
export function suggestCommands(typed: string, names: string[]): string[] {
  const lower = typed.toLowerCase();
  return names.filter((name) => levenshtein(lower, name.toLowerCase()) <= 2 || name.toLowerCase().startsWith(lower));
}

function orderedRootNames(commands: Command[]): string[] {
  const grouped = commandGroups.flatMap((group) => group.names);
  const rest = commands.map((command) => command.name).filter((name) => !grouped.includes(name));
  return [...grouped.filter((name) => commands.some((command) => command.name === name)), ...rest];
}

/** Finds the command path in args, skipping global flags (and their values) as cobra's Find does. */
function findCommand(args: string[], commands: Command[]): { chain: Command[]; rest: string[]; unknown?: string } {
  const chain: Command[] = [];
  let level = commands;
  const rest: string[] = [];
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === "--") {
      rest.push(...args.slice(index));
      break;
    }
    if (arg.startsWith("-")) {
      rest.push(arg);
      if (!arg.includes("=") && globalValueFlags.has(arg) && index + 1 < args.length) {
        rest.push(args[index + 1] as string);
        index++;
      }
      index++;
      continue;
    }
    const found = level.find((command) => command.name === arg || command.aliases?.includes(arg));
    if (!found) {
      if (chain.length === 0) return { chain, rest: args, unknown: arg };
      rest.push(...args.slice(index));
      break;
    }
    chain.push(found);
    if (!found.subcommands || found.subcommands.length === 0) {
      rest.push(...args.slice(index + 1));
      break;
    }
    level = found.subcommands;
    index++;
  }
  return { chain, rest };
}

/** Options for a kubectl run beyond its IO. */
export interface RunOptions {
  /** Clients and discovery kept between runs of a long-lived shell. */
  shared?: SharedClients;
}

/**
 * Runs `kubectl <args>` and returns its exit status. Output goes through `io`; errors are
 * printed with kubectl's wording.
 */
export async function runKubectl(args: string[], io: KubectlIO, options: RunOptions = {}): Promise<number> {
  const commands = allCommands();
  if (args[0] === "help") return runHelp(args.slice(1), io, commands);
  const { chain, rest, unknown } = findCommand(args, commands);
  if (unknown !== undefined) {
    const suggestions = suggestCommands(unknown, orderedRootNames(commands));
    let message = `Error: unknown command "${unknown}" for "kubectl"`;
    if (suggestions.length > 0)
      message += `\n\nDid you mean this?\n${suggestions.map((name) => `\t${name}\n`).join("")}`;
    io.stderr(`${message}\n`);
    return 1;
  }
  const command = chain[chain.length - 1];
  const path = ["kubectl", ...chain.map((entry) => entry.name)].join(" ");
  if (!command) {
    if (rest.includes("-h") || rest.includes("--help") || rest.filter((arg) => !arg.startsWith("-")).length === 0) {
      try {
        parseFlags(rest, globalFlags, "kubectl");
      } catch (error) {
        if (!(error instanceof HelpRequested)) {
          io.stderr(`${describeFailure(error).message}\n`);
          return 1;
        }
      }
      io.stdout((await referenceHelp("kubectl")) ?? renderRootHelp(commands));
      return 0;
    }
  }
  const target = command as Command;
  try {
    const parsed = parseFlags(rest, [...(target.flags ?? []), ...globalFlags], path);
    for (const notice of parsed.deprecationNotices ?? []) io.stderr(`${notice}\n`);
    const flags = new Flags(parsed);
    if (!target.run) {
      if (flags.positional.length > 0 && target.subcommands) {
        // kubectl's group commands (rollout, config, set, auth, top) answer an unknown
        // subcommand without suggestions, unlike the top level.
        io.stderr(`error: unknown command "${flags.positional[0]}"\nSee '${path} -h' for help and examples\n`);
        return 1;
      }
      // DefaultSubCommandRun writes a group's help to stderr, except rollout's (stdout).
      const help = (await referenceHelp(path)) ?? renderHelp(target, path);
      if (path === "kubectl rollout") io.stdout(help);
      else io.stderr(help);
      return 1;
    }
    await readOutputTemplateFile(flags, io);
    const own = new Set((target.flags ?? []).map((flag) => flag.name));
    const shadowed = new Set(globalFlags.map((flag) => flag.name).filter((name) => own.has(name)));
    const commandLine = () => recordedCommandLine(args, [...(target.flags ?? []), ...globalFlags], path);
    const context = new CommandContext(io, flags, path, options.shared, shadowed, commandLine);
    return await target.run(context, flags);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout((await referenceHelp(path)) ?? renderHelp(target, path));
      return 0;
    }
    if (error instanceof AbortedError || io.signal?.aborted) return 130;
    if (error instanceof KubectlError && error.stdout) io.stdout(error.stdout);
    const failure = describeFailure(error);
    io.stderr(failure.message.endsWith("\n") ? failure.message : `${failure.message}\n`);
    return failure.exitCode;
  }
}

/**
 * The command line as RecordFlags' parseCommandArguments renders it for --record: the binary's
 * name, every argument that is not a flag (the command's words as typed included), then each flag
 * in the order given as ` --name=value` (long names; a bare bool is `=true`).
 */
function recordedCommandLine(args: string[], specs: FlagSpec[], path: string): string {
  const parsed = parseFlags(args, specs, path);
  const words = parsed.positional.length > 0 ? ` ${parsed.positional.join(" ")}` : "";
  const flags = (parsed.assignments ?? []).map(([name, value]) => ` --${name}=${value}`).join("");
  return `kubectl${words}${flags}`;
}

let helpTexts: Promise<Record<string, string>> | undefined;

/**
 * kubectl 1.32's own help text for a command path (`kubectl rollout status`), from the data file
 * generated from the reference client (help/generate.ts), loaded on first use.
 */
/**
 * Cobra's help command: `kubectl help [command…]` prints that command's help (the root's without
 * one) to stdout; an unknown topic is reported on stderr with the root usage, and still exits 0.
 */
async function runHelp(topic: string[], io: KubectlIO, commands: Command[]): Promise<number> {
  if (topic.includes("-h") || topic.includes("--help") || topic[0] === "help") {
    io.stdout((await referenceHelp("help")) ?? "");
    return 0;
  }
  const words = topic.filter((arg) => !arg.startsWith("-"));
  const rootHelp = (await referenceHelp("kubectl")) ?? renderRootHelp(commands);
  if (words.length === 0) {
    io.stdout(rootHelp);
    return 0;
  }
  const { chain, unknown } = findCommand(words, commands);
  const command = chain[chain.length - 1];
  if (unknown !== undefined || !command) {
    // c.Printf("Unknown help topic %#q\n", args), then the root's usage (its help from the groups on).
    const usage = rootHelp.slice(rootHelp.indexOf("\nBasic Commands"));
    io.stderr(`Unknown help topic [${words.map((word) => `\`${word}\``).join(" ")}]\n\n${usage}`);
    return 0;
  }
  const path = ["kubectl", ...chain.map((entry) => entry.name)].join(" ");
  io.stdout((await referenceHelp(path)) ?? renderHelp(command, path));
  return 0;
}

async function referenceHelp(path: string): Promise<string | undefined> {
  helpTexts ??= import("./help/helpTexts.json", { with: { type: "json" } }).then(
    (module) => module.default as Record<string, string>,
  );
  return (await helpTexts)[path.replace(/^kubectl ?/, "")];
}

/** `kubectl options`: the global flags. */
export function renderGlobalOptions(): string {
  return `The following options can be passed to any command:\n\n${renderFlags(globalFlags)}`;
}

export { KubectlError };

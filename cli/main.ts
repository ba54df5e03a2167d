import type { CliCommand, CliIo } from "./Command";
import { UsageError } from "./Command";
import { type CommandEntry, commands as registeredCommands } from "./commands/index";
import { formatHelp, suggestions } from "./help";
import { FlagError, parseFlags } from "./parseFlags";

const PROGRAM = "kubelab";

const ROOT_DESCRIPTION = `kubelab runs Kubelab, a hands-on Kubernetes course with a simulated cluster per learner.

 The web app is started with \`npm start\`; these commands work from any shell.`;

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * Runs `kubelab <argv…>` against a table of commands (the registry in cli/commands/index.ts by
 * default) and returns the exit code. Errors are printed the way kubectl prints them.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  commands: readonly CommandEntry[] = registeredCommands,
): Promise<number> {
  const [first, ...rest] = argv;
  const listed = commands.map(({ name, summary }) => ({ name, summary }));
  const rootHelp = () => formatHelp(PROGRAM, { summary: ROOT_DESCRIPTION, usage: "[command]" }, listed);

  if (first === undefined || first === "--help" || first === "-h") {
    io.stdout.write(rootHelp());
    return 0;
  }
  if (first === "help") {
    if (rest.length === 0) {
      io.stdout.write(rootHelp());
      return 0;
    }
    return main([...rest, "--help"], io, commands);
  }
  if (first.startsWith("-")) {
    return fail(io, `unknown flag: ${first.replace(/=.*$/, "")}`, `See '${PROGRAM} --help' for usage.`);
  }

  const entry = commands.find((candidate) => candidate.name === first);
  if (!entry)
    return unknownCommand(
      io,
      first,
      PROGRAM,
      listed.map(({ name }) => name),
    );
  const { command } = await entry.load();
  return dispatch(command, rest, `${PROGRAM} ${command.name}`, io);
}

async function dispatch(command: CliCommand, argv: readonly string[], commandPath: string, io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  const subcommands = command.subcommands ?? [];
  if (command.rawArguments && command.run) {
    return runCommand(command, { args: [...argv], flags: {}, io, commandPath });
  }
  if (subcommands.length > 0 && first !== undefined && !first.startsWith("-")) {
    const subcommand = subcommands.find((candidate) => candidate.name === first);
    if (subcommand) return dispatch(subcommand, rest, `${commandPath} ${subcommand.name}`, io);
    if (!command.run)
      return unknownCommand(
        io,
        first,
        commandPath,
        subcommands.map(({ name }) => name),
      );
  }

  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv, command.flags ?? []);
  } catch (error) {
    if (error instanceof FlagError) return fail(io, error.message, `See '${commandPath} --help' for usage.`);
    throw error;
  }
  if (parsed.help || !command.run) {
    io.stdout.write(formatHelp(commandPath, command, subcommands));
    return 0;
  }
  return runCommand(command, { args: parsed.args, flags: parsed.flags, io, commandPath });
}

async function runCommand(command: CliCommand, invocation: Parameters<NonNullable<CliCommand["run"]>>[0]) {
  try {
    return (await command.run?.(invocation)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      return fail(invocation.io, error.message, `See '${error.commandPath} --help' for usage.`);
    }
    const message = error instanceof Error ? error.message : String(error);
    if (invocation.io.env.KUBELAB_DEBUG && error instanceof Error && error.stack) {
      invocation.io.stderr.write(`${error.stack}\n`);
    }
    return fail(invocation.io, message);
  }
}

function unknownCommand(io: CliIo, typed: string, commandPath: string, names: readonly string[]): number {
  const near = suggestions(typed, names);
  const hint = near.length > 0 ? `\nDid you mean this?\n${near.map((name) => `\t${name}`).join("\n")}\n` : "";
  return fail(io, `unknown command "${typed}" for "${commandPath}"${hint}`, `Run '${commandPath} --help' for usage.`);
}

function fail(io: CliIo, message: string, hint?: string): number {
  io.stderr.write(`Error: ${message}\n`);
  if (hint) io.stderr.write(`${hint}\n`);
  return 1;
}

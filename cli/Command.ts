/** Where a command reads and writes; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** A flag a command accepts (`--name value`, `--name=value`, `-n value`; booleans take no value). */
export interface CommandFlag {
  name: string;
  /** One-letter alias, e.g. `p` for `-p`. */
  short?: string;
  type: "string" | "number" | "boolean";
  description: string;
  /** Shown in help as `--name VALUE`. */
  valueName?: string;
  default?: string | number | boolean;
}

/** Flag values by flag name; defaults are filled in. */
export type FlagValues = Record<string, string | number | boolean | undefined>;

/** What a command's `run` receives. */
export interface Invocation {
  /** Positional arguments after the command's own name (all arguments when `rawArguments` is set). */
  args: string[];
  /** Parsed flags (empty when `rawArguments` is set). */
  flags: FlagValues;
  io: CliIo;
  /** The command path as typed, e.g. `kubelab cluster up`, for messages. */
  commandPath: string;
}

/**
 * One `kubelab` command. A command either runs (`run`) or groups subcommands (`subcommands`), or
 * both (run is then used when no subcommand is named).
 */
export interface CliCommand {
  name: string;
  /** One line, shown in the parent's command list. */
  summary: string;
  /** Longer help text, shown by `--help`. */
  description?: string;
  /** Usage line after the command path, e.g. `[flags]` or `FILE...`. */
  usage?: string;
  examples?: string[];
  flags?: CommandFlag[];
  subcommands?: CliCommand[];
  /**
   * Hand every argument after the command name to `run` untouched, `--help` included (for
   * `kubelab kubectl`, which parses its own flags).
   */
  rawArguments?: boolean;
  /** Runs the command; the returned number (default 0) is the exit code. */
  run?: (invocation: Invocation) => number | undefined | Promise<number | undefined>;
}

/** A failure the user caused (bad flag, missing argument): printed kubectl-style, exit code 1, no stack. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command path whose help to point at, e.g. `kubelab cluster up`. */
    readonly commandPath: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

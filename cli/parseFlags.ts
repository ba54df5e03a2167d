import type { CommandFlag, FlagValues } from "./Command";

/** The outcome of splitting a command's arguments into flags and positional arguments. */
export interface ParsedArguments {
  flags: FlagValues;
  args: string[];
  help: boolean;
}

/** Why the arguments did not parse, worded as kubectl words it. */
export class FlagError extends Error {}

/**
 * Parses `--name value`, `--name=value`, `-n value`, `-nvalue`, boolean `--name` / `--name=false`,
 * and `--` (everything after it is positional). `-h`/`--help` anywhere asks for help.
 */
export function parseFlags(argv: readonly string[], specs: readonly CommandFlag[]): ParsedArguments {
  const flags: FlagValues = {};
  for (const spec of specs) flags[spec.name] = spec.default;
  const args: string[] = [];
  let help = false;

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === "--") {
      args.push(...argv.slice(index + 1));
      break;
    }
    if (argument === "--help" || argument === "-h") {
      help = true;
      continue;
    }
    if (!argument.startsWith("-") || argument === "-") {
      args.push(argument);
      continue;
    }

    const long = argument.startsWith("--");
    const body = argument.slice(long ? 2 : 1);
    const equals = body.indexOf("=");
    let name = equals >= 0 ? body.slice(0, equals) : body;
    let inlineValue = equals >= 0 ? body.slice(equals + 1) : undefined;
    if (!long && name.length > 1) {
      // -p8080: a short flag with its value attached.
      inlineValue = name.slice(1) + (inlineValue === undefined ? "" : `=${inlineValue}`);
      name = name.slice(0, 1);
    }
    const spec = specs.find((candidate) => (long ? candidate.name === name : candidate.short === name));
    if (!spec)
      throw new FlagError(long ? `unknown flag: --${name}` : `unknown shorthand flag: '${name}' in ${argument}`);
    const shown = long ? `--${spec.name}` : `-${spec.short}`;

    if (spec.type === "boolean") {
      if (inlineValue === undefined) flags[spec.name] = true;
      else if (inlineValue === "true" || inlineValue === "false") flags[spec.name] = inlineValue === "true";
      else throw new FlagError(`invalid argument "${inlineValue}" for "${shown}" flag: expected true or false`);
      continue;
    }

    let value = inlineValue;
    if (value === undefined) {
      if (index + 1 >= argv.length) throw new FlagError(`flag needs an argument: ${shown}`);
      value = argv[++index] as string;
    }
    if (spec.type === "number") {
      const number = Number(value);
      if (value.trim() === "" || !Number.isFinite(number)) {
        throw new FlagError(`invalid argument "${value}" for "${shown}" flag: not a number`);
      }
      flags[spec.name] = number;
    } else {
      flags[spec.name] = value;
    }
  }
  return { flags, args, help };
}

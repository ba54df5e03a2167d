import { KubectlError } from "./errors";

/** The value kinds pflag offers that kubectl uses. */
export type FlagKind = "bool" | "string" | "int" | "stringArray" | "stringSlice" | "duration";

/** One flag definition, as a cobra command would register it with pflag. */
export interface FlagSpec {
  name: string;
  shorthand?: string;
  kind: FlagKind;
  default?: string | boolean | number | string[];
  usage?: string;
  /** The value used when the flag is given without `=value` (pflag's NoOptDefVal). */
  noOptDefault?: string;
  /** The value placeholder in help output. */
  valueName?: string;
  hidden?: boolean;
  /** pflag's MarkDeprecated message: each use prints a notice (MarkDeprecated also hides the flag: set hidden). */
  deprecated?: string;
}

/** Parsed flags: values by long name, and which were set explicitly. */
export interface ParsedFlags {
  values: Map<string, string | boolean | number | string[]>;
  changed: Set<string>;
  positional: string[];
  /** Index in `positional` where `--` appeared, or -1 (cobra's ArgsLenAtDash). */
  argsLenAtDash: number;
  /** pflag's `Flag --x has been deprecated, …` lines, one per use of a deprecated flag, for stderr. */
  deprecationNotices?: string[];
  /** Each flag as it was set, in order: its long name and the text pflag's Set received (ParseAll's view). */
  assignments?: [name: string, value: string][];
}

/** Error text of pflag failures, with cobra's "Error: " prefix and kubectl's usage hint. */
function flagError(commandPath: string, message: string): KubectlError {
  return new KubectlError(`Error: ${message}\nSee '${commandPath} --help' for usage.`);
}

/** Parses an argument vector with pflag's rules: interspersed flags, `--x=v`, `-xv`, `-abc`, `--`. */
export function parseFlags(args: string[], specs: FlagSpec[], commandPath: string): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  const byShorthand = new Map<string, FlagSpec>();
  for (const spec of specs) {
    // A command's own flag shadows a global flag of the same name (create rolebinding --user).
    if (byName.has(spec.name)) continue;
    byName.set(spec.name, spec);
    if (spec.shorthand && !byShorthand.has(spec.shorthand)) byShorthand.set(spec.shorthand, spec);
  }
  const values = new Map<string, string | boolean | number | string[]>();
  for (const spec of byName.values()) {
    if (spec.default !== undefined)
      values.set(spec.name, Array.isArray(spec.default) ? [...spec.default] : spec.default);
    else if (spec.kind === "bool") values.set(spec.name, false);
    else if (spec.kind === "stringArray" || spec.kind === "stringSlice") values.set(spec.name, []);
  }
  const changed = new Set<string>();
  const positional: string[] = [];
  let argsLenAtDash = -1;

  const deprecationNotices: string[] = [];
  const assignments: [string, string][] = [];
  const assign = (spec: FlagSpec, raw: string, shownName: string): void => {
    assignments.push([spec.name, raw]);
    const explicitFirst = !changed.has(spec.name);
    changed.add(spec.name);
    if (spec.deprecated) deprecationNotices.push(`Flag --${spec.name} has been deprecated, ${spec.deprecated}`);
    switch (spec.kind) {
      case "bool": {
        const parsed = parseGoBool(raw);
        if (parsed === undefined) {
          throw flagError(
            commandPath,
            `invalid argument "${raw}" for "${shownName}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
          );
        }
        values.set(spec.name, parsed);
        return;
      }
      case "int": {
        if (!/^[+-]?[0-9]+$/.test(raw)) {
          throw flagError(
            commandPath,
            `invalid argument "${raw}" for "${shownName}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`,
          );
        }
        values.set(spec.name, Number.parseInt(raw, 10));
        return;
      }
      case "duration": {
        if (parseGoDuration(raw) === undefined) {
          throw flagError(
            commandPath,
            `invalid argument "${raw}" for "${shownName}" flag: time: invalid duration "${raw}"`,
          );
        }
        values.set(spec.name, raw);
        return;
      }
      case "stringArray": {
        const current = explicitFirst ? [] : ((values.get(spec.name) as string[]) ?? []);
        values.set(spec.name, [...current, raw]);
        return;
      }
      case "stringSlice": {
        const current = explicitFirst ? [] : ((values.get(spec.name) as string[]) ?? []);
        values.set(spec.name, [...current, ...(raw === "" ? [] : splitCsv(raw))]);
        return;
      }
      default:
        values.set(spec.name, raw);
    }
  };

  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      argsLenAtDash = positional.length;
      positional.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const body = arg.slice(2);
      const equals = body.indexOf("=");
      const name = equals >= 0 ? body.slice(0, equals) : body;
      const spec = byName.get(name);
      if (!spec) {
        if (name === "help") throw new HelpRequested();
        throw flagError(commandPath, `unknown flag: --${name}`);
      }
      // pflag names a flag in errors with its shorthand too, however it was typed.
      const shown = spec.shorthand ? `-${spec.shorthand}, --${name}` : `--${name}`;
      if (equals >= 0) {
        assign(spec, body.slice(equals + 1), shown);
      } else if (spec.kind === "bool") {
        assign(spec, "true", shown);
      } else if (spec.noOptDefault !== undefined) {
        assign(spec, spec.noOptDefault, shown);
      } else if (index + 1 < args.length) {
        index++;
        assign(spec, args[index] as string, shown);
      } else {
        throw flagError(commandPath, `flag needs an argument: --${name}`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      let shorthands = arg.slice(1);
      while (shorthands.length > 0) {
        const letter = shorthands.charAt(0);
        const spec = byShorthand.get(letter);
        if (!spec) {
          if (letter === "h") throw new HelpRequested();
          throw flagError(commandPath, `unknown shorthand flag: '${letter}' in -${shorthands}`);
        }
        const rest = shorthands.slice(1);
        if (rest.startsWith("=")) {
          assign(spec, rest.slice(1), `-${letter}, --${spec.name}`);
          shorthands = "";
        } else if (spec.kind === "bool" || spec.noOptDefault !== undefined) {
          assign(spec, spec.kind === "bool" ? "true" : (spec.noOptDefault as string), `-${letter}, --${spec.name}`);
          shorthands = rest;
        } else if (rest.length > 0) {
          assign(spec, rest, `-${letter}, --${spec.name}`);
          shorthands = "";
        } else if (index + 1 < args.length) {
          index++;
          assign(spec, args[index] as string, `-${letter}, --${spec.name}`);
          shorthands = "";
        } else {
          throw flagError(commandPath, `flag needs an argument: '${letter}' in -${letter}`);
        }
      }
      continue;
    }
    positional.push(arg);
  }
  return { values, changed, positional, argsLenAtDash, deprecationNotices, assignments };
}

/** Thrown when `-h`/`--help` is given; the command prints its help text. */
export class HelpRequested extends Error {
  constructor() {
    super("help requested");
    this.name = "HelpRequested";
  }
}

/** Go's time.ParseDuration, in milliseconds; undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  const body = text.replace(/^[-+]/, "");
  if (body === "0") return 0;
  if (!/^([0-9]*\.?[0-9]+(ns|us|µs|μs|ms|s|m|h))+$/.test(body)) return undefined;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  for (const [, value, unit] of body.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(value) * (units[unit as string] ?? 0);
  return text.startsWith("-") ? -total : total;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

/** pflag's stringSlice splits with encoding/csv. */
function splitCsv(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"' && current === "") quoted = true;
    else if (ch === ",") {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** Typed accessors over parsed flags. */
export class Flags {
  constructor(readonly parsed: ParsedFlags) {}
  string(name: string): string {
    const value = this.parsed.values.get(name);
    return typeof value === "string" ? value : value === undefined ? "" : String(value);
  }
  bool(name: string): boolean {
    return this.parsed.values.get(name) === true;
  }
  int(name: string): number {
    const value = this.parsed.values.get(name);
    return typeof value === "number" ? value : Number(value ?? 0);
  }
  /** A duration flag's value in milliseconds. */
  duration(name: string): number {
    return parseGoDuration(this.string(name)) ?? 0;
  }
  list(name: string): string[] {
    const value = this.parsed.values.get(name);
    return Array.isArray(value) ? value : [];
  }
  changed(name: string): boolean {
    return this.parsed.changed.has(name);
  }
  get positional(): string[] {
    return this.parsed.positional;
  }
}

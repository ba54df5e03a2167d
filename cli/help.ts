import type { CliCommand, CommandFlag } from "./Command";

/** A command listed in help: its name and one-line summary. */
export interface ListedCommand {
  name: string;
  summary: string;
}

/** Help text in kubectl's shape: description, usage, commands, flags, examples. */
export function formatHelp(
  commandPath: string,
  command: Pick<CliCommand, "summary" | "description" | "usage" | "examples" | "flags" | "run">,
  subcommands: readonly ListedCommand[],
): string {
  const sections: string[] = [command.description?.trim() || command.summary];

  const usage: string[] = [];
  if (command.run || subcommands.length === 0) usage.push(`  ${commandPath} ${command.usage ?? "[flags]"}`.trimEnd());
  if (subcommands.length > 0) usage.push(`  ${commandPath} [command]`);
  sections.push(`Usage:\n${usage.join("\n")}`);

  if (subcommands.length > 0) {
    const width = Math.max(...subcommands.map((entry) => entry.name.length)) + 4;
    sections.push(
      `Available Commands:\n${subcommands.map((entry) => `  ${entry.name.padEnd(width)}${entry.summary}`).join("\n")}`,
    );
  }

  const helpFlag: CommandFlag = {
    name: "help",
    short: "h",
    type: "boolean",
    description: `help for ${commandPath.split(" ").at(-1)}`,
  };
  sections.push(`Flags:\n${formatFlags([...(command.flags ?? []), helpFlag])}`);

  if (command.examples?.length) sections.push(`Examples:\n${command.examples.map((line) => `  ${line}`).join("\n")}`);
  if (subcommands.length > 0) {
    sections.push(`Use "${commandPath} [command] --help" for more information about a command.`);
  }
  return `${sections.join("\n\n")}\n`;
}

function formatFlags(flags: readonly CommandFlag[]): string {
  const left = flags.map((flag) => {
    const names = flag.short ? `-${flag.short}, --${flag.name}` : `    --${flag.name}`;
    return flag.type === "boolean" ? names : `${names} ${flag.valueName ?? flag.type.toUpperCase()}`;
  });
  const width = Math.max(...left.map((text) => text.length)) + 3;
  return flags
    .map((flag, index) => {
      const fallback = flag.default === undefined ? "" : ` (default ${JSON.stringify(flag.default)})`;
      return `  ${(left[index] as string).padEnd(width)}${flag.description}${fallback}`;
    })
    .join("\n");
}

/** Names within two edits of `typed`, nearest first, as cobra suggests them. */
export function suggestions(typed: string, names: readonly string[]): string[] {
  return names
    .map((name) => ({ name, distance: editDistance(typed, name) }))
    .filter(({ name, distance }) => distance <= 2 || name.startsWith(typed))
    .sort((a, b) => a.distance - b.distance)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Writes helpTexts.json: `kubectl <command> --help` as the reference client (kubectl 1.32 at
 * /usr/bin/kubectl) prints it with output to a pipe, for every command and subcommand Kubelab's
 * kubectl implements. Run once when commands are added:
 *   npx tsx terminal/kubectl/help/generate.ts
 * The texts are kubectl's own documentation, mirrored so `kubectl <verb> -h` reads the same here.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "../Command";
import { allCommands } from "../commands/registry";

function paths(commands: Command[], prefix: string[] = []): string[][] {
  return commands.flatMap((command) => [
    [...prefix, command.name],
    ...paths(command.subcommands ?? [], [...prefix, command.name]),
  ]);
}

const texts: Record<string, string> = {};
// `help` is cobra's own command, answered in kubectl.ts rather than by the registry.
for (const words of [[], ["help"], ...paths(allCommands())]) {
  try {
    const text = execFileSync("/usr/bin/kubectl", [...words, "--help"], {
      encoding: "utf8",
      env: { ...process.env, HOME: "/nonexistent", KUBECONFIG: "/nonexistent" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    // A command kubectl does not have prints the root help instead: keep only real matches.
    if (words.length > 0 && !text.includes(`kubectl ${words.join(" ")}`)) continue;
    texts[words.join(" ")] = text;
  } catch {
    // Not a kubectl command.
  }
}
const file = path.join(import.meta.dirname, "helpTexts.json");
writeFileSync(file, `${JSON.stringify(texts, Object.keys(texts).sort(), 1)}\n`);
console.log(`${Object.keys(texts).length} help texts written to ${file}`);

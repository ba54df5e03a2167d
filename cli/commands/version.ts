import { readFileSync } from "node:fs";
import path from "node:path";
import type { CliCommand } from "../Command";

/** `kubelab version`: the version in package.json. */
export const command: CliCommand = {
  name: "version",
  summary: "Print the Kubelab version",
  flags: [{ name: "output", short: "o", type: "string", valueName: "FORMAT", description: "Output format: json" }],
  run({ flags, io, commandPath }) {
    const packageFile = path.resolve(import.meta.dirname, "..", "..", "package.json");
    const { version } = JSON.parse(readFileSync(packageFile, "utf8")) as { version: string };
    if (flags.output === "json") {
      io.stdout.write(`${JSON.stringify({ kubelabVersion: version, nodeVersion: process.version }, null, 2)}\n`);
    } else if (flags.output === undefined) {
      io.stdout.write(`Kubelab ${version} (Node ${process.version})\n`);
    } else {
      io.stderr.write(`Error: --output must be 'json', got ${JSON.stringify(flags.output)}\n`);
      io.stderr.write(`See '${commandPath} --help' for usage.\n`);
      return 1;
    }
    return 0;
  },
};

import { watch } from "node:fs";
import path from "node:path";
import type { CliCommand } from "../Command";

const check: CliCommand = {
  name: "check",
  summary: "Validate lesson files and prove every exercise's checks and solution",
  description: `Validates every lesson file (errors as FILE:LINE: message), then for each lesson with
 exercises starts a fresh in-process cluster with the lesson's starting state and, exercise by
 exercise: every check must fail before the solution, the solution runs in a learner-like shell,
 and every check must pass after it. With --watch it runs again whenever a lesson file changes.`,
  usage: "[PATH...] [flags]",
  flags: [
    { name: "watch", short: "w", type: "boolean", description: "Re-run when lesson files change" },
    { name: "validate-only", type: "boolean", description: "Only validate the files; start no clusters" },
    { name: "json", type: "boolean", description: "Print the report as JSON" },
  ],
  async run({ args, flags, io }) {
    const { defaultLessonsFolder } = await import("../../grader/run/findLesson");
    const { checkLessons, formatLessonsCheck } = await import("../../grader/run/lessonsCheck");
    const paths =
      args.length > 0 ? args.map((arg) => path.resolve(io.cwd, arg)) : [defaultLessonsFolder(undefined, io.env)];
    const once = async () => {
      const report = await checkLessons(paths, {
        validateOnly: flags["validate-only"] === true,
        log: flags.json ? undefined : (line) => io.stderr.write(`${line}\n`),
      });
      io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatLessonsCheck(report));
      return report.ok ? 0 : 1;
    };
    const status = await once();
    if (!flags.watch) return status;
    io.stderr.write("Watching for changes (Ctrl+C to stop)…\n");
    await new Promise<void>((resolve) => {
      let pending: NodeJS.Timeout | undefined;
      let running = Promise.resolve();
      const watchers = paths.map((target) =>
        watch(target, { recursive: true }, (_event, name) => {
          if (name && !String(name).endsWith(".md") && !String(name).endsWith(".ts")) return;
          clearTimeout(pending);
          // Editors write a file in several steps; run once they settle.
          pending = setTimeout(() => {
            running = running.then(async () => {
              await once();
            });
          }, 200);
        }),
      );
      const stop = () => {
        for (const watcher of watchers) watcher.close();
        process.off("SIGINT", stop);
        resolve();
      };
      process.on("SIGINT", stop);
    });
    return status;
  },
};

export const command: CliCommand = {
  name: "lessons",
  summary: "Work with lesson files",
  subcommands: [check],
};

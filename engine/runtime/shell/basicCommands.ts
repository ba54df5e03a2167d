import {
  bytesOutput,
  type Command,
  type CommandContext,
  defineCommand,
  latin1FromBytes,
  unsafeBytesFromLatin1,
} from "just-bash";
import type { ProcessEnvironment } from "../Process";

const durationUnits: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses sleep's operands (`5`, `0.5`, `1m`, `infinity`); NaN when invalid. */
export function parseSleep(args: string[]): number {
  let total = 0;
  for (const arg of args) {
    if (arg === "inf" || arg === "infinity") return Number.POSITIVE_INFINITY;
    const match = /^(\d*\.?\d+)([smhd]?)$/.exec(arg);
    if (!match) return Number.NaN;
    total += Number(match[1]) * (durationUnits[match[2]] ?? 1) * 1000;
  }
  return total;
}

/**
 * `sleep` on the engine clock, cancelled when the process is killed. `sleep infinity` arms no
 * timer at all: an idle container costs nothing.
 */
export function sleepCommand(env: ProcessEnvironment, killed: AbortSignal): Command {
  return defineCommand("sleep", async (args, ctx) => {
    if (args.length === 0) return { stdout: "", stderr: "sleep: missing operand\n", exitCode: 1 };
    const ms = parseSleep(args);
    if (Number.isNaN(ms))
      return {
        stdout: "",
        stderr: `sleep: invalid number '${args.find((a) => !/^\d/.test(a)) ?? args[0]}'\n`,
        exitCode: 1,
      };
    // The process's end, or Ctrl-C at a terminal (the line's signal), ends the sleep.
    const interrupt = ctx.signal;
    await new Promise<void>((resolve) => {
      if (killed.aborted || interrupt?.aborted) return resolve();
      const cancel = Number.isFinite(ms) ? env.clock.setTimer(ms, () => done()) : () => {};
      const done = () => {
        cancel();
        killed.removeEventListener("abort", done);
        interrupt?.removeEventListener("abort", done);
        resolve();
      };
      killed.addEventListener("abort", done);
      interrupt?.addEventListener("abort", done);
    });
    if (interrupt?.aborted && !killed.aborted) return { stdout: "", stderr: "", exitCode: 130 };
    return { stdout: "", stderr: "", exitCode: 0 };
  });
}

/** hostname, id, uname, ps and kill as a container shows them. */
export function systemCommands(env: ProcessEnvironment, utilities: Set<string>): Command[] {
  const commands: Command[] = [
    defineCommand("hostname", async (args) => {
      if (args.includes("-i")) return { stdout: `${env.ip}\n`, stderr: "", exitCode: 0 };
      return { stdout: `${env.hostname}\n`, stderr: "", exitCode: 0 };
    }),
  ];
  if (utilities.has("id")) {
    commands.push(
      defineCommand("id", async (args) => {
        if (args.includes("-u")) return { stdout: "0\n", stderr: "", exitCode: 0 };
        if (args.includes("-g")) return { stdout: "0\n", stderr: "", exitCode: 0 };
        if (args.includes("-un")) return { stdout: "root\n", stderr: "", exitCode: 0 };
        const groups =
          env.image.definition.userland === "busybox"
            ? "0(root),0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)"
            : "0(root)";
        return { stdout: `uid=0(root) gid=0(root) groups=${groups}\n`, stderr: "", exitCode: 0 };
      }),
    );
  }
  if (utilities.has("uname")) {
    commands.push(
      defineCommand("uname", async (args) => {
        const all = args.includes("-a");
        if (all)
          return {
            stdout: `Linux ${env.hostname} 6.8.0-1019-aws #21-Ubuntu SMP Wed Nov 20 12:00:00 UTC 2024 x86_64 GNU/Linux\n`,
            stderr: "",
            exitCode: 0,
          };
        if (args.includes("-r")) return { stdout: "6.8.0-1019-aws\n", stderr: "", exitCode: 0 };
        if (args.includes("-m")) return { stdout: "x86_64\n", stderr: "", exitCode: 0 };
        if (args.includes("-n")) return { stdout: `${env.hostname}\n`, stderr: "", exitCode: 0 };
        return { stdout: "Linux\n", stderr: "", exitCode: 0 };
      }),
    );
  }
  if (utilities.has("ps")) {
    commands.push(
      defineCommand("ps", async () => {
        let out = "PID   USER     TIME  COMMAND\n";
        for (const process of env.processTable()) {
          out += `${String(process.pid).padStart(5)} root      0:00 ${process.command}\n`;
        }
        return { stdout: out, stderr: "", exitCode: 0 };
      }),
    );
  }
  if (utilities.has("kill")) {
    commands.push(
      defineCommand("kill", async (args) => {
        const pids = args.filter((arg) => /^\d+$/.test(arg));
        if (pids.length === 0)
          return {
            stdout: "",
            stderr: "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n",
            exitCode: 2,
          };
        const known = new Set(env.processTable().map((process) => String(process.pid)));
        for (const pid of pids)
          if (!known.has(pid)) return { stdout: "", stderr: `kill: (${pid}) - No such process\n`, exitCode: 1 };
        return { stdout: "", stderr: "", exitCode: 0 };
      }),
    );
  }
  return commands;
}

/**
 * `tail -f` / `tail -F`: prints the end of the file, then what is appended, checking once a second
 * on the clock as busybox does, until the process is killed. `tail -f /dev/null` waits without a
 * timer. Without a follow flag the built-in tail runs.
 */
export function tailCommand(
  env: ProcessEnvironment,
  killed: AbortSignal,
  write: (stream: "stdout" | "stderr", text: string) => void,
): Command {
  return defineCommand("tail", async (args, ctx) => {
    const follow = args.some((arg) => /^-[a-zA-Z]*[fF]/.test(arg) || arg === "--follow" || arg.startsWith("--follow="));
    if (!follow) {
      const fromStart = await tailFromStart(args, ctx);
      if (fromStart) return fromStart;
      if (ctx.origCommand) return ctx.origCommand(args);
      return { stdout: "", stderr: "tail: not available\n", exitCode: 1 };
    }
    const retry = args.some((arg) => /^-[a-zA-Z]*F/.test(arg) || arg === "--retry");
    let lines = 10;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === "-n") lines = Number(args[++i]);
      else if (/^-n\d+$/.test(arg)) lines = Number(arg.slice(2));
      else if (!arg.startsWith("-")) files.push(arg);
    }
    const path = files[0] ? ctx.fs.resolvePath(ctx.cwd, files[0]) : undefined;
    const waitForKill = () =>
      new Promise<void>((resolve) => {
        if (killed.aborted) resolve();
        else killed.addEventListener("abort", () => resolve(), { once: true });
      });
    if (!path || path === "/dev/null") {
      await waitForKill();
      return { stdout: "", stderr: "", exitCode: 0 };
    }
    let offset = 0;
    let reported = false;
    const read = async (): Promise<void> => {
      let content: string;
      try {
        content = await ctx.fs.readFile(path);
      } catch {
        if (!reported) {
          write("stderr", `tail: can't open '${files[0]}': No such file or directory\n`);
          reported = true;
        }
        return;
      }
      if (offset === 0 && content.length > 0) {
        const all = content.split("\n");
        if (all[all.length - 1] === "") all.pop();
        write("stdout", `${all.slice(-lines).join("\n")}\n`);
      } else if (content.length > offset) {
        write("stdout", content.slice(offset));
      }
      offset = content.length;
    };
    await read();
    if (reported && !retry) return { stdout: "", stderr: "", exitCode: 1 };
    while (!killed.aborted) {
      await new Promise<void>((resolve) => {
        const cancel = env.clock.setTimer(1_000, () => resolve());
        killed.addEventListener(
          "abort",
          () => {
            cancel();
            resolve();
          },
          { once: true },
        );
      });
      if (!killed.aborted) await read();
    }
    return { stdout: "", stderr: "", exitCode: 0 };
  });
}

/**
 * `tail -c +N` / `tail -n +N`: output from the N-th byte or line on (the built-in tail reads `+N`
 * as the last N). kubectl cp --retries resumes a copy with `tar cf - PATH | tail -c+N`.
 */
async function tailFromStart(args: string[], ctx: CommandContext) {
  let unit: "c" | "n" | undefined;
  let start = 0;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const attached = /^-([cn])\+(\d+)$/.exec(arg);
    if (attached) {
      unit = attached[1] as "c" | "n";
      start = Number(attached[2]);
    } else if ((arg === "-c" || arg === "-n") && /^\+\d+$/.test(args[i + 1] ?? "")) {
      unit = arg[1] as "c" | "n";
      start = Number((args[++i] as string).slice(1));
    } else if (arg.startsWith("-")) {
      return undefined;
    } else {
      files.push(arg);
    }
  }
  if (!unit || files.length > 1) return undefined;
  let input: string;
  try {
    input = files[0]
      ? toLatin1(await ctx.fs.readFileBuffer(ctx.fs.resolvePath(ctx.cwd, files[0])))
      : latin1FromBytes(ctx.stdin);
  } catch {
    return { stdout: "", stderr: `tail: can't open '${files[0]}': No such file or directory\n`, exitCode: 1 };
  }
  const from = Math.max(0, start - 1);
  let output: string;
  if (unit === "c") {
    output = input.slice(from);
  } else {
    let offset = 0;
    for (let line = 0; line < from && offset >= 0; line++) {
      const next = input.indexOf("\n", offset);
      offset = next < 0 ? input.length : next + 1;
    }
    output = input.slice(offset);
  }
  return { ...bytesOutput(unsafeBytesFromLatin1(output)), stderr: "", exitCode: 0 };
}

function toLatin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

import { type Command as BashCommand, type CommandContext, defineCommand, type TransformPlugin } from "just-bash";
import { exitStatus, type Job, type JobTable, parseSignal, type SignalName, signals } from "./jobs";

/** What the job builtins need from the shell. */
export interface JobControlHost {
  readonly table: JobTable;
  /** Writes straight to the terminal: fg's command line and wait's notices come out as they happen. */
  write(text: string): void;
}

type Result = { stdout: string; stderr: string; exitCode: number };

const result = (stdout: string, stderr: string, exitCode: number): Result => ({ stdout, stderr, exitCode });

/** just-bash runs `wait` as a builtin that returns at once; the shell's own takes its place. */
export const waitCommandName = "__kubelab_wait";

/**
 * Renames `wait` to the shell's command in every script (just-bash resolves builtins before
 * custom commands), so `wait %1; echo $?` and `sleep 1 & wait` wait for the shell's jobs.
 */
export const waitPlugin: TransformPlugin = {
  name: "kubelab-wait",
  transform: ({ ast }) => {
    renameWait(ast);
    return { ast };
  },
};

function renameWait(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) renameWait(item);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  if (record.type === "SimpleCommand") {
    const parts = (record.name as { parts?: { type: string; value?: string }[] } | null)?.parts;
    const first = parts?.[0];
    if (parts?.length === 1 && first?.type === "Literal" && first.value === "wait") first.value = waitCommandName;
  }
  for (const value of Object.values(record)) if (typeof value === "object") renameWait(value);
}

/** bash's job builtins over the shell's job table: jobs, fg, bg, kill, wait, disown. */
export function jobCommands(host: JobControlHost): BashCommand[] {
  const { table } = host;
  /** Each spec's job, or bash's `bash: NAME: …` lines for those it cannot find. */
  const resolve = (name: string, specs: (string | undefined)[], bare: boolean) => {
    const jobs: Job[] = [];
    let stderr = "";
    for (const spec of specs) {
      const found = table.find(spec, bare);
      if ("errors" in found) stderr += found.errors.map((error) => `bash: ${name}: ${error}\n`).join("");
      else jobs.push(found);
    }
    return { jobs, stderr };
  };

  const jobs = defineCommand("jobs", async (args) => {
    const flags = new Set<string>();
    const specs: string[] = [];
    for (const arg of args) {
      if (/^-[lnprs]+$/.test(arg)) for (const flag of arg.slice(1)) flags.add(flag);
      else if (arg.startsWith("-") && arg !== "-") {
        const usage = "jobs: usage: jobs [-lnprs] [jobspec ...] or jobs -x command [args]\n";
        return result("", `bash: jobs: ${arg.slice(0, 2)}: invalid option\n${usage}`, 2);
      } else specs.push(arg);
    }
    const { jobs: chosen, stderr } =
      specs.length > 0 ? resolve("jobs", specs, false) : { jobs: [...table.list()], stderr: "" };
    let stdout = "";
    for (const job of chosen) {
      const running = job.state.kind === "running";
      if ((flags.has("r") && !running) || flags.has("s")) continue;
      if (flags.has("p")) {
        stdout += `${job.pid}\n`;
        continue;
      }
      stdout += table.format(job, { long: flags.has("l") });
      // A finished job is reported by the listing and leaves the table, as in bash.
      if (!running) table.remove(job);
    }
    return result(stdout, stderr, stderr ? 1 : 0);
  });

  const fg = defineCommand("fg", async (args, ctx) => {
    const found = table.find(args[0], true);
    if ("errors" in found) return result("", found.errors.map((error) => `bash: fg: ${error}\n`).join(""), 1);
    if (found.state.kind !== "running") return result("", "bash: fg: job has terminated\n", 1);
    host.write(`${found.command}\n`);
    return result("", "", await foreground(table, found, ctx));
  });

  const bg = defineCommand("bg", async (args) => {
    const { jobs: chosen, stderr } = resolve("bg", args.length > 0 ? args : [undefined], true);
    let errors = stderr;
    for (const job of chosen)
      errors +=
        job.state.kind === "running"
          ? `bash: bg: job ${job.number} already in background\n`
          : "bash: bg: job has terminated\n";
    return result("", errors, chosen.length === 0 || chosen.some((job) => job.state.kind !== "running") ? 1 : 0);
  });

  const disown = defineCommand("disown", async (args) => {
    const all = args.includes("-a");
    const runningOnly = args.includes("-r");
    const keep = args.includes("-h");
    const specs = args.filter((arg) => !/^-[ahr]+$/.test(arg));
    const { jobs: chosen, stderr } =
      all || runningOnly
        ? { jobs: table.list().filter((job) => !runningOnly || job.state.kind === "running"), stderr: "" }
        : resolve("disown", specs.length > 0 ? specs : [undefined], true);
    // -h keeps the job in the table (it would only be spared SIGHUP when the shell exits).
    if (!keep) for (const job of chosen) table.remove(job);
    return result("", stderr, stderr ? 1 : 0);
  });

  const kill = defineCommand("kill", async (args) => sendSignal(table, args));

  const wait = defineCommand(waitCommandName, async (args, ctx) => {
    const status = await waitFor(table, args, ctx);
    // Jobs that ended while the shell waited are reported now, before the line's next command
    // (after Ctrl-C, at the next prompt).
    const notices = ctx.signal?.aborted ? "" : table.takeNotices();
    if (notices) host.write(notices);
    return status;
  });

  return [jobs, fg, bg, disown, kill, wait];
}

/**
 * `fg`: the job runs in the foreground until it ends; Ctrl-C (the command's signal) interrupts it,
 * as SIGINT to the terminal's foreground process group. It leaves the table without a notice.
 */
async function foreground(table: JobTable, job: Job, ctx: CommandContext): Promise<number> {
  const interrupt = () => table.kill(job, "INT");
  ctx.signal?.addEventListener("abort", interrupt, { once: true });
  try {
    await job.ended;
  } finally {
    ctx.signal?.removeEventListener("abort", interrupt);
  }
  table.remove(job);
  return exitStatus(job.state);
}

/** `kill [-s SIG | -SIG | -n N] pid | %job …` */
function sendSignal(table: JobTable, args: string[]): Result {
  const usage = "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n";
  let signal: SignalName | 0 = "TERM";
  let rest = [...args];
  const first = rest[0];
  if (first === "-l" || first === "-L") return result(signalList(), "", 0);
  if (first === "-s" || first === "-n") {
    const name = rest[1];
    if (name === undefined) return result("", `bash: kill: ${first}: option requires an argument\n${usage}`, 2);
    const parsed = name === "0" ? 0 : parseSignal(name);
    if (parsed === undefined) return result("", `bash: kill: ${name}: invalid signal specification\n`, 1);
    signal = parsed;
    rest = rest.slice(2);
  } else if (first?.startsWith("-") && first !== "--" && first.length > 1) {
    const parsed = first === "-0" ? 0 : parseSignal(first);
    if (parsed === undefined) return result("", `bash: kill: ${first.slice(1)}: invalid signal specification\n`, 1);
    signal = parsed;
    rest = rest.slice(1);
  }
  if (rest[0] === "--") rest = rest.slice(1);
  if (rest.length === 0) return result("", usage, 2);
  let stderr = "";
  for (const target of rest) {
    let job: Job | undefined;
    if (target.startsWith("%")) {
      const found = table.find(target);
      if ("errors" in found) {
        stderr += found.errors.map((error) => `bash: kill: ${error}\n`).join("");
        continue;
      }
      job = found;
    } else if (/^-?\d+$/.test(target)) {
      job = table.byPid(Number(target));
      if (job?.state.kind !== "running") {
        stderr += `bash: kill: (${target}) - No such process\n`;
        continue;
      }
    } else {
      stderr += `bash: kill: ${target}: arguments must be process or job IDs\n`;
      continue;
    }
    if (signal !== 0) table.kill(job, signal);
  }
  return result("", stderr, stderr ? 1 : 0);
}

/** `kill -l`: the signals the shell's jobs can be sent, numbered as on Linux. */
function signalList(): string {
  return `${(Object.keys(signals) as SignalName[]).map((name) => `${signals[name].number}) SIG${name}`).join("\t")}\n`;
}

/** `wait [-n] [pid | %job …]`: for every job (status 0), the named ones (the last one's status) or the next to end. */
async function waitFor(table: JobTable, args: string[], ctx: CommandContext): Promise<Result> {
  const next = args.includes("-n");
  const specs = args.filter((arg) => arg !== "-n" && arg !== "-f");
  const interrupted = new Promise<"interrupted">((resolve) => {
    if (ctx.signal?.aborted) resolve("interrupted");
    ctx.signal?.addEventListener("abort", () => resolve("interrupted"), { once: true });
  });
  let stderr = "";
  const targets: Job[] = [];
  for (const spec of specs) {
    const job = spec.startsWith("%") ? table.find(spec) : table.byPid(Number(spec));
    if (job === undefined || "errors" in job) {
      stderr += /^\d+$/.test(spec)
        ? `bash: wait: pid ${spec} is not a child of this shell\n`
        : `bash: wait: ${spec}: no such job\n`;
      continue;
    }
    targets.push(job);
  }
  if (specs.length > 0 && targets.length === 0) return result("", stderr, 127);
  const waitedOn = targets.length > 0 ? targets : [...table.list()];
  if (next) {
    const running = waitedOn.filter((job) => job.state.kind === "running");
    if (running.length === 0) return result("", stderr, 127);
    const ended = await Promise.race([...running.map((job) => job.ended.then(() => job)), interrupted]);
    if (ended === "interrupted") return result("", stderr, 130);
    return result("", stderr, exitStatus(ended.state));
  }
  const all = Promise.all(waitedOn.map((job) => job.ended));
  if ((await Promise.race([all, interrupted])) === "interrupted") return result("", stderr, 130);
  const last = targets[targets.length - 1];
  return result("", stderr, last ? exitStatus(last.state) : 0);
}

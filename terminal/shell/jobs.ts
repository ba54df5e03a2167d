/**
 * The learner shell's background jobs (`cmd &`), kept as an interactive bash keeps its job table
 * (jobs.c): job numbers, the current (`+`) and previous (`-`) job, the lines `jobs` and the
 * completion notices print, and job specs (`%1`, `%%`, `%-`, `%sleep`, `%?pods`).
 */

/** The signals `kill` sends, with the status word bash prints for a job they ended. */
export const signals = {
  HUP: { number: 1, status: "Hangup" },
  INT: { number: 2, status: "Interrupt" },
  QUIT: { number: 3, status: "Quit" },
  KILL: { number: 9, status: "Killed" },
  USR1: { number: 10, status: "User defined signal 1" },
  USR2: { number: 12, status: "User defined signal 2" },
  PIPE: { number: 13, status: "Broken pipe" },
  ALRM: { number: 14, status: "Alarm clock" },
  TERM: { number: 15, status: "Terminated" },
} as const;

export type SignalName = keyof typeof signals;

/** How a job stands: running, ended with a status, or ended by a signal. */
export type JobState =
  | { kind: "running" }
  | { kind: "exited"; status: number }
  | { kind: "signalled"; signal: SignalName };

/** One background job. */
export interface Job {
  readonly number: number;
  /** The pid bash would print (`[1] 1234`, `$!`); the shell has no processes, so it is made up. */
  readonly pid: number;
  /** The command as `jobs` shows it (`sleep 30`, without the `&`). */
  readonly command: string;
  state: JobState;
  /** Stops what the job runs (its commands watch this signal, as a process would SIGTERM). */
  readonly controller: AbortController;
  /** The signal `kill` sent, which decides how the job is reported once it stops. */
  killedBy?: SignalName;
  /** Resolves once the job has ended. */
  readonly ended: Promise<void>;
  /** Set once its completion was reported (notice, `jobs`, `wait`, `fg`): it leaves the table. */
  reported: boolean;
}

/** The status a job's end leaves in `$?` (`wait %1`, `fg`): its own, or 128 + the signal. */
export function exitStatus(state: JobState): number {
  if (state.kind === "exited") return state.status;
  if (state.kind === "signalled") return 128 + signals[state.signal].number;
  return 0;
}

/** The status column of `jobs` and the notices: `Running`, `Done`, `Exit 2`, `Terminated` … */
function statusWord(state: JobState): string {
  if (state.kind === "running") return "Running";
  if (state.kind === "signalled") return signals[state.signal].status;
  return state.status === 0 ? "Done" : `Exit ${state.status}`;
}

/** What `start` answers when the shell already runs as many jobs as it allows. */
export class TooManyJobs extends Error {}

/**
 * The job table. Marks follow what bash does (checked against bash 5.2 in a pty): a new job
 * becomes current and the old current, if still running, previous; a job leaving the table hands
 * its mark to the newest running job. Finished jobs keep their marks until they are reported.
 */
export class JobTable {
  private readonly jobs: Job[] = [];
  private current: Job | undefined;
  private previous: Job | undefined;

  /**
   * @param nextPid the pid of the next job (increasing, as a kernel hands them out)
   * @param limit how many jobs may run at once (each holds streams, watches or listeners)
   */
  constructor(
    private readonly nextPid: () => number,
    readonly limit = 16,
  ) {}

  /** Jobs in the table, by number. */
  list(): readonly Job[] {
    return this.jobs;
  }

  running(): Job[] {
    return this.jobs.filter((job) => job.state.kind === "running");
  }

  /**
   * Starts `run` as job N (one more than the highest number in the table, as bash numbers them).
   * `run` gets the job's abort signal and resolves with its exit status.
   */
  start(command: string, run: (signal: AbortSignal) => Promise<number>): Job {
    if (this.running().length >= this.limit) throw new TooManyJobs();
    const number = Math.max(0, ...this.jobs.map((job) => job.number)) + 1;
    const controller = new AbortController();
    let settle: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const job: Job = {
      number,
      pid: this.nextPid(),
      command,
      state: { kind: "running" },
      controller,
      ended,
      reported: false,
    };
    this.jobs.push(job);
    const oldCurrent = this.current;
    this.current = job;
    this.previous = oldCurrent?.state.kind === "running" ? oldCurrent : this.newestRunning(job);
    const finish = (status: number) => {
      job.state = job.killedBy ? { kind: "signalled", signal: job.killedBy } : { kind: "exited", status };
      settle();
    };
    // The job's commands start after `start` returns, so `[1] 1234` comes before their output.
    queueMicrotask(() => {
      // Killed before it started (`sleep 30 & kill %1`): nothing runs, as a process killed at once.
      if (controller.signal.aborted) finish(143);
      else run(controller.signal).then(finish, () => finish(1));
    });
    return job;
  }

  /** `kill -SIG %N`: stops the job; it is reported with the signal's word once it has ended. */
  kill(job: Job, signal: SignalName): void {
    if (job.state.kind !== "running") return;
    job.killedBy ??= signal;
    job.controller.abort();
  }

  /** Takes a job out of the table (reported, disowned, brought to the foreground and ended). */
  remove(job: Job): void {
    const index = this.jobs.indexOf(job);
    if (index < 0) return;
    this.jobs.splice(index, 1);
    job.reported = true;
    if (this.current === job) {
      this.current = this.previous?.state.kind === "running" ? this.previous : this.newestRunning();
      this.previous = this.newestRunning(this.current);
    } else if (this.previous === job) this.previous = this.newestRunning(this.current);
  }

  /** `+`, `-` or a blank: the mark bash prints after a job's number. */
  mark(job: Job): string {
    return job === this.current ? "+" : job === this.previous ? "-" : " ";
  }

  /**
   * A job's line as `jobs` prints it (`[1]+  Running                 sleep 30 &`), with the pid
   * for `jobs -l`; a finished job's line is also the notice printed before the next prompt.
   */
  format(job: Job, options: { long?: boolean } = {}): string {
    const pid = options.long ? `${String(job.pid).padStart(5)} ` : " ";
    const running = job.state.kind === "running";
    return `[${job.number}]${this.mark(job)} ${pid}${statusWord(job.state).padEnd(24)}${job.command}${running ? " &" : ""}\n`;
  }

  /** The notices of jobs that ended and were not reported yet; they leave the table. */
  takeNotices(): string {
    let text = "";
    for (const job of [...this.jobs]) {
      if (job.state.kind === "running") continue;
      text += this.format(job);
      this.remove(job);
    }
    return text;
  }

  /**
   * A job spec as bash reads it: `%N`, `N` (where `bare` numbers are job numbers, as for fg/bg),
   * `%%`, `%+`, `%`, `%-`, `%prefix`, `%?text`. Returns the job, or the errors bash prints, each
   * after `bash: <builtin>: ` (an ambiguous spec gets two lines, as in bash 5.2).
   */
  find(spec: string | undefined, bare = false): Job | { errors: string[] } {
    const missing = { errors: [`${spec ?? "current"}: no such job`] };
    if (spec === undefined || spec === "%" || spec === "%%" || spec === "%+") return this.current ?? missing;
    if (spec === "%-") return this.previous ?? missing;
    const text = spec.startsWith("%") ? spec.slice(1) : bare ? spec : undefined;
    if (text === undefined) return missing;
    if (/^\d+$/.test(text)) return this.jobs.find((job) => job.number === Number(text)) ?? missing;
    const contains = text.startsWith("?");
    const needle = contains ? text.slice(1) : text;
    const matches = this.jobs.filter((job) =>
      contains ? job.command.includes(needle) : job.command.startsWith(needle),
    );
    if (matches.length > 1) return { errors: [`${needle}: ambiguous job spec`, ...missing.errors] };
    return matches[0] ?? missing;
  }

  /** The job whose pid this is (`kill 1234`, `wait $!`). */
  byPid(pid: number): Job | undefined {
    return this.jobs.find((job) => job.pid === pid);
  }

  private newestRunning(except?: Job): Job | undefined {
    return [...this.jobs].reverse().find((job) => job !== except && job.state.kind === "running");
  }
}

/** `-9`, `-KILL`, `-SIGKILL`, `KILL`, `9`: the signal, or undefined for one bash does not know. */
export function parseSignal(text: string): SignalName | undefined {
  const name = text.replace(/^-/, "").toUpperCase().replace(/^SIG/, "");
  if (/^\d+$/.test(name))
    return (Object.keys(signals) as SignalName[]).find((key) => signals[key].number === Number(name));
  return name in signals ? (name as SignalName) : undefined;
}

/**
 * Pids as a busy machine hands them out: increasing from somewhere in the low thousands, with
 * gaps (bash forks other processes between two jobs, and so does the rest of the system).
 */
export function plausiblePids(start = 1200 + Math.floor(Math.random() * 2400)): () => number {
  let next = start;
  return () => {
    next += 1 + Math.floor(Math.random() * 4);
    return next;
  };
}

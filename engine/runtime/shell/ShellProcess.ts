import { Bash, type Command, type CommandName, getCommandNames, type IFileSystem, parse } from "just-bash";
import { utilitiesOf } from "../executables";
import {
  deferred,
  type ExitStatus,
  type Process,
  type ProcessEnvironment,
  type Signal,
  signalExitCode,
} from "../Process";
import { sleepCommand, systemCommands, tailCommand } from "./basicCommands";
import { curlCommand, nslookupCommand, wgetCommand } from "./networkCommands";
import { streamedStderrPath, streamedStdoutPath, streamOutputPlugin } from "./streamOutput";
import { tarCommand } from "./tarCommand";

const builtinNames = new Set<string>(getCommandNames());
/** Set by a statement appended to each interactive line: absent afterwards, the line ran `exit`. */
const lineDoneVariable = "__KUBELAB_LINE_STATUS";

/**
 * The line with a statement appended that records `$?`, or undefined when that statement would not
 * stand on its own (a syntax error, a trailing `|`, an open here-document) and so cannot tell.
 */
function withLineDone(line: string): string | undefined {
  const script = `${line}\n${lineDoneVariable}=$?`;
  try {
    const alone = parse(line).statements.length;
    return parse(script).statements.length === alone + 1 ? script : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one of the image's programs from inside a shell (`nginx -g 'daemon off;'` in a script). */
export type ProgramRunner = (argv: string[], env: ProcessEnvironment) => Promise<number> | undefined;

export interface ShellOptions {
  /** A script to run (`sh -c`), or absent for a shell reading commands from stdin. */
  script?: string;
  commandLine: string;
  /** With a terminal: echo input, edit lines, print a prompt (`kubectl exec -it … -- sh`). */
  tty?: boolean;
  /**
   * The script reads the stdin the client sends (`echo x | kubectl exec -i pod -- cat`): it runs
   * once stdin ends (the client's close), with all of it as its input.
   */
  readsStdin?: boolean;
  runProgram: ProgramRunner;
  /** Programs (by command name) the image has, runnable from the shell. */
  programNames: string[];
}

/**
 * A shell (busybox sh, bash) or a shell utility (`sleep 3600`, `echo hi`) running in a container,
 * interpreted by just-bash over the container's file system, on the engine clock. Output is
 * streamed line by line to the process's stdout/stderr. As PID 1 it ignores SIGTERM (a shell has
 * no handler and the kernel gives PID 1 no default), so only the grace period's SIGKILL stops it.
 */
export class ShellProcess implements Process {
  readonly exited: Promise<ExitStatus>;
  readonly commandLine: string;
  private readonly finish: (status: ExitStatus) => void;
  private readonly killed = new AbortController();
  private readonly bash: Bash;
  private done = false;
  private shellEnv: Record<string, string>;
  private cwd: string;
  private lastStatus = 0;
  private line = "";
  private queue: string[] = [];
  private running = false;
  /** Aborted by Ctrl-C at a terminal while an interactive line runs: its commands stop (SIGINT). */
  private lineInterrupt?: AbortController;
  private stdinClosed = false;
  /** A script waiting for the end of its stdin, and the bytes read so far (see ShellOptions.readsStdin). */
  private waitingScript: string | undefined;
  private stdinChunks: Uint8Array[] = [];
  /**
   * The script is plain `cat`: it copies its input as it comes (`kubectl run -i … -- cat` typed
   * at a terminal echoes each line back at once), rather than at the input's end.
   */
  private readonly copiesStdin: boolean;
  /** UTF-8 decoders that keep a character split across chunks whole (stdin lines, byte output shown as text). */
  private readonly stdinDecoder = new TextDecoder();
  private readonly outputDecoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  /** Whether the last script finished with its environment (not an interpreter error). */
  private scriptReturnedEnv = false;

  constructor(
    private readonly env: ProcessEnvironment,
    private readonly options: ShellOptions,
  ) {
    const { promise, resolve } = deferred<ExitStatus>();
    this.exited = promise;
    this.finish = resolve;
    this.commandLine = options.commandLine;
    this.shellEnv = { HOSTNAME: env.hostname, HOME: "/root", ...env.env };
    this.cwd = env.workingDir || "/";
    const utilities = utilitiesOf(env.image.definition);
    const custom: Command[] = [
      sleepCommand(env, this.killed.signal),
      tailCommand(env, this.killed.signal, (stream, text) => this.write(stream, text)),
      ...systemCommands(env, utilities),
    ];
    if (utilities.has("curl")) custom.push(curlCommand(env.network, env.source, env.clock));
    if (utilities.has("wget")) custom.push(wgetCommand(env.network, env.source, env.clock));
    if (utilities.has("nslookup")) custom.push(nslookupCommand(env.network, env.source));
    if (utilities.has("tar")) {
      const flavour = env.image.definition.userland === "gnu" ? "gnu" : "busybox";
      custom.push(tarCommand(flavour, env.clock, (text) => this.write("stderr", text)));
    }
    for (const name of options.programNames) {
      custom.push({
        name,
        trusted: true,
        execute: async (args: string[]) => {
          const running = options.runProgram([name, ...args], env);
          if (!running) return { stdout: "", stderr: `sh: ${name}: not found\n`, exitCode: 127 };
          return { stdout: "", stderr: "", exitCode: await running };
        },
      } as Command);
    }
    this.bash = new Bash({
      fs: streamingFileSystem(env.fs, (stream, text) => this.write(stream, text)),
      cwd: this.cwd,
      env: this.shellEnv,
      commands: [...utilities].filter((name) => builtinNames.has(name)) as CommandName[],
      customCommands: custom,
      defenseInDepth: false,
      executionLimits: {
        maxLoopIterations: Number.MAX_SAFE_INTEGER,
        maxCommandCount: Number.MAX_SAFE_INTEGER,
        maxExecutionTimeMs: Number.MAX_SAFE_INTEGER,
        maxWorkUnits: Number.MAX_SAFE_INTEGER,
      },
      processInfo: { pid: env.isInit ? 1 : 7, ppid: 0, uid: 0, gid: 0 },
    });
    this.bash.registerTransformPlugin(streamOutputPlugin);
    this.copiesStdin = options.readsStdin === true && /^\s*cat(\s+-)?\s*$/.test(options.script ?? "");
    if (options.script !== undefined && options.readsStdin) {
      this.waitingScript = options.script;
    } else if (options.script !== undefined) {
      void this.runScript(options.script).then((status) => this.exit({ exitCode: status }));
    } else if (options.tty) {
      this.prompt();
    }
  }

  private write(stream: "stdout" | "stderr", data: string | Uint8Array): void {
    if (this.done || data.length === 0) return;
    if (typeof data !== "string") {
      // Bytes stay bytes where the reader takes them (an exec without a terminal: `tar cf -`);
      // a terminal and the container log get text.
      if (!this.options.tty && this.env.writeBytes) {
        this.env.writeBytes(stream, data);
        return;
      }
      data = this.outputDecoders[stream].decode(data, { stream: true });
      if (data.length === 0) return;
    }
    this.env.write(stream, this.options.tty ? data.replace(/\r?\n/g, "\r\n") : data);
  }

  /** Runs one interactive line; true when it ran `exit` (`echo bye; exit 3`), as sh would leave. */
  private async runLine(line: string): Promise<boolean> {
    this.lineInterrupt = new AbortController();
    try {
      return await this.runLineScript(line, this.lineInterrupt.signal);
    } finally {
      this.lineInterrupt = undefined;
    }
  }

  private async runLineScript(line: string, interrupt: AbortSignal): Promise<boolean> {
    const script = withLineDone(line);
    if (script === undefined) {
      await this.runScript(line, undefined, undefined, interrupt);
      return false;
    }
    await this.runScript(script, undefined, undefined, interrupt);
    if (interrupt.aborted) {
      this.lastStatus = 130;
      return false;
    }
    if (!this.scriptReturnedEnv || this.killed.signal.aborted) return false;
    const status = this.shellEnv[lineDoneVariable];
    delete this.shellEnv[lineDoneVariable];
    if (status === undefined) return true;
    this.lastStatus = Number(status);
    return false;
  }

  private async runScript(
    script: string,
    stdin?: string,
    stdinKind?: "text" | "bytes",
    interrupt?: AbortSignal,
  ): Promise<number> {
    this.scriptReturnedEnv = false;
    try {
      const result = await this.bash.exec(script, {
        stdin,
        stdinKind,
        signal: interrupt ? AbortSignal.any([this.killed.signal, interrupt]) : this.killed.signal,
        env: this.shellEnv,
        replaceEnv: true,
        cwd: this.cwd,
        rawScript: true,
      });
      this.write("stdout", result.stdout);
      // Ctrl-C stops the interpreter, which says so; a shell whose command got SIGINT says nothing.
      const stderr = interrupt?.aborted ? result.stderr.replace(/^bash: execution aborted\n/m, "") : result.stderr;
      if (!this.killed.signal.aborted) this.write("stderr", stderr);
      if (result.env) {
        this.scriptReturnedEnv = true;
        this.shellEnv = { ...result.env };
        if (result.env.PWD) this.cwd = result.env.PWD;
      }
      this.lastStatus = result.exitCode;
      return result.exitCode;
    } catch (error) {
      this.write("stderr", `sh: ${(error as Error).message}\n`);
      this.lastStatus = 2;
      return 2;
    }
  }

  private prompt(): void {
    if (!this.options.tty || this.done) return;
    const user =
      this.env.image.definition.userland === "gnu" ? `root@${this.env.hostname}:${this.cwd}# ` : `${this.cwd} # `;
    this.env.write("stdout", user);
  }

  writeStdin(data: string | Uint8Array): void {
    if (this.done) return;
    if (this.waitingScript !== undefined) {
      if (this.options.tty)
        this.terminalInput(typeof data === "string" ? data : this.stdinDecoder.decode(data, { stream: true }));
      else this.takeInput(typeof data === "string" ? encoder.encode(data) : data.slice());
      return;
    }
    if (this.options.script !== undefined) return;
    const text = typeof data === "string" ? data : this.stdinDecoder.decode(data, { stream: true });
    if (!this.options.tty) {
      this.line += text;
      const lines = this.line.split("\n");
      this.line = lines.pop() ?? "";
      this.enqueue(lines);
      return;
    }
    // A terminal in raw mode sends keystrokes: echo them and edit the line, as a line discipline would.
    for (const char of text) {
      if (char === "\r" || char === "\n") {
        this.env.write("stdout", "\r\n");
        const line = this.line;
        this.line = "";
        this.enqueue([line]);
      } else if (char === "\x7f" || char === "\b") {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.env.write("stdout", "\b \b");
        }
      } else if (char === "\x03") {
        this.line = "";
        this.env.write("stdout", "^C\r\n");
        // A running line's foreground command gets the SIGINT; the prompt follows when it ends.
        if (this.lineInterrupt) this.lineInterrupt.abort();
        else this.prompt();
      } else if (char === "\x04") {
        if (this.line === "") this.enqueue(["exit"]);
      } else if (char >= " " || char === "\t") {
        this.line += char;
        this.env.write("stdout", char);
      }
    }
  }

  /**
   * Keystrokes for a script waiting for its input on a terminal (`kubectl run -it … -- cat`): the
   * terminal's canonical mode echoes and edits them, hands over each line on Enter, and Ctrl-D on
   * an empty line is the end of input, when the script runs (just-bash takes its input whole).
   * Ctrl-C echoes `^C` and drops the line: the SIGINT it sends is ignored by PID 1 without a
   * handler, as a real container's `cat` ignores it.
   */
  private terminalInput(text: string): void {
    for (const char of text) {
      if (this.waitingScript === undefined) return;
      if (char === "\r" || char === "\n") {
        this.env.write("stdout", "\r\n");
        this.takeInput(encoder.encode(`${this.line}\n`));
        this.line = "";
      } else if (char === "\x7f" || char === "\b") {
        if (this.line.length > 0) {
          this.line = [...this.line].slice(0, -1).join("");
          this.env.write("stdout", "\b \b");
        }
      } else if (char === "\x04") {
        if (this.line === "") {
          this.closeStdin();
          return;
        }
        this.takeInput(encoder.encode(this.line));
        this.line = "";
      } else if (char === "\x03") {
        this.env.write("stdout", "^C\r\n");
        this.line = "";
        if (!this.env.isInit) this.signal("SIGINT");
      } else if (char >= " " || char === "\t") {
        this.line += char;
        this.env.write("stdout", char);
      }
    }
  }

  /** Input for a waiting script: kept for its run, or (plain `cat`) copied to stdout at once. */
  private takeInput(data: Uint8Array): void {
    if (this.copiesStdin) this.write("stdout", data);
    else this.stdinChunks.push(data);
  }

  closeStdin(): void {
    this.stdinClosed = true;
    const waiting = this.waitingScript;
    if (waiting !== undefined && !this.done) {
      this.waitingScript = undefined;
      const input = joined(this.stdinChunks);
      this.stdinChunks = [];
      // Text stays text for the shell's own readers (`read`, `$(cat)`); anything that is not UTF-8
      // (a tar stream with binary files) goes in as bytes. Either way `cat` and `tar` get the bytes sent.
      let text: string | undefined;
      try {
        text = strictDecoder.decode(input);
      } catch {
        text = undefined;
      }
      const run =
        text === undefined ? this.runScript(waiting, latin1(input), "bytes") : this.runScript(waiting, text, "text");
      void run.then((status) => this.exit({ exitCode: status }));
      return;
    }
    if (this.options.script !== undefined) return;
    if (this.line) this.enqueue([this.line]);
    this.line = "";
    this.enqueue([]);
  }

  private enqueue(lines: string[]): void {
    this.queue.push(...lines);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.done) {
      const line = this.queue.shift() ?? "";
      const exit = /^\s*exit(?:\s+(\d+))?\s*$/.exec(line);
      if (exit) {
        this.exit({ exitCode: exit[1] ? Number(exit[1]) : this.lastStatus });
        return;
      }
      if (line.trim() && (await this.runLine(line))) {
        this.exit({ exitCode: this.lastStatus });
        return;
      }
      this.prompt();
    }
    this.running = false;
    if (this.stdinClosed && !this.done) this.exit({ exitCode: this.lastStatus });
  }

  signal(signal: Signal): void {
    if (this.done) return;
    if (signal === "SIGWINCH") return;
    if (signal !== "SIGKILL" && this.env.isInit) return;
    this.killed.abort();
    this.exit({ exitCode: signalExitCode(signal) });
  }

  usage() {
    return this.done ? { memoryBytes: 0, cpuMillicores: 0 } : { memoryBytes: 430_080, cpuMillicores: 0 };
  }

  private exit(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    this.killed.abort();
    this.finish(status);
  }
}

const encoder = new TextEncoder();

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function joined(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Bytes as a latin1-shaped string (a char per byte), just-bash's byte buffer form. */
function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

/**
 * just-bash keeps what `read` and `$(…)` took from byte input as a latin1-shaped string, and
 * `echo` then writes it as if it were text (`é` arrives as `Ã©`). Such a string has only chars up
 * to U+00FF and, taken as bytes, is valid UTF-8 with multi-byte characters: it is passed on as the
 * bytes it stands for. Real text of that shape (`Ã©` typed as such) is vanishingly rare.
 */
function looksLikeUtf8Bytes(text: string): boolean {
  let high = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return false;
    if (code >= 0x80) high = true;
  }
  if (!high) return false;
  try {
    strictDecoder.decode(latin1Bytes(text));
    return true;
  } catch {
    return false;
  }
}

function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/**
 * Wraps a file system so writes to the stream paths reach the process's output at once. just-bash
 * writes a command's text output as a string with the `utf8` encoding and its byte output (`cat`,
 * `tar`) as a latin1-shaped string with `binary`: the latter reach the process as bytes.
 */
function streamingFileSystem(
  fs: IFileSystem,
  write: (stream: "stdout" | "stderr", data: string | Uint8Array) => void,
): IFileSystem {
  const streamOf = (path: string) =>
    path === streamedStdoutPath ? "stdout" : path === streamedStderrPath ? "stderr" : undefined;
  return new Proxy(fs, {
    get(target, property, receiver) {
      if (property === "appendFile" || property === "writeFile") {
        return async (path: string, content: string | Uint8Array, options?: unknown) => {
          const stream = streamOf(path);
          if (stream) {
            const encoding =
              typeof options === "string" ? options : (options as { encoding?: string } | undefined)?.encoding;
            if (typeof content !== "string") write(stream, content);
            else if (encoding === "binary" || encoding === "latin1" || looksLikeUtf8Bytes(content))
              write(stream, latin1Bytes(content));
            else write(stream, content);
            return;
          }
          // biome-ignore lint/suspicious/noExplicitAny: forwarding to the wrapped file system
          return (target as any)[property](path, content, options);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

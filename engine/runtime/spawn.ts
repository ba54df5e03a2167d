import { notFoundMessage, resolveExecutable } from "./executables";
import { IngressNginxProcess } from "./ingress/IngressNginxProcess";
import { deferred, type ExitStatus, type Process, type ProcessEnvironment } from "./Process";
import { PauseProcess, ServerProcess, StressProcess } from "./programs";
import { scriptReadsStdin } from "./shell/readsStdin";
import { ShellProcess } from "./shell/ShellProcess";
import { expandTemplate } from "./templates";

/** The runtime could not start the process: runc's "executable file not found" and kin. */
export class SpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpawnError";
  }
}

export interface SpawnOptions {
  /**
   * stdin is open (exec -i, a container with `stdin: true`): a bare shell reads commands from it
   * line by line; a script or utility that reads stdin (`cat`, `read x`, `tar -xf -`) runs when
   * it ends (the client's close, a stdinOnce container's first attach ending; with a terminal,
   * Ctrl-D on an empty line) with all of it, since just-bash takes its input whole; one that does
   * not read it runs at once. Without it stdin is /dev/null: empty, at EOF from the start.
   */
  stdin?: boolean;
  tty?: boolean;
  /** An exec's stdin (the kubelet sets it with `stdin`); the same rules as `stdin`. */
  execStdin?: boolean;
}

/** Quotes argv for a POSIX shell so a utility runs with exactly these arguments. */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)).join(" ");
}

/**
 * Starts `argv` in a container as execve would: resolves the executable in the image's PATH and
 * runs what the catalog says it does. Entrypoint scripts log their lines and exec their arguments.
 * Throws SpawnError when the executable does not exist.
 */
export function spawn(env: ProcessEnvironment, argv: string[], options: SpawnOptions = {}): Process {
  let args = argv;
  for (let depth = 0; depth < 8; depth++) {
    const name = args[0];
    if (name === undefined || name === "") throw new SpawnError("no command specified");
    const executable = resolveExecutable(env.image.definition, name, env.env.PATH);
    if (!executable) throw new SpawnError(notFoundMessage(name));
    if (executable.kind === "program") {
      const program = executable.program;
      switch (program.kind) {
        case "entrypoint": {
          let rest = args.slice(1);
          if (program.skipsDoubleDash && rest[0] === "--") rest = rest.slice(1);
          if (program.defaultCommand && (rest.length === 0 || rest[0].startsWith("-")))
            rest = [program.defaultCommand, ...rest];
          if (!program.whenFirstArgument || program.whenFirstArgument.includes(rest[0] ?? "")) {
            const now = env.clock.now();
            const values = { version: env.image.version, ip: env.ip, hostname: env.hostname };
            for (const line of program.log) env.write("stdout", `${expandTemplate(line, values, now)}\n`);
          }
          if (rest.length === 0) return exitedProcess(args.join(" "), 0);
          args = rest;
          continue;
        }
        case "server":
          return new ServerProcess(env, program, args);
        case "stress":
          return new StressProcess(env, args);
        case "pause":
          return new PauseProcess(env, program);
        case "ingress-nginx":
          return new IngressNginxProcess(env, args);
      }
    }
    const programNames = Object.keys(env.image.definition.programs ?? {}).map((path) =>
      path.slice(path.lastIndexOf("/") + 1),
    );
    const runProgram = (programArgv: string[], parent: ProcessEnvironment) => {
      try {
        const child = spawn({ ...parent, isInit: false }, programArgv);
        return child.exited.then((status) => status.exitCode);
      } catch {
        return undefined;
      }
    };
    const commandLine = args.join(" ");
    const stdinOpen = options.stdin === true || options.execStdin === true;
    const scriptProcess = (script: string) => {
      const readsStdin = stdinOpen && scriptReadsStdin(script);
      // A script waiting for input from a terminal gets the terminal's echo and line editing, and
      // its output the terminal's "\r\n" (kept to those scripts, so other output stays as it was).
      const tty = (options.tty === true && readsStdin) || undefined;
      return new ShellProcess(env, { script, commandLine, runProgram, programNames, readsStdin, tty });
    };
    if (executable.kind === "shell") {
      const flags = args.slice(1);
      if (flags[0] === "-c" || flags[0] === "-ec" || flags[0] === "-xc" || flags[0] === "-lc") {
        if (flags[1] === undefined) {
          env.write("stderr", `${executable.name}: -c requires an argument\n`);
          return exitedProcess(commandLine, 2);
        }
        return scriptProcess(flags[0] === "-ec" ? `set -e\n${flags[1]}` : flags[1]);
      }
      if (flags[0] && !flags[0].startsWith("-")) {
        // A script file: what it reads is only known once it runs, so an open stdin (without a
        // terminal, where its end is the client's) is waited for.
        return new ShellProcess(env, {
          script: `. ${shellQuote([flags[0]])}`,
          commandLine,
          runProgram,
          programNames,
          readsStdin: stdinOpen && options.tty !== true,
        });
      }
      if (!options.stdin) return exitedProcess(commandLine, 0);
      return new ShellProcess(env, { commandLine, tty: options.tty, runProgram, programNames });
    }
    return scriptProcess(shellQuote(args));
  }
  throw new SpawnError("too many levels of entrypoint indirection");
}

/** A process that has already ended (`sh` with no input, an entrypoint with nothing to run). */
function exitedProcess(commandLine: string, exitCode: number): Process {
  const { promise, resolve } = deferred<ExitStatus>();
  resolve({ exitCode });
  return { exited: promise, commandLine, signal() {}, usage: () => ({ memoryBytes: 0, cpuMillicores: 0 }) };
}

import {
  bytesOutput,
  type Command,
  type CommandContext,
  defineCommand,
  type IFileSystem,
  latin1FromBytes,
  unsafeBytesFromLatin1,
} from "just-bash";
import type { Clock } from "../../clock/Clock";
import { readTar, type TarEntry, type TarReadError, writeTar } from "../tar/tarArchive";

/** Which tar a container has: BusyBox's applet (busybox, alpine) or GNU tar 1.34 (Debian, Ubuntu). */
export type TarFlavour = "busybox" | "gnu";

interface TarOptions {
  /** c, x, t; GNU's r (append) and u (update): BusyBox has neither. */
  operation?: "c" | "x" | "t" | "r" | "u";
  file?: string;
  directory?: string;
  verbose: boolean;
  touch: boolean;
  toStdout: boolean;
  keepOld: boolean;
  gzip: boolean;
  dereference: boolean;
  noSamePermissions: boolean;
  stripComponents: number;
  excludes: string[];
  operands: string[];
}

class TarFailure extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
  ) {
    super(lines.join("\n"));
  }
}

const strerror: Record<string, string> = {
  ENOENT: "No such file or directory",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EEXIST: "File exists",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  EROFS: "Read-only file system",
  ENOTEMPTY: "Directory not empty",
};

/** The C library's text for a file system error (`ENOENT: …` → `No such file or directory`). */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = /^(E[A-Z]+)\b/.exec(message)?.[1];
  return (code && strerror[code]) ?? message;
}

const busyboxUsage = `BusyBox v1.37.0 multi-call binary.

Usage: tar c|x|t [-ZzJjahmvokO] [-f TARFILE] [-C DIR] [FILE]...

Create, extract, or list files from a tar file

\tc\tCreate
\tx\tExtract
\tt\tList
\t-f FILE\tName of TARFILE ('-' for stdin/out)
\t-C DIR\tChange to DIR before operation
\t-v\tVerbose
\t-O\tExtract to stdout
\t-m\tDon't restore mtime
\t-o\tDon't restore user:group
\t-k\tDon't replace existing files
\t-z\t(De)compress using gzip
\t-h\tFollow symlinks
\t--strip-components NUM\tNUM of leading components to strip
\t--no-same-permissions\tDon't restore access permissions
`;

/** Options that take an argument, in old-style clusters (`cf -`) and after a dash (`-xmf -`). */
const withArgument = new Set(["f", "C", "X", "T"]);

function parseArguments(args: string[], flavour: TarFlavour): TarOptions {
  const options: TarOptions = {
    verbose: false,
    touch: false,
    toStdout: false,
    keepOld: false,
    gzip: false,
    dereference: false,
    noSamePermissions: false,
    stripComponents: 0,
    excludes: [],
    operands: [],
  };
  const rest = [...args];
  const setOperation = (op: "c" | "x" | "t" | "r" | "u") => {
    if (options.operation && options.operation !== op) {
      throw flavour === "gnu"
        ? new TarFailure(
            [
              "tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option",
              "Try 'tar --help' or 'tar --usage' for more information.",
            ],
            2,
          )
        : new TarFailure([busyboxUsage.trimEnd()], 1);
    }
    options.operation = op;
  };
  const letter = (char: string, value: () => string) => {
    switch (char) {
      case "c":
      case "x":
      case "t":
        setOperation(char);
        return;
      case "r":
      case "u":
        if (flavour !== "gnu") throw invalidOption(char, flavour);
        setOperation(char);
        return;
      case "f":
        options.file = value();
        return;
      case "C":
        options.directory = value();
        return;
      case "X":
      case "T":
        value();
        return;
      case "v":
        options.verbose = true;
        return;
      case "m":
        options.touch = true;
        return;
      case "O":
        options.toStdout = true;
        return;
      case "k":
        options.keepOld = true;
        return;
      case "z":
        options.gzip = true;
        return;
      case "h":
        options.dereference = true;
        return;
      case "o":
      case "p":
        return;
      default:
        throw invalidOption(char, flavour);
    }
  };
  // Old style: a first argument without a dash is a cluster of letters whose arguments follow in order.
  if (rest.length > 0 && rest[0] && !rest[0].startsWith("-")) {
    const cluster = rest.shift() as string;
    for (const char of cluster) {
      letter(char, () => {
        const value = rest.shift();
        if (value === undefined) throw missingArgument(char, flavour);
        return value;
      });
    }
  }
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === "--") {
      options.operands.push(...rest.splice(0));
      break;
    }
    if (arg.startsWith("--")) {
      const [key, inline] = arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg];
      const value = () => {
        if (inline !== undefined) return inline;
        const next = rest.shift();
        if (next === undefined) throw missingArgument(key, flavour);
        return next;
      };
      switch (key) {
        case "--create":
          setOperation("c");
          break;
        case "--extract":
        case "--get":
          setOperation("x");
          break;
        case "--append":
        case "--update":
          if (flavour !== "gnu") throw unrecognized(arg, flavour);
          setOperation(key === "--append" ? "r" : "u");
          break;
        case "--list":
          setOperation("t");
          break;
        case "--file":
          options.file = value();
          break;
        case "--directory":
          options.directory = value();
          break;
        case "--verbose":
          options.verbose = true;
          break;
        case "--touch":
          options.touch = true;
          break;
        case "--to-stdout":
          options.toStdout = true;
          break;
        case "--keep-old-files":
          options.keepOld = true;
          break;
        case "--gzip":
        case "--gunzip":
          options.gzip = true;
          break;
        case "--dereference":
          options.dereference = true;
          break;
        case "--no-same-permissions":
          options.noSamePermissions = true;
          break;
        case "--strip-components":
          options.stripComponents = Number(value()) || 0;
          break;
        case "--exclude":
          options.excludes.push(value());
          break;
        case "--no-same-owner":
        case "--same-owner":
        case "--same-permissions":
        case "--preserve-permissions":
        case "--numeric-owner":
        case "--overwrite":
          break;
        default:
          throw unrecognized(arg, flavour);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      const letters = arg.slice(1);
      for (let i = 0; i < letters.length; i++) {
        const char = letters[i] as string;
        if (withArgument.has(char)) {
          const attached = letters.slice(i + 1);
          letter(char, () => {
            if (attached) return attached;
            const next = rest.shift();
            if (next === undefined) throw missingArgument(char, flavour);
            return next;
          });
          break;
        }
        letter(char, () => "");
      }
      continue;
    }
    options.operands.push(arg);
  }
  return options;
}

function invalidOption(char: string, flavour: TarFlavour): TarFailure {
  return flavour === "gnu"
    ? new TarFailure([`tar: invalid option -- '${char}'`, "Try 'tar --help' or 'tar --usage' for more information."], 2)
    : new TarFailure([`tar: invalid option -- '${char}'`, busyboxUsage.trimEnd()], 1);
}

function unrecognized(arg: string, flavour: TarFlavour): TarFailure {
  return flavour === "gnu"
    ? new TarFailure(
        [`tar: unrecognized option '${arg}'`, "Try 'tar --help' or 'tar --usage' for more information."],
        2,
      )
    : new TarFailure([`tar: unrecognized option '${arg}'`, busyboxUsage.trimEnd()], 1);
}

function missingArgument(option: string, flavour: TarFlavour): TarFailure {
  const name = option.startsWith("--") ? option : `-- '${option}'`;
  return flavour === "gnu"
    ? new TarFailure(
        [
          option.startsWith("--")
            ? `tar: option '${name}' requires an argument`
            : `tar: option requires an argument ${name}`,
          "Try 'tar --help' or 'tar --usage' for more information.",
        ],
        2,
      )
    : new TarFailure([`tar: option requires an argument ${name}`, busyboxUsage.trimEnd()], 1);
}

function toBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

function toLatin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

// Node's web streams do gzip; the engine's lib has no DOM types, so they are reached loosely.
// biome-ignore lint/suspicious/noExplicitAny: web stream globals outside the engine's lib
const web = globalThis as any;
async function gzipTransform(data: Uint8Array, mode: "compress" | "decompress"): Promise<Uint8Array> {
  const Transform = mode === "compress" ? web.CompressionStream : web.DecompressionStream;
  const stream = new web.Blob([data]).stream().pipeThrough(new Transform("gzip"));
  return new Uint8Array(await new web.Response(stream).arrayBuffer());
}

const encoder = new TextEncoder();
const pad2 = (value: number) => String(value).padStart(2, "0");

/** `tar -tv`'s line: mode string, owner, size, date (BusyBox adds seconds), name. */
function listing(entry: TarEntry, flavour: TarFlavour, widths: { owner: number }): string {
  const kind =
    entry.type === "directory" ? "d" : entry.type === "symlink" ? "l" : entry.type === "hardlink" ? "h" : "-";
  const bits = "rwxrwxrwx";
  let perms = "";
  for (let i = 0; i < 9; i++) perms += entry.mode & (1 << (8 - i)) ? bits[i] : "-";
  const owner = `${entry.uname || entry.uid}/${entry.gname || entry.gid}`;
  const size = String(entry.data?.length ?? 0);
  const date = new Date(entry.mtime * 1000);
  const day = `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
  const time = `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}${flavour === "busybox" ? `:${pad2(date.getUTCSeconds())}` : ""}`;
  // GNU tar widens the owner/size column for the rest of the listing when a line needs more.
  let sizeField = size.padStart(9);
  if (flavour === "gnu") {
    widths.owner = Math.max(widths.owner, owner.length + 1 + size.length);
    sizeField = size.padStart(widths.owner - owner.length - 1);
  }
  const link =
    entry.type === "symlink" ? ` -> ${entry.linkName}` : entry.type === "hardlink" ? ` link to ${entry.linkName}` : "";
  return `${kind === "h" ? "-" : kind}${perms} ${owner} ${sizeField} ${day} ${time} ${entry.name}${link}`;
}

interface Run {
  fs: IFileSystem;
  cwd: string;
  flavour: TarFlavour;
  clock: Clock;
  stdout: string[];
  stderr: string[];
  /** A delayed failure (GNU: exit 2 at the end; BusyBox: "error exit delayed"). */
  failed: boolean;
}

function fail(run: Run, flavour: TarFlavour, gnuLines: string[], busyboxLines: string[]): never {
  throw flavour === "gnu"
    ? new TarFailure([...run.stderr, ...gnuLines], 2)
    : new TarFailure([...run.stderr, ...busyboxLines], 1);
}

async function changeDirectory(run: Run, directory: string): Promise<string> {
  const path = run.fs.resolvePath(run.cwd, directory);
  let problem: string | undefined;
  try {
    const stat = await run.fs.stat(path);
    if (!stat.isDirectory) problem = "Not a directory";
  } catch (error) {
    problem = reason(error);
    // A missing component that is a file reads as ENOTDIR on Linux.
    if (problem === "No such file or directory" && (await fileOnPath(run.fs, path))) problem = "Not a directory";
  }
  if (problem) {
    fail(
      run,
      run.flavour,
      [`tar: ${directory}: Cannot open: ${problem}`, "tar: Error is not recoverable: exiting now"],
      [`tar: can't change directory to '${directory}': ${problem}`],
    );
  }
  return path;
}

/** True when some proper prefix of `path` is a regular file (so the kernel says ENOTDIR). */
async function fileOnPath(fs: IFileSystem, path: string): Promise<boolean> {
  const parts = path.split("/").filter(Boolean);
  let current = "";
  for (const part of parts.slice(0, -1)) {
    current += `/${part}`;
    const stat = await fs.stat(current).catch(() => undefined);
    if (!stat) return false;
    if (!stat.isDirectory) return true;
  }
  return false;
}

/** A member to write, with what `-v` prints for it. */
interface Collected {
  entry: TarEntry;
  listed: string;
}

/** The members for the operands, walked as tar walks them (a directory, then what it holds). */
async function collect(run: Run, options: TarOptions, base: string): Promise<Collected[]> {
  const entries: Collected[] = [];
  let warnedSlash = false;
  const stripLeading = (name: string) => {
    if (!name.startsWith("/")) return name;
    if (!warnedSlash) {
      run.stderr.push(
        run.flavour === "gnu"
          ? "tar: Removing leading `/' from member names"
          : "tar: removing leading '/' from member names",
      );
      warnedSlash = true;
    }
    return name.replace(/^\/+/, "");
  };
  const excluded = (name: string) =>
    options.excludes.some((pattern) => globMatch(pattern, name) || globMatch(pattern, name.split("/").pop() ?? ""));
  const add = async (operand: string, name: string): Promise<void> => {
    const path = run.fs.resolvePath(base, operand);
    if (excluded(name)) return;
    let stat: Awaited<ReturnType<IFileSystem["lstat"]>>;
    try {
      stat = options.dereference ? await run.fs.stat(path) : await run.fs.lstat(path);
    } catch (error) {
      if (run.flavour === "gnu") {
        stripLeading(name);
        run.stderr.push(`tar: ${name}: Cannot stat: ${reason(error)}`);
      } else {
        run.stderr.push(`tar: ${name}: ${reason(error)}`);
      }
      run.failed = true;
      return;
    }
    const member = stripLeading(name);
    if (member === "" && !stat.isDirectory) return;
    const listed = stat.isDirectory && member !== "" && !member.endsWith("/") ? `${member}/` : member;
    const common = {
      mode: stat.mode & 0o7777,
      uid: 0,
      gid: 0,
      uname: "root",
      gname: "root",
      mtime: Math.floor(stat.mtime.getTime() / 1000),
    };
    if (stat.isSymbolicLink) {
      entries.push({
        entry: { ...common, name: member, type: "symlink", mode: 0o777, linkName: await run.fs.readlink(path) },
        listed,
      });
    } else if (stat.isDirectory) {
      if (member !== "")
        entries.push({
          entry: { ...common, name: member.endsWith("/") ? member : `${member}/`, type: "directory" },
          listed,
        });
      const children = (await run.fs.readdir(path)).sort();
      for (const child of children) {
        await add(`${path.replace(/\/$/, "")}/${child}`, `${name.replace(/\/$/, "")}/${child}`);
      }
    } else {
      entries.push({
        entry: { ...common, name: member, type: "file", data: await run.fs.readFileBuffer(path) },
        listed,
      });
    }
  };
  for (const operand of options.operands) await add(operand, operand);
  return entries;
}

/** `-v`: the members' names as they are written, on stderr when the archive goes to stdout. */
function listWritten(run: Run, options: TarOptions, written: Collected[]): void {
  if (!options.verbose) return;
  const lines = written.map((item) => item.listed).filter((line) => line !== "");
  if (options.file === undefined || options.file === "-") run.stderr.push(...lines);
  else run.stdout.push(...lines.map(textLine));
}

async function create(run: Run, options: TarOptions, base: string): Promise<Uint8Array> {
  if (options.operands.length === 0) {
    fail(
      run,
      run.flavour,
      ["tar: Cowardly refusing to create an empty archive", "Try 'tar --help' or 'tar --usage' for more information."],
      ["tar: empty archive"],
    );
  }
  const collected = await collect(run, options, base);
  listWritten(run, options, collected);
  return writeTar(
    collected.map((item) => item.entry),
    run.flavour,
  );
}

/**
 * GNU tar's `-r` (append) and `-u` (update: only what is newer, in whole seconds, than the
 * archive's last member of that name, or not in it): the members go where the archive's end
 * blocks were, and the archive is padded to whole 10 KiB records again. A missing or empty
 * archive file is started; the archive cannot be stdin/stdout or compressed.
 */
async function append(run: Run, options: TarOptions, base: string): Promise<void> {
  const usage = "Try 'tar --help' or 'tar --usage' for more information.";
  if (options.file === undefined || options.file === "-")
    fail(run, run.flavour, ["tar: Options '-Aru' are incompatible with '-f -'", usage], []);
  if (options.gzip) fail(run, run.flavour, ["tar: Cannot update compressed archives", usage], []);
  const path = run.fs.resolvePath(run.cwd, options.file);
  let existing: Uint8Array = new Uint8Array(0);
  if (await run.fs.exists(path)) {
    try {
      existing = await run.fs.readFileBuffer(path);
    } catch (error) {
      fail(
        run,
        run.flavour,
        [`tar: ${options.file}: Cannot open: ${reason(error)}`, "tar: Error is not recoverable: exiting now"],
        [],
      );
    }
  }
  let prefix: Uint8Array = existing;
  let newest = new Map<string, number>();
  let alignTotal = true;
  if (existing.length > 0) {
    const read = readTar(existing);
    if (read.error === "truncated" || read.error === "bad-header")
      fail(run, run.flavour, ["tar: Unexpected EOF in archive", "tar: Error is not recoverable: exiting now"], []);
    if (read.error === "not-tar") {
      // GNU tar appends after what it could not read, in records of its own.
      alignTotal = false;
    } else {
      prefix = existing.subarray(0, read.end ?? existing.length);
      newest = new Map(read.entries.map((entry) => [entry.name.replace(/\/$/, ""), entry.mtime]));
    }
  }
  let collected = await collect(run, options, base);
  if (options.operation === "u") {
    collected = collected.filter(({ entry }) => {
      const archived = newest.get(entry.name.replace(/\/$/, ""));
      return archived === undefined || entry.mtime > archived;
    });
  }
  listWritten(run, options, collected);
  const archive = writeTar(
    collected.map((item) => item.entry),
    run.flavour,
    { prefix, alignTotal },
  );
  await run.fs.writeFile(path, archive);
}

function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}/?$`).test(name);
}

function readFailure(run: Run, error: TarReadError, inputLength: number): never {
  if (error === "truncated") {
    fail(
      run,
      run.flavour,
      ["tar: Unexpected EOF in archive", "tar: Error is not recoverable: exiting now"],
      ["tar: short read"],
    );
  }
  if (error === "not-tar" && inputLength < 512) {
    fail(
      run,
      run.flavour,
      ["tar: This does not look like a tar archive", "tar: Exiting with failure status due to previous errors"],
      ["tar: short read"],
    );
  }
  if (error === "not-tar") {
    fail(
      run,
      run.flavour,
      [
        "tar: This does not look like a tar archive",
        "tar: Skipping to next header",
        "tar: Exiting with failure status due to previous errors",
      ],
      ["tar: invalid tar magic"],
    );
  }
  fail(
    run,
    run.flavour,
    ["tar: Skipping to next header", "tar: Exiting with failure status due to previous errors"],
    ["tar: invalid tar header checksum"],
  );
}

/** The member's path below the target, or undefined for a member tar refuses (`..`). */
function safeName(run: Run, entry: TarEntry, strip: number, warned: { slash: boolean }): string | undefined {
  let name = entry.name;
  if (name.startsWith("/")) {
    if (!warned.slash) {
      run.stderr.push(
        run.flavour === "gnu"
          ? "tar: Removing leading `/' from member names"
          : "tar: removing leading '/' from member names",
      );
      warned.slash = true;
    }
    name = name.replace(/^\/+/, "");
  }
  if (name.split("/").includes("..")) {
    run.stderr.push(
      run.flavour === "gnu" ? `tar: ${name}: Member name contains '..'` : `tar: skipping unsafe path '${name}'`,
    );
    if (run.flavour === "gnu") run.failed = true;
    return undefined;
  }
  if (strip > 0) {
    const parts = name.split("/").filter(Boolean);
    if (parts.length <= strip) return undefined;
    name = parts.slice(strip).join("/") + (name.endsWith("/") ? "/" : "");
  }
  return name;
}

async function extract(run: Run, options: TarOptions, archive: Uint8Array, base: string, list: boolean): Promise<void> {
  const result = readTar(archive);
  const warned = { slash: false };
  const widths = { owner: 19 };
  const wanted = options.operands;
  const matched = new Set<string>();
  const now = new Date(run.clock.now());
  for (const entry of result.entries) {
    const name = safeName(run, entry, options.stripComponents, warned);
    if (name === undefined || name === "") continue;
    if (wanted.length > 0) {
      const hit = wanted.find((want) => {
        const trimmed = want.replace(/\/+$/, "");
        return name === trimmed || name === `${trimmed}/` || name.startsWith(`${trimmed}/`);
      });
      if (!hit) continue;
      matched.add(hit);
    }
    if (options.excludes.some((pattern) => globMatch(pattern, name) || globMatch(pattern, name.split("/").pop() ?? "")))
      continue;
    if (list) {
      run.stdout.push(textLine(options.verbose ? listing({ ...entry, name }, run.flavour, widths) : name));
      continue;
    }
    if (options.toStdout) {
      if (entry.type === "file") run.stdout.push(toLatin1(entry.data ?? new Uint8Array(0)));
      continue;
    }
    if (options.verbose) run.stdout.push(textLine(name));
    await extractEntry(run, options, entry, base, name, now);
  }
  for (const want of wanted) {
    if (!matched.has(want)) {
      run.stderr.push(
        run.flavour === "gnu" ? `tar: ${want}: Not found in archive` : `tar: ${want}: not found in archive`,
      );
      run.failed = true;
    }
  }
  if (result.error) readFailure(run, result.error, archive.length);
  if (result.loneZeroBlock && run.flavour === "gnu") {
    const blocks = Math.ceil(archive.length / 512);
    run.stderr.push(`tar: A lone zero block at ${blocks}`);
  }
}

async function extractEntry(
  run: Run,
  options: TarOptions,
  entry: TarEntry,
  base: string,
  name: string,
  now: Date,
): Promise<void> {
  const fs = run.fs;
  const path = fs.resolvePath(base, name);
  const display = name.replace(/\/$/, "");
  const failEntry = (error: unknown, what: "open" | "mkdir") => {
    const text = reason(error);
    if (run.flavour === "gnu") {
      run.stderr.push(`tar: ${display}: Cannot ${what}: ${text}`);
      run.failed = true;
      return;
    }
    fail(run, "busybox", [], [`tar: can't ${what === "open" ? "open" : "create directory"} '${display}': ${text}`]);
  };
  const parent = path.slice(0, path.lastIndexOf("/")) || "/";
  try {
    await fs.mkdir(parent, { recursive: true });
  } catch (error) {
    return failEntry(/EEXIST/.test(String(error)) ? new Error("ENOTDIR") : error, "open");
  }
  if (await fileOnPath(fs, path)) return failEntry(new Error("ENOTDIR"), "open");
  const existing = await fs.lstat(path).catch(() => undefined);
  const mode = options.noSamePermissions ? entry.mode & ~0o022 : entry.mode;
  const mtime = options.touch ? now : new Date(entry.mtime * 1000);
  try {
    if (entry.type === "directory") {
      if (existing && !existing.isDirectory) return failEntry(new Error("EEXIST"), "mkdir");
      if (!existing) await fs.mkdir(path, { recursive: true });
      await fs.chmod(path, mode);
      await fs.utimes(path, mtime, mtime);
      return;
    }
    if (existing) {
      if (options.keepOld) {
        if (run.flavour === "gnu") {
          run.stderr.push(`tar: ${display}: Cannot open: File exists`);
          run.failed = true;
        }
        return;
      }
      if (existing.isDirectory) return failEntry(new Error("EISDIR"), "open");
      await fs.rm(path);
    }
    if (entry.type === "symlink") {
      await fs.symlink(entry.linkName ?? "", path);
      return;
    }
    if (entry.type === "hardlink") {
      const target = fs.resolvePath(base, (entry.linkName ?? "").replace(/^\/+/, ""));
      await fs.writeFile(path, await fs.readFileBuffer(target));
    } else if (entry.type === "file") {
      await fs.writeFile(path, entry.data ?? new Uint8Array(0));
    } else {
      return;
    }
    await fs.chmod(path, mode);
    await fs.utimes(path, mtime, mtime);
  } catch (error) {
    failEntry(error, "open");
  }
}

async function readArchive(run: Run, options: TarOptions, ctx: CommandContext): Promise<Uint8Array> {
  if (options.file === undefined || options.file === "-") return toBytes(latin1FromBytes(ctx.stdin));
  const path = run.fs.resolvePath(run.cwd, options.file);
  try {
    return await run.fs.readFileBuffer(path);
  } catch (error) {
    fail(
      run,
      run.flavour,
      [`tar: ${options.file}: Cannot open: ${reason(error)}`, "tar: Error is not recoverable: exiting now"],
      [`tar: can't open '${options.file}': ${reason(error)}`],
    );
  }
}

/** A line of text for stdout, as the UTF-8 bytes (latin1-shaped) the byte stream carries. */
function textLine(text: string): string {
  return toLatin1(encoder.encode(`${text}\n`));
}

function joinOutput(lines: string[]): string {
  return lines.map((line) => (line.endsWith("\n") ? line : `${line}\n`)).join("");
}

/**
 * `tar` as the container's userland has it (BusyBox's applet or GNU tar): create, extract and list
 * ustar/GNU/PAX archives over the container's own file system, binary-safe through pipes and the
 * exec streams. It is what `kubectl cp` runs in the container: `tar -xmf - -C DIR` with the archive
 * on stdin, and `tar cf - PATH` with the archive on stdout; the messages and exit codes are the
 * real tools' (`tar: removing leading '/' from member names`, `Cannot stat`, `can't change
 * directory to …`).
 */
export function tarCommand(flavour: TarFlavour, clock: Clock, writeStderr?: (text: string) => void): Command {
  return defineCommand("tar", async (args, ctx) => {
    const run: Run = { fs: ctx.fs, cwd: ctx.cwd, flavour, clock, stdout: [], stderr: [], failed: false };
    try {
      if (args.includes("--help")) {
        return flavour === "gnu"
          ? {
              stdout:
                "Usage: tar [OPTION...] [FILE]...\nGNU 'tar' saves many files together into a single tape or disk archive, and can\nrestore individual files from the archive.\n",
              stderr: "",
              exitCode: 0,
            }
          : { stdout: "", stderr: busyboxUsage, exitCode: 0 };
      }
      const options = parseArguments(args, flavour);
      if (!options.operation) {
        fail(
          run,
          flavour,
          [
            "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options",
            "Try 'tar --help' or 'tar --usage' for more information.",
          ],
          [busyboxUsage.trimEnd()],
        );
      }
      const base = options.directory === undefined ? ctx.cwd : await changeDirectory(run, options.directory);
      if (options.operation === "r" || options.operation === "u") {
        await append(run, options, base);
      } else if (options.operation === "c") {
        let archive = await create(run, options, base);
        if (options.gzip) archive = await gzipTransform(archive, "compress");
        if (options.file !== undefined && options.file !== "-") {
          await ctx.fs.writeFile(ctx.fs.resolvePath(ctx.cwd, options.file), archive);
        } else {
          run.stdout.unshift(toLatin1(archive));
        }
      } else {
        let archive = await readArchive(run, options, ctx);
        if (options.gzip) {
          try {
            archive = await gzipTransform(archive, "decompress");
          } catch {
            fail(
              run,
              flavour,
              [
                "gzip: stdin: not in gzip format",
                "tar: Child returned status 1",
                "tar: Error is not recoverable: exiting now",
              ],
              ["tar: invalid magic"],
            );
          }
        }
        await extract(run, options, archive, base, options.operation === "t");
      }
      if (run.failed) {
        run.stderr.push(
          flavour === "gnu"
            ? "tar: Exiting with failure status due to previous errors"
            : "tar: error exit delayed from previous errors",
        );
      }
      // Creating to stdout, the real tools print their messages as they go, before the archive's
      // end blocks: kubectl cp (which stops reading at the end blocks) shows them only then.
      const archiveToStdout = options.operation === "c" && (options.file === undefined || options.file === "-");
      return finish(run, run.failed ? (flavour === "gnu" ? 2 : 1) : 0, writeStderr, archiveToStdout);
    } catch (error) {
      if (!(error instanceof TarFailure)) throw error;
      return finish({ ...run, stderr: error.lines }, error.exitCode, writeStderr);
    }
  });
}

function finish(run: Run, exitCode: number, writeStderr?: (text: string) => void, stderrFirst = false) {
  const stdout = run.stdout.join("");
  let stderr = joinOutput(run.stderr);
  // Also, just-bash 3.4 fails a pipeline (`tar cf - DIR | tail -c+N`, which kubectl cp --retries
  // runs) with "invalid stdout accounting" when a command returns both binary output and stderr:
  // the messages then go to the process's stderr directly as well.
  if (writeStderr && stderr && (stderrFirst || /\P{ASCII}/u.test(stdout))) {
    writeStderr(stderr);
    stderr = "";
  }
  return { ...bytesOutput(unsafeBytesFromLatin1(stdout)), stderr, exitCode };
}

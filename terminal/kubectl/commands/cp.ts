import { readTar, type TarEntry, writeTar } from "../../../engine/runtime/tar/tarArchive";
import { openChannel } from "../ChannelConnection";
import type { Command, CommandContext } from "../Command";
import { ApiStatusError, formatApiError, KubectlError, plainError } from "../errors";
import type { Flags } from "../flags";
import type { LocalFiles } from "../KubectlIO";
import { toStatusError } from "../RestClient";
import type { KubeObject } from "./common";
import { defaultContainer } from "./defaultContainer";

/**
 * `kubectl cp`, as kubectl 1.32's pkg/cmd/cp does it: a tar stream through exec. To a pod: `test -d
 * DEST` (is it a directory?), then the local files as an archive (Go's archive/tar format) on the
 * stdin of `tar -xmf - -C DIR`. From a pod: `tar cf - PATH`, whose archive is unpacked locally with
 * the remote path's prefix stripped; tar's own messages go to stdout, as kubectl wires them.
 */
export const cpCommand: Command = {
  name: "cp",
  short: "Copy files and directories to and from containers",
  use: "cp <file-spec-src> <file-spec-dest>",
  flags: [
    {
      name: "container",
      shorthand: "c",
      kind: "string",
      usage:
        "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen",
    },
    {
      name: "no-preserve",
      kind: "bool",
      usage: "The copied file/directory's ownership and permissions will not be preserved in the container",
    },
    {
      name: "retries",
      kind: "int",
      usage:
        "Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry).",
    },
  ],
  async run(context, flags) {
    if (flags.positional.length !== 2) throw plainError("source and destination are required");
    const [source, destination] = flags.positional.map(fileSpec) as [FileSpec, FileSpec];
    if (source.pod && destination.pod) throw plainError("one of src or dest must be a local file specification");
    if (!source.path || !destination.path) throw plainError("filepath can not be empty");
    if (source.pod) return copyFromPod(context, flags, source, destination.path);
    if (destination.pod) return copyToPod(context, flags, source.path, destination);
    throw plainError("one of src or dest must be a remote file specification");
  },
};

interface FileSpec {
  namespace?: string;
  pod?: string;
  path: string;
}

/** cp's extractFileSpec: `[[namespace/]pod:]path`. */
function fileSpec(argument: string): FileSpec {
  const colon = argument.indexOf(":");
  if (colon < 0) return { path: argument };
  if (colon === 0) throw plainError("filespec must match the canonical format: [[namespace/]pod:]file/path");
  const [podPart, path] = [argument.slice(0, colon), argument.slice(colon + 1)];
  const pieces = podPart.split("/");
  if (pieces.length === 1) return { pod: podPart, path };
  if (pieces.length === 2) return { namespace: pieces[0], pod: pieces[1], path };
  throw plainError("filespec must match the canonical format: [[namespace/]pod:]file/path");
}

// ---------------------------------------------------------------------------------------------
// Go's path functions, which kubectl's localPath/remotePath wrap.

/** Go's path.Clean. */
export function cleanPath(path: string): string {
  if (path === "") return ".";
  const rooted = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else {
      out.push(part);
    }
  }
  const joined = out.join("/");
  return rooted ? `/${joined}` : joined || ".";
}

function dirOf(path: string): string {
  const cleaned = cleanPath(path);
  const slash = cleaned.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : cleaned.slice(0, slash);
}

function baseOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return path === "" ? "." : "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

const joinPath = (...parts: string[]) => cleanPath(parts.filter((part) => part !== "").join("/"));

/** kubectl's stripPathShortcuts: no leading `../`, `.` or `..`, no leading slash. */
function stripPathShortcuts(path: string): string {
  let current = path;
  while (current.startsWith("../")) current = current.slice(3);
  if (current === "." || current === "..") current = "";
  return current.startsWith("/") ? current.slice(1) : current;
}

// ---------------------------------------------------------------------------------------------
// Exec

interface ExecOutcome {
  exitCode: number;
  /** A failure Status that is not an exit code (container not found, no such executable). */
  message?: string;
}

/** One exec as cp's `execute` runs it: the pod is read first, stdin (if any) is sent and closed. */
async function execute(
  context: CommandContext,
  flags: Flags,
  spec: FileSpec,
  command: string[],
  streams: { stdin?: Uint8Array; stdout(data: Uint8Array): void; stderr(data: Uint8Array): void },
): Promise<ExecOutcome> {
  const client = await context.client();
  const namespace = spec.namespace ?? (await context.namespace());
  let pod: KubeObject;
  try {
    pod = await client.get<KubeObject>(`/api/v1/namespaces/${namespace}/pods/${spec.pod}`);
  } catch (error) {
    if (error instanceof ApiStatusError) throw new KubectlError(formatApiError(error));
    throw error;
  }
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    throw plainError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  const container = defaultContainer(pod, flags.string("container"), false, (text) =>
    streams.stderr(new TextEncoder().encode(text)),
  );
  const session = await openChannel(client, {
    path: `/api/v1/namespaces/${namespace}/pods/${spec.pod}/exec`,
    query: { command, container, stdin: streams.stdin ? true : undefined, stdout: true, stderr: true },
    onStdout: (data) => streams.stdout(new Uint8Array(data)),
    onStderr: (data) => streams.stderr(new Uint8Array(data)),
    signal: context.io.signal,
  }).catch((error: { statusCode?: number; body?: string }) => {
    if (error.statusCode)
      throw new KubectlError(
        formatApiError(toStatusError({ statusCode: error.statusCode, headers: {}, body: error.body ?? "" })),
      );
    throw error;
  });
  if (streams.stdin) {
    // client-go's stream copier sends stdin in 32 KiB frames, then (v5) the close.
    for (let offset = 0; offset < streams.stdin.length; offset += 32 * 1024) {
      session.sendStdin(Buffer.from(streams.stdin.subarray(offset, offset + 32 * 1024)));
    }
    session.closeStdin();
  }
  return session.done;
}

/** What cmdutil.CheckErr prints and exits with for an exec's failure. */
function checkExecError(context: CommandContext, outcome: ExecOutcome): number {
  if (outcome.message) throw new KubectlError(`error: ${outcome.message}`);
  if (outcome.exitCode !== 0) context.io.stderr(`command terminated with exit code ${outcome.exitCode}\n`);
  return outcome.exitCode;
}

function files(context: CommandContext): LocalFiles {
  const local = context.io.files;
  if (!local) throw plainError("kubectl cp needs a local file system, which this terminal does not offer");
  return local;
}

// ---------------------------------------------------------------------------------------------
// To a pod

async function copyToPod(
  context: CommandContext,
  flags: Flags,
  source: string,
  destination: FileSpec,
): Promise<number> {
  const local = files(context);
  const sourceInfo = await local.stat(source);
  if (!sourceInfo) throw plainError(`${source} doesn't exist in local filesystem`);
  let destinationPath = destination.path;
  // checkDestinationIsDir: an exec of `test -d DEST` whose output nobody sees.
  const probe = await execute(context, flags, destination, ["test", "-d", destination.path], {
    stdout() {},
    stderr() {},
  }).catch(() => ({ exitCode: 1 }));
  if (probe.exitCode === 0 && !("message" in probe && probe.message)) {
    destinationPath = joinPath(destination.path, baseOf(cleanPath(source)));
  }
  const archive = await makeTar(local, cleanPath(source), cleanPath(destinationPath));
  const command = flags.bool("no-preserve")
    ? ["tar", "--no-same-permissions", "--no-same-owner", "-xmf", "-"]
    : ["tar", "-xmf", "-"];
  const directory = dirOf(destinationPath);
  if (directory) command.push("-C", directory);
  const stdoutDecoder = new TextDecoder();
  const stderrDecoder = new TextDecoder();
  const outcome = await execute(context, flags, destination, command, {
    stdin: archive,
    stdout: (data) => context.io.stdout(stdoutDecoder.decode(data, { stream: true })),
    stderr: (data) => context.io.stderr(stderrDecoder.decode(data, { stream: true })),
  });
  return checkExecError(context, outcome);
}

/** makeTar/recursiveTar: the local tree as Go's archive/tar writes it, named after the destination. */
async function makeTar(local: LocalFiles, source: string, destination: string): Promise<Uint8Array> {
  const entries: TarEntry[] = [];
  const walk = async (path: string, name: string): Promise<void> => {
    const info = await local.stat(path);
    if (!info) return;
    const header = {
      mode: info.mode & 0o7777,
      uid: info.uid ?? 0,
      gid: info.gid ?? 0,
      uname: info.uname ?? "root",
      gname: info.gname ?? "root",
      mtime: Math.round(info.mtimeMs / 1000),
    };
    if (info.type === "directory") {
      const children = (await local.list(path)).sort();
      if (children.length === 0) entries.push({ ...header, name, type: "directory" });
      for (const child of children) await walk(joinPath(path, child), `${name}/${child}`);
    } else if (info.type === "symlink") {
      entries.push({ ...header, name, type: "symlink", linkName: await local.readLink(path) });
    } else {
      entries.push({ ...header, name, type: "file", data: await local.readBytes(path) });
    }
  };
  await walk(source, baseOf(destination));
  return writeTar(entries, "go");
}

// ---------------------------------------------------------------------------------------------
// From a pod

async function copyFromPod(
  context: CommandContext,
  flags: Flags,
  source: FileSpec,
  destination: string,
): Promise<number> {
  const local = files(context);
  const chunks: Uint8Array[] = [];
  const tarMessages = new TextDecoder();
  const retries = flags.int("retries");
  const command = retries !== 0 ? ["sh", "-c", `tar cf - ${source.path} | tail -c+0`] : ["tar", "cf", "-", source.path];
  const outcome = await execute(context, flags, source, command, {
    stdout: (data) => chunks.push(data),
    // kubectl gives the remote tar's stderr its own stdout.
    stderr: (data) => context.io.stdout(tarMessages.decode(data, { stream: true })),
  });
  const archive = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    archive.set(chunk, offset);
    offset += chunk.length;
  }
  // kubectl reads the archive in one goroutine while another runs the exec and exits the program
  // (cmdutil.CheckErr) on its error. A failure Status (no tar in the container) arrives with no
  // archive and ends it; a tar that exits non-zero still wrote its end blocks, at which the reader
  // has already finished: kubectl ends successfully, having printed tar's messages.
  if (outcome.message) return checkExecError(context, outcome);
  if (outcome.exitCode !== 0 && readTar(archive).error) return checkExecError(context, outcome);
  const prefix = stripPathShortcuts(cleanPath(source.path.replace(/^\/+/, "")));
  const read = readTar(archive);
  let symlinkWarned = false;
  for (const entry of read.entries) {
    if (!entry.name.startsWith(prefix)) throw plainError("tar contents corrupted");
    const rest = entry.name.slice(prefix.length);
    const target = joinPath(destination, cleanPath(`/${rest}`).replace(/^\/+/, ""));
    if (!isRelative(cleanPath(destination), target)) {
      context.io.stderr(`warning: file "${target}" is outside target destination, skipping\n`);
      continue;
    }
    await local.mkdir(dirOf(target));
    if (entry.type === "directory") {
      await local.mkdir(target);
      continue;
    }
    if (entry.type === "symlink") {
      if (!symlinkWarned) {
        const namespace = source.namespace ?? (await context.namespace());
        context.io.stderr(
          `warning: skipping symlink: "${target}" -> "${entry.linkName}" (consider using "kubectl exec -n "${namespace}" "${source.pod}" -- tar cf - "${source.path}" | tar xf -")\n`,
        );
        symlinkWarned = true;
        continue;
      }
      context.io.stderr(`warning: skipping symlink: "${target}" -> "${entry.linkName}"\n`);
      continue;
    }
    if ((await local.stat(target))?.type === "directory") throw plainError(`open ${target}: is a directory`);
    await local.writeBytes(target, entry.data ?? new Uint8Array(0));
  }
  if (read.error === "truncated") throw plainError("unexpected EOF");
  if (read.error) throw plainError("archive/tar: invalid tar header");
  return 0;
}

/** kubectl's isRelative: `target` lies inside `base`. */
function isRelative(base: string, target: string): boolean {
  if (base === "." || base === "") return !target.startsWith("../") && target !== ".." && !target.startsWith("/");
  return target === base || target.startsWith(`${base.replace(/\/$/, "")}/`);
}

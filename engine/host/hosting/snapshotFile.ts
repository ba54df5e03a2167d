import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * A hosted cluster's snapshot on disk: one file holding the store's snapshot and every node's
 * files, so the two can never disagree. Layout: a header line of JSON (format, time saved, byte
 * lengths, SHA-256 of everything after the header), then the store bytes, then the node files as
 * JSON. A file cut short or altered fails the length or checksum test.
 */
export interface ClusterSnapshot {
  /** Wall time the snapshot was taken (ms since the epoch). */
  savedAt: number;
  store: Uint8Array;
  /** Node name → absolute node path → file contents. */
  nodes: Record<string, Record<string, string>>;
  /** The SHA-256 of the file's contents after its header, when read from a file: the journal's base. */
  sha256?: string;
}

const FORMAT = "kubelab-cluster-snapshot/1";

/** Thrown when a snapshot file is damaged (truncated, altered, not a snapshot). */
export class DamagedSnapshotError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "DamagedSnapshotError";
  }
}

interface Header {
  format: string;
  savedAt: number;
  storeBytes: number;
  nodesBytes: number;
  sha256: string;
}

/** Encodes a snapshot as the bytes of one file. */
export function encodeSnapshot(snapshot: ClusterSnapshot): Buffer {
  return encodeSnapshotWithSum(snapshot).bytes;
}

function encodeSnapshotWithSum(snapshot: ClusterSnapshot): { bytes: Buffer; sha256: string } {
  const nodes = Buffer.from(JSON.stringify(snapshot.nodes));
  const store = Buffer.from(snapshot.store.buffer, snapshot.store.byteOffset, snapshot.store.byteLength);
  const sha256 = createHash("sha256").update(store).update(nodes).digest("hex");
  const header: Header = {
    format: FORMAT,
    savedAt: snapshot.savedAt,
    storeBytes: store.byteLength,
    nodesBytes: nodes.byteLength,
    sha256,
  };
  return { bytes: Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), store, nodes]), sha256 };
}

/** Decodes a snapshot file's bytes, checking format, lengths and checksum. */
export function decodeSnapshot(file: string, bytes: Buffer): ClusterSnapshot {
  const newline = bytes.indexOf(10);
  if (newline < 0) throw new DamagedSnapshotError(file, "no header (the file is empty or cut short)");
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString("utf8"));
  } catch {
    throw new DamagedSnapshotError(file, "unreadable header");
  }
  if (header.format !== FORMAT) throw new DamagedSnapshotError(file, `unknown format ${String(header.format)}`);
  const expected = newline + 1 + header.storeBytes + header.nodesBytes;
  if (bytes.byteLength !== expected) {
    throw new DamagedSnapshotError(file, `truncated or padded: ${bytes.byteLength} bytes, header says ${expected}`);
  }
  const store = bytes.subarray(newline + 1, newline + 1 + header.storeBytes);
  const nodes = bytes.subarray(newline + 1 + header.storeBytes);
  const sha256 = createHash("sha256").update(store).update(nodes).digest("hex");
  if (sha256 !== header.sha256) throw new DamagedSnapshotError(file, "checksum mismatch");
  let parsedNodes: ClusterSnapshot["nodes"];
  try {
    parsedNodes = JSON.parse(nodes.toString("utf8"));
  } catch {
    throw new DamagedSnapshotError(file, "unreadable node files");
  }
  return { savedAt: header.savedAt, store: new Uint8Array(store), nodes: parsedNodes, sha256: header.sha256 };
}

/** Writes of one file in progress, chained so they land in the order they were asked for. */
const fileWrites = new Map<string, Promise<void>>();
let temporaryCounter = 0;

/** A temporary name beside `file`, unique per write: this process, a counter and random bits. */
function temporaryName(file: string): string {
  temporaryCounter = (temporaryCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${file}.tmp-${process.pid}-${temporaryCounter}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes `bytes` to `file` atomically: a temporary file in the same folder, fsync, rename over
 * the target, fsync of the folder. A crash at any point leaves either the old file or the new one.
 * Each write has a temporary file of its own, and writes of the same file in this process run one
 * after the other in call order, so the last one asked for is what the file holds.
 */
export function writeFileAtomically(file: string, bytes: Uint8Array, mode = 0o600): Promise<void> {
  const key = path.resolve(file);
  const previous = fileWrites.get(key) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => writeOnce(file, bytes, mode));
  const settled = write.catch(() => undefined);
  fileWrites.set(key, settled);
  void settled.then(() => {
    if (fileWrites.get(key) === settled) fileWrites.delete(key);
  });
  return write;
}

async function writeOnce(file: string, bytes: Uint8Array, mode: number): Promise<void> {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = temporaryName(file);
  const handle = await open(temporary, "w", mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}

/** The current and previous snapshot files of a cluster folder. */
export function snapshotFiles(folder: string): { current: string; previous: string } {
  return { current: path.join(folder, "snapshot"), previous: path.join(folder, "snapshot.previous") };
}

/**
 * Saves a snapshot: the current one becomes `snapshot.previous` (kept as the fallback), then the
 * new one is written atomically as `snapshot`.
 */
export async function saveSnapshot(
  folder: string,
  snapshot: ClusterSnapshot,
): Promise<{ bytes: number; sha256: string }> {
  const { bytes, sha256 } = encodeSnapshotWithSum(snapshot);
  const { current, previous } = snapshotFiles(folder);
  // One save of a cluster at a time (the host chains them), so one temporary name is enough.
  const temporary = `${current}.tmp-${process.pid}`;
  const handle = await open(temporary, "w", 0o600).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return open(temporary, "w", 0o600);
  });
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  // Keep the last good snapshot as the fallback. Between these two renames a crash leaves only
  // `snapshot.previous`, which loading falls back to.
  await rename(current, previous).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  await rename(temporary, current);
  await syncFolder(folder);
  return { bytes: bytes.byteLength, sha256 };
}

/**
 * The changes of one store revision, as the journal keeps them: each operation is `[key, value]`
 * (a put) or `[key]` (a delete), in the order the transaction made them.
 */
export interface JournalChange {
  revision: number;
  ops: Array<[string, string] | [string]>;
}

/** The journal file of a cluster folder: the changes made since its snapshot. */
export function journalFile(folder: string): string {
  return path.join(folder, "journal");
}

/**
 * Appends `changes` to the journal as one record and fsyncs it: a line holding the SHA-256 of its
 * JSON, then the JSON (`base`, the SHA-256 of the snapshot the changes follow, and the changes).
 * A record cut short by a crash fails its checksum and ends the replay. Returns the bytes written.
 */
export async function appendJournal(folder: string, base: string, changes: JournalChange[]): Promise<number> {
  const json = JSON.stringify({ base, changes });
  const line = `${createHash("sha256").update(json).digest("hex")} ${json}\n`;
  const handle = await open(journalFile(folder), "a", 0o600);
  try {
    await handle.writeFile(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return Buffer.byteLength(line);
}

/** What the journal holds for a snapshot: its changes in order, and why reading stopped early. */
export interface ReadJournal {
  changes: JournalChange[];
  /** Bytes of the records read. */
  bytes: number;
  /** Why the rest was not read (a record cut short or altered), when it was not. */
  damaged?: string;
}

/**
 * Reads the journal's records that follow the snapshot whose SHA-256 is `base` (records of an
 * older snapshot, left by a crash between a save and the journal's removal, are skipped), up to
 * the first damaged record.
 */
export async function readJournal(folder: string, base: string | undefined): Promise<ReadJournal> {
  const read: ReadJournal = { changes: [], bytes: 0 };
  let text: string;
  try {
    text = await readFile(journalFile(folder), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return read;
    return { ...read, damaged: `unreadable journal: ${(error as Error).message}` };
  }
  let offset = 0;
  let index = 0;
  while (offset < text.length) {
    const newline = text.indexOf("\n", offset);
    if (newline < 0) return { ...read, damaged: `journal record ${index + 1} is cut short` };
    const line = text.slice(offset, newline);
    offset = newline + 1;
    index++;
    const space = line.indexOf(" ");
    const json = line.slice(space + 1);
    if (space !== 64 || createHash("sha256").update(json).digest("hex") !== line.slice(0, 64))
      return { ...read, damaged: `journal record ${index} fails its checksum` };
    const record = JSON.parse(json) as { base: string; changes: JournalChange[] };
    if (record.base !== base) continue;
    read.changes.push(...record.changes);
    read.bytes += Buffer.byteLength(line) + 1;
  }
  return read;
}

/** What loading found: the snapshot and which file it came from, with the reasons others were skipped. */
export interface LoadedSnapshot {
  snapshot: ClusterSnapshot;
  file: string;
  skipped: string[];
}

/** Loads the newest good snapshot of a cluster folder; undefined when there is none (a fresh cluster). */
export async function loadSnapshot(
  folder: string,
): Promise<LoadedSnapshot | { snapshot: undefined; skipped: string[] }> {
  const skipped: string[] = [];
  for (const file of [snapshotFiles(folder).current, snapshotFiles(folder).previous]) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      skipped.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    try {
      return { snapshot: decodeSnapshot(file, bytes), file, skipped };
    } catch (error) {
      skipped.push((error as Error).message);
    }
  }
  return { snapshot: undefined, skipped };
}

/** A save failure in words for the log: a full disk or a quota says so plainly. */
export function describeSaveError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ENOSPC") return `the disk is full (${message})`;
  if (code === "EDQUOT") return `the disk quota is exhausted (${message})`;
  if (code === "EROFS") return `the data folder is read-only (${message})`;
  if (code === "EACCES" || code === "EPERM") return `no permission to write the data folder (${message})`;
  return message;
}

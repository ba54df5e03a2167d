import type { NodeFileSystem } from "../kubelet/NodeFileSystem";
import type { EtcdDataDirs as EtcdDataDirsPort } from "../runtime";
import { KeyValueStore } from "../store/KeyValueStore";

/** kubeadm's etcd data dir (the etcd static pod's `--data-dir` and its etcd-data hostPath volume). */
export const KUBEADM_ETCD_DATA_DIR = "/var/lib/etcd";

/**
 * The first line of a data dir's `member/snap/db`. The running member's db says `live` (its keys
 * are the cluster's store, held in memory); a dir etcd left, or one `etcdutl snapshot restore`
 * wrote, holds the store's snapshot after a `stored` line.
 */
const DB_MAGIC = "KUBELAB-ETCD-DB-1";
const LIVE_DB = `${DB_MAGIC}\nlive\n`;
const STORED_PREFIX = `${DB_MAGIC}\nstored\n`;

/** etcd's files in a data dir: the backend, and the WAL its member writes (etcd's own names). */
export function etcdDbPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/member/snap/db`;
}
export function etcdWalPath(walDir: string): string {
  return `${walDir.replace(/\/+$/, "")}/0000000000000000-0000000000000000.wal`;
}
/** The raft snapshot `etcdutl snapshot restore` writes beside the db (index 1, term 1). */
export function etcdRaftSnapPath(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, "")}/member/snap/0000000000000001-0000000000000001.snap`;
}

/** What a data dir's db file holds. */
export type EtcdDb = { kind: "live" } | { kind: "stored"; bytes: Uint8Array } | { kind: "invalid" };

/** Reads a db file's text (as the node keeps it: one character per byte). */
export function parseEtcdDb(content: string): EtcdDb {
  if (content === LIVE_DB) return { kind: "live" };
  if (content.startsWith(STORED_PREFIX))
    return { kind: "stored", bytes: new Uint8Array(Buffer.from(content.slice(STORED_PREFIX.length), "latin1")) };
  return { kind: "invalid" };
}

/** The db text of a data dir holding `snapshot` (a store snapshot's bytes). */
export function storedEtcdDb(snapshot: Uint8Array): string {
  return STORED_PREFIX + Buffer.from(snapshot).toString("latin1");
}

// Placeholders for etcd's binary files: only their names and places matter to a learner's `ls -R`.
const WAL_TEXT = "etcd write-ahead log (Kubelab keeps the store in memory)\n";
const RAFT_SNAP_TEXT = "etcd raft snapshot (index 1, term 1)\n";

/**
 * Writes a data dir as etcd lays one out: `member/snap/db` and the WAL in `member/wal` (or
 * `walDir`), and, for one `etcdutl snapshot restore` wrote, the raft snapshot beside the db.
 */
export async function writeEtcdDataDir(
  fs: NodeFileSystem,
  dataDir: string,
  db: string,
  options: { walDir?: string; restored?: boolean } = {},
): Promise<void> {
  await fs.writeFile(etcdDbPath(dataDir), db);
  if (options.restored) await fs.writeFile(etcdRaftSnapPath(dataDir), RAFT_SNAP_TEXT);
  await fs.writeFile(etcdWalPath(options.walDir ?? `${dataDir.replace(/\/+$/, "")}/member/wal`), WAL_TEXT);
}

/**
 * The running store's snapshot when `content` is a live db (a copy of the running member's db),
 * the snapshot a stored db holds, or undefined for anything else.
 */
export function snapshotOfDb(content: string, store: KeyValueStore): Uint8Array | undefined {
  const db = parseEtcdDb(content);
  if (db.kind === "live") return store.snapshot();
  if (db.kind === "stored") return db.bytes;
  return undefined;
}

/**
 * The cluster's store as the control plane's etcd keeps it in a data dir of the node's file
 * system. The store lives in one dir at a time (its db file marked `live`); when the etcd static
 * pod's program starts on another dir, as after `etcdutl snapshot restore` and an edit of
 * /etc/kubernetes/manifests/etcd.yaml, the store is written into the dir it leaves and becomes
 * what the new dir holds: a restored snapshot, a store etcd left there earlier, or nothing (a new,
 * empty member). The store's watches are canceled meanwhile (the API server's watchers are told to
 * list again, as when kube-apiserver reconnects to a restarted etcd).
 */
export class EtcdDataDirs implements EtcdDataDirsPort {
  /** Where the store lives: a node dir, null for a container's own dir, undefined until looked for. */
  private liveDir: string | null | undefined;
  private serving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: KeyValueStore,
    private readonly fs: NodeFileSystem,
    private readonly log: (line: string) => void = () => {},
  ) {}

  serve(hostDirectory: string | undefined): Promise<string | undefined> {
    // One start at a time: a manifest edited twice in a row starts etcd twice.
    const next = this.serving.then(() => this.open(hostDirectory));
    this.serving = next.catch(() => undefined);
    return next;
  }

  private async open(dir: string | undefined): Promise<string | undefined> {
    const live = await this.findLiveDir();
    if (dir === live || (dir === undefined && live === null)) return undefined;
    if (dir === undefined && live === undefined) {
      // A container's own dir, and no node dir holds the store: it stays what it is.
      this.liveDir = null;
      return undefined;
    }
    const content = dir === undefined ? undefined : await this.fs.readFile(etcdDbPath(dir));
    if (dir !== undefined && content === undefined && live === undefined && (await this.fs.readDir(dir)).length === 0) {
      // No dir holds the running store (the node's first etcd start, or a cluster saved before
      // data dirs were kept): it is this one's.
      await writeEtcdDataDir(this.fs, dir, LIVE_DB);
      this.liveDir = dir;
      return undefined;
    }
    let incoming: Uint8Array;
    if (content === undefined) {
      incoming = new KeyValueStore().snapshot();
    } else {
      const db = parseEtcdDb(content);
      if (db.kind === "live") {
        // A second live mark (a save cut short): this dir's is the store.
        this.liveDir = dir;
        return undefined;
      }
      if (db.kind === "invalid") return failedToOpen(etcdDbPath(dir as string));
      incoming = db.bytes;
    }
    try {
      new KeyValueStore().restore(incoming);
    } catch {
      return failedToOpen(etcdDbPath(dir as string));
    }
    // The dir etcd leaves keeps the store as it was, so pointing etcd back at it brings it back.
    if (typeof live === "string") await this.fs.writeFile(etcdDbPath(live), storedEtcdDb(this.store.snapshot()));
    this.store.replace(incoming);
    if (dir !== undefined) await writeEtcdDataDir(this.fs, dir, LIVE_DB);
    this.liveDir = dir ?? null;
    this.log(
      `etcd: serving the data dir ${dir ?? "inside its container"} (revision ${this.store.revision}, ${this.store.keyCount} keys)`,
    );
    return undefined;
  }

  /** The dir whose db is marked live: kubeadm's first, else any on the node. */
  private async findLiveDir(): Promise<string | null | undefined> {
    if (this.liveDir !== undefined) return this.liveDir;
    if ((await this.fs.readFile(etcdDbPath(KUBEADM_ETCD_DATA_DIR))) === LIVE_DB) {
      this.liveDir = KUBEADM_ETCD_DATA_DIR;
      return this.liveDir;
    }
    const found = await findFile(this.fs, "/", async (path) =>
      path.endsWith("/member/snap/db") ? (await this.fs.readFile(path)) === LIVE_DB : false,
    );
    if (found) this.liveDir = found.slice(0, -"/member/snap/db".length);
    return this.liveDir;
  }
}

/** etcd's panic when its backend will not open (a db that is not etcd's). */
function failedToOpen(path: string): string {
  return `{"level":"panic","ts":"{time:etcd}","caller":"backend/backend.go:186","msg":"failed to open database","path":"${path}","error":"invalid database"}`;
}

/** The first file under `directory` that `matches`, depth first in name order. */
async function findFile(
  fs: NodeFileSystem,
  directory: string,
  matches: (path: string) => Promise<boolean>,
): Promise<string | undefined> {
  for (const name of await fs.readDir(directory)) {
    const path = directory === "/" ? `/${name}` : `${directory}/${name}`;
    const children = await fs.readDir(path);
    if (children.length === 0) {
      if (await matches(path)) return path;
      continue;
    }
    const found = await findFile(fs, path, matches);
    if (found) return found;
  }
  return undefined;
}

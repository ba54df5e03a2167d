import { createHash } from "node:crypto";
import { etcdDbPath, parseEtcdDb, storedEtcdDb, writeEtcdDataDir } from "../../../engine/cluster/etcdDataDirs";
import { KeyValueStore } from "../../../engine/store/KeyValueStore";
import { nodePath, type ToolContext } from "./ToolContext";

/** cobrautl's exit codes: ExitError, and ExitBadArgs for a wrong command line. */
const exitError = 1;
const exitBadArgs = 128;

/** etcdutl's default bbolt initial mmap size (10 GiB), which its restore log shows; etcdctl's is 0. */
const etcdutlMemoryMapSize = 10737418240;

/** The flags `snapshot restore` takes besides the global ones (etcdutl adds the revision bump). */
export const restoreValueFlags = [
  "--data-dir",
  "--wal-dir",
  "--name",
  "--initial-cluster",
  "--initial-cluster-token",
  "--initial-advertise-peer-urls",
];
export const etcdutlRestoreValueFlags = [...restoreValueFlags, "--bump-revision", "--initial-memory-map-size"];

interface Member {
  name: string;
  peerUrls: string[];
  id: bigint;
}

class RestoreError extends Error {
  constructor(
    message: string,
    readonly exitCode = exitError,
  ) {
    super(message);
  }
}

/**
 * `etcdutl snapshot restore FILE` (and etcdctl's deprecated one), as etcd 3.5's v3_snapshot
 * Restore: the member configuration is checked (the local name in --initial-cluster, its peer URLs
 * matching --initial-advertise-peer-urls), the data dir must be empty or missing, the snapshot's
 * integrity hash is checked (a db copied from a data dir has none: --skip-hash-check), and the new
 * data dir gets `member/snap/db` and a WAL naming the new one-member cluster. Nothing changes in the
 * cluster until etcd is started on that dir (engine/cluster etcdDataDirs).
 */
export async function snapshotRestore(
  context: ToolContext,
  args: string[],
  flags: Map<string, string>,
  tool: "etcdctl" | "etcdutl",
): Promise<number> {
  if (tool === "etcdctl") context.stderr("Deprecated: Use `etcdutl snapshot restore` instead.\n\n");
  try {
    await restore(context, args, flags, tool);
    return 0;
  } catch (error) {
    if (!(error instanceof RestoreError)) throw error;
    context.stderr(`Error: ${error.message}\n`);
    return error.exitCode;
  }
}

async function restore(
  context: ToolContext,
  args: string[],
  flags: Map<string, string>,
  tool: "etcdctl" | "etcdutl",
): Promise<void> {
  if (args.length !== 1) throw new RestoreError("snapshot restore requires exactly one argument", exitBadArgs);
  const file = args[0] as string;
  const bump = tool === "etcdutl" ? Number(flags.get("--bump-revision") ?? 0) : 0;
  const markCompacted = tool === "etcdutl" && flags.get("--mark-compacted") === "true";
  if ((bump === 0 && markCompacted) || (bump > 0 && !markCompacted))
    throw new RestoreError("--mark-compacted required if --revision-bump > 0", exitBadArgs);
  const name = flags.get("--name") ?? "default";
  const token = flags.get("--initial-cluster-token") ?? "etcd-cluster";
  const peerUrls = (flags.get("--initial-advertise-peer-urls") ?? "http://localhost:2380").split(",");
  // The flag's default is made from the default name, whatever --name says (etcd's own pitfall).
  const members = parseInitialCluster(flags.get("--initial-cluster") ?? "default=http://localhost:2380", token);
  verifyBootstrap(name, peerUrls, members);
  const dataDir = flags.get("--data-dir") ?? `${name}.etcd`;
  const walDir = flags.get("--wal-dir") ?? `${dataDir}/member/wal`;
  const fs = context.fs;
  const dataPath = nodePath(context, dataDir);
  if ((await fs.readDir(dataPath)).length > 0 || (await fs.readFile(dataPath)) !== undefined)
    throw new RestoreError(`data-dir "${dataDir}" not empty or could not be read`);
  if (flags.has("--wal-dir") && (await exists(context, walDir))) throw new RestoreError(`wal-dir "${walDir}" exists`);
  const memoryMapSize =
    tool === "etcdutl" ? Number(flags.get("--initial-memory-map-size") ?? etcdutlMemoryMapSize) || 0 : 0;
  const paths = `{"path": ${quote(file)}, "wal-dir": ${quote(walDir)}, "data-dir": ${quote(dataDir)}, "snap-dir": ${quote(`${dataDir}/member/snap`)}, "initial-memory-map-size": ${memoryMapSize}}`;
  const log = (caller: string, message: string, fields?: string) =>
    context.stderr(`${timestamp(context.now())}\tinfo\t${caller}\t${message}${fields ? `\t${fields}` : ""}\n`);
  log("snapshot/v3_snapshot.go:265", "restoring snapshot", paths);
  const snapshot = await copyAndVerify(context, file, dataPath, flags.get("--skip-hash-check") === "true");
  log("membership/store.go:141", "Trimming membership information from the backend...");
  const restored = new KeyValueStore();
  restored.restore(snapshot);
  if (bump > 0) restored.bumpRevision(bump);
  const clusterId = clusterIdOf(members);
  for (const member of [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    log(
      "membership/cluster.go:421",
      "added member",
      `{"cluster-id": "${clusterId.toString(16)}", "local-member-id": "0", "added-peer-id": "${member.id.toString(16)}", "added-peer-peer-urls": [${member.peerUrls.map(quote).join(", ")}]}`,
    );
  await writeEtcdDataDir(fs, dataPath, storedEtcdDb(restored.snapshot()), {
    walDir: nodePath(context, walDir),
    restored: true,
  });
  log("snapshot/v3_snapshot.go:293", "restored snapshot", paths);
}

/**
 * Copies the snapshot into the new data dir's db and checks its integrity hash, as copyAndVerifyDB:
 * a file `snapshot save` wrote carries one; a db copied from a data dir does not, and then only
 * --skip-hash-check restores it. The db stays behind when the check fails, as etcd's does.
 */
async function copyAndVerify(
  context: ToolContext,
  file: string,
  dataPath: string,
  skipHashCheck: boolean,
): Promise<Uint8Array> {
  const content = await context.fs.readFile(nodePath(context, file));
  if (content === undefined) {
    const directory = (await context.fs.readDir(nodePath(context, file))).length > 0;
    throw new RestoreError(directory ? `read ${file}: is a directory` : `open ${file}: no such file or directory`);
  }
  const bytes = new Uint8Array(Buffer.from(content, "latin1"));
  const db = parseEtcdDb(content);
  const saved = db.kind === "invalid" && content.startsWith("KUBELAB-SNAPSHOT-1\n");
  if (!saved) {
    await context.fs.writeFile(etcdDbPath(dataPath), content);
    if (!skipHashCheck) throw new RestoreError("snapshot missing hash but --skip-hash-check=false");
    if (db.kind === "live") return context.cluster.store.snapshot();
    if (db.kind === "stored") return db.bytes;
    throw new RestoreError("invalid database");
  }
  await context.fs.writeFile(etcdDbPath(dataPath), content);
  const valid = checked(bytes);
  if (valid) return valid;
  if (skipHashCheck) throw new RestoreError("invalid database");
  return failHash(bytes);
}

/** The snapshot when its checksum holds. */
function checked(bytes: Uint8Array): Uint8Array | undefined {
  try {
    new KeyValueStore().restore(bytes);
    return bytes;
  } catch {
    return undefined;
  }
}

/** A saved snapshot whose bytes no longer match the hash appended to them. */
function failHash(bytes: Uint8Array): never {
  const got = [...createHash("sha256").update(bytes).digest()];
  const expected = [
    ...createHash("sha256")
      .update(bytes.subarray(0, Math.max(0, bytes.length - 32)))
      .digest(),
  ];
  throw new RestoreError(`expected sha256 [${expected.join(" ")}], got [${got.join(" ")}]`);
}

async function exists(context: ToolContext, path: string): Promise<boolean> {
  const full = nodePath(context, path);
  return (await context.fs.readDir(full)).length > 0 || (await context.fs.readFile(full)) !== undefined;
}

/** `name=url,name=url` as types.NewURLsMap reads it, each member's id as etcd computes it. */
function parseInitialCluster(value: string, token: string): Member[] {
  const byName = new Map<string, string[]>();
  for (const entry of value.split(",")) {
    const equals = entry.indexOf("=");
    if (equals < 0) throw new RestoreError(`failed to parse ${entry}`, exitError);
    const name = entry.slice(0, equals);
    const url = entry.slice(equals + 1);
    checkUrl(url);
    byName.set(name, [...(byName.get(name) ?? []), url]);
  }
  return [...byName].map(([name, peerUrls]) => ({ name, peerUrls, id: memberIdOf(peerUrls, token) }));
}

/** types.NewURLs' checks on a peer URL. */
function checkUrl(url: string): void {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(url);
  if (!match) throw new RestoreError(`URL address does not have the form "host:port": ${url}`);
  const [, scheme, host, path] = match as unknown as [string, string, string, string];
  if (scheme !== "http" && scheme !== "https" && scheme !== "unix" && scheme !== "unixs")
    throw new RestoreError(`URL scheme must be http, https, unix, or unixs: ${url}`);
  if (!/:\d+$/.test(host)) throw new RestoreError(`URL address does not have the form "host:port": ${url}`);
  if (path !== "" && path !== "/") throw new RestoreError(`URL must not contain a path: ${url}`);
}

/** ServerConfig.VerifyBootstrap as a restore runs it: the local member and its advertised URLs. */
function verifyBootstrap(name: string, peerUrls: string[], members: Member[]): void {
  for (const url of peerUrls) checkUrl(url);
  const local = members.find((member) => member.name === name);
  if (!local) throw new RestoreError(`couldn't find local name "${name}" in the initial cluster configuration`);
  const advertised = [...peerUrls].sort();
  const initial = [...local.peerUrls].sort();
  if (advertised.join(",") === initial.join(",")) return;
  const missing = initial.filter((url) => !advertised.includes(url));
  const detail = `${quote(resolved(advertised[0] ?? ""))}(resolved from ${quote(advertised[0] ?? "")}) != ${quote(resolved(initial[0] ?? ""))}(resolved from ${quote(initial[0] ?? "")})`;
  if (missing.length > 0)
    throw new RestoreError(
      `--initial-cluster has ${missing.map((url) => `${name}=${url}`).join(",")} but missing from --initial-advertise-peer-urls=${advertised.join(",")} (${detail})`,
    );
  const extra = advertised.filter((url) => !initial.includes(url));
  throw new RestoreError(
    `--initial-advertise-peer-urls has ${extra.join(",")} but missing from --initial-cluster=${name}=${peerUrls.join(`,${name}=`)}`,
  );
}

/** netutil resolves host names before comparing URLs: localhost is 127.0.0.1. */
function resolved(url: string): string {
  return url.replace("://localhost:", "://127.0.0.1:");
}

/** etcd's member id: the first 8 bytes of SHA-1 over its sorted peer URLs and the cluster token. */
function memberIdOf(peerUrls: string[], token: string): bigint {
  const hash = createHash("sha1")
    .update([...peerUrls].sort().join("") + token)
    .digest();
  return hash.readBigUInt64BE(0);
}

/** etcd's cluster id: the first 8 bytes of SHA-1 over the sorted member ids. */
function clusterIdOf(members: Member[]): bigint {
  const ids = members.map((member) => member.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(8 * ids.length);
  ids.forEach((id, index) => {
    bytes.writeBigUInt64BE(id, 8 * index);
  });
  return createHash("sha1").update(bytes).digest().readBigUInt64BE(0);
}

/** zap's RFC 3339 time as etcd's command-line tools log it. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function quote(text: string): string {
  return JSON.stringify(text);
}

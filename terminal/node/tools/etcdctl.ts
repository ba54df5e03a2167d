import { parseEtcdDb } from "../../../engine/cluster/etcdDataDirs";
import { crc32 } from "../../../engine/store/crc32";
import { type KeyValue, KeyValueStore } from "../../../engine/store/KeyValueStore";
import { etcdutlRestoreValueFlags, restoreValueFlags, snapshotRestore } from "./etcdRestore";
import { flag, type NodeTool, nodePath, parseFlags, type ToolContext } from "./ToolContext";

// etcd's ids for a single-member kubeadm cluster; fixed so output is stable across restarts.
const clusterId = "14841639068965178418";
const memberId = "10276657743932975437";
const memberHex = "8e9e05c52164694d";

const usage = `NAME:
	etcdctl - A simple command line client for etcd3.

USAGE:
	etcdctl [flags]

VERSION:
	3.5.16

API VERSION:
	3.5


COMMANDS:
	endpoint health		Checks the healthiness of endpoints specified in \`--endpoints\` flag
	endpoint status		Prints out the status of endpoints specified in \`--endpoints\` flag
	get			Gets the key or a range of keys
	member list		Lists all members in the cluster
	snapshot restore	[deprecated] Restores an etcd member snapshot to an etcd directory
	snapshot save		Stores an etcd node backend snapshot to a given file
	snapshot status		[deprecated] Gets backend snapshot status of a given file
	version			Prints the version of etcdctl

OPTIONS:
      --cacert=""				verify certificates of TLS-enabled secure servers using this CA bundle
      --cert=""					identify secure client using this TLS certificate file
      --endpoints=[127.0.0.1:2379]		gRPC endpoints
  -h, --help[=false]				help for etcdctl
      --key=""					identify secure client using this TLS key file
  -w, --write-out="simple"			set the output format (fields, json, protobuf, simple, table)
`;

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function header(revision: number): string {
  return `{"cluster_id":${clusterId},"member_id":${memberId},"revision":${revision},"raft_term":2}`;
}

/**
 * etcdctl 3.5 against the cluster's store, read-only: get (with --prefix, --from-key, --keys-only,
 * --print-value-only, --limit, --count-only, --rev, -w simple|json|fields), member list, endpoint
 * health/status, version. Values are the objects as Kubelab's store keeps them (JSON); a real
 * kube-apiserver writes protobuf, so real etcdctl prints mostly binary there.
 */
export const etcdctl: NodeTool = async (context) => {
  const parsed = parseFlags(context.args, {
    values: [
      "--endpoints",
      "--cacert",
      "--cert",
      "--key",
      "-w",
      "--write-out",
      "--limit",
      "--rev",
      "--dial-timeout",
      "--command-timeout",
      "--sort-by",
      "--order",
      "--user",
      "--password",
      ...restoreValueFlags,
    ],
    booleans: [
      "--skip-hash-check",
      "--prefix",
      "--from-key",
      "--keys-only",
      "--print-value-only",
      "--count-only",
      "-h",
      "--help",
      "--insecure-skip-tls-verify",
      "--debug",
      "--hex",
    ],
  });
  if (parsed.unknown) {
    context.stderr(`Error: unknown flag: ${parsed.unknown}\n`);
    return 1;
  }
  const { flags, positional } = parsed;
  for (const name of ["--cacert", "--cert", "--key"]) {
    const file = flags.get(name);
    if (file !== undefined && (await context.fs.readFile(nodePath(context, file))) === undefined) {
      context.stderr(
        `{"level":"fatal","msg":"failed to create client config","error":"open ${file}: no such file or directory"}\nError: open ${file}: no such file or directory\n`,
      );
      return 1;
    }
  }
  const format = flag(flags, "-w", "--write-out") ?? "simple";
  const [command, ...rest] = positional;
  if (flag(flags, "-h", "--help") === "true" || command === undefined) {
    context.stdout(usage);
    return 0;
  }
  const store = context.cluster.store;
  const revision = store.range("\0", { countOnly: true }).revision;
  switch (command) {
    case "version":
      context.stdout("etcdctl version: 3.5.16\nAPI version: 3.5\n");
      return 0;
    case "member":
      if (rest[0] !== "list") break;
      if (format === "json") {
        context.stdout(
          `{"header":${header(revision)},"members":[{"ID":${memberId},"name":"controlplane","peerURLs":["https://${context.node.ip}:2380"],"clientURLs":["https://${context.node.ip}:2379"]}]}\n`,
        );
      } else if (format === "table") {
        context.stdout(
          asciiTable(
            ["ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER"],
            [
              [
                memberHex,
                "started",
                "controlplane",
                `https://${context.node.ip}:2380`,
                `https://${context.node.ip}:2379`,
                "false",
              ],
            ],
          ),
        );
      } else {
        context.stdout(
          `${memberHex}, started, controlplane, https://${context.node.ip}:2380, https://${context.node.ip}:2379, false\n`,
        );
      }
      return 0;
    case "endpoint": {
      const endpoint = (flags.get("--endpoints") ?? "127.0.0.1:2379").split(",")[0] as string;
      if (rest[0] === "health") {
        context.stdout(`${endpoint} is healthy: successfully committed proposal: took = 1.218716ms\n`);
        return 0;
      }
      if (rest[0] === "status") {
        const size = storeSize(context);
        if (format === "table") {
          context.stdout(
            asciiTable(
              [
                "ENDPOINT",
                "ID",
                "VERSION",
                "DB SIZE",
                "IS LEADER",
                "IS LEARNER",
                "RAFT TERM",
                "RAFT INDEX",
                "RAFT APPLIED INDEX",
                "ERRORS",
              ],
              [
                [
                  endpoint,
                  memberHex,
                  "3.5.16",
                  humanBytes(size),
                  "true",
                  "false",
                  "2",
                  String(revision),
                  String(revision),
                  "",
                ],
              ],
            ),
          );
        } else {
          context.stdout(
            `${endpoint}, ${memberHex}, 3.5.16, ${humanBytes(size)}, true, false, 2, ${revision}, ${revision}, \n`,
          );
        }
        return 0;
      }
      break;
    }
    case "get":
      return get(context, rest, flags, format);
    case "snapshot":
      if (rest[0] === "save" || rest[0] === "status") return snapshot(context, rest, format);
      if (rest[0] === "restore") return snapshotRestore(context, rest.slice(1), flags, "etcdctl");
      break;
    case "put":
    case "del":
    case "txn":
    case "compaction":
    case "defrag":
    case "lease":
    case "watch":
      context.stderr(
        `Error: etcdctl ${command} is not available in Kubelab: the node shell reads the cluster's store but does not change it\n`,
      );
      return 1;
    default:
      break;
  }
  context.stderr(
    `Error: unknown command "${[command, ...rest].join(" ")}" for "etcdctl"\nRun 'etcdctl --help' for usage.\n`,
  );
  return 1;
};

/**
 * `snapshot save FILE` writes the store's snapshot to the node (a backup, as before an upgrade);
 * `snapshot status FILE` reads one back (or a data dir's db): hash, revision, keys, size.
 */
async function snapshot(context: ToolContext, args: string[], format: string, tool = "etcdctl"): Promise<number> {
  const [verb, file] = args;
  if (!file) {
    context.stderr(`Error: snapshot ${verb} expects one argument\n`);
    return 1;
  }
  const path = nodePath(context, file);
  if (verb === "save") {
    const bytes = context.cluster.store.snapshot();
    await context.fs.writeFile(path, Buffer.from(bytes).toString("latin1"));
    context.stdout(`Snapshot saved at ${file}\n`);
    return 0;
  }
  const content = await context.fs.readFile(path);
  if (content === undefined) {
    context.stderr(`Error: stat ${file}: no such file or directory\n`);
    return 1;
  }
  const restored = new KeyValueStore();
  // A data dir's db reads as the store it holds (the running member's: the cluster's store now).
  const db = parseEtcdDb(content);
  const bytes =
    db.kind === "live"
      ? context.cluster.store.snapshot()
      : db.kind === "stored"
        ? db.bytes
        : new Uint8Array(Buffer.from(content, "latin1"));
  try {
    restored.restore(bytes);
  } catch (error) {
    context.stderr(`Error: ${(error as Error).message}\n`);
    return 1;
  }
  const hash = crc32(content).toString(16).padStart(8, "0");
  const revision = restored.range("", { prefix: true, countOnly: true }).revision;
  const keys = restored.keyCount;
  const size = humanBytes(content.length);
  if (tool === "etcdctl") context.stderr("Deprecated: Use `etcdutl snapshot status` instead.\n\n");
  if (format === "table")
    context.stdout(
      asciiTable(["HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"], [[hash, String(revision), String(keys), size]]),
    );
  else if (format === "json")
    context.stdout(
      `{"hash":${Number.parseInt(hash, 16)},"revision":${revision},"totalKey":${keys},"totalSize":${content.length}}\n`,
    );
  else context.stdout(`${hash}, ${revision}, ${keys}, ${size}\n`);
  return 0;
}

function storeSize(context: ToolContext): number {
  return context.cluster.store.sizeBytes;
}

function humanBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}

/** olekukonko/tablewriter as etcdctl uses it: headers centred, numbers right-aligned, text left-aligned. */
function asciiTable(head: string[], rows: string[][]): string {
  const widths = head.map((cell, index) => Math.max(cell.length, ...rows.map((row) => (row[index] ?? "").length)));
  const line = `+${widths.map((width) => "-".repeat(width + 2)).join("+")}+\n`;
  const centre = (cell: string, width: number) => cell.padStart(Math.floor((width + cell.length) / 2)).padEnd(width);
  const header = `|${head.map((cell, index) => ` ${centre(cell, widths[index] ?? 0)} `).join("|")}|\n`;
  const row = (cells: string[]) =>
    `|${cells.map((cell, index) => ` ${/^\d+$/.test(cell) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)} `).join("|")}|\n`;
  return line + header + line + rows.map(row).join("") + line;
}

async function get(context: ToolContext, args: string[], flags: Map<string, string>, format: string): Promise<number> {
  const [key, rangeEnd] = args;
  if (key === undefined) {
    context.stderr("Error: get command needs one argument as key and an optional argument as range_end\n");
    return 1;
  }
  const store = context.cluster.store;
  const limit = Number(flags.get("--limit") ?? 0);
  const rev = Number(flags.get("--rev") ?? 0);
  let kvs: KeyValue[];
  let count: number;
  let readRevision: number;
  try {
    if (flags.get("--from-key") === "true") {
      const result = store.range("", { prefix: true, revision: rev || undefined });
      kvs = result.kvs.filter((kv) => kv.key >= key);
      count = kvs.length;
      readRevision = result.revision;
    } else if (flags.get("--prefix") === "true") {
      const result = store.range(key, { prefix: true, revision: rev || undefined });
      kvs = result.kvs;
      count = result.count;
      readRevision = result.revision;
    } else if (rangeEnd !== undefined) {
      const result = store.range("", { prefix: true, revision: rev || undefined });
      kvs = result.kvs.filter((kv) => kv.key >= key && kv.key < rangeEnd);
      count = kvs.length;
      readRevision = result.revision;
    } else {
      const result = store.range(key, { revision: rev || undefined });
      kvs = result.kvs;
      count = result.count;
      readRevision = result.revision;
    }
  } catch (error) {
    context.stderr(
      `{"level":"warn","msg":"retrying of unary invoker failed"}\nError: etcdserver: ${(error as Error).message.replace(/^mvcc: /, "mvcc: ")}\n`,
    );
    return 1;
  }
  const more = limit > 0 && kvs.length > limit;
  if (limit > 0) kvs = kvs.slice(0, limit);
  const countOnly = flags.get("--count-only") === "true";
  const keysOnly = flags.get("--keys-only") === "true";
  if (format === "json") {
    const items = countOnly
      ? ""
      : `"kvs":[${kvs
          .map(
            (kv) =>
              `{"key":"${base64(kv.key)}","create_revision":${kv.createRevision},"mod_revision":${kv.modRevision},"version":${kv.version}${keysOnly ? "" : `,"value":"${base64(kv.value)}"`}}`,
          )
          .join(",")}],`;
    context.stdout(`{"header":${header(readRevision)},${items}${more ? '"more":true,' : ""}"count":${count}}\n`);
    return 0;
  }
  if (format === "fields") {
    let out = `"ClusterID" : ${clusterId}\n"MemberID" : ${memberId}\n"Revision" : ${readRevision}\n"RaftTerm" : 2\n`;
    for (const kv of countOnly ? [] : kvs) {
      out += `"Key" : ${JSON.stringify(kv.key)}\n"CreateRevision" : ${kv.createRevision}\n"ModRevision" : ${kv.modRevision}\n"Version" : ${kv.version}\n`;
      if (!keysOnly) out += `"Value" : ${JSON.stringify(kv.value)}\n"Lease" : 0\n`;
    }
    out += `"More" : ${more}\n"Count" : ${count}\n`;
    context.stdout(out);
    return 0;
  }
  if (format === "table") {
    context.stdout(
      asciiTable(
        ["KEY", "VALUE"],
        kvs.map((kv) => [kv.key, keysOnly ? "" : kv.value]),
      ),
    );
    return 0;
  }
  if (countOnly) {
    context.stdout(`${count}\n`);
    return 0;
  }
  let out = "";
  for (const kv of kvs) {
    if (flags.get("--print-value-only") === "true") out += `${kv.value}\n`;
    else if (keysOnly) out += `${kv.key}\n\n`;
    else out += `${kv.key}\n${kv.value}\n`;
  }
  context.stdout(out);
  return 0;
}

const etcdutlUsage = `etcdutl is a command line application that operates on etcd files.

Usage:
  etcdutl [command]

Available Commands:
  snapshot    Manages etcd node snapshots
  version     Prints the version of etcdutl

Flags:
  -h, --help               help for etcdutl
  -w, --write-out string   set the output format (fields, json, protobuf, simple, table) (default "simple")

Use "etcdutl [command] --help" for more information about a command.
`;

/**
 * etcdutl 3.5, which works on etcd's files rather than over the network: `snapshot status FILE`
 * (what etcdctl's deprecated one prints, without the notice), `snapshot restore FILE --data-dir
 * DIR` (etcdRestore.ts) and `version`.
 */
export const etcdutl: NodeTool = async (context) => {
  const parsed = parseFlags(context.args, {
    values: ["-w", "--write-out", ...etcdutlRestoreValueFlags],
    booleans: ["-h", "--help", "--skip-hash-check", "--mark-compacted"],
  });
  if (parsed.unknown) {
    context.stderr(`Error: unknown flag: ${parsed.unknown}\n`);
    return 1;
  }
  const { flags, positional } = parsed;
  const format = flag(flags, "-w", "--write-out") ?? "simple";
  const [command, ...rest] = positional;
  if (flag(flags, "-h", "--help") === "true" || command === undefined) {
    context.stdout(etcdutlUsage);
    return 0;
  }
  if (command === "version") {
    context.stdout("etcdutl version: 3.5.16\nAPI version: 3.5\n");
    return 0;
  }
  if (command === "snapshot" && rest[0] === "status") return snapshot(context, rest, format, "etcdutl");
  if (command === "snapshot" && rest[0] === "restore") return snapshotRestore(context, rest.slice(1), flags, "etcdutl");
  context.stderr(
    `Error: unknown command "${[command, ...rest].join(" ")}" for "etcdutl"\nRun 'etcdutl --help' for usage.\n`,
  );
  return 1;
};

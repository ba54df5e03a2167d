import "server-only";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { prisma } from "../database/prisma";
import { type ClusterApiTls, clusterApiTls, clusterHost, dataDirectory } from "./clusterHost";

/** SHA-256 of a token, hex (as engine/host/hosting stores it). */
function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Where a learner's files live: `<data>/learners/<id>/home` (the terminal's home folder). */
export function learnerHome(dataDirectory: string, learnerId: string): string {
  return path.join(dataDirectory, "learners", learnerId, "home");
}

/**
 * The learner's cluster id, creating the cluster (and the row tying it to the learner) on first
 * use. A row whose cluster vanished from disk (data folder wiped) gets a new cluster.
 *
 * Once found, the id is kept in the process (see {@link knownClusters}) for as long as the host
 * still has that cluster, so the terminal's several look-ups per new session (its kubeconfig, node
 * access, the hold on the cluster) and every live checklist cost no database query; `lastUsedAt`
 * is then written at most once a minute per learner, without waiting for it.
 */
export function ensureLearnerCluster(learnerId: string): Promise<{ clusterId: string; token?: string }> {
  const known = knownClusters();
  const entry = known.get(learnerId);
  if (entry && clusterHost().exists(entry.clusterId)) {
    touch(known, learnerId, entry);
    return Promise.resolve({ clusterId: entry.clusterId });
  }
  // A new learner's first page asks from several places at once (the terminal, each exercise's live
  // checklist): one creation, shared, or each would create a cluster and the terminal and the
  // grader could end up on different ones. Kept on globalThis: Next's bundle and the server share it.
  const holder = globalThis as { [ENSURING]?: Map<string, Promise<{ clusterId: string; token?: string }>> };
  holder[ENSURING] ??= new Map();
  const pending = holder[ENSURING].get(learnerId);
  if (pending) return pending;
  const ensuring = ensureOnce(learnerId).finally(() => holder[ENSURING]?.delete(learnerId));
  holder[ENSURING].set(learnerId, ensuring);
  return ensuring;
}

const ENSURING = Symbol.for("kubelab.ensuringLearnerClusters");

/** `lastUsedAt` is written at most this often per learner (nothing reads it on a request's path). */
export const lastUsedWriteIntervalMs = 60_000;

/** A learner's cluster as this process last saw it in the database. */
interface KnownCluster {
  clusterId: string;
  /** When this process last wrote (or saw written) the row's `lastUsedAt`, ms since the epoch. */
  touchedAt: number;
}

const KNOWN = Symbol.for("kubelab.learnerClusterIds");
const WRITES = Symbol.for("kubelab.learnerClusterWrites");
type Holder = { [KNOWN]?: WeakMap<object, Map<string, KnownCluster>>; [WRITES]?: Set<Promise<void>> };

/**
 * Learner → cluster id as read from or written to the database, on globalThis (Next's bundle and
 * the server are two copies of this module in one process) and per database client, so a process
 * that switches databases (tests) starts afresh. Every write of a row's cluster id goes through
 * this module and updates it; an entry is trusted only while the host has the cluster.
 */
function knownClusters(): Map<string, KnownCluster> {
  const holder = globalThis as Holder;
  holder[KNOWN] ??= new WeakMap();
  const client = prisma();
  let known = holder[KNOWN].get(client);
  if (!known) {
    known = new Map();
    holder[KNOWN].set(client, known);
  }
  return known;
}

/** Writes the row's `lastUsedAt` when the last write is older than the interval; never waited for. */
function touch(known: Map<string, KnownCluster>, learnerId: string, entry: KnownCluster): void {
  const now = Date.now();
  if (now - entry.touchedAt < lastUsedWriteIntervalMs) return;
  entry.touchedAt = now;
  track(
    prisma()
      .learnerCluster.update({ where: { learnerId }, data: { lastUsedAt: new Date(now) } })
      .then(
        () => undefined,
        (error: unknown) => {
          console.error(`learner clusters: could not record the use of ${learnerId}'s cluster:`, error);
          // The row may be gone: the next look-up reads the database again.
          if (known.get(learnerId) === entry) known.delete(learnerId);
        },
      ),
  );
}

/** Keeps an unawaited write until it settles (for {@link learnerClusterWrites}). */
function track(write: Promise<void>): void {
  const holder = globalThis as Holder;
  holder[WRITES] ??= new Set();
  const writes = holder[WRITES];
  writes.add(write);
  void write.finally(() => writes.delete(write));
}

/** Resolves once the `lastUsedAt` writes started so far have settled (for tests). */
export async function learnerClusterWrites(): Promise<void> {
  await Promise.all([...((globalThis as Holder)[WRITES] ?? [])]);
}

async function ensureOnce(learnerId: string): Promise<{ clusterId: string; token?: string }> {
  const host = clusterHost();
  const known = knownClusters();
  const row = await prisma().learnerCluster.findUnique({ where: { learnerId } });
  if (row && host.exists(row.clusterId)) {
    const entry = { clusterId: row.clusterId, touchedAt: row.lastUsedAt.getTime() };
    known.set(learnerId, entry);
    touch(known, learnerId, entry);
    return { clusterId: row.clusterId };
  }
  known.delete(learnerId);
  const { id, token } = await host.create();
  const now = new Date();
  try {
    await prisma().learnerCluster.upsert({
      where: { learnerId },
      create: { learnerId, clusterId: id, tokenSha256: hashToken(token), lastUsedAt: now },
      update: { clusterId: id, tokenSha256: hashToken(token), lessonId: null, lastUsedAt: now },
    });
  } catch (error) {
    // No row ties the cluster to anyone (no such learner, say): it would stay on disk for nobody.
    await host.remove(id);
    throw error;
  }
  known.set(learnerId, { clusterId: id, touchedAt: now.getTime() });
  keepFreshToken(id, token);
  return { clusterId: id, token };
}

const FRESH = Symbol.for("kubelab.freshTerminalTokens");

/** How long a new cluster's token waits for the learner's terminal to take it. */
const freshTokenMaxAgeMs = 10 * 60_000;

/**
 * New clusters' terminal tokens (the one `create()` returns) until the learner's terminal writes
 * its kubeconfig with it, so a new learner's first terminal does not issue (write to disk and to
 * the database) a second token while their prompt is awaited. On globalThis: the lesson page
 * (Next's bundle) creates the cluster and the terminal (the server) takes the token.
 */
function freshTokens(): Map<string, { token: string; at: number }> {
  const holder = globalThis as { [FRESH]?: Map<string, { token: string; at: number }> };
  holder[FRESH] ??= new Map();
  return holder[FRESH];
}

function keepFreshToken(clusterId: string, token: string): void {
  const tokens = freshTokens();
  const now = Date.now();
  // Tokens nobody took (the learner never opened a terminal) go when the next one comes.
  for (const [id, entry] of tokens) if (now - entry.at > freshTokenMaxAgeMs) tokens.delete(id);
  tokens.set(clusterId, { token, at: now });
}

/** The cluster's creation token, once, when it is recent. */
function takeFreshToken(clusterId: string): string | undefined {
  const tokens = freshTokens();
  const entry = tokens.get(clusterId);
  tokens.delete(clusterId);
  return entry && Date.now() - entry.at <= freshTokenMaxAgeMs ? entry.token : undefined;
}

/** The API URL of a cluster as seen from `origin` (`http://host:port`). */
export function clusterUrl(origin: string, clusterId: string): string {
  return `${origin.replace(/\/+$/, "")}${clusterHost().pathOf(clusterId)}`;
}

/**
 * Writes the learner's terminal kubeconfig into their home (`~/.kube/config`) and returns its
 * path. A kubeconfig already there whose token still opens the cluster is kept as it is.
 */
export async function terminalKubeconfig(
  dataDirectory: string,
  learnerId: string,
  localOrigin: string,
): Promise<string> {
  const host = clusterHost();
  const { clusterId } = await ensureLearnerCluster(learnerId);
  const file = path.join(learnerHome(dataDirectory, learnerId), ".kube", "config");
  const server = clusterUrl(localOrigin, clusterId);
  // The shell's first command should meet a serving cluster, not start one; the kubeconfig is
  // checked (and written when it must be) while the cluster wakes. A restored cluster's components
  // boot when the terminal holds it, once the prompt is out (TerminalService), or on its first request.
  await Promise.all([host.wake(clusterId), keepTerminalKubeconfig(learnerId, clusterId, file, server)]);
  return file;
}

/** Writes a terminal kubeconfig to `file` unless the one there still opens the cluster. */
async function keepTerminalKubeconfig(learnerId: string, clusterId: string, file: string, server: string) {
  const host = clusterHost();
  const existing = await readFile(file, "utf8").catch(() => "");
  const existingToken = /^\s*token:\s*(\S+)\s*$/m.exec(existing)?.[1];
  const existingServer = /^\s*server:\s*(\S+)\s*$/m.exec(existing)?.[1];
  if (existingToken && existingServer === server && host.verifyToken(clusterId, existingToken)) return;
  // A new cluster's own token (its row already records it), else a new one replacing the last.
  let token = takeFreshToken(clusterId);
  if (!token || !host.verifyToken(clusterId, token)) {
    token = await host.issueToken(clusterId, "terminal");
    await prisma().learnerCluster.update({ where: { learnerId }, data: { tokenSha256: hashToken(token) } });
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, host.kubeconfig(clusterId, token, server), { mode: 0o600 });
}

/**
 * The API URL of a cluster for the learner's own kubectl, k9s or Lens, as seen from `origin`: the
 * origin itself when it is HTTPS (a TLS proxy in front), else the server's TLS listener on the same
 * host (KUBELAB_TLS_PORT) with its CA when self-signed, else the plain origin (kubectl then sends
 * no token: see docs/hosting.md).
 */
export function externalClusterUrl(
  origin: string,
  clusterId: string,
): { server: string; certificateAuthorityPem?: string } {
  return externalClusterServer(origin, clusterHost().pathOf(clusterId), clusterApiTls());
}

/** {@link externalClusterUrl} for a cluster path, given the TLS listener (or none). */
export function externalClusterServer(
  origin: string,
  clusterPath: string,
  tls: ClusterApiTls | undefined,
): { server: string; certificateAuthorityPem?: string } {
  const url = new URL(origin);
  if (url.protocol === "https:" || !tls) return { server: `${url.origin}${clusterPath}` };
  return {
    server: `https://${url.hostname}:${tls.port}${clusterPath}`,
    certificateAuthorityPem: tls.certificateAuthorityPem,
  };
}

/** A fresh kubeconfig for the learner to download (it replaces their previously downloaded one). */
export async function downloadKubeconfig(learnerId: string, origin: string): Promise<string> {
  const host = clusterHost();
  const { clusterId } = await ensureLearnerCluster(learnerId);
  const token = await host.issueToken(clusterId, "download");
  const { server, certificateAuthorityPem } = externalClusterUrl(origin, clusterId);
  return host.kubeconfig(clusterId, token, server, certificateAuthorityPem);
}

/** Replaces the learner's cluster by a fresh one, in the lesson's starting state when it has one. */
export async function resetLearnerCluster(learnerId: string, lessonId?: string): Promise<string> {
  const host = clusterHost();
  const { clusterId } = await ensureLearnerCluster(learnerId);
  const starting = lessonId ? await prisma().lessonStartingState.findUnique({ where: { lessonId } }) : null;
  // The state's home files go into the learner's shell home (the terminal's /root).
  const data = dataDirectory();
  await host.reset(clusterId, starting ? JSON.parse(starting.state) : undefined, {
    home: data ? learnerHome(data, learnerId) : undefined,
  });
  const now = new Date();
  await prisma().learnerCluster.update({ where: { learnerId }, data: { lessonId: lessonId ?? null, lastUsedAt: now } });
  const known = knownClusters().get(learnerId);
  if (known?.clusterId === clusterId) known.touchedAt = now.getTime();
  return clusterId;
}

/** The lesson whose starting state the learner's cluster was last reset to, if any. */
export async function learnerClusterLesson(learnerId: string): Promise<string | undefined> {
  const row = await prisma().learnerCluster.findUnique({ where: { learnerId }, select: { lessonId: true } });
  return row?.lessonId ?? undefined;
}

/**
 * Starts finding (a new learner: creating) the learner's cluster and waking it, without waiting:
 * the lesson page calls it while it renders, so the terminal's socket, which the page opens once
 * its HTML arrives, finds the cluster ready instead of starting it. Failures are left to the
 * terminal, which asks again and reports them.
 */
export function prepareLearnerCluster(learnerId: string): void {
  void ensureLearnerCluster(learnerId)
    .then(({ clusterId }) => clusterHost().wake(clusterId))
    .catch(() => undefined);
}

/** Keeps the learner's cluster awake while their terminal is open; returns the release. */
export async function holdLearnerCluster(learnerId: string): Promise<() => void> {
  const { clusterId } = await ensureLearnerCluster(learnerId);
  return clusterHost().hold(clusterId);
}

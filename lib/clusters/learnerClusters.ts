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
 */
export function ensureLearnerCluster(learnerId: string): Promise<{ clusterId: string; token?: string }> {
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

async function ensureOnce(learnerId: string): Promise<{ clusterId: string; token?: string }> {
  const host = clusterHost();
  const row = await prisma().learnerCluster.findUnique({ where: { learnerId } });
  if (row && host.exists(row.clusterId)) {
    await prisma().learnerCluster.update({ where: { learnerId }, data: { lastUsedAt: new Date() } });
    return { clusterId: row.clusterId };
  }
  const { id, token } = await host.create();
  await prisma().learnerCluster.upsert({
    where: { learnerId },
    create: { learnerId, clusterId: id, tokenSha256: hashToken(token) },
    update: { clusterId: id, tokenSha256: hashToken(token), lessonId: null, lastUsedAt: new Date() },
  });
  return { clusterId: id, token };
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
  const existing = await readFile(file, "utf8").catch(() => "");
  const existingToken = /^\s*token:\s*(\S+)\s*$/m.exec(existing)?.[1];
  const existingServer = /^\s*server:\s*(\S+)\s*$/m.exec(existing)?.[1];
  const server = clusterUrl(localOrigin, clusterId);
  // The shell's first command should meet a running cluster, not start one.
  await host.warm(clusterId);
  if (existingToken && existingServer === server && host.verifyToken(clusterId, existingToken)) return file;
  const token = await host.issueToken(clusterId, "terminal");
  await prisma().learnerCluster.update({ where: { learnerId }, data: { tokenSha256: hashToken(token) } });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, host.kubeconfig(clusterId, token, server), { mode: 0o600 });
  return file;
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
  await prisma().learnerCluster.update({
    where: { learnerId },
    data: { lessonId: lessonId ?? null, lastUsedAt: new Date() },
  });
  return clusterId;
}

/** The lesson whose starting state the learner's cluster was last reset to, if any. */
export async function learnerClusterLesson(learnerId: string): Promise<string | undefined> {
  const row = await prisma().learnerCluster.findUnique({ where: { learnerId }, select: { lessonId: true } });
  return row?.lessonId ?? undefined;
}

/** Keeps the learner's cluster awake while their terminal is open; returns the release. */
export async function holdLearnerCluster(learnerId: string): Promise<() => void> {
  const { clusterId } = await ensureLearnerCluster(learnerId);
  return clusterHost().hold(clusterId);
}

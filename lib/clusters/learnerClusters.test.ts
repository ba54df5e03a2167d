import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { disconnectPrisma, prisma } from "../database/prisma";
import { migratedTestDatabase } from "../database/testDatabase";
import { setClusterHost } from "./clusterHost";
import {
  ensureLearnerCluster,
  lastUsedWriteIntervalMs,
  learnerClusterWrites,
  learnerHome,
  prepareLearnerCluster,
  terminalKubeconfig,
} from "./learnerClusters";

/**
 * The learner → cluster look-up against a real (temporary) SQLite database with the migrations
 * applied and a real cluster host (records only: no cluster is started).
 */
describe("learner clusters", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-learner-clusters-"));
  const host = new ClusterHost({ dataDir: path.join(folder, "clusters"), speed: "fast" });
  const lastUsed = async (learnerId: string) =>
    (await prisma().learnerCluster.findUniqueOrThrow({ where: { learnerId } })).lastUsedAt.getTime();

  beforeAll(async () => {
    migratedTestDatabase(folder);
    for (const id of ["learner-1", "learner-2", "learner-3", "learner-4", "learner-5", "learner-6", "learner-7"])
      await prisma().learner.create({ data: { id } });
    setClusterHost(host, { dataDirectory: folder });
  }, 60_000);
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await learnerClusterWrites();
    setClusterHost(undefined);
    await host.close();
    await disconnectPrisma();
    rmSync(folder, { recursive: true, force: true });
  });

  it("creates one cluster for concurrent first look-ups, then answers from memory", async () => {
    const [a, b] = await Promise.all([ensureLearnerCluster("learner-1"), ensureLearnerCluster("learner-1")]);
    expect(a.clusterId).toBe(b.clusterId);
    expect(a.token).toBeDefined();
    expect(host.exists(a.clusterId)).toBe(true);
    const findUnique = vi.spyOn(prisma().learnerCluster, "findUnique");
    const again = await ensureLearnerCluster("learner-1");
    expect(again).toEqual({ clusterId: a.clusterId });
    expect(findUnique).not.toHaveBeenCalled();
    // The spy does see the client's queries (so the line above can fail).
    await prisma().learnerCluster.findUnique({ where: { learnerId: "learner-1" } });
    expect(findUnique).toHaveBeenCalledTimes(1);
  });

  it("prepares the cluster while the lesson page renders: the terminal's look-up then shares its creation", async () => {
    const create = vi.spyOn(host, "create");
    const wake = vi.spyOn(host, "wake");
    prepareLearnerCluster("learner-6");
    const found = await ensureLearnerCluster("learner-6");
    expect(create).toHaveBeenCalledTimes(1);
    expect(host.exists(found.clusterId)).toBe(true);
    await vi.waitFor(() => expect(wake).toHaveBeenCalledWith(found.clusterId));
    // Nothing to wait for and nothing thrown when it cannot (no such learner): the terminal reports it.
    expect(() => prepareLearnerCluster("no-such-learner")).not.toThrow();
    await expect(ensureLearnerCluster("no-such-learner")).rejects.toThrow();
  });

  it("removes the cluster it created when no row can tie it to the learner (no such learner)", async () => {
    const create = vi.spyOn(host, "create");
    await expect(ensureLearnerCluster("nobody")).rejects.toThrow();
    expect(create).toHaveBeenCalledTimes(1);
    const [created] = create.mock.results;
    if (!created) throw new Error("no cluster was created");
    const { id } = await (created.value as Promise<{ id: string }>);
    expect(host.exists(id)).toBe(false);
    expect(existsSync(path.join(folder, "clusters", id))).toBe(false);
  });

  it("gives a new cluster when the learner's cluster is gone from the host (data wiped)", async () => {
    const { clusterId: first } = await ensureLearnerCluster("learner-2");
    await host.remove(first);
    const { clusterId: second, token } = await ensureLearnerCluster("learner-2");
    expect(second).not.toBe(first);
    expect(token).toBeDefined();
    expect((await prisma().learnerCluster.findUniqueOrThrow({ where: { learnerId: "learner-2" } })).clusterId).toBe(
      second,
    );
    expect(await ensureLearnerCluster("learner-2")).toEqual({ clusterId: second });
  });

  it("writes lastUsedAt at most once per interval, without the caller waiting for it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = new Date("2026-06-01T10:00:00Z").getTime();
    vi.setSystemTime(t0);
    await ensureLearnerCluster("learner-3");
    expect(await lastUsed("learner-3")).toBe(t0);

    vi.setSystemTime(t0 + lastUsedWriteIntervalMs - 1);
    await ensureLearnerCluster("learner-3");
    await learnerClusterWrites();
    expect(await lastUsed("learner-3")).toBe(t0);

    const later = t0 + lastUsedWriteIntervalMs + 5_000;
    vi.setSystemTime(later);
    await ensureLearnerCluster("learner-3");
    await learnerClusterWrites();
    expect(await lastUsed("learner-3")).toBe(later);

    vi.setSystemTime(later + 1_000);
    await ensureLearnerCluster("learner-3");
    await learnerClusterWrites();
    expect(await lastUsed("learner-3")).toBe(later);
  });

  it("logs a failed lastUsedAt write and reads the database again on the next look-up", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = new Date("2026-06-02T10:00:00Z").getTime();
    vi.setSystemTime(t0);
    const { clusterId: first } = await ensureLearnerCluster("learner-4");
    // The row is gone behind this process's back (removed by hand, say).
    await prisma().learnerCluster.delete({ where: { learnerId: "learner-4" } });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.setSystemTime(t0 + lastUsedWriteIntervalMs);
    expect(await ensureLearnerCluster("learner-4")).toEqual({ clusterId: first });
    await learnerClusterWrites();
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining("could not record the use of learner-4's cluster"),
      expect.anything(),
    );
    // The next look-up finds no row, so the learner gets a cluster recorded for them again.
    const { clusterId: second } = await ensureLearnerCluster("learner-4");
    expect((await prisma().learnerCluster.findUniqueOrThrow({ where: { learnerId: "learner-4" } })).clusterId).toBe(
      second,
    );
  });

  it("writes the terminal's kubeconfig while the cluster wakes, and keeps it while its token opens the cluster", async () => {
    const origin = "http://127.0.0.1:3000";
    const file = await terminalKubeconfig(folder, "learner-5", origin);
    expect(file).toBe(path.join(learnerHome(folder, "learner-5"), ".kube", "config"));
    const { clusterId } = await ensureLearnerCluster("learner-5");
    expect(host.running()).toContain(clusterId);
    const written = readFileSync(file, "utf8");
    expect(written).toContain(`server: ${origin}/clusters/${clusterId}`);
    const token = /token:\s*(\S+)/.exec(written)?.[1] as string;
    expect(host.verifyToken(clusterId, token)).toBe(true);
    await terminalKubeconfig(folder, "learner-5", origin);
    expect(readFileSync(file, "utf8")).toBe(written);
    // Served on another port: a new kubeconfig (and token) for that server.
    await terminalKubeconfig(folder, "learner-5", "http://127.0.0.1:4000");
    expect(readFileSync(file, "utf8")).toContain(`server: http://127.0.0.1:4000/clusters/${clusterId}`);
    expect(host.verifyToken(clusterId, token)).toBe(false);
  }, 60_000);

  it("writes a new learner's first kubeconfig with the token their cluster was created with", async () => {
    const issueToken = vi.spyOn(host, "issueToken");
    prepareLearnerCluster("learner-7");
    const { clusterId, token: created } = await ensureLearnerCluster("learner-7");
    const file = await terminalKubeconfig(folder, "learner-7", "http://127.0.0.1:3000");
    expect(issueToken).not.toHaveBeenCalled();
    const token = /token:\s*(\S+)/.exec(readFileSync(file, "utf8"))?.[1] as string;
    expect(token).toBe(created);
    expect(host.verifyToken(clusterId, token)).toBe(true);
    // The token is handed over once: a kubeconfig for another server gets a token of its own.
    await terminalKubeconfig(folder, "learner-7", "http://127.0.0.1:4000");
    expect(issueToken).toHaveBeenCalledTimes(1);
    expect(host.verifyToken(clusterId, token)).toBe(false);
  }, 60_000);
});

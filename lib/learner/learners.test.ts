import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectPrisma, prisma } from "../database/prisma";
import { migratedTestDatabase } from "../database/testDatabase";
import { ensureLearner, learnerExists, learnerFromCookieHeader } from "./learners";

/** Learners against a real (temporary) SQLite database with the migrations applied. */
describe("ensureLearner", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-learners-"));

  beforeAll(() => {
    migratedTestDatabase(folder);
  });

  afterAll(async () => {
    await disconnectPrisma();
    rmSync(folder, { recursive: true, force: true });
  });

  const row = (id: string) => prisma().learner.findUnique({ where: { id } });

  it("creates a new learner with a fresh id when the browser sends no cookie", async () => {
    const first = await ensureLearner(undefined);
    const second = await ensureLearner("theme=dark");
    expect(first.created).toBe(true);
    expect(second.created).toBe(true);
    expect(first.learnerId).not.toBe(second.learnerId);
    expect(await row(first.learnerId)).not.toBeNull();
    expect(await row(second.learnerId)).not.toBeNull();
    expect(await learnerFromCookieHeader(`kubelab_learner=${first.learnerId}`)).toBe(first.learnerId);
  });

  it("keeps an existing learner", async () => {
    const { learnerId } = await ensureLearner(undefined);
    expect(await ensureLearner(`kubelab_learner=${learnerId}`)).toEqual({ learnerId, created: false });
    expect(await prisma().learner.count({ where: { id: learnerId } })).toBe(1);
  });

  it("gives a well-formed id without a row its row back (the database was reset), even from requests at once", async () => {
    const learnerId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    expect(await learnerExists(learnerId)).toBe(false);
    const header = `kubelab_learner=${learnerId}`;
    const results = await Promise.all([ensureLearner(header), ensureLearner(header), ensureLearner(header)]);
    for (const result of results) expect(result).toEqual({ learnerId, created: false });
    expect(await row(learnerId)).not.toBeNull();
  });

  it("replaces a malformed id with a new learner", async () => {
    const result = await ensureLearner("kubelab_learner=../../etc/passwd");
    expect(result.created).toBe(true);
    expect(result.learnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await row(result.learnerId)).not.toBeNull();
  });
});

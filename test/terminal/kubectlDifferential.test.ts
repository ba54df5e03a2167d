import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaseResult, describeMismatch, runDifferential } from "./differential/differential";
import { realKubectl, startCluster, type TestCluster } from "./differential/harness";

/**
 * Differential test: every corpus command (test/terminal/differential/corpus.ts) run by the real
 * kubectl and by Kubelab's against the same cluster, outputs compared with ages, times and UIDs
 * masked. Skipped with a notice when /usr/bin/kubectl is absent.
 */
const available = existsSync(realKubectl);
if (!available) console.warn(`\n  SKIPPING kubectl differential tests: ${realKubectl} is not installed.\n`);

describe.skipIf(!available)("Kubelab kubectl versus kubectl 1.32", () => {
  let cluster: TestCluster;
  let results: CaseResult[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    results = await runDifferential(cluster.kubeconfig, mkdtempSync(path.join(tmpdir(), "kubelab-diff-")));
    const passed = results.filter((result) => result.passed).length;
    console.log(
      `differential pass rate: ${passed}/${results.length} (${((passed / results.length) * 100).toFixed(1)}%)`,
    );
  }, 900_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("covers at least 150 commands", () => {
    expect(results.length).toBeGreaterThanOrEqual(150);
  });

  it("prints what kubectl prints for every command", () => {
    const mismatches = results.filter((result) => !result.passed).map(describeMismatch);
    expect(mismatches.join("\n")).toBe("");
  });
});

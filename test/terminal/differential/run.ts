import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeMismatch, runDifferential } from "./differential";
import { realKubectl, startCluster } from "./harness";

/**
 * Runs the differential corpus and prints the pass rate:
 * `npx tsx test/terminal/differential/run.ts [report-file]`. Set KUBELAB_DIFF_KUBECONFIG to use
 * a running cluster instead of starting one.
 */
if (!existsSync(realKubectl)) {
  console.log(`skipped: ${realKubectl} is not installed`);
  process.exit(0);
}
const reuse = process.env.KUBELAB_DIFF_KUBECONFIG;
const cluster = reuse ? undefined : await startCluster();
const kubeconfig = reuse ?? (cluster as { kubeconfig: string }).kubeconfig;
const work = mkdtempSync(path.join(tmpdir(), "kubelab-diff-work-"));
try {
  let passed = 0;
  let total = 0;
  const failures: string[] = [];
  await runDifferential(kubeconfig, work, (result) => {
    total++;
    if (result.passed) passed++;
    else failures.push(describeMismatch(result));
    process.stdout.write(`${result.passed ? "PASS" : "FAIL"} kubectl ${result.command}\n`);
  });
  const summary = `differential pass rate: ${passed}/${total} (${((passed / total) * 100).toFixed(1)}%)`;
  console.log(summary);
  const report = process.argv[2];
  if (report) writeFileSync(report, `${summary}\n\n${failures.join("\n")}`);
} finally {
  await cluster?.stop();
}

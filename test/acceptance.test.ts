import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * The shared acceptance scripts (../shared/acceptance, beside the project in CI): the real kubectl
 * against `kubelab cluster up`. Skipped with a notice where the scripts or kubectl are absent.
 */
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const SCRIPTS = path.resolve(ROOT, "..", "shared", "acceptance");
const available = existsSync(path.join(SCRIPTS, "lib.sh")) && existsSync("/usr/bin/kubectl");
if (!available) console.warn(`SKIP test/acceptance.test.ts: needs ${SCRIPTS} and /usr/bin/kubectl`);

describe.skipIf(!available)("acceptance scripts with the real kubectl", () => {
  for (const script of ["kubectl-core.sh", "kubectl-workloads.sh"]) {
    it(script, async () => {
      const { stdout } = await run("bash", [path.join(SCRIPTS, script)], { cwd: ROOT, timeout: 240_000 }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`${script} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
        },
      );
      expect(stdout).toMatch(/checks passed/);
    }, 300_000);
  }
});

/**
 * `npm run bench`: runs every benchmark in this folder, one child process each (so one benchmark's
 * heap and JIT state cannot colour the next), and prints their figures. Each benchmark measures its
 * own baseline in the same run and prints the ratio against it.
 *
 *   npm run bench                  # all of them
 *   npm run bench -- store apiserver   # only those whose file name contains a given word
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const benchmarks = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".test.ts"))
  .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
  .sort();

if (benchmarks.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ")}; have: ${readdirSync(here).join(", ")}`);
  process.exit(2);
}

const failed: string[] = [];
for (const file of benchmarks) {
  const name = basename(file, ".ts");
  console.log(`\n=== ${name} ${"=".repeat(Math.max(0, 70 - name.length))}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(here, file)], {
    stdio: "inherit",
    env: process.env,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) failed.push(name);
  console.log(
    `--- ${name}: ${result.status === 0 ? "done" : `FAILED (exit ${result.status})`} in ${seconds.toFixed(1)} s`,
  );
}

if (failed.length > 0) {
  console.error(`\nbenchmarks that failed: ${failed.join(", ")}`);
  process.exit(1);
}

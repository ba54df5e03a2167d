import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { command } from "../../cli/commands/grade";

const root = path.resolve(import.meta.dirname, "..", "..");
const folder = mkdtempSync(path.join(tmpdir(), "kubelab-grade-cli-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function grade(flags: Record<string, string | boolean>) {
  let stdout = "";
  let stderr = "";
  const out = new PassThrough();
  const err = new PassThrough();
  out.on("data", (chunk) => {
    stdout += chunk;
  });
  err.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await command.run?.({
    args: [],
    flags: { "lessons-dir": path.join(root, "lessons"), ...flags },
    io: { stdout: out, stderr: err, stdin: new PassThrough(), env: {}, cwd: folder },
    commandPath: "kubelab grade",
  });
  return { code, stdout, stderr };
}

/** `kubelab grade --submission` on a fresh in-process cluster with the lesson's starting state. */
describe("kubelab grade", () => {
  it("gives full marks and exit 0 for a right answer (a shell script)", async () => {
    const script = path.join(folder, "answer.sh");
    writeFileSync(script, "kubectl run web --image=nginx:1.27 --labels=tier=frontend\n");
    const result = await grade({ lesson: "pods", exercise: "run-a-pod", submission: script, json: true });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ status: "pass", score: 10, maxScore: 10 });
    expect(result.code).toBe(0);
  }, 120_000);

  it("grades invalid YAML 0 with the parse error as feedback", async () => {
    const file = path.join(folder, "broken.yaml");
    writeFileSync(file, "kind: Pod\nmetadata: {name: web\n");
    const result = await grade({ lesson: "pods", exercise: "run-a-pod", submission: file });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/invalid YAML in broken.yaml/);
    expect(result.stdout).toMatch(/pods: 0\/10 points/);
  });

  it("names an unknown exercise", async () => {
    const result = await grade({ lesson: "pods", exercise: "nope", submission: path.join(folder, "broken.yaml") });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lesson pods has no exercise "nope"/);
  });
});

/**
 * Grader benchmarks: checking an exercise on a converged cluster (target ≤ 20 ms per check run)
 * and `kubelab lessons check` over the whole course (target ≤ 60 s).
 *
 *   npx tsx bench/grader.ts            # both
 *   npx tsx bench/grader.ts --quick    # the exercise check only
 */
import path from "node:path";
import { gradeExercise } from "../grader/checks/index";
import { Exercise } from "../grader/format/schema";
import { applyManifests, startFreshCluster } from "../grader/run/freshCluster";
import { checkLessons } from "../grader/run/lessonsCheck";

const quick = process.argv.includes("--quick");
const root = path.resolve(import.meta.dirname, "..");

async function exerciseCheck(): Promise<void> {
  const cluster = await startFreshCluster();
  try {
    await applyManifests(
      cluster.grading,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`,
    );
    const exercise = Exercise.parse({
      id: "bench",
      title: "bench",
      solution: "true",
      checks: [
        { type: "exists", kind: "Deployment", name: "web" },
        {
          type: "field",
          kind: "Deployment",
          name: "web",
          path: "spec.template.spec.containers[0].image",
          equals: "nginx:1.27",
        },
        { type: "condition", kind: "Deployment", name: "web", condition: "RolledOut" },
        { type: "count", kind: "Pod", selector: "app=web", ready: true, atLeast: 3 },
        { type: "endpoints", service: "web", atLeast: 3 },
      ],
    });
    const context = { cluster: cluster.grading, lessonFolder: root };
    const converged = await gradeExercise(exercise, context, { defaultWaitMs: 60_000 });
    if (converged.status !== "pass") throw new Error(`the cluster did not converge: ${JSON.stringify(converged)}`);
    for (let index = 0; index < 20; index++) await gradeExercise(exercise, context, { noWait: true }); // warm-up
    const runs = 100;
    const times: number[] = [];
    for (let index = 0; index < runs; index++) {
      const started = performance.now();
      const result = await gradeExercise(exercise, context, { noWait: true });
      times.push(performance.now() - started);
      if (result.status !== "pass") throw new Error("a converged exercise stopped passing");
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(runs / 2)] as number;
    const p95 = times[Math.floor(runs * 0.95)] as number;
    console.log(
      `check an exercise (5 checks) on a converged cluster: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target ≤ 20 ms) ${median <= 20 ? "OK" : "OVER"}`,
    );
  } finally {
    await cluster.stop();
  }
}

async function courseCheck(): Promise<void> {
  const started = performance.now();
  const report = await checkLessons([path.join(root, "lessons")]);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `lessons check over the course: ${report.lessons} lessons, ${report.exercises.length} exercises, ${report.ok ? "all ok" : "FAILURES"} in ${seconds.toFixed(1)} s (target ≤ 60 s) ${seconds <= 60 ? "OK" : "OVER"}`,
  );
}

await exerciseCheck();
if (!quick) await courseCheck();
process.exit(0);

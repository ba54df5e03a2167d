import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type CliCommand, UsageError } from "../Command";

/** `kubelab grade`: grades a live cluster or a submission against a lesson's exercises. */
export const command: CliCommand = {
  name: "grade",
  summary: "Grade a cluster or a submission against a lesson's exercises",
  description: `Runs a lesson's checks through the Kubernetes API and prints each check's result.

 With --kubeconfig the cluster the kubeconfig points at is graded as it is (Kubelab's or any real
 cluster); checks that depend on convergence wait for it, bounded.

 With --submission a fresh in-process cluster is started with the lesson's starting state, the
 submission is applied (a file or folder of manifests: .yaml, .yml, .json; shell scripts, .sh,
 run in a learner-like shell that understands kubectl, heredocs and echo/cat > file), then graded.

 Exit status 0 only on full marks; 1 otherwise; 2 when a check could not run (cluster unreachable).`,
  usage: "--lesson L [--exercise E] (--kubeconfig FILE | --submission PATH) [--json]",
  examples: [
    "kubelab grade --lesson pods --kubeconfig ./kubeconfig",
    "kubelab grade --lesson pods --exercise run-a-pod --submission ./answer.yaml --json",
  ],
  flags: [
    { name: "lesson", type: "string", valueName: "ID|FILE", description: "Lesson id or lesson file" },
    { name: "exercise", type: "string", valueName: "ID", description: "Grade only this exercise" },
    {
      name: "kubeconfig",
      type: "string",
      valueName: "FILE",
      description: "Grade the cluster this kubeconfig points at",
    },
    {
      name: "submission",
      type: "string",
      valueName: "PATH",
      description: "Manifests and/or a shell script (file or folder)",
    },
    {
      name: "lessons-dir",
      type: "string",
      valueName: "DIR",
      description: "Lessons folder (default $KUBELAB_LESSONS_DIR or ./lessons)",
    },
    { name: "json", type: "boolean", description: "Print the result as JSON" },
  ],
  async run({ flags, io, commandPath }) {
    const lessonRef = flags.lesson as string | undefined;
    if (!lessonRef) throw new UsageError("--lesson is required", commandPath);
    const kubeconfig = flags.kubeconfig as string | undefined;
    const submission = flags.submission as string | undefined;
    if (!kubeconfig === !submission)
      throw new UsageError("give exactly one of --kubeconfig or --submission", commandPath);
    const { defaultLessonsFolder, findLesson } = await import("../../grader/run/findLesson");
    const { formatReport, gradeCluster, gradeSubmission, selectExercises } = await import(
      "../../grader/run/submission"
    );
    const folder = path.resolve(io.cwd, defaultLessonsFolder(flags["lessons-dir"] as string | undefined, io.env));
    const loaded = findLesson(
      path.resolve(io.cwd, lessonRef).endsWith(".md") ? path.resolve(io.cwd, lessonRef) : lessonRef,
      folder,
    );
    if (!loaded?.graded) {
      const why = loaded?.problems[0] ? `: ${loaded.problems[0].message}` : "";
      io.stderr.write(`error: lesson "${lessonRef}" not found in ${folder}${why}\n`);
      return 1;
    }
    const exerciseId = flags.exercise as string | undefined;
    if (!selectExercises(loaded.graded, exerciseId)) {
      const known = loaded.graded.exercises.map((exercise) => exercise.id).join(", ");
      io.stderr.write(
        `error: lesson ${loaded.graded.lesson.id} has no exercise "${exerciseId}" (exercises: ${known})\n`,
      );
      return 1;
    }
    let report: Awaited<ReturnType<typeof gradeCluster>>;
    if (kubeconfig) {
      const { GradingCluster } = await import("../../grader/run/GradingCluster");
      let text: string;
      try {
        text = readFileSync(path.resolve(io.cwd, kubeconfig), "utf8");
      } catch (error) {
        io.stderr.write(`error: cannot read ${kubeconfig}: ${(error as Error).message}\n`);
        return 1;
      }
      report = await gradeCluster(loaded.graded, exerciseId, new GradingCluster(text), loaded.folder, {
        defaultWaitMs: 10_000,
      });
    } else {
      const files = readSubmission(path.resolve(io.cwd, submission as string));
      report = await gradeSubmission(loaded.graded, exerciseId, files, loaded.folder);
    }
    io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    if (report.status === "error") return 2;
    return report.score >= report.maxScore && report.status === "pass" ? 0 : 1;
  },
};

function readSubmission(target: string): { name: string; content: string }[] {
  if (!statSync(target).isDirectory()) return [{ name: path.basename(target), content: readFileSync(target, "utf8") }];
  return readdirSync(target)
    .filter((name) => /\.(ya?ml|json|sh)$/.test(name))
    .sort()
    .map((name) => ({ name, content: readFileSync(path.join(target, name), "utf8") }));
}

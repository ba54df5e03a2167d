import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FreshCluster, startFreshCluster } from "./freshCluster";
import { scriptCommands } from "./learnerShell";

describe("scriptCommands", () => {
  it.each([
    {
      name: "one command per line, blanks and comments dropped",
      script: "# setup\nkubectl get pods\n\nls\n",
      want: ["kubectl get pods", "ls"],
    },
    {
      name: "a trailing backslash continues",
      script: "kubectl run a \\\n  --image=nginx\n",
      want: ["kubectl run a \\\n  --image=nginx"],
    },
    {
      name: "a here-document runs up to its terminator",
      script: "kubectl apply -f - <<EOF\nkind: Pod\n# not a comment here\nEOF\necho done",
      want: ["kubectl apply -f - <<EOF\nkind: Pod\n# not a comment here\nEOF", "echo done"],
    },
    { name: "an open block", script: "for i in 1 2; do\n  echo $i\ndone", want: ["for i in 1 2; do\n  echo $i\ndone"] },
  ])("$name", ({ script, want }) => {
    expect(scriptCommands(script)).toEqual(want);
  });
});

/** Solutions run in the terminal's own shell: pipes, aliases, variables and files as a learner has them. */
describe("LearnerShell", () => {
  let cluster: FreshCluster;
  beforeAll(async () => {
    cluster = await startFreshCluster();
  });
  afterAll(() => cluster?.stop());

  it("runs what the learner's terminal runs, command by command", async () => {
    const run = await cluster.shell.run(
      [
        "NAME=shell-test",
        "k create namespace $NAME",
        "kubectl get namespaces -o name | grep shell-test | tr a-z A-Z",
        "cat > pod.yaml <<EOF",
        "apiVersion: v1",
        "kind: Pod",
        "metadata: {name: from-file, namespace: shell-test}",
        "spec: {containers: [{name: c, image: nginx}]}",
        "EOF",
        "kubectl apply -f pod.yaml && echo applied",
      ].join("\n"),
    );
    expect(run.exitCode).toBe(0);
    expect(run.steps.map((step) => step.output)).toEqual([
      "",
      "namespace/shell-test created\n",
      "NAMESPACE/SHELL-TEST\n",
      "",
      "pod/from-file created\napplied\n",
    ]);
    expect(await readFile(path.join(cluster.home, "pod.yaml"), "utf8")).toContain("from-file");
  });

  it("stops at a failing change but keeps going past a failed look when asked", async () => {
    const failing = await cluster.shell.run("kubectl delete pod nothing-here\necho never");
    expect(failing.exitCode).toBe(1);
    expect(failing.steps).toHaveLength(1);
    expect(failing.steps[0]?.output).toMatch(/pods "nothing-here" not found/);
    const looking = await cluster.shell.run("kubectl logs nothing-here\necho after", {
      tolerateReadOnlyFailures: true,
    });
    expect(looking.exitCode).toBe(0);
    expect(looking.steps.map((step) => step.exitCode)).toEqual([1, 0]);
  });
});

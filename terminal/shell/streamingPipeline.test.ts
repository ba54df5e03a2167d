import { describe, expect, it } from "vitest";
import { isStreamingCommand, planStreamingPipeline, planStreamingRedirect } from "./streamingPipeline";

const streaming = (argv: string[]) => isStreamingCommand(argv, ["crictl", "journalctl"]);

describe("planStreamingPipeline", () => {
  const cases: Array<{ name: string; line: string; stages?: string[] }> = [
    { name: "watch into grep", line: "kubectl get pods -w | grep web", stages: ["filter:grep web"] },
    {
      name: "--line-buffered is dropped",
      line: "kubectl get pods -w | grep --line-buffered web | head -3",
      stages: ["filter:grep web", "head:3"],
    },
    {
      name: "what follows head runs once",
      line: "crictl logs -f abc | head -1 | wc -l",
      stages: ["head:1", "final:wc -l"],
    },
    {
      name: "follow into awk without NR",
      line: "kubectl logs -f x | awk '{print $1}'",
      stages: ["filter:awk '{print $1}'"],
    },
    { name: "grep -c needs the whole input", line: "kubectl get pods -w | grep -c web" },
    { name: "sort needs the whole input", line: "kubectl logs -f x | sort" },
    { name: "sed with a line address", line: "kubectl logs -f x | sed 1d" },
    { name: "not a streaming command", line: "kubectl get pods | grep web" },
    { name: "a single command", line: "kubectl get pods -w" },
    { name: "journalctl -f", line: "journalctl -u kubelet -f | grep Pulled", stages: ["filter:grep Pulled"] },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const plan = planStreamingPipeline(testCase.line, streaming);
      const stages = plan?.stages.map((stage) =>
        stage.kind === "head" ? `head:${stage.lines}` : `${stage.kind}:${stage.script}`,
      );
      expect(stages).toEqual(testCase.stages);
    });
  }
});

describe("planStreamingRedirect", () => {
  const kubectlStreaming = (argv: string[]) => isStreamingCommand(argv, []);
  it.each([
    {
      name: "> file",
      line: "kubectl logs -f web > log.txt",
      expected: { source: "kubectl logs -f web", path: "log.txt", append: false, withErrors: false },
    },
    {
      name: ">> file 2>&1",
      line: "kubectl get pods -w >> /tmp/w.txt 2>&1",
      expected: { source: "kubectl get pods -w", path: "/tmp/w.txt", append: true, withErrors: true },
    },
    { name: "not streaming", line: "kubectl get pods > pods.txt", expected: undefined },
    { name: "a pipeline", line: "kubectl logs -f web | grep x > f", expected: undefined },
    { name: "stdin redirected", line: "kubectl logs -f web < in > out", expected: undefined },
  ])("$name", ({ line, expected }) => {
    expect(planStreamingRedirect(line, kubectlStreaming)).toEqual(expected);
  });
});

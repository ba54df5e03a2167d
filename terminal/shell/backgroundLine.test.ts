import { describe, expect, it } from "vitest";
import { splitBackground } from "./backgroundLine";

describe("splitBackground", () => {
  it.each([
    { name: "no &", line: "kubectl get pods && echo ok", expected: undefined },
    { name: "one job", line: "sleep 30 &", expected: [{ text: "sleep 30", background: true, display: "sleep 30" }] },
    {
      name: "bash's spacing for the job's name",
      line: "sleep 1|cat  &",
      expected: [{ text: "sleep 1 | cat", background: true, display: "sleep 1 | cat" }],
    },
    {
      name: "a compound command shown as typed",
      line: "(sleep 1; exit 3) &",
      expected: [{ text: "(sleep 1\nexit 3)", background: true, display: "(sleep 1; exit 3)" }],
    },
    {
      name: "a job then a command",
      line: "kubectl port-forward svc/web 8080:80 & curl localhost:8080",
      expected: [
        {
          text: "kubectl port-forward svc/web 8080:80",
          background: true,
          display: "kubectl port-forward svc/web 8080:80",
        },
        { text: "curl localhost:8080", background: false },
      ],
    },
    {
      name: "an and-list in the background, a redirection kept",
      line: "a && b & kubectl logs -f web > log.txt &",
      expected: [
        { text: "a && b", background: true, display: "a && b" },
        { text: "kubectl logs -f web > log.txt", background: true, display: "kubectl logs -f web > log.txt" },
      ],
    },
    { name: "& inside a loop stays with just-bash", line: "for i in 1 2; do sleep 4 & done", expected: undefined },
    { name: "a line that does not parse", line: "echo 'open &", expected: undefined },
  ])("$name", ({ line, expected }) => {
    expect(splitBackground(line)).toEqual(expected);
  });
});

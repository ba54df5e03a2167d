import { describe, expect, it } from "vitest";
import { expandHistory } from "./historyExpansion";

const history = ["kubectl get pods -n kube-system", "echo 'a b' c", "cat /etc/hostname"];

describe("expandHistory", () => {
  it.each([
    { name: "!! is the previous line", line: "sudo !!", result: "sudo cat /etc/hostname" },
    { name: "!$ is its last word", line: "ls -l !$", result: "ls -l /etc/hostname" },
    { name: "!* is its words after the first", line: "echo !*", result: "echo /etc/hostname" },
    { name: "!prefix is the last line starting with it", line: "!kub", result: "kubectl get pods -n kube-system" },
    { name: "!N counts from the first line", line: "!2", result: "echo 'a b' c" },
    { name: "!-N counts back", line: "!-3 | wc -l", result: "kubectl get pods -n kube-system | wc -l" },
    { name: "inside double quotes", line: 'echo "!!"', result: 'echo "cat /etc/hostname"' },
  ])("$name", ({ line, result }) => {
    expect(expandHistory(line, history)).toEqual({ line: result, expanded: true });
  });

  it.each([
    { name: "in single quotes", line: "echo '!!'" },
    { name: "escaped", line: "echo \\!\\!" },
    { name: "before a blank", line: "if ! true; then echo no; fi" },
    { name: "in !=", line: '[ "$a" != b ]' },
    { name: "at the end", line: "echo hi!" },
    { name: 'before "', line: 'echo "hi!"' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${!name}
    { name: "in $! and ${!name}", line: "echo $! ${!ref}" },
    { name: "in a shebang", line: "#!/bin/sh" },
  ])("leaves ! $name", ({ line }) => {
    expect(expandHistory(line, history)).toEqual({ line, expanded: false });
  });

  it("reports an event it cannot find, as bash does", () => {
    expect(expandHistory("!nosuch", history)).toEqual({ error: "!nosuch: event not found" });
    expect(expandHistory("!!", [])).toEqual({ error: "!!: event not found" });
  });
});

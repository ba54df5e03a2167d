import { describe, expect, it } from "vitest";
import { scriptReadsStdin } from "./readsStdin";

describe("scriptReadsStdin", () => {
  const cases: Array<{ name: string; script: string; reads: boolean }> = [
    { name: "cat", script: "cat", reads: true },
    { name: "cat -", script: "cat -", reads: true },
    { name: "cat of a file", script: "cat /etc/hostname", reads: false },
    { name: "cat -n of a file", script: "cat -n /etc/hostname", reads: false },
    { name: "read", script: "read x; echo got $x", reads: true },
    { name: "read from a file", script: "read x < /etc/hostname; echo $x", reads: false },
    { name: "while read loop", script: "while read l; do echo $l; done", reads: true },
    { name: "while read loop on a file", script: "while read l; do echo $l; done < /etc/hosts", reads: false },
    { name: "a pipe feeds the second command", script: "echo hi | cat", reads: false },
    { name: "first command of a pipeline", script: "cat | tr a-z A-Z", reads: true },
    { name: "here-document", script: "cat <<EOF\nhi\nEOF", reads: false },
    { name: "head -n N", script: "head -n 1", reads: true },
    { name: "head -n N of a file", script: "head -n 1 /etc/hosts", reads: false },
    { name: "grep pattern only", script: "grep hello", reads: true },
    { name: "grep pattern and file", script: "grep hello /etc/hosts", reads: false },
    { name: "sed -e", script: "sed -e s/a/b/", reads: true },
    { name: "command substitution", script: 'x=$(cat); echo "$x"', reads: true },
    { name: "tar extract from stdin (kubectl cp)", script: "tar -xmf - -C /tmp", reads: true },
    { name: "old-style tar", script: "tar xvf - -C /tmp", reads: true },
    { name: "tar create to stdout", script: "tar cf - /etc", reads: false },
    { name: "tar extract from a file", script: "tar -xf /tmp/a.tar", reads: false },
    { name: "sleep loop", script: "while true; do date; sleep 1; done", reads: false },
    { name: "echo", script: "echo hello", reads: false },
    { name: "sh -c", script: "sh -c 'echo hi'", reads: false },
    { name: "bare sh", script: "sh", reads: true },
    { name: "tee", script: "tee /tmp/out", reads: true },
    { name: "unparsable", script: "if then fi (", reads: true },
  ];
  for (const { name, script, reads } of cases) {
    it(name, () => expect(scriptReadsStdin(script)).toBe(reads));
  }
});

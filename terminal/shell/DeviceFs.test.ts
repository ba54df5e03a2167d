import { Bash, getCommandNames, InMemoryFs } from "just-bash";
import { describe, expect, it } from "vitest";
import { withShellBinaries } from "./filesystem";

describe("/dev in the shell", () => {
  const cases = [
    {
      name: "/dev/null swallows writes and reads empty",
      script: "echo secret > /dev/null; echo more >> /dev/null; cat /dev/null | wc -c",
      stdout: "0\n",
    },
    {
      name: "stderr to /dev/null",
      script: "ls /nowhere 2>/dev/null; echo rc=$?; wc -c < /dev/null",
      stdout: "rc=2\n0\n",
    },
    {
      name: "/dev/zero reads zeros",
      script: "head -c 4 /dev/zero | base64",
      stdout: "AAAAAA==\n",
    },
    { name: "/dev/urandom reads random bytes", script: "head -c 12 /dev/urandom | wc -c", stdout: "12\n" },
    { name: "the devices are listed", script: "ls /dev", stdout: "null\nrandom\nurandom\nzero\n" },
  ];
  for (const testCase of cases)
    it(testCase.name, async () => {
      const base = new InMemoryFs();
      const bash = new Bash({ fs: withShellBinaries(base, getCommandNames()), cwd: "/" });
      const result = await bash.exec(testCase.script);
      expect(result.stdout).toBe(testCase.stdout);
      // Nothing reached the file system under the mount (a node's own files).
      expect(await base.exists("/dev/null")).toBe(false);
    });
});

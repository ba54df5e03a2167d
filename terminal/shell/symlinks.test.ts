import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Bash, getCommandNames, InMemoryFs } from "just-bash";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeBackend } from "../node/NodeBackend";
import { createLearnerFileSystem, withShellBinaries } from "./filesystem";
import { NodeShellFs } from "./NodeShellFs";

describe("ln -s where the files keep no links", () => {
  const home = mkdtempSync(path.join(tmpdir(), "kubelab-ln-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const files = new Map<string, string>([["/etc/hostname", "node01\n"]]);
  const backend = {
    readFile: async (_node: string, file: string) => files.get(file),
    readDir: async () => undefined,
    writeFile: async (_node: string, file: string, content: string) => {
      files.set(file, content);
    },
  } as unknown as NodeBackend;
  const cases = [
    {
      name: "the learner's folder on disk",
      fs: () => createLearnerFileSystem(home, [], new InMemoryFs(), getCommandNames()),
      script: "cd /root; echo hi > f1.txt; ln -s f1.txt l1",
      stderr: "ln: failed to create symbolic link: Operation not supported\n",
    },
    {
      name: "a node's files",
      fs: () => withShellBinaries(new NodeShellFs(backend, "node01"), getCommandNames()),
      script: "ln -s /etc/hostname /etc/h",
      stderr: "ln: failed to create symbolic link: Operation not supported\n",
    },
  ];
  for (const testCase of cases)
    it(`${testCase.name}: GNU ln's message, not a hard-link error`, async () => {
      const result = await new Bash({ fs: testCase.fs(), cwd: "/" }).exec(testCase.script);
      expect(result.stderr).toBe(testCase.stderr);
      expect(result.exitCode).toBe(1);
    });
});

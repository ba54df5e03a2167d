import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getCommandNames, InMemoryFs } from "just-bash";
import { afterAll, describe, expect, it } from "vitest";
import { InMemoryNodeFileSystem } from "../../engine/kubelet/NodeFileSystem";
import { createLearnerFileSystem } from "../shell/filesystem";
import { collectShellFiles, withShellFiles } from "./shellFiles";

describe("a node tool's view of the shell's files", () => {
  const homes: string[] = [];
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  async function setUp() {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-shellfiles-"));
    homes.push(home);
    const shell = createLearnerFileSystem(home, [], new InMemoryFs(), getCommandNames());
    await shell.writeFile("/tmp/snap.db", "saved before");
    await shell.writeFile("/root/ca.crt", "a CA");
    const node = new InMemoryNodeFileSystem();
    await node.writeFile("/etc/kubernetes/pki/etcd/ca.crt", "etcd CA");
    return { shell, node };
  }

  it("sends the shell's files its arguments name, relative ones from the working directory", async () => {
    const { shell } = await setUp();
    const files = await collectShellFiles(shell, "/root", [
      "snapshot",
      "status",
      "/tmp/snap.db",
      "--cacert=ca.crt",
      "--cert=/etc/kubernetes/pki/etcd/server.crt",
      "missing.db",
    ]);
    expect(files.contents).toEqual({ "/tmp/snap.db": "saved before", "/root/ca.crt": "a CA" });
    expect(files.roots).toEqual(expect.arrayContaining(["/root", "/tmp", "/dev"]));
    expect(files.roots).not.toContain("/etc");
  });

  const cases = [
    { name: "an absolute path in the shell's /tmp", path: "/tmp/new.db", shellSees: true },
    { name: "a file in the learner's /root", path: "/root/rel.db", shellSees: true },
    { name: "the node's /opt", path: "/opt/snapshot.db", shellSees: false },
  ];
  for (const testCase of cases)
    it(`writes ${testCase.name} where the shell's ls finds it`, async () => {
      const { shell, node } = await setUp();
      const tool = withShellFiles(node, await collectShellFiles(shell, "/root", []));
      await tool.writeFile(testCase.path, "snapshot");
      expect(await tool.readFile(testCase.path)).toBe("snapshot");
      expect(await shell.readFile(testCase.path).catch(() => undefined)).toBe(
        testCase.shellSees ? "snapshot" : undefined,
      );
      expect(await node.readFile(testCase.path)).toBe(testCase.shellSees ? undefined : "snapshot");
    });

  it("reads the node's files outside the shell's folders, and nothing from the node's /tmp", async () => {
    const { shell, node } = await setUp();
    await node.writeFile("/tmp/node-only", "hidden");
    const tool = withShellFiles(node, await collectShellFiles(shell, "/root", ["/tmp/snap.db"]));
    expect(await tool.readFile("/etc/kubernetes/pki/etcd/ca.crt")).toBe("etcd CA");
    expect(await tool.readFile("/tmp/snap.db")).toBe("saved before");
    expect(await tool.readFile("/tmp/node-only")).toBeUndefined();
  });

  it("a write to /dev/null is discarded", async () => {
    const { shell, node } = await setUp();
    const tool = withShellFiles(node, await collectShellFiles(shell, "/root", []));
    await tool.writeFile("/dev/null", "output");
    expect(await shell.readFile("/dev/null")).toBe("");
    expect(await node.readFile("/dev/null")).toBeUndefined();
  });
});

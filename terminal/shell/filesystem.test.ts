import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NodeBackend, NodeDirEntry } from "../node/NodeBackend";
import { Shell } from "./Shell";

/** A node with a small file system in memory, counting what the shell asks of it. */
class CountingNode implements NodeBackend {
  calls: string[] = [];
  readonly files = new Map<string, string>([["/etc/hostname", "controlplane\n"]]);
  async nodes() {
    return [{ name: "controlplane", ip: "192.168.0.2", role: "control-plane" as const }];
  }
  async readDir(_node: string, dir: string): Promise<NodeDirEntry[] | undefined> {
    this.calls.push(`readDir ${dir}`);
    const prefix = dir === "/" ? "/" : `${dir}/`;
    const names = new Map<string, boolean>();
    for (const file of this.files.keys())
      if (file.startsWith(prefix)) {
        const rest = file.slice(prefix.length).split("/");
        names.set(rest[0] as string, rest.length > 1);
      }
    return names.size > 0 || dir === "/" ? [...names].map(([name, directory]) => ({ name, directory })) : undefined;
  }
  async readFile(_node: string, file: string) {
    this.calls.push(`readFile ${file}`);
    return this.files.get(file);
  }
  async writeFile(_node: string, file: string, content: string) {
    this.calls.push(`writeFile ${file}`);
    this.files.set(file, content);
  }
  async remove(_node: string, file: string) {
    this.files.delete(file);
  }
  async run(_node: string, argv: string[], options: { stdout(text: string): void }) {
    this.calls.push(`run ${argv.join(" ")}`);
    options.stdout(`${argv.join(" ")}\n`);
    return 0;
  }
}

async function nodeShell() {
  const node = new CountingNode();
  let output = "";
  const shell = new Shell({
    homeDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-fs-test-")),
    kubeconfig: "",
    write: (text) => (output += text),
    columns: 120,
    rows: 30,
    nodes: node,
  });
  await shell.start();
  const run = async (line: string) => {
    output = "";
    node.calls = [];
    const status = await shell.execute(line);
    return { status, output: output.replace(/\r\n/g, "\n") };
  };
  return { node, run };
}

describe("the shell's PATH directories", () => {
  it("finds commands in /usr/bin without asking the node", async () => {
    const { node, run } = await nodeShell();
    expect(await run("echo hi | grep h | wc -l")).toEqual({ status: 0, output: "1\n" });
    expect(await run("which kubectl crictl ls")).toEqual({
      status: 0,
      output: "/usr/bin/kubectl\n/usr/bin/crictl\n/usr/bin/ls\n",
    });
    expect(node.calls).toEqual([]);
    expect((await run("crictl ps")).output).toBe("crictl ps\n");
    expect(node.calls).toEqual(["run crictl ps"]);
  });

  it("lists the commands a learner can run in /usr/bin, not the shell's internal ones", async () => {
    const { run } = await nodeShell();
    const listed = (await run("ls /usr/bin")).output.split(/\s+/);
    expect(listed).toContain("kubectl");
    expect(listed.filter((name) => name.startsWith("__"))).toEqual([]);
    // The internal commands still run: a failed status is kept for the next line's $?.
    expect((await run("false")).status).toBe(1);
    expect((await run("echo $?")).output).toBe("1\n");
    expect((await run("echo $((1+1)) 'a b'")).output).toBe("2 a b\n");
  });

  it("keeps commands working after the learner makes PATH directories", async () => {
    const { run } = await nodeShell();
    expect((await run("mkdir -p /usr/bin /usr/local/bin && ls /usr/bin | grep -c kubectl")).output).toBe("1\n");
    expect(await run("echo ok | cat")).toEqual({ status: 0, output: "ok\n" });
    expect(await run("nosuchcommand")).toEqual({ status: 127, output: "nosuchcommand: command not found\n" });
  });

  it("passes plain words as they are and expands the others", async () => {
    const { run } = await nodeShell();
    expect((await run("crictl ps --name=web,db -o json ./a_b@c%d+e:f")).output).toBe(
      "crictl ps --name=web,db -o json ./a_b@c%d+e:f\n",
    );
    expect((await run("crictl ps $HOME 'a b' ~/f *.none")).output).toBe("crictl ps /root a b /root/f *.none\n");
  });
});

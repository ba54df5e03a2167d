import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NodeBackend, NodeRunOptions } from "../node/NodeBackend";
import { defaultBashrc, Shell } from "./Shell";

/** A node whose tools follow (write a line, then wait) until the shell stops them. */
class FollowingNode implements NodeBackend {
  async nodes() {
    return [{ name: "controlplane", ip: "192.168.0.2", role: "control-plane" as const }];
  }
  async readDir() {
    return undefined;
  }
  async readFile() {
    return undefined;
  }
  async writeFile() {}
  async remove() {}
  async run(_node: string, argv: string[], options: NodeRunOptions) {
    options.stdout(`${argv.join(" ")} started\n`);
    await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve(), { once: true }));
    return 0;
  }
}

/** A shell in this process; `output` is everything written, with the pty's CRLF as LF. */
async function startShell(options: { nodes?: NodeBackend; rows?: number; home?: string } = {}) {
  let output = "";
  const shell = new Shell({
    homeDirectory: options.home ?? mkdtempSync(path.join(tmpdir(), "kubelab-shell-test-")),
    kubeconfig: "",
    write: (text) => (output += text),
    columns: 80,
    rows: options.rows ?? 24,
    ...(options.nodes ? { nodes: options.nodes } : {}),
  });
  await shell.start();
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 10_000;
    while (!output.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)} in ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    shell,
    waitFor,
    /** Runs a line as typed at the prompt; what it printed. */
    async run(line: string): Promise<string> {
      output = "";
      await shell.execute(line);
      return output.replace(/\r\n/g, "\n");
    },
    get output() {
      return output.replace(/\r\n/g, "\n");
    },
    clear() {
      output = "";
    },
  };
}

describe("Ctrl-C on a command that runs until stopped", () => {
  it.each([
    { name: "a following node tool", line: "journalctl -u kubelet -f", started: "journalctl -u kubelet -f started\n" },
    { name: "sleep", line: "sleep 60", started: "" },
  ])("$name: ^C, a new line, and status 130", async ({ line, started }) => {
    const session = await startShell({ nodes: new FollowingNode() });
    session.clear();
    const running = session.shell.execute(line);
    await session.waitFor(started);
    await new Promise((resolve) => setTimeout(resolve, 20));
    session.shell.input("\x03");
    expect(await running).toBe(130);
    expect(session.output).toBe(`${started}^C\n`);
    session.clear();
    await session.shell.execute("echo $?");
    expect(session.output).toBe("130\n");
  });
});

describe("watch", () => {
  it("shows every line of the command's output that fits the screen, and exits 0 on Ctrl-C", async () => {
    const session = await startShell({ rows: 12 });
    session.clear();
    const running = session.shell.execute("watch -n 10 seq 30");
    await session.waitFor("\n10");
    session.shell.input("\x03");
    expect(await running).toBe(0);
    const screen = session.output;
    // The title, a blank line, then rows - 2 lines of output.
    expect(screen).toContain("Every 10.0s: seq 30");
    expect(screen).toMatch(/\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10(?!\d)/);
    expect(screen).not.toContain("\n11");
  });
});

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: bash's ${…} in command lines
describe("state kept from one command line to the next, as bash keeps it", () => {
  it.each([
    {
      name: "a function",
      lines: ["greet() { echo hi $1; }", "greet bob", "type greet | head -1"],
      printed: "hi bob\ngreet is a function\n",
    },
    {
      name: "a function defined among other commands, then removed",
      lines: ["echo a && shout() { echo ${1^^}; }; echo b", "shout x", "unset -f shout; echo gone", "shout y"],
      printed: "a\nb\nX\ngone\nshout: command not found\n",
    },
    {
      name: "an array, appended to and unset",
      lines: [
        "arr=(x y z)",
        "echo ${arr[2]}",
        "arr+=(w); echo set",
        "echo ${#arr[@]} ${arr[3]}",
        "unset arr",
        "echo n=${#arr[@]}",
      ],
      printed: "z\nset\n4 w\nn=0\n",
    },
    {
      name: "an array's status is the line's",
      lines: ["arr=(a); false", "echo $? ${arr[0]}"],
      printed: "1 a\n",
    },
    {
      name: "an alias set among other commands",
      lines: ["alias kg='echo kg:'; echo set", "kg nodes", "unalias kg; echo unset", "kg nodes"],
      printed: "set\nkg: nodes\nunset\nkg: command not found\n",
    },
    { name: "the preset alias, as type tells it", lines: ["type k"], printed: "k is aliased to `kubectl'\n" },
    {
      name: "what ~/.bashrc defines, once sourced",
      lines: [
        `printf 'alias kd="echo describe"\\nexport FOO=bar\\nmyf() { echo myf; }\\n' > ~/.bashrc`,
        "source ~/.bashrc",
        "kd node01",
        "myf",
        "echo $FOO",
      ],
      printed: "describe node01\nmyf\nbar\n",
    },
  ])("$name", async ({ lines, printed }) => {
    const session = await startShell();
    let out = "";
    for (const line of lines) out += await session.run(line);
    expect(out).toBe(printed);
  });
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: bash's ${…} in command lines

  it("reads ~/.bashrc when it starts, and gives a new home a default one", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-shell-bashrc-"));
    const first = await startShell({ home });
    expect(readFileSync(path.join(home, ".bashrc"), "utf8")).toBe(defaultBashrc);
    expect(await first.run("type k")).toBe("k is aliased to `kubectl'\n");
    await first.run(
      `echo 'export FOO=bar; alias kd="echo describe"; myf() { echo myf; }; echo hello from bashrc' >> ~/.bashrc`,
    );
    const second = await startShell({ home });
    expect(second.output).toContain("hello from bashrc\n");
    expect(await second.run("echo $FOO; kd x; myf")).toBe("bar\ndescribe x\nmyf\n");
  });

  it("keeps the aliases out of the environment of the lines that do not use them", async () => {
    const session = await startShell();
    await session.run("alias zz=ls; echo set");
    expect(await session.run("env | grep -c ALIAS")).toBe("0\n");
  });
});

describe("memory", () => {
  it.each([
    { name: "a huge printf width", line: "x=$(printf '%*s' 50000000 '')", message: "format width limit exceeded" },
    {
      name: "a string doubled past the limit",
      line: "a=$(printf '%*s' 1000000 ''); b=$a$a$a$a$a$a$a$a$a$a",
      message: "string length limit exceeded",
    },
  ])("stops $name with just-bash's limit message and keeps the shell", async ({ line, message }) => {
    const session = await startShell();
    const out = await session.run(line);
    expect(out).toContain(message);
    expect(out).not.toContain("executionLimits");
    expect(await session.run("echo alive")).toBe("alive\n");
  });
});

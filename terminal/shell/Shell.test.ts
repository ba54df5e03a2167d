import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NodeBackend, NodeRunOptions } from "../node/NodeBackend";
import { Shell } from "./Shell";

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
async function startShell(options: { nodes?: NodeBackend; rows?: number } = {}) {
  let output = "";
  const shell = new Shell({
    homeDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-shell-test-")),
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

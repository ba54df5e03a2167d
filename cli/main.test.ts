import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliCommand, CliIo, Invocation } from "./Command";
import { UsageError } from "./Command";
import type { CommandEntry } from "./commands/index";
import { main } from "./main";

function fakeIo(): CliIo & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => {
    out += chunk;
  });
  stderr.on("data", (chunk) => {
    err += chunk;
  });
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: "/", out: () => out, err: () => err };
}

const calls: Invocation[] = [];
const cluster: CliCommand = {
  name: "cluster",
  summary: "Run a standalone cluster",
  subcommands: [
    {
      name: "up",
      summary: "Serve a cluster until interrupted",
      flags: [
        { name: "port", short: "p", type: "number", description: "Port to serve on", default: 6443 },
        { name: "kubeconfig", type: "string", valueName: "FILE", description: "Where to write a kubeconfig" },
        { name: "verbose", short: "v", type: "boolean", description: "Log more" },
      ],
      run(invocation) {
        calls.push(invocation);
        if (invocation.args[0] === "usage") throw new UsageError("bad usage", invocation.commandPath);
        if (invocation.args[0] === "crash") throw new Error("it broke");
        return invocation.args.length;
      },
    },
  ],
};
const kubectl: CliCommand = {
  name: "kubectl",
  summary: "Run kubectl",
  rawArguments: true,
  run(invocation) {
    calls.push(invocation);
    return 0;
  },
};
const table: CommandEntry[] = [cluster, kubectl].map((command) => ({
  name: command.name,
  summary: command.summary,
  load: async () => ({ command }),
}));

async function run(...argv: string[]) {
  calls.length = 0;
  const io = fakeIo();
  const code = await main(argv, io, table);
  return { code, out: io.out(), err: io.err(), call: calls[0] };
}

describe("kubelab", () => {
  it("lists its commands for --help, -h, help and no arguments", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], []]) {
      const { code, out } = await run(...argv);
      expect(code).toBe(0);
      expect(out).toMatch(/Available Commands:\n {2}cluster +Run a standalone cluster\n {2}kubectl +Run kubectl/);
    }
  });

  it("shows a command's help with its flags and defaults", async () => {
    for (const argv of [
      ["cluster", "up", "--help"],
      ["help", "cluster", "up"],
    ]) {
      const { code, out, call } = await run(...argv);
      expect(code).toBe(0);
      expect(call).toBeUndefined();
      expect(out).toContain("Usage:\n  kubelab cluster up [flags]");
      expect(out).toMatch(/-p, --port NUMBER +Port to serve on \(default 6443\)/);
      expect(out).toMatch(/ {4}--kubeconfig FILE/);
    }
    const group = await run("cluster");
    expect(group.out).toContain("kubelab cluster [command]");
    expect(group.out).toMatch(/up +Serve a cluster until interrupted/);
  });

  it("parses flags in every spelling and passes positional arguments", async () => {
    const { code, call } = await run("cluster", "up", "-p", "7000", "--kubeconfig=/tmp/k", "-v", "a", "--", "--b");
    expect(code).toBe(2);
    expect(call?.flags).toEqual({ port: 7000, kubeconfig: "/tmp/k", verbose: true });
    expect(call?.args).toEqual(["a", "--b"]);
    expect(call?.commandPath).toBe("kubelab cluster up");
    expect((await run("cluster", "up", "-p7001", "--verbose=false")).call?.flags).toMatchObject({
      port: 7001,
      verbose: false,
    });
    expect((await run("cluster", "up")).call?.flags.port).toBe(6443);
  });

  it("hands raw arguments to commands that parse their own", async () => {
    const { call } = await run("kubectl", "get", "pods", "-o", "wide", "--help");
    expect(call?.args).toEqual(["get", "pods", "-o", "wide", "--help"]);
  });

  it.each([
    {
      name: "unknown command",
      argv: ["clustr"],
      err: 'Error: unknown command "clustr" for "kubelab"\nDid you mean this?\n\tcluster\n\nRun \'kubelab --help\' for usage.\n',
    },
    {
      name: "unknown subcommand",
      argv: ["cluster", "down"],
      err: 'Error: unknown command "down" for "kubelab cluster"\nRun \'kubelab cluster --help\' for usage.\n',
    },
    {
      name: "unknown flag",
      argv: ["cluster", "up", "--bogus"],
      err: "Error: unknown flag: --bogus\nSee 'kubelab cluster up --help' for usage.\n",
    },
    { name: "unknown global flag", argv: ["--bogus=1"], err: "Error: unknown flag: --bogus\n" },
    { name: "missing flag value", argv: ["cluster", "up", "--port"], err: "Error: flag needs an argument: --port\n" },
    {
      name: "bad number",
      argv: ["cluster", "up", "--port", "x"],
      err: 'Error: invalid argument "x" for "--port" flag: not a number\n',
    },
    {
      name: "usage error from the command",
      argv: ["cluster", "up", "usage"],
      err: "Error: bad usage\nSee 'kubelab cluster up --help' for usage.\n",
    },
    { name: "failure in the command", argv: ["cluster", "up", "crash"], err: "Error: it broke\n" },
  ])("reports $name kubectl-style with exit code 1", async ({ argv, err }) => {
    const result = await run(...argv);
    expect(result.code).toBe(1);
    expect(result.err.startsWith(err)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOurs } from "../terminal/differential/harness";
import {
  hasKubectl,
  KUBECTL,
  KUBELAB_KUBECTL,
  kubectl,
  kubectlInTerminal,
  startTestCluster,
  type TestCluster,
} from "./support";

/**
 * `kubectl run -i` and `kubectl attach -i` with input on stdin and no TTY, against the standalone
 * cluster: the real kubectl 1.32 and Kubelab's kubectl must print the same bytes (stdout and
 * stderr apart) and end with the same status. Each tool gets its own pod names; the outputs are
 * compared with the names swapped back. Skipped with a notice (support.ts) without /usr/bin/kubectl.
 */
describe.skipIf(!hasKubectl)("kubectl run -i / attach -i with stdin", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  type Result = { code: number; stdout: string; stderr: string };
  const tools = {
    real: async (args: string[], stdin: string): Promise<Result> => {
      const { code, stdout, stderr } = await kubectl(cluster, args, stdin);
      return { code, stdout, stderr };
    },
    ours: async (args: string[], stdin: string): Promise<Result> => {
      const { status, stdout, stderr } = await runOurs(args, cluster.kubeconfig, stdin);
      return { code: status, stdout, stderr };
    },
  };
  /** Runs `args(name)` with each tool on its own pod name; returns both results with the name as NAME. */
  const both = async (name: string, args: (name: string) => string[], stdin: string) => {
    const results: Record<string, Result> = {};
    for (const [who, run] of Object.entries(tools)) {
      const own = `${name}-${who}`;
      const result = await run(args(own), stdin);
      const mask = (text: string) => text.split(own).join("NAME");
      results[who] = { code: result.code, stdout: mask(result.stdout), stderr: mask(result.stderr) };
    }
    return results as { real: Result; ours: Result };
  };
  const hint = "If you don't see a command prompt, try pressing enter.\n";

  it("echo hello | kubectl run -i --rm --restart=Never t --image=busybox -- cat", async () => {
    const { real, ours } = await both(
      "cat",
      (name) => ["run", "-i", "--rm", "--restart=Never", name, "--image=busybox", "--", "cat"],
      "hello\n",
    );
    expect(real).toEqual({ code: 0, stdout: 'hello\npod "NAME" deleted\n', stderr: hint });
    expect(ours).toEqual(real);
  });

  it("kubectl run -i --rm … -- sh -c 'read x; echo got $x' with a line on stdin", async () => {
    const { real, ours } = await both(
      "read",
      (name) => [
        "run",
        "-i",
        "--rm",
        name,
        "--image=busybox",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        "read x; echo got $x",
      ],
      "hello\n",
    );
    expect(real).toEqual({ code: 0, stdout: 'got hello\npod "NAME" deleted\n', stderr: hint });
    expect(ours).toEqual(real);
  });

  it("ends with the container's exit code, after --rm removed the pod", async () => {
    const { real, ours } = await both(
      "exit",
      (name) => ["run", "-i", "--rm", "--restart=Never", name, "--image=busybox", "--", "sh", "-c", "cat; exit 3"],
      "hi\n",
    );
    expect(real).toEqual({
      code: 3,
      stdout: 'hi\npod "NAME" deleted\n',
      stderr: `${hint}pod default/NAME terminated (Error)\n`,
    });
    expect(ours).toEqual(real);
  });

  it("-q prints only the container's output", async () => {
    const { real, ours } = await both(
      "quiet",
      (name) => ["run", "-i", "-q", "--rm", "--restart=Never", name, "--image=busybox", "--", "cat"],
      "quiet please\n",
    );
    expect(real).toEqual({ code: 0, stdout: "quiet please\n", stderr: "" });
    expect(ours).toEqual(real);
  });

  it("a bare shell reads its commands from stdin", async () => {
    const { real, ours } = await both(
      "shell",
      (name) => ["run", "-i", "--rm", "--restart=Never", name, "--image=busybox"],
      "echo one\nhostname\n",
    );
    expect(real).toEqual({ code: 0, stdout: 'one\nNAME\npod "NAME" deleted\n', stderr: hint });
    expect(ours).toEqual(real);
  });

  it("attach -i to a stdinOnce container: its stdin ends with the first attach and is not reopened", async () => {
    for (const who of ["real", "ours"]) {
      const manifest = JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `once-${who}` },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "c", image: "busybox", command: ["cat"], stdin: true, stdinOnce: true }],
        },
      });
      expect((await kubectl(cluster, ["apply", "-f", "-"], manifest)).code).toBe(0);
    }
    expect((await kubectl(cluster, ["wait", "--for=condition=Ready", "pod/once-real", "pod/once-ours"])).code).toBe(0);
    const first = await both("once", (name) => ["attach", "-i", name], "one\n");
    expect(first.real).toEqual({ code: 0, stdout: "one\n", stderr: hint });
    expect(first.ours).toEqual(first.real);
    for (const who of ["real", "ours"]) {
      const phase = await kubectl(cluster, ["get", "pod", `once-${who}`, "-o", "jsonpath={.status.phase}"]);
      expect(phase.stdout).toBe("Succeeded");
    }
    const again = await both("once", (name) => ["attach", "-i", name], "two\n");
    expect(again.real).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: cannot attach a container in a completed pod; current phase is Succeeded\n",
    });
    expect(again.ours).toEqual(again.real);
  });

  const inTerminal = (command: string[], keys: string[]) => kubectlInTerminal(cluster, command, keys);
  const ourCommand = KUBELAB_KUBECTL;
  /** The same keys through both kubectls in a terminal, pod names masked. */
  const bothInTerminal = async (name: string, args: (name: string) => string[], keys: string[]) => {
    const results: Record<string, { screen: string; code: number }> = {};
    for (const [who, command] of [
      ["real", [KUBECTL]],
      ["ours", ourCommand],
    ] as const) {
      const own = `${name}-${who}`;
      const result = await inTerminal([...command, ...args(own)], keys);
      results[who] = { screen: result.screen.split(own).join("NAME"), code: result.code };
    }
    return results as { real: { screen: string; code: number }; ours: { screen: string; code: number } };
  };

  it("run -it in a terminal: a shell with a TTY, its exit code, the same screen", async () => {
    const { real, ours } = await bothInTerminal(
      "tty",
      (name) => ["run", "-it", "--rm", name, "--image=busybox", "--restart=Never"],
      ["echo hi\r", "exit 2\r"],
    );
    expect(real).toEqual({
      code: 2,
      screen: `${hint.replace("\n", "\r\n")}echo hi\r\nhi\r\n/ # exit 2\r\npod "NAME" deleted\r\npod default/NAME terminated (Error)\r\n`,
    });
    expect(ours).toEqual(real);
  }, 120_000);

  it("run -i in a terminal (no TTY): typed lines are echoed and sent, Ctrl-D ends the input", async () => {
    const { real, ours } = await bothInTerminal(
      "lines",
      (name) => [
        "run",
        "-i",
        "--rm",
        name,
        "--image=busybox",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        "read x; echo got $x",
      ],
      ["hello\r", "\x04"],
    );
    expect(real).toEqual({
      code: 0,
      screen: `${hint.replace("\n", "\r\n")}hello\r\ngot hello\r\npod "NAME" deleted\r\n`,
    });
    expect(ours).toEqual(real);
  }, 120_000);

  it("run -i … -- cat in a terminal answers each typed line at once", async () => {
    const { real, ours } = await bothInTerminal(
      "catty",
      (name) => ["run", "-i", "--rm", name, "--image=busybox", "--restart=Never", "--", "cat"],
      ["one\r", "two\r", "\x04"],
    );
    expect(real).toEqual({
      code: 0,
      screen: `${hint.replace("\n", "\r\n")}one\r\none\r\ntwo\r\ntwo\r\npod "NAME" deleted\r\n`,
    });
    expect(ours).toEqual(real);
  }, 120_000);

  it("run -it without a terminal says so and goes on without a TTY", async () => {
    const { real, ours } = await both(
      "notty",
      (name) => [
        "run",
        "-it",
        "--rm",
        "--restart=Never",
        name,
        "--image=busybox",
        "--",
        "sh",
        "-c",
        "sleep 1; echo done",
      ],
      "",
    );
    expect(real).toEqual({
      code: 0,
      stdout: 'done\npod "NAME" deleted\n',
      stderr: `Unable to use a TTY - input is not a terminal or the right kind of file\n${hint}`,
    });
    expect(ours).toEqual(real);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/VirtualClock";
import { ImageCatalog } from "../images";
import { ContainerRuntime, type ContainerSpec } from "./ContainerRuntime";
import { FakeNetwork } from "./FakeNetwork";
import { warmUpShell } from "./shell/warmUp";

beforeAll(() => warmUpShell());

async function started(argv: string[], extra: Partial<ContainerSpec> = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 5, 36, 44));
  const runtime = new ContainerRuntime({
    clock,
    network: new FakeNetwork(),
    catalog: new ImageCatalog(),
    speed: "fast",
  });
  const pull = runtime.pullImage("busybox");
  await clock.advance(100);
  const { image } = await pull;
  const container = runtime.createContainer({
    podUid: "uid",
    namespace: "default",
    podName: "t",
    name: "t",
    image,
    argv,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    mounts: [],
    hostname: "t",
    ip: "10.244.1.5",
    source: { ip: "10.244.1.5", namespace: "default" },
    files: {},
    ...extra,
  });
  runtime.startContainer(container);
  return { clock, runtime, container };
}

const output = (c: { log: { lines: Array<{ text: string }> } }) => c.log.lines.map((line) => line.text);
const bytes = (text: string) => new TextEncoder().encode(text);

describe("a container's stdin (Container.stdin / stdinOnce, as containerd's container IO)", () => {
  it("kubectl run -i … -- cat: cat copies what is sent as it comes; the first attach's EOF ends it", async () => {
    const { clock, container } = await started(["cat"], { stdin: true, stdinOnce: true });
    await clock.advance(60_000);
    expect(container.state).toBe("running");
    expect(output(container)).toEqual([]);
    container.writeStdin(bytes("hel"));
    container.writeStdin(bytes("lo\n"));
    await clock.advance(1_000);
    expect(container.state).toBe("running");
    expect(output(container)).toEqual(["hello"]);
    container.endAttachedStdin();
    await clock.advance(10);
    expect(container.state).toBe("exited");
    expect(container.exit).toEqual({ exitCode: 0 });
    expect(output(container)).toEqual(["hello"]);
  });

  it("sh -c 'read x; echo got $x' gets the attached client's line; its exit code is the container's", async () => {
    const { clock, container } = await started(["sh", "-c", "read x; echo got $x; exit 3"], {
      stdin: true,
      stdinOnce: true,
    });
    container.writeStdin(bytes("hello\n"));
    container.endAttachedStdin();
    await clock.advance(10);
    expect(output(container)).toEqual(["got hello"]);
    expect(container.exit).toEqual({ exitCode: 3 });
  });

  it("a command that does not read stdin runs at once, without waiting for the client's EOF", async () => {
    const { clock, container } = await started(["sh", "-c", "echo start; sleep 2; echo done"], {
      stdin: true,
      stdinOnce: true,
    });
    await clock.advance(1);
    expect(output(container)).toEqual(["start"]);
    await clock.advance(2_000);
    expect(output(container)).toEqual(["start", "done"]);
    expect(container.state).toBe("exited");
  });

  it("stdinOnce: stdin is closed after the first attach and not reopened for later ones", async () => {
    const { clock, container } = await started(["sh"], { stdin: true, stdinOnce: true });
    container.writeStdin(bytes("echo one\n"));
    await clock.advance(10);
    expect(output(container)).toEqual(["one"]);
    container.endAttachedStdin();
    await clock.advance(10);
    expect(container.state).toBe("exited");
    container.writeStdin(bytes("echo two\n"));
    container.endAttachedStdin();
    await clock.advance(10);
    expect(output(container)).toEqual(["one"]);
  });

  it("without stdinOnce the stdin stays open across attaches (a shell keeps reading)", async () => {
    const { clock, container } = await started(["sh"], { stdin: true, stdinOnce: false });
    container.writeStdin(bytes("echo one\n"));
    container.endAttachedStdin();
    await clock.advance(10);
    expect(container.state).toBe("running");
    container.writeStdin(bytes("echo two\n"));
    container.endAttachedStdin();
    await clock.advance(10);
    expect(output(container)).toEqual(["one", "two"]);
    expect(container.state).toBe("running");
  });

  it("with a TTY an attach's end does not close stdin (containerd closes it only for stdinOnce without TTY)", async () => {
    const { clock, container } = await started(["sh"], { stdin: true, stdinOnce: true, tty: true });
    container.endAttachedStdin();
    await clock.advance(10);
    expect(container.state).toBe("running");
    container.writeStdin(bytes("exit 4\r"));
    await clock.advance(10);
    expect(container.exit).toEqual({ exitCode: 4 });
  });

  it("with a TTY, a program reading its terminal (kubectl run -it … -- cat) gets echoed lines and ends at Ctrl-D", async () => {
    const { clock, container } = await started(["cat"], { stdin: true, stdinOnce: true, tty: true });
    await clock.advance(1_000);
    expect(container.state).toBe("running");
    container.writeStdin(bytes("hellp\x7fo\r"));
    // Ctrl-C: PID 1 without a handler ignores SIGINT; the typed line is dropped.
    container.writeStdin(bytes("dropped\x03"));
    container.endAttachedStdin();
    await clock.advance(10);
    expect(container.state).toBe("running");
    container.writeStdin(bytes("\x04"));
    await clock.advance(10);
    expect(container.exit).toEqual({ exitCode: 0 });
    // The terminal echoes the line, then cat writes it back at once.
    expect(output(container).join("\n")).toBe("hellp\b \bo\r\nhello\r\ndropped^C\r");
  });

  it("without stdin: true the container's stdin is /dev/null: cat ends at once and attached input is dropped", async () => {
    const { clock, container } = await started(["sh", "-c", "cat; echo after"]);
    container.writeStdin(bytes("hello\n"));
    await clock.advance(10);
    expect(container.state).toBe("exited");
    expect(output(container)).toEqual(["after"]);
  });
});

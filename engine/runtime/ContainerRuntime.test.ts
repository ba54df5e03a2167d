import { beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/VirtualClock";
import { ImageCatalog } from "../images";
import { ContainerRuntime, type ContainerSpec, PullError } from "./ContainerRuntime";
import { FakeNetwork } from "./FakeNetwork";
import { warmUpShell } from "./shell/warmUp";

beforeAll(() => warmUpShell());

function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 5, 36, 44));
  const network = new FakeNetwork();
  const runtime = new ContainerRuntime({ clock, network, catalog: new ImageCatalog(), speed: "fast" });
  return { clock, network, runtime };
}

async function container(runtime: ContainerRuntime, image: string, argv: string[], extra: Partial<ContainerSpec> = {}) {
  const { image: resolved } = await runtime.pullImage(image);
  return runtime.createContainer({
    podUid: "uid",
    namespace: "default",
    podName: "pod",
    name: "app",
    image: resolved,
    argv,
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    mounts: [],
    hostname: "pod",
    ip: "10.244.1.5",
    source: { ip: "10.244.1.5", namespace: "default" },
    files: {},
    ...extra,
  });
}

const text = (c: { log: { lines: Array<{ text: string }> } }) => c.log.lines.map((line) => line.text);

describe("ContainerRuntime", () => {
  it("pulls known images and rejects unknown ones as the registry does", async () => {
    const { runtime, clock } = setup();
    const pull = runtime.pullImage("nginx:1.27");
    await clock.advance(100);
    await expect(pull).resolves.toMatchObject({ image: { version: "1.27.3" } });
    expect(runtime.presentImage("nginx:1.27")).toBeDefined();
    const missing = runtime.pullImage("ngnix").catch((error) => error);
    await clock.advance(100);
    expect(await missing).toBeInstanceOf(PullError);
    expect(() => runtime.presentImage("NGINX")).toThrow(/must be lowercase/);
  });

  it("runs nginx: entrypoint lines, welcome page over the network, access log, graceful stop on SIGQUIT", async () => {
    const { runtime, clock, network } = setup();
    const pending = container(runtime, "nginx", ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]);
    await clock.advance(100);
    const nginx = await pending;
    runtime.startContainer(nginx);
    expect(nginx.state).toBe("running");
    expect(text(nginx)).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    const connection = await network.connect({ ip: "10.244.2.7" }, "10.244.1.5", 80);
    const response = await connection.http({ method: "GET", path: "/", headers: { "User-Agent": "curl/8.11.1" } });
    expect(response.status).toBe(200);
    expect(response.body).toContain("<title>Welcome to nginx!</title>");
    expect(response.headers.Server).toBe("nginx/1.27.3");
    expect(text(nginx).at(-1)).toMatch(
      /^10\.244\.2\.7 - - \[30\/Nov\/2026:05:36:44 \+0000\] "GET \/ HTTP\/1.1" 200 615 "-" "curl\/8.11.1" "-"$/,
    );
    const stopped = runtime.stopContainer(nginx, 30_000);
    await clock.advance(1);
    await expect(stopped).resolves.toEqual({ exitCode: 0 });
    expect(text(nginx).some((line) => line.includes("signal 3 (SIGQUIT) received, shutting down"))).toBe(true);
    await expect(network.connect({ ip: "10.244.2.7" }, "10.244.1.5", 80)).rejects.toThrow(/refused/);
  });

  it("streams a shell loop's output line by line on the clock and is killed only after the grace period", async () => {
    const { runtime, clock } = setup();
    const pending = container(runtime, "busybox", [
      "sh",
      "-c",
      "i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; done",
    ]);
    await clock.advance(100);
    const loop = await pending;
    runtime.startContainer(loop);
    await clock.advance(0);
    expect(text(loop)).toEqual(["tick 0"]);
    await clock.advance(10_000);
    expect(text(loop)).toEqual(["tick 0", "tick 1", "tick 2"]);
    const stopped = runtime.stopContainer(loop, 30_000);
    await clock.advance(29_000);
    expect(loop.state).toBe("running");
    await clock.advance(1_000);
    await expect(stopped).resolves.toEqual({ exitCode: 137 });
  });

  it("exits with the script's status", async () => {
    const { runtime, clock } = setup();
    const pending = container(runtime, "busybox", ["sh", "-c", "echo bye; exit 3"]);
    await clock.advance(100);
    const shell = await pending;
    runtime.startContainer(shell);
    await clock.advance(10);
    expect(shell.exit).toEqual({ exitCode: 3 });
    expect(text(shell)).toEqual(["bye"]);
  });

  it("fails the start of an unknown executable like runc", async () => {
    const { runtime, clock } = setup();
    const pending = container(runtime, "busybox", ["foo"]);
    await clock.advance(100);
    const bad = await pending;
    runtime.startContainer(bad);
    expect(bad.exit).toMatchObject({ exitCode: 128, reason: "StartError" });
    expect(bad.exit?.message).toContain('exec: "foo": executable file not found in $PATH: unknown');
  });

  it("uses CPU in proportion to load for the HPA example, capped at the limit", async () => {
    const { runtime, clock, network } = setup();
    const pending = container(runtime, "registry.k8s.io/hpa-example", ["apache2-foreground"], {
      cpuLimitMillicores: 500,
    });
    await clock.advance(100);
    const php = await pending;
    runtime.startContainer(php);
    expect(php.usage().cpuMillicores).toBe(1);
    for (let i = 0; i < 100; i++) {
      const connection = await network.connect({ ip: "10.244.2.9" }, "10.244.1.5", 80);
      expect((await connection.http({ method: "GET", path: "/", headers: {} })).body).toBe("OK!");
      await clock.advance(100);
    }
    expect(php.usage().cpuMillicores).toBe(121);
    for (let i = 0; i < 1000; i++) {
      const connection = await network.connect({ ip: "10.244.2.9" }, "10.244.1.5", 80);
      await connection.http({ method: "GET", path: "/", headers: {} });
    }
    expect(php.usage().cpuMillicores).toBe(500);
    await clock.advance(11_000);
    expect(php.usage().cpuMillicores).toBe(1);
  });

  it("OOM-kills polinux/stress over its memory limit", async () => {
    const { runtime, clock } = setup();
    const pending = container(
      runtime,
      "polinux/stress",
      ["stress", "--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
      {
        memoryLimitBytes: 100 * 1024 * 1024,
      },
    );
    await clock.advance(100);
    const stress = await pending;
    runtime.startContainer(stress);
    await clock.advance(100);
    expect(stress.exit).toEqual({ exitCode: 137, reason: "OOMKilled" });
    expect(text(stress)).toEqual(["stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd"]);
  });

  it("gives an exec's command the stdin its client sends, run once the client closes it (exec -i)", async () => {
    const { runtime, clock } = setup();
    const pending = container(runtime, "busybox", ["sleep", "3600"]);
    await clock.advance(100);
    const shell = await pending;
    runtime.startContainer(shell);
    const run = async (argv: string[], stdin: string[], options = { stdin: true, execStdin: true }) => {
      let out = "";
      const process = runtime.exec(shell, argv, (_stream, chunk) => (out += chunk), options);
      for (const chunk of stdin) process.writeStdin?.(chunk);
      await clock.advance(10);
      const before = out;
      process.closeStdin?.();
      await clock.advance(10);
      return { before, out, status: await process.exited };
    };
    // `echo x | kubectl exec -i pod -- cat`: plain cat copies its input as it comes, ends with it.
    expect(await run(["cat"], ["x\n", "y\n"])).toEqual({ before: "x\ny\n", out: "x\ny\n", status: { exitCode: 0 } });
    // Other readers run once the input has ended, with all of it.
    expect(await run(["sh", "-c", "cat | tr a-z A-Z"], ["x\n"])).toEqual({
      before: "",
      out: "X\n",
      status: { exitCode: 0 },
    });
    expect((await run(["sh", "-c", "read a; echo got $a"], ["hello\n"])).out).toBe("got hello\n");
    expect((await run(["wc", "-l"], ["a\nb\n"])).out.trim()).toBe("2");
    await run(["sh", "-c", "cat > /tmp/piped"], ["data\n"]);
    expect((await run(["cat", "/tmp/piped"], [])).out).toBe("data\n");
    // A bare shell reads its commands line by line, as before.
    expect((await run(["sh"], ["echo one\n", "echo two\n"])).out).toBe("one\ntwo\n");
    // Without -i a command runs at once.
    let out = "";
    const process = runtime.exec(shell, ["echo", "now"], (_stream, chunk) => (out += chunk));
    await clock.advance(10);
    expect(await process.exited).toEqual({ exitCode: 0 });
    expect(out).toBe("now\n");
  });

  it("execs commands in the container's file system, with wget through the network", async () => {
    const { runtime, clock } = setup();
    const pendingNginx = container(runtime, "nginx", ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"], {
      ip: "10.244.1.9",
      source: { ip: "10.244.1.9" },
    });
    const pendingShell = container(runtime, "busybox", ["sleep", "3600"]);
    await clock.advance(100);
    const nginx = await pendingNginx;
    const shell = await pendingShell;
    runtime.startContainer(nginx);
    runtime.startContainer(shell);
    const run = async (target: typeof shell, argv: string[]) => {
      let out = "";
      const process = runtime.exec(target, argv, (_stream, chunk) => {
        out += chunk;
      });
      await clock.advance(10);
      const status = await process.exited;
      return { out, status };
    };
    expect((await run(nginx, ["cat", "/etc/os-release"])).out).toContain(
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    );
    const wget = await run(shell, ["wget", "-qO-", "http://10.244.1.9"]);
    expect(wget.out).toContain("Welcome to nginx!");
    const refused = await run(shell, ["wget", "-qO-", "http://10.244.1.9:8080"]);
    expect(refused).toMatchObject({ status: { exitCode: 1 } });
    expect(refused.out).toContain("wget: can't connect to remote host (10.244.1.9): Connection refused");
    const ps = await run(shell, ["ps"]);
    expect(ps.out).toContain("    1 root      0:00 sleep 3600");
    expect(() => runtime.exec(nginx, ["wget"], () => {})).toThrow('exec: "wget": executable file not found in $PATH');
    const curl = await run(nginx, ["curl", "-s", "localhost/missing"]);
    expect(curl.out).toContain("404 Not Found");
    // nginx's static module refuses a POST to a file in its own words; curl and wget print its status line.
    const post = await run(nginx, ["curl", "-si", "-X", "POST", "localhost/"]);
    expect(post.out).toMatch(/^HTTP\/1.1 405 Not Allowed\r\nServer: nginx\/1.27.\d+\r\n/);
    expect(post.out).toContain("<center><h1>405 Not Allowed</h1></center>");
    expect((await run(nginx, ["curl", "-si", "-X", "POST", "localhost/missing"])).out).toMatch(
      /^HTTP\/1.1 404 Not Found/,
    );
    const deleted = await run(shell, ["wget", "-q", "-O-", "http://10.244.1.9/missing"]);
    expect(deleted.out).toContain("wget: server returned error: HTTP/1.1 404 Not Found");
  });
});

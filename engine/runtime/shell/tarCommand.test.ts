import { beforeAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../clock/VirtualClock";
import { ImageCatalog } from "../../images";
import { ContainerRuntime, type RuntimeContainer } from "../ContainerRuntime";
import { FakeNetwork } from "../FakeNetwork";
import { readTar, type TarEntry, writeTar } from "../tar/tarArchive";
import { warmUpShell } from "./warmUp";

beforeAll(() => warmUpShell());

const now = Date.UTC(2026, 10, 30, 5, 36, 44);

async function start(
  image: string,
): Promise<{ runtime: ContainerRuntime; clock: VirtualClock; box: RuntimeContainer }> {
  const clock = new VirtualClock(now);
  const runtime = new ContainerRuntime({
    clock,
    network: new FakeNetwork(),
    catalog: new ImageCatalog(),
    speed: "fast",
  });
  const pull = runtime.pullImage(image);
  await clock.advance(100);
  const { image: resolved } = await pull;
  const box = runtime.createContainer({
    podUid: "uid",
    namespace: "default",
    podName: "pod",
    name: "app",
    image: resolved,
    argv: ["sleep", "3600"],
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    mounts: [],
    hostname: "pod",
    ip: "10.244.1.5",
    source: { ip: "10.244.1.5", namespace: "default" },
    files: { "/etc/hostname": "pod\n" },
  });
  runtime.startContainer(box);
  return { runtime, clock, box };
}

interface Ran {
  stdout: Uint8Array;
  stderr: string;
  exitCode: number;
}

/** Runs an exec as the kubelet does for kubectl: bytes in (stdin, then its close), bytes out. */
async function exec(
  setup: { runtime: ContainerRuntime; clock: VirtualClock; box: RuntimeContainer },
  argv: string[],
  stdin?: Uint8Array,
): Promise<Ran> {
  const out: Uint8Array[] = [];
  let stderr = "";
  const collect = (stream: "stdout" | "stderr", data: Uint8Array | string) => {
    if (stream === "stderr") stderr += typeof data === "string" ? data : new TextDecoder().decode(data);
    else out.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
  };
  const process = setup.runtime.exec(setup.box, argv, collect, {
    stdin: stdin !== undefined,
    execStdin: stdin !== undefined,
    writeBytes: collect,
  });
  if (stdin !== undefined) {
    // kubectl sends the stream in frames; a split inside a multi-byte character must not matter.
    for (let offset = 0; offset < stdin.length; offset += 333)
      process.writeStdin?.(stdin.subarray(offset, offset + 333));
    process.closeStdin?.();
  }
  await setup.clock.advance(10);
  const { exitCode } = await process.exited;
  const stdout = new Uint8Array(out.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of out) {
    stdout.set(chunk, offset);
    offset += chunk.length;
  }
  return { stdout, stderr, exitCode };
}

const binary = new Uint8Array(Array.from({ length: 1500 }, (_, i) => (i * 7) % 256));
const longName = `deep/${"x".repeat(120)}/file.bin`;
const file = (name: string, data: Uint8Array, mode = 0o640): TarEntry => ({
  name,
  type: "file",
  mode,
  uid: 1000,
  gid: 1000,
  uname: "me",
  gname: "me",
  mtime: 1_600_000_000,
  data,
});

describe("tar in a container (what kubectl cp runs)", () => {
  for (const image of ["busybox", "nginx"]) {
    it(`extracts kubectl's archive from stdin byte for byte and writes one to stdout (${image})`, async () => {
      const setup = await start(image);
      // What kubectl cp sends for `kubectl cp ./dir pod:/tmp/dir`: Go's writer, PAX for a long name.
      const archive = writeTar(
        [
          file("dir/data.bin", binary),
          file("dir/notes-é.txt", new TextEncoder().encode("é ü\n"), 0o600),
          file(`dir/${longName}`, binary),
        ],
        "go",
      );
      const extractedAt = setup.clock.now();
      const extracted = await exec(setup, ["tar", "-xmf", "-", "-C", "/tmp"], archive);
      expect(extracted).toEqual({ stdout: new Uint8Array(0), stderr: "", exitCode: 0 });
      expect((await exec(setup, ["cat", "/tmp/dir/data.bin"])).stdout).toEqual(binary);
      expect(new TextDecoder().decode((await exec(setup, ["cat", "/tmp/dir/notes-é.txt"])).stdout)).toBe("é ü\n");
      expect((await exec(setup, ["cat", `/tmp/dir/${longName}`])).stdout).toEqual(binary);
      const stat = await setup.box.fs.stat("/tmp/dir/notes-é.txt");
      expect(stat.mode & 0o777).toBe(0o600);
      // -m: the time of extraction, on the engine clock, not the archive's.
      expect(stat.mtime.getTime()).toBe(extractedAt);

      // `kubectl cp pod:/tmp/dir ./dir`: `tar cf - /tmp/dir`, the archive on stdout.
      const created = await exec(setup, ["tar", "cf", "-", "/tmp/dir"]);
      expect(created.exitCode).toBe(0);
      expect(created.stderr).toBe(
        image === "busybox"
          ? "tar: removing leading '/' from member names\n"
          : "tar: Removing leading `/' from member names\n",
      );
      const read = readTar(created.stdout);
      expect(read.error).toBeUndefined();
      expect(read.entries.map((entry) => entry.name)).toEqual([
        "tmp/dir/",
        "tmp/dir/data.bin",
        "tmp/dir/deep/",
        `tmp/dir/deep/${"x".repeat(120)}/`,
        `tmp/dir/${longName}`,
        "tmp/dir/notes-é.txt",
      ]);
      expect(read.entries[1]?.data).toEqual(binary);
      expect(read.entries[4]?.data).toEqual(binary);
      // GNU tar pads to 10 KiB records; BusyBox stops after the end blocks.
      expect(created.stdout.length % (image === "busybox" ? 512 : 10240)).toBe(0);
      // --retries makes kubectl run `tar cf - PATH | tail -c+N`: the pipe carries bytes.
      const resumed = await exec(setup, ["sh", "-c", "tar cf - /tmp/dir/data.bin | tail -c+513"]);
      expect(resumed.stdout.subarray(0, 1500)).toEqual(binary);
      expect((await exec(setup, ["sh", "-c", "printf 'a\\nb\\nc\\n' | tail -n +2"])).stdout).toEqual(
        new TextEncoder().encode("b\nc\n"),
      );
    });
  }

  it("compresses with -z and lists, excludes and strips as asked", async () => {
    const setup = await start("busybox");
    const made = await exec(setup, [
      "sh",
      "-c",
      "mkdir -p /tmp/src/a /tmp/out && echo one > /tmp/src/a/one && echo two > /tmp/src/two && cd /tmp && tar czf s.tgz src --exclude two && tar xzf s.tgz -C /tmp/out --strip-components 1 && ls -R /tmp/out && tar tzf s.tgz",
    ]);
    expect(made.stderr).toBe("");
    expect(new TextDecoder().decode(made.stdout)).toBe("/tmp/out:\na\n\n/tmp/out/a:\none\nsrc/\nsrc/a/\nsrc/a/one\n");
    expect(new TextDecoder().decode((await exec(setup, ["cat", "/tmp/out/a/one"])).stdout)).toBe("one\n");
  });

  it("answers `test -d` (kubectl cp asks whether the destination is a directory)", async () => {
    const setup = await start("busybox");
    expect((await exec(setup, ["test", "-d", "/tmp"])).exitCode).toBe(0);
    expect((await exec(setup, ["test", "-d", "/etc/hostname"])).exitCode).toBe(1);
    expect((await exec(setup, ["test", "-d", "/nowhere"])).exitCode).toBe(1);
  });

  it("fails as BusyBox's tar does", async () => {
    const setup = await start("busybox");
    const archive = writeTar([file("a.txt", new TextEncoder().encode("a\n"))], "go");
    expect(await exec(setup, ["tar", "cf", "-", "/nonexistent"])).toEqual({
      stdout: writeTar([], "busybox"),
      stderr: "tar: /nonexistent: No such file or directory\ntar: error exit delayed from previous errors\n",
      exitCode: 1,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/nonexistent"], archive)).toMatchObject({
      stderr: "tar: can't change directory to '/nonexistent': No such file or directory\n",
      exitCode: 1,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/etc/hostname"], archive)).toMatchObject({
      stderr: "tar: can't change directory to '/etc/hostname': Not a directory\n",
      exitCode: 1,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/tmp"], new TextEncoder().encode("garbage\n"))).toMatchObject({
      stderr: "tar: short read\n",
      exitCode: 1,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/tmp"], archive.subarray(0, 600))).toMatchObject({
      stderr: "tar: short read\n",
      exitCode: 1,
    });
    expect(await exec(setup, ["tar", "cf", "-"])).toMatchObject({ stderr: "tar: empty archive\n", exitCode: 1 });
    const listed = await exec(setup, ["tar", "tvf", "-"], archive);
    expect(new TextDecoder().decode(listed.stdout)).toBe("-rw-r----- me/me         2 2020-09-13 12:26:40 a.txt\n");
  });

  it("fails as GNU tar does (Debian-based images)", async () => {
    const setup = await start("nginx");
    const archive = writeTar([file("a.txt", new TextEncoder().encode("a\n"))], "go");
    expect(await exec(setup, ["tar", "cf", "-", "/nonexistent"])).toEqual({
      stdout: writeTar([], "gnu"),
      stderr:
        "tar: Removing leading `/' from member names\ntar: /nonexistent: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n",
      exitCode: 2,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/nonexistent"], archive)).toMatchObject({
      stderr: "tar: /nonexistent: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n",
      exitCode: 2,
    });
    expect(await exec(setup, ["tar", "-xmf", "-", "-C", "/tmp"], new Uint8Array(0))).toMatchObject({
      stderr: "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n",
      exitCode: 2,
    });
    const listed = await exec(setup, ["tar", "-tvf", "-"], archive);
    expect(new TextDecoder().decode(listed.stdout)).toBe("-rw-r----- me/me             2 2020-09-13 12:26 a.txt\n");
  });

  it("keeps text exec as it was: a piped line, a UTF-8 file through cat", async () => {
    const setup = await start("busybox");
    const piped = await exec(setup, ["sh", "-c", "read a; echo got $a"], new TextEncoder().encode("héllo\n"));
    expect(new TextDecoder().decode(piped.stdout)).toBe("got héllo\n");
    await exec(setup, ["sh", "-c", "echo 'ça va' > /tmp/t"]);
    expect(new TextDecoder().decode((await exec(setup, ["cat", "/tmp/t"])).stdout)).toBe("ça va\n");
  });
});

describe("tar -r / -u (append, update)", () => {
  const text = (data: Uint8Array) => new TextDecoder().decode(data);

  it("BusyBox's tar has neither: it says so with its usage", async () => {
    const setup = await start("busybox");
    await exec(setup, ["sh", "-c", "cd /tmp && echo a > a && tar cf t.tar a"]);
    for (const [argv, message] of [
      [["tar", "-rf", "/tmp/t.tar", "/tmp/a"], "tar: invalid option -- 'r'"],
      [["tar", "uf", "/tmp/t.tar", "/tmp/a"], "tar: invalid option -- 'u'"],
      [["tar", "--append", "-f", "/tmp/t.tar", "/tmp/a"], "tar: unrecognized option '--append'"],
    ] as const) {
      const ran = await exec(setup, [...argv]);
      expect(ran.exitCode).toBe(1);
      expect(ran.stderr).toMatch(
        new RegExp(`^${message}\\nBusyBox v1\\.37\\.0 multi-call binary\\.\\n\\nUsage: tar c\\|x\\|t`),
      );
    }
  });

  it("GNU tar appends where the end blocks were, in whole records, as if created together", async () => {
    const setup = await start("nginx");
    await exec(setup, ["sh", "-c", "cd /tmp && echo a > a && echo b > b && tar cf t.tar a && tar cf both.tar a b"]);
    expect(await exec(setup, ["sh", "-c", "cd /tmp && tar -rvf t.tar b"])).toEqual({
      stdout: new TextEncoder().encode("b\n"),
      stderr: "",
      exitCode: 0,
    });
    const appended = (await exec(setup, ["cat", "/tmp/t.tar"])).stdout;
    expect(appended.length).toBe(10240);
    expect(appended).toEqual((await exec(setup, ["cat", "/tmp/both.tar"])).stdout);
    // A missing archive is started; --append is the long form; -C applies to the members.
    expect((await exec(setup, ["tar", "--append", "-f", "/tmp/new.tar", "-C", "/etc", "hostname"])).exitCode).toBe(0);
    expect(text((await exec(setup, ["tar", "tf", "/tmp/new.tar"])).stdout)).toBe("hostname\n");
  });

  it("GNU tar -u appends only what is newer (in whole seconds) than the archive's copy, or missing from it", async () => {
    const setup = await start("nginx");
    await exec(setup, ["sh", "-c", "cd /tmp && echo a > a && echo b > b && tar cf t.tar a"]);
    expect(await exec(setup, ["sh", "-c", "cd /tmp && tar -uvf t.tar a b"])).toMatchObject({
      stdout: new TextEncoder().encode("b\n"),
      exitCode: 0,
    });
    expect(text((await exec(setup, ["tar", "tf", "/tmp/t.tar"])).stdout)).toBe("a\nb\n");
    await exec(setup, ["sh", "-c", "cd /tmp && touch -d '2030-01-01 00:00:00' b"]);
    expect(await exec(setup, ["sh", "-c", "cd /tmp && tar --update -v -f t.tar a b"])).toMatchObject({
      stdout: new TextEncoder().encode("b\n"),
      exitCode: 0,
    });
    expect(text((await exec(setup, ["tar", "tf", "/tmp/t.tar"])).stdout)).toBe("a\nb\nb\n");
  });

  it("GNU tar refuses stdin/stdout and compressed archives, and reports missing files", async () => {
    const setup = await start("nginx");
    await exec(setup, ["sh", "-c", "cd /tmp && echo a > a && tar cf t.tar a"]);
    const usage = "Try 'tar --help' or 'tar --usage' for more information.\n";
    expect(await exec(setup, ["tar", "-rf", "-", "/tmp/a"])).toMatchObject({
      stderr: `tar: Options '-Aru' are incompatible with '-f -'\n${usage}`,
      exitCode: 2,
    });
    expect(await exec(setup, ["tar", "-rzf", "/tmp/t.tar", "/tmp/a"])).toMatchObject({
      stderr: `tar: Cannot update compressed archives\n${usage}`,
      exitCode: 2,
    });
    expect(await exec(setup, ["tar", "-cr", "-f", "/tmp/x.tar", "/tmp/a"])).toMatchObject({
      stderr: `tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option\n${usage}`,
      exitCode: 2,
    });
    expect(await exec(setup, ["sh", "-c", "cd /tmp && tar -rf t.tar nope"])).toMatchObject({
      stderr:
        "tar: nope: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n",
      exitCode: 2,
    });
  });
});

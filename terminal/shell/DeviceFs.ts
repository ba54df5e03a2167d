import { randomBytes } from "node:crypto";
import { InMemoryFs } from "just-bash";

/** How much `/dev/zero` and `/dev/urandom` give per read: enough for `head -c`, `dd count=…`, `tr … | head`. */
const chunkBytes = 64 * 1024;

/** The devices' contents per read; writes to any of them are discarded, as the kernel does. */
const devices: Record<string, (() => Uint8Array) | undefined> = {
  "/null": () => new Uint8Array(0),
  "/zero": () => new Uint8Array(chunkBytes),
  "/urandom": () => new Uint8Array(randomBytes(chunkBytes)),
  "/random": () => new Uint8Array(randomBytes(chunkBytes)),
};

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

/**
 * `/dev` in every shell (the learner's and the node shells): `/dev/null` reads empty and swallows
 * what is written to it (`> /dev/null`, `2>/dev/null`), `/dev/zero` and `/dev/urandom` read as a
 * block of zeros or random bytes. Mounted over the node's own file system, so a redirect to
 * /dev/null never reaches the node's files. Other names in /dev are ordinary in-memory files.
 */
export class DeviceFs extends InMemoryFs {
  constructor() {
    super();
    for (const name of Object.keys(devices)) this.writeFileSync(name, "", undefined, { mode: 0o666 });
  }

  private device(path: string): (() => Uint8Array) | undefined {
    return devices[this.resolvePath("/", path)];
  }

  override async readFile(...args: Parameters<InMemoryFs["readFile"]>): ReturnType<InMemoryFs["readFile"]> {
    const device = this.device(args[0]);
    return device ? latin1(device()) : super.readFile(...args);
  }

  override async readFileBytes(path: string): ReturnType<InMemoryFs["readFileBytes"]> {
    const device = this.device(path);
    return device
      ? (latin1(device()) as unknown as Awaited<ReturnType<InMemoryFs["readFileBytes"]>>)
      : super.readFileBytes(path);
  }

  override async readFileBuffer(path: string): Promise<Uint8Array> {
    const device = this.device(path);
    return device ? device() : super.readFileBuffer(path);
  }

  override async writeFile(...args: Parameters<InMemoryFs["writeFile"]>): Promise<void> {
    if (!this.device(args[0])) await super.writeFile(...args);
  }

  override async appendFile(...args: Parameters<InMemoryFs["appendFile"]>): Promise<void> {
    if (!this.device(args[0])) await super.appendFile(...args);
  }
}

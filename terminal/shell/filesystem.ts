import { mkdirSync } from "node:fs";
import { type IFileSystem, InMemoryFs, MountableFs, ReadWriteFs } from "just-bash";
import { DeviceFs } from "./DeviceFs";
import { symlinkNotSupported } from "./NodeShellFs";

/** A file system the shell mounts at a path (the extension point for node file systems over ssh). */
export interface Mount {
  mountPoint: string;
  filesystem: IFileSystem;
}

/**
 * The learner's file system: a root that looks like a kubeadm control-plane node (in memory, or
 * the cluster's control-plane node's own files when the shell has node access), with /root backed
 * by the learner's own folder on disk (so manifests survive), and nothing else of the host reachable.
 */
export function createLearnerFileSystem(
  homeDirectory: string,
  extraMounts: Mount[] = [],
  node?: IFileSystem,
  commandNames: Iterable<string> = [],
): MountableFs {
  mkdirSync(homeDirectory, { recursive: true });
  // With node access, the control-plane node's own file system is the root (its /tmp stays in memory).
  const fs = withShellBinaries(node ?? new InMemoryFs(), commandNames);
  if (node) fs.mount("/tmp", new InMemoryFs());
  fs.mount("/root", new HomeFs({ root: homeDirectory }));
  for (const mount of extraMounts) fs.mount(mount.mountPoint, mount.filesystem);
  return fs;
}

/** The shell's PATH, as on a kubeadm node's root shell. */
export const shellPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * `base` with the PATH directories in memory: /usr/bin (also at /bin, merged as on Ubuntu 24.04)
 * holds an executable entry for every command the shell has, which is where just-bash finds a
 * command (`/usr/bin/<name>` or `/bin/<name>`), so `which kubectl` answers `/usr/bin/kubectl`.
 * Looking a command up walks every PATH directory; over a node's file system each step was a
 * round trip to the node access server (a dozen per command line), now none is.
 * /dev holds the devices ({@link DeviceFs}): `> /dev/null` never reaches the node.
 */
export function withShellBinaries(base: IFileSystem, commandNames: Iterable<string>): MountableFs {
  const fs = new MountableFs({ base });
  const bin = new ShellBinaries();
  for (const name of new Set(commandNames))
    bin.writeFileSync(`/${name}`, `#!/bin/bash\n# Built-in command: ${name}\n`, undefined, { mode: 0o755 });
  const sbin = new InMemoryFs();
  fs.mount("/usr/bin", bin);
  fs.mount("/bin", bin);
  fs.mount("/usr/sbin", sbin);
  fs.mount("/sbin", sbin);
  fs.mount("/usr/local/bin", new InMemoryFs());
  fs.mount("/usr/local/sbin", new InMemoryFs());
  fs.mount("/dev", new DeviceFs());
  return fs;
}

/** The shell's internal commands (named `__kubelab_…`) run from /usr/bin but are not listed there. */
class ShellBinaries extends InMemoryFs {
  override async readdir(path: string): Promise<string[]> {
    return (await super.readdir(path)).filter((name) => !name.startsWith("__kubelab"));
  }
  override async readdirWithFileTypes(path: string): ReturnType<InMemoryFs["readdirWithFileTypes"]> {
    return (await super.readdirWithFileTypes(path)).filter((entry) => !entry.name.startsWith("__kubelab"));
  }
}

/** Files a fresh control-plane node has outside /root. */
export const baseFiles: Record<string, string> = {
  "/etc/hostname": "controlplane\n",
  "/etc/os-release":
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n',
  "/etc/motd": "",
  "/etc/passwd":
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  "/etc/hosts": "127.0.0.1 localhost\n192.168.0.2 controlplane\n192.168.0.3 node01\n192.168.0.4 node02\n",
  "/etc/resolv.conf": "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n",
  "/tmp/.keep": "",
};

/**
 * The learner's folder on disk. Symbolic links stay off (just-bash's default): with them on, an
 * absolute target would be taken inside the folder (`ln -s /etc/hostname h` → `<home>/etc/hostname`),
 * not the shell's /etc. `ln -s` says so in GNU ln's words rather than just-bash's EPERM wording.
 */
class HomeFs extends ReadWriteFs {
  override async symlink(): Promise<void> {
    throw symlinkNotSupported();
  }
}

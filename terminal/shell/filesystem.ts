import { mkdirSync } from "node:fs";
import { type IFileSystem, InMemoryFs, MountableFs, ReadWriteFs } from "just-bash";

/** A file system the shell mounts at a path (the extension point for node file systems over ssh). */
export interface Mount {
  mountPoint: string;
  filesystem: IFileSystem;
}

/**
 * The learner's file system: an in-memory root that looks like a kubeadm control-plane node,
 * with /root backed by the learner's own folder on disk (so manifests survive), and nothing else
 * of the host reachable.
 */
export function createLearnerFileSystem(homeDirectory: string, extraMounts: Mount[] = []): MountableFs {
  mkdirSync(homeDirectory, { recursive: true });
  const base = new InMemoryFs();
  const fs = new MountableFs({ base });
  fs.mount("/root", new ReadWriteFs({ root: homeDirectory }));
  for (const mount of extraMounts) fs.mount(mount.mountPoint, mount.filesystem);
  return fs;
}

/** Files a fresh control-plane node has outside /root. */
export const baseFiles: Record<string, string> = {
  "/etc/hostname": "controlplane\n",
  "/etc/os-release":
    'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n',
  "/etc/motd": "",
  "/tmp/.keep": "",
};

import { lstat, mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import type { IFileSystem } from "just-bash";
import type { LocalFileInfo, LocalFiles } from "./KubectlIO";

function typeOf(stat: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): LocalFileInfo["type"] {
  if (stat.isSymbolicLink()) return "symlink";
  if (stat.isDirectory()) return "directory";
  return stat.isFile() ? "file" : "other";
}

/** `kubectl cp`'s local side over the real file system (`npx kubelab kubectl`); `full` resolves a path. */
export function nodeLocalFiles(full: (path: string) => string): LocalFiles {
  return {
    async stat(path) {
      try {
        const info = await lstat(full(path));
        return {
          type: typeOf(info),
          mode: info.mode & 0o7777,
          mtimeMs: info.mtimeMs,
          uid: info.uid,
          gid: info.gid,
          uname: info.uid === 0 ? "root" : "",
          gname: info.gid === 0 ? "root" : "",
        };
      } catch {
        return undefined;
      }
    },
    readBytes: async (path) => new Uint8Array(await readFile(full(path))),
    writeBytes: (path, data) => writeFile(full(path), data),
    list: (path) => readdir(full(path)),
    mkdir: async (path) => {
      await mkdir(full(path), { recursive: true });
    },
    readLink: (path) => readlink(full(path)),
  };
}

/** `kubectl cp`'s local side over the learner shell's file system (just-bash); `full` resolves a path. */
export function virtualLocalFiles(fs: IFileSystem, full: (path: string) => string): LocalFiles {
  return {
    async stat(path) {
      try {
        const info = await fs.lstat(full(path));
        return {
          type: info.isSymbolicLink ? "symlink" : info.isDirectory ? "directory" : info.isFile ? "file" : "other",
          mode: info.mode & 0o7777,
          mtimeMs: info.mtime.getTime(),
        };
      } catch {
        return undefined;
      }
    },
    readBytes: (path) => fs.readFileBuffer(full(path)),
    writeBytes: (path, data) => fs.writeFile(full(path), data),
    list: (path) => fs.readdir(full(path)),
    mkdir: (path) => fs.mkdir(full(path), { recursive: true }),
    readLink: (path) => fs.readlink(full(path)),
  };
}

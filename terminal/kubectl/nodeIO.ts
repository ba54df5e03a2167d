import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { KubectlIO } from "./KubectlIO";

/** A KubectlIO over the real process: stdout/stderr, the real file system, process.env. */
export function createNodeIO(options: { signal?: AbortSignal; cwd?: string } = {}): KubectlIO {
  const cwd = options.cwd ?? process.cwd();
  const home = process.env.HOME ?? "/root";
  const full = (path: string) => resolve(cwd, path.startsWith("~/") ? `${home}/${path.slice(2)}` : path);
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    readFile: (path) => readFile(full(path), "utf8"),
    async writeFile(path, content) {
      await mkdir(dirname(full(path)), { recursive: true });
      await writeFile(full(path), content);
    },
    async readDirectory(path) {
      try {
        if (!(await stat(full(path))).isDirectory()) return undefined;
        return await readdir(full(path));
      } catch {
        return undefined;
      }
    },
    env: process.env,
    isTerminal: Boolean(process.stdout.isTTY),
    signal: options.signal,
  };
}

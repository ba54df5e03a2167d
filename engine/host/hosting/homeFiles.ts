import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a starting state's home files into a learner's shell home (the terminal's `/root`):
 * `~/x`, `/root/x` and `x` all name `<home>/x`. A path that would leave the home is refused.
 */
export function homeFileWriter(home: string): (file: string, content: string) => Promise<void> {
  const root = path.resolve(home);
  return async (file, content) => {
    const relative = file.replace(/^(~|\/root)(\/|$)/, "");
    if (path.isAbsolute(relative)) throw new Error(`cannot place ${file}: home files live under /root or ~/`);
    const target = path.resolve(root, relative);
    if (target === root || !target.startsWith(`${root}${path.sep}`))
      throw new Error(`cannot place ${file}: the path leaves the learner's home`);
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, content);
  };
}

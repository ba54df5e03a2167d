/** The file access kustomize needs; paths are absolute. */
export interface KustomizeFiles {
  /** Reads a file; throws when there is none. */
  readFile(path: string): Promise<string>;
  /** A directory's entry names, or undefined when the path is not a directory. */
  readDirectory(path: string): Promise<string[] | undefined>;
}

/** Joins and normalizes a POSIX path (`.` and `..` resolved). */
export function resolvePath(base: string, path: string): string {
  const parts = (path.startsWith("/") ? path : `${base}/${path}`).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

/** True when `path` is `root` or below it. */
export function isWithin(root: string, path: string): boolean {
  return path === root || path.startsWith(root === "/" ? "/" : `${root}/`);
}

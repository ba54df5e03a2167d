import { getCommandNames } from "just-bash";
import type { ImageDefinition, ProgramDefinition } from "../images";

/** What an executable name resolves to in an image. */
export type Executable =
  | { kind: "program"; path: string; program: ProgramDefinition }
  | { kind: "shell"; path: string; name: string }
  | { kind: "utility"; path: string; name: string };

/** just-bash commands no busybox or Debian base image ships. */
const notInBaseImages = new Set([
  "jq",
  "yq",
  "xan",
  "sqlite3",
  "rg",
  "html-to-markdown",
  "help",
  "history",
  "clear",
  "tree",
  "python",
  "python3",
  "node",
  "js-exec",
  "curl",
]);

/** Utilities the runtime itself provides to shells (busybox applets and procps/coreutils equivalents). */
const busyboxExtras = ["wget", "nslookup", "ps", "id", "uname", "kill", "test", "["];
const gnuExtras = ["id", "uname", "kill", "test", "["];

const utilitiesByUserland = new Map<string, Set<string>>();

/** The utilities a shell in this image can run (besides the image's own programs). */
export function utilitiesOf(image: ImageDefinition): Set<string> {
  const key = `${image.userland}:${(image.tools ?? []).join(",")}`;
  let set = utilitiesByUserland.get(key);
  if (!set) {
    set = new Set<string>();
    if (image.userland !== "none") {
      for (const name of getCommandNames()) if (!notInBaseImages.has(name)) set.add(name);
      for (const name of image.userland === "busybox" ? busyboxExtras : gnuExtras) set.add(name);
      if (image.userland === "busybox") set.delete("bash");
      set.add("sh");
      if (image.userland === "busybox") set.add("ash");
    }
    for (const tool of image.tools ?? []) set.add(tool);
    utilitiesByUserland.set(key, set);
  }
  return set;
}

const systemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/**
 * Finds `name` as execve would with `PATH`: an absolute or relative path is taken as it is, a bare
 * name is searched in each PATH directory. Returns undefined for "executable file not found".
 */
export function resolveExecutable(
  image: ImageDefinition,
  name: string,
  path: string | undefined,
): Executable | undefined {
  const programs = image.programs ?? {};
  const utilities = utilitiesOf(image);
  const directories = (path ?? systemDirectories.join(":")).split(":").filter(Boolean);
  const candidates = name.includes("/")
    ? [normalizePath(name)]
    : directories.map((directory) => `${directory}/${name}`);
  for (const candidate of candidates) {
    const program = programs[candidate];
    if (program) return { kind: "program", path: candidate, program };
    const slash = candidate.lastIndexOf("/");
    const base = candidate.slice(slash + 1);
    const directory = candidate.slice(0, slash) || "/";
    if (utilities.has(base) && systemDirectories.includes(directory)) {
      const kind = base === "sh" || base === "bash" || base === "ash" ? "shell" : "utility";
      return { kind, path: candidate, name: base };
    }
  }
  return undefined;
}

function normalizePath(path: string): string {
  const absolute = path.startsWith("/") ? path : `/${path.replace(/^\.\//, "")}`;
  return absolute.replace(/\/+/g, "/");
}

/** The message containerd/runc gives for an executable that does not exist. */
export function notFoundMessage(name: string): string {
  return name.includes("/")
    ? `exec: "${name}": stat ${name}: no such file or directory`
    : `exec: "${name}": executable file not found in $PATH`;
}

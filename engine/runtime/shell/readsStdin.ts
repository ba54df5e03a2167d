import { parse } from "just-bash";

/**
 * Whether a shell script reads the stdin of the process that runs it (`cat`, `read x`,
 * `tar -xf -`, `while read l; do …; done`), as opposed to only files, pipes and here-documents.
 *
 * just-bash takes a script's stdin whole, before it starts; it cannot block on a read. So a process
 * whose stdin stays open (an exec with `-i`, a container with `stdin: true`) runs a script that reads
 * it once the stdin ends, with all of it, and any other script at once (`kubectl run -i … -- date`
 * prints the date without waiting for the client's EOF, as a real container does).
 *
 * The analysis looks at what would read fd 0: the first command of each pipeline (the others read
 * the pipe), command substitutions, and compound commands without a `<` redirection. A command
 * reads stdin when it is one of the utilities below with no file operand (or `-`). A script that
 * does not parse counts as reading, so its input is never lost.
 */
export function scriptReadsStdin(script: string): boolean {
  let ast: unknown;
  try {
    ast = parse(script);
  } catch {
    return true;
  }
  return visit(ast, true);
}

/** Utilities that read stdin whatever their operands are. */
const alwaysReads = new Set(["read", "mapfile", "readarray", "tr", "tee", "xargs"]);
/** Utilities that read stdin when they are given no file operand, or `-`. */
const filters = new Set([
  "cat",
  "head",
  "tail",
  "wc",
  "sort",
  "uniq",
  "cut",
  "base64",
  "md5sum",
  "sha1sum",
  "sha256sum",
  "sha512sum",
  "od",
  "xxd",
  "hexdump",
  "rev",
  "nl",
  "tac",
  "gzip",
  "gunzip",
  "zcat",
  "more",
  "less",
  "fold",
  "expand",
  "strings",
]);
/** Utilities whose first operand is a program or pattern, then files. */
const programFilters = new Set(["grep", "egrep", "fgrep", "sed", "awk", "jq", "yq"]);
const shells = new Set(["sh", "bash", "ash", "dash"]);
/** Short options that take the next argument as their value (`head -n 5`, `cut -d : -f 1`, `grep -e x`). */
const optionsWithValue: Record<string, string> = {
  head: "nc",
  tail: "nc",
  cut: "dfcb",
  sort: "kto",
  uniq: "fsw",
  fold: "w",
  base64: "w",
  od: "AtNj",
  xxd: "cls",
  grep: "efmABC",
  egrep: "efmABC",
  fgrep: "efmABC",
  sed: "efl",
  awk: "Fvf",
  jq: "f",
};

type Node = { type?: string; [key: string]: unknown };

function visit(value: unknown, inherits: boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => visit(item, inherits));
  if (!value || typeof value !== "object") return false;
  const node = value as Node;
  if (node.type === "Pipeline" && Array.isArray(node.commands)) {
    return node.commands.some((command, index) => visit(command, inherits && index === 0));
  }
  const reads = inherits && !redirectsStdin(node);
  if (node.type === "SimpleCommand" && reads && simpleCommandReads(node)) return true;
  for (const [key, child] of Object.entries(node)) {
    if (key === "redirections") continue;
    if (child && typeof child === "object" && visit(child, reads)) return true;
  }
  return false;
}

function redirectsStdin(node: Node): boolean {
  const redirections = node.redirections;
  if (!Array.isArray(redirections)) return false;
  return redirections.some((redirection: { fd?: number | null; operator?: string }) => {
    const fd = redirection.fd ?? null;
    return (
      (fd === null || fd === 0) && typeof redirection.operator === "string" && redirection.operator.startsWith("<")
    );
  });
}

/** The literal text of a word, or undefined when it has expansions (`$x`, `$(…)`). */
function literal(word: unknown): string | undefined {
  const parts = (word as { parts?: Array<{ type?: string; value?: string }> } | undefined)?.parts;
  if (!Array.isArray(parts)) return undefined;
  let text = "";
  for (const part of parts) {
    if (typeof part.value !== "string") return undefined;
    text += part.value;
  }
  return text;
}

function simpleCommandReads(node: Node): boolean {
  const name = literal(node.name);
  if (name === undefined) return false;
  const base = name.slice(name.lastIndexOf("/") + 1);
  const args = (Array.isArray(node.args) ? node.args : []).map((arg) => literal(arg) ?? "$");
  const operands: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "-" || !arg.startsWith("-")) operands.push(arg);
    else if (/^-[a-zA-Z]$/.test(arg) && optionsWithValue[base]?.includes(arg[1])) index++;
  }
  if (alwaysReads.has(base)) return true;
  if (filters.has(base)) return operands.length === 0 || operands.includes("-");
  if (programFilters.has(base)) {
    const programGiven = args.some((arg) => arg === "-e" || arg === "-f" || arg.startsWith("--expression"));
    return operands.length <= (programGiven ? 0 : 1) || operands.includes("-");
  }
  if (shells.has(base)) return !args.some((arg) => arg.startsWith("-") && arg.includes("c")) && operands.length === 0;
  if (base === "dd") return !args.some((arg) => arg.startsWith("if="));
  if (base === "tar") return tarReadsStdin(args);
  return false;
}

/** `tar x`/`t` reading the archive from stdin: `-f -`, or no `-f` at all (BusyBox and GNU default to stdin). */
function tarReadsStdin(args: string[]): boolean {
  let mode = "";
  let file: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg.startsWith("--")) {
      if (arg === "--extract" || arg === "--get" || arg === "--list") mode = "x";
      else if (arg === "--file") file = args[++index];
      else if (arg.startsWith("--file=")) file = arg.slice(7);
      continue;
    }
    // The first argument may be an old-style cluster without a dash (`tar xf -`).
    if (arg.startsWith("-") || index === 0) {
      const letters = arg.replace(/^-/, "");
      if (/[xt]/.test(letters)) mode = "x";
      const f = letters.indexOf("f");
      if (f >= 0) file = letters.slice(f + 1) || args[++index];
    }
  }
  return mode === "x" && (file === undefined || file === "-");
}

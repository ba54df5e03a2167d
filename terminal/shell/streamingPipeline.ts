import { parse, type ScriptNode, serialize } from "just-bash";

/** One stage after the streaming command: a filter run on each batch of lines, or `head`. */
export type DownstreamStage =
  | { kind: "filter"; script: string }
  | { kind: "head"; lines: number }
  /** Everything after a `head`: its input is finite, so it runs once on what head passed. */
  | { kind: "final"; script: string };

/** A pipeline whose first command streams (kubectl -w, logs -f …) into filters that work line by line. */
export interface StreamingPipelinePlan {
  /** The first command's text, to expand into argv. */
  source: string;
  stages: DownstreamStage[];
}

/** Filters whose output for a batch of lines is the concatenation of their output for each line. */
const lineFilters = new Set(["grep", "egrep", "fgrep", "cut", "tr", "cat", "sed", "awk", "column", "rev", "jq", "yq"]);

/** grep options that need the whole input (counts, context, stop after N, file lists). */
const wholeInputGrep = /^-(?:[a-zA-Z]*[cmABClLq]|-count|-max-count|-after|-before|-context|-files|-quiet)/;

function words(command: ScriptNode["statements"][number]["pipelines"][number]["commands"][number]): string[] {
  if (command.type !== "SimpleCommand") return [];
  const literal = (word: { parts: Array<{ type: string; value?: string }> }) =>
    word.parts.map((part) => (typeof part.value === "string" ? part.value : "\0")).join("");
  return [
    ...(command.name ? [literal(command.name as never)] : []),
    ...command.args.map((arg) => literal(arg as never)),
  ];
}

function headLines(args: string[]): number | undefined {
  if (args.length === 0) return 10;
  const [first, second] = args;
  if (args.length === 1 && /^-\d+$/.test(first as string)) return Number((first as string).slice(1));
  if (args.length === 2 && (first === "-n" || first === "--lines") && /^\d+$/.test(second as string))
    return Number(second);
  if (args.length === 1 && /^(-n|--lines=)\d+$/.test(first as string))
    return Number((first as string).replace(/^\D+/, ""));
  return undefined;
}

function isLineFilter(name: string, args: string[]): boolean {
  if (!lineFilters.has(name)) return false;
  if (name.endsWith("grep")) return !args.some((arg) => wholeInputGrep.test(arg));
  if (name === "awk") return !args.some((arg) => /\b(NR|FNR|END|getline)\b/.test(arg));
  // sed with line-number or last-line addresses counts lines across the whole input.
  if (name === "sed") return !args.some((arg) => /^(\d|\$)/.test(arg) || /(^|;)\s*(\d|\$)/.test(arg));
  if (name === "jq" || name === "yq") return !args.includes("-s") && !args.includes("--slurp");
  return name !== "column";
}

/**
 * Plans `streaming | filter | … | head` so the filters see lines as the first command writes them,
 * as bash's pipes do. Returns undefined for anything else (the whole line then runs in just-bash,
 * which passes output between commands when each ends).
 */
export function planStreamingPipeline(
  line: string,
  isStreaming: (argv: string[]) => boolean,
): StreamingPipelinePlan | undefined {
  let script: ScriptNode;
  try {
    script = parse(line);
  } catch {
    return undefined;
  }
  if (script.statements.length !== 1) return undefined;
  const statement = script.statements[0];
  if (!statement || statement.background || statement.pipelines.length !== 1) return undefined;
  const pipeline = statement.pipelines[0];
  if (!pipeline || pipeline.negated || pipeline.commands.length < 2) return undefined;
  const commands = pipeline.commands;
  if (
    commands.some(
      (command) =>
        command.type !== "SimpleCommand" || command.redirections.length > 0 || command.assignments.length > 0,
    )
  )
    return undefined;
  const [first, ...rest] = commands;
  if (!first || !isStreaming(words(first))) return undefined;
  const stages: DownstreamStage[] = [];
  for (const [index, command] of rest.entries()) {
    const [name = "", ...args] = words(command);
    if (name === "head") {
      const lines = headLines(args);
      if (lines === undefined) return undefined;
      stages.push({ kind: "head", lines });
      const after = rest.slice(index + 1);
      if (after.length > 0) stages.push({ kind: "final", script: serializeCommands(script, after) });
      break;
    }
    if (args.some((arg) => arg.includes("\0"))) return undefined;
    if (!isLineFilter(name, args)) return undefined;
    // Unbuffered output is what every stage here does anyway (and just-bash's grep and sed lack the flags).
    const unbuffered = name.endsWith("grep") ? "--line-buffered" : name === "sed" ? "-u" : undefined;
    if (unbuffered && command.type === "SimpleCommand")
      command.args = command.args.filter((_, index) => args[index] !== unbuffered);
    stages.push({ kind: "filter", script: serializeCommand(script, command) });
  }
  return { source: serializeCommand(script, first), stages };
}

type Command = ScriptNode["statements"][number]["pipelines"][number]["commands"][number];

function serializeCommand(script: ScriptNode, command: Command): string {
  return serializeCommands(script, [command]);
}

function serializeCommands(script: ScriptNode, commands: Command[]): string {
  const copy = structuredClone(script);
  const pipeline = copy.statements[0]?.pipelines[0];
  if (pipeline) pipeline.commands = structuredClone(commands);
  return serialize(copy).trim();
}

/** True for the commands that run until stopped: watches and follows. */
export function isStreamingCommand(argv: string[], nodeTools: readonly string[]): boolean {
  const [name, ...args] = argv;
  if (name === "kubectl")
    return (
      args.some((arg) => /^(-w|--watch|--watch-only|-f|--follow)(=true)?$/.test(arg) || /^-[a-zA-Z]*[wf]$/.test(arg)) &&
      args.some((arg) => ["get", "logs", "events", "rollout", "attach"].includes(arg))
    );
  if (name && nodeTools.includes(name)) return args.some((arg) => arg === "-f" || arg === "--follow");
  return false;
}

/** A streaming command whose output goes to a file (`kubectl logs -f web > log.txt &`). */
export interface StreamingRedirectPlan {
  /** The command without its redirections, to expand into argv. */
  source: string;
  /** The file, as written (relative to the working directory). */
  path: string;
  append: boolean;
  /** `2>&1` (or `&>`): errors go to the file too. */
  withErrors: boolean;
}

/**
 * Plans `cmd > file` / `cmd >> file` (with `2>&1` or `&>` allowed) for a streaming command, so its
 * lines reach the file as they come, as a process's writes do: `tail log.txt` while it runs, or
 * after `kill %1`, shows them. just-bash would write the file only once the command ended.
 */
export function planStreamingRedirect(
  line: string,
  isStreaming: (argv: string[]) => boolean,
): StreamingRedirectPlan | undefined {
  let script: ScriptNode;
  try {
    script = parse(line);
  } catch {
    return undefined;
  }
  const statement = script.statements[0];
  if (script.statements.length !== 1 || !statement || statement.pipelines.length !== 1) return undefined;
  const command = statement.pipelines[0]?.commands[0];
  if (statement.pipelines[0]?.commands.length !== 1 || command?.type !== "SimpleCommand") return undefined;
  if (command.assignments.length > 0 || !isStreaming(words(command))) return undefined;
  let file: { path: string; append: boolean } | undefined;
  let withErrors = false;
  for (const redirection of command.redirections) {
    const target = redirection.target.type === "Word" ? words({ ...command, name: redirection.target, args: [] }) : [];
    const text = target[0];
    if (text === undefined || text.includes("\0")) return undefined;
    const toStdout = redirection.fd === null || redirection.fd === 1;
    if ((redirection.operator === ">" || redirection.operator === ">>") && toStdout && !file)
      file = { path: text, append: redirection.operator === ">>" };
    else if ((redirection.operator === "&>" || redirection.operator === "&>>") && !file) {
      file = { path: text, append: redirection.operator === "&>>" };
      withErrors = true;
    } else if (redirection.operator === ">&" && redirection.fd === 2 && text === "1" && file) withErrors = true;
    else return undefined;
  }
  if (!file) return undefined;
  return {
    source: serialize({
      ...script,
      statements: [
        { ...statement, pipelines: [{ ...statement.pipelines[0], commands: [{ ...command, redirections: [] }] }] },
      ],
    }),
    ...file,
    withErrors,
  };
}

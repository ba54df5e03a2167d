import type { CommandNode, ScriptNode, StatementNode, TransformPlugin, WordNode } from "just-bash";
import { parse } from "just-bash";

type FunctionDefinition = Extract<CommandNode, { type: "FunctionDef" }>;

/**
 * The functions and arrays a learner defined on earlier command lines, which bash keeps for the
 * session. just-bash starts every `exec` from a copy of its state and keeps only the environment
 * (functions and arrays defined by a script are dropped when it ends), so the shell keeps them
 * here and a transform plugin puts them at the start of every script it runs.
 *
 * Functions are taken from the parsed line (and from files it sources by a literal path, such as
 * `source ~/.bashrc`) rather than from the interpreter, which cannot print a function's body
 * (`declare -f` gives a placeholder). Arrays are read back after a line that may have changed them,
 * from `declare -p`, whose `declare -a name=(…)` lines are bash syntax that recreates them.
 */
export class ShellDefinitions {
  private readonly functions = new Map<string, StatementNode>();
  private arrays: StatementNode[] = [];

  /** Puts the kept definitions before the script (every exec of the shell's Bash, nested ones too). */
  readonly plugin: TransformPlugin = {
    name: "kubelab-definitions",
    transform: ({ ast }) => {
      if (this.functions.size === 0 && this.arrays.length === 0) return { ast };
      return { ast: { ...ast, statements: [...this.arrays, ...this.functions.values(), ...ast.statements] } };
    },
  };

  /** Keeps the functions a script defines and forgets those it `unset -f`s (top level, in order). */
  collect(script: ScriptNode): void {
    for (const statement of script.statements)
      for (const pipeline of statement.pipelines)
        for (const command of pipeline.commands) {
          if (command.type === "FunctionDef") this.functions.set(command.name, functionStatement(command));
          else if (command.type === "SimpleCommand" && literal(command.name) === "unset") {
            const args = command.args.map(literal);
            if (args.includes("-f"))
              for (const name of args) if (name && !name.startsWith("-")) this.functions.delete(name);
          }
        }
  }

  /** The paths a script sources by a literal word (`source ~/.bashrc`, `. ./env.sh`), `~/` kept. */
  sourcedPaths(script: ScriptNode): string[] {
    const paths: string[] = [];
    for (const statement of script.statements)
      for (const pipeline of statement.pipelines)
        for (const command of pipeline.commands) {
          if (command.type !== "SimpleCommand") continue;
          const name = literal(command.name);
          if (name !== "source" && name !== ".") continue;
          const path = pathWord(command.args[0]);
          if (path) paths.push(path);
        }
    return paths;
  }

  /** True when the line may create, change or remove an array (then its arrays are read back). */
  mayChangeArrays(line: string): boolean {
    return /[A-Za-z0-9_](?:\[[^\]]*\])?\+?=\(|\b(?:declare|typeset|local|readarray|mapfile|read|unset|source)\b|(?:^|[;&|]\s*)\.\s/.test(
      line,
    );
  }

  /** Replaces the kept arrays with those `declare -p` lists. */
  recordArrays(declarations: string): void {
    const lines = declarations
      .split("\n")
      .filter((line) => /^declare -[a-zA-Z]*[aA][a-zA-Z]* [A-Za-z_]\w*=/.test(line));
    try {
      this.arrays = lines.length > 0 ? parse(lines.join("\n")).statements : [];
    } catch {
      // Keep the arrays from before rather than lose the session's state to one odd value.
    }
  }
}

/** A statement that defines `definition` (built from a parsed one, so its shape is just-bash's own). */
function functionStatement(definition: FunctionDefinition): StatementNode {
  const statement = structuredClone(template);
  const pipeline = statement.pipelines[0];
  if (pipeline) pipeline.commands = [definition];
  return statement;
}

const template = parse("f() { :; }").statements[0] as StatementNode;

/** A word made of plain characters only, or undefined. */
function literal(word: WordNode | null | undefined): string | undefined {
  if (word?.parts.length !== 1 || word.parts[0]?.type !== "Literal") return undefined;
  return word.parts[0].value;
}

/** A path word: plain characters, with a leading `~` kept as `~`. */
function pathWord(word: WordNode | undefined): string | undefined {
  if (!word) return undefined;
  let path = "";
  for (const [index, part] of word.parts.entries()) {
    if (part.type === "Literal") path += part.value;
    else if (part.type === "TildeExpansion" && index === 0 && part.user === null) path += "~";
    else return undefined;
  }
  return path;
}

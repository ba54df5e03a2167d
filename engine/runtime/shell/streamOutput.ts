import type {
  CommandNode,
  PipelineNode,
  ScriptNode,
  SimpleCommandNode,
  StatementNode,
  TransformPlugin,
  WordNode,
} from "just-bash";

type RedirectionNode = SimpleCommandNode["redirections"][number];

/** Where a process's streamed stdout and stderr go: writing there reaches the container log at once. */
export const streamedStdoutPath = "/proc/1/fd/1";
export const streamedStderrPath = "/proc/1/fd/2";

/**
 * just-bash returns a script's output when the script ends; a container's log must show each line
 * as it is written (`while true; do date; sleep 5; done`). This plugin rewrites the script so that
 * every command whose output would reach the script's own stdout/stderr appends it to the
 * process's stream files instead, as it runs. Commands inside command substitutions and function
 * bodies are left alone (their output is captured by the caller, which is itself rewritten), and
 * so are compound commands the script redirects itself (`for …; done > file`).
 */
export const streamOutputPlugin: TransformPlugin = {
  name: "kubelab-stream-output",
  transform(context) {
    const ast = structuredClone(context.ast) as ScriptNode;
    rewriteStatements(ast.statements);
    return { ast };
  },
};

function rewriteStatements(statements: StatementNode[]): void {
  for (const statement of statements) {
    for (const pipeline of statement.pipelines) rewritePipeline(pipeline);
  }
}

function rewritePipeline(pipeline: PipelineNode): void {
  pipeline.commands.forEach((command, index) => {
    const last = index === pipeline.commands.length - 1;
    rewriteCommand(command, last);
  });
}

function rewriteCommand(command: CommandNode, stdoutReachesScript: boolean): void {
  switch (command.type) {
    case "SimpleCommand": {
      if (!command.name) return;
      const added: RedirectionNode[] = [redirect(2, streamedStderrPath)];
      if (stdoutReachesScript) added.unshift(redirect(1, streamedStdoutPath));
      // Ours first: the command's own redirections (`2>&1`, `> file`) then apply on top, as in bash.
      command.redirections = [...added, ...command.redirections];
      return;
    }
    case "FunctionDef":
    case "ArithmeticCommand":
    case "ConditionalCommand":
      return;
    default: {
      if (
        command.redirections.some((r) => r.fd === 1 || r.fd === null || r.operator === "&>" || r.operator === "&>>")
      ) {
        return;
      }
      if (!stdoutReachesScript) return;
      switch (command.type) {
        case "If":
          for (const clause of command.clauses) {
            rewriteStatements(clause.condition);
            rewriteStatements(clause.body);
          }
          if (command.elseBody) rewriteStatements(command.elseBody);
          return;
        case "For":
        case "CStyleFor":
        case "Subshell":
        case "Group":
          rewriteStatements(command.body);
          return;
        case "While":
        case "Until":
          rewriteStatements(command.condition);
          rewriteStatements(command.body);
          return;
        case "Case":
          for (const item of command.items) rewriteStatements(item.body);
          return;
      }
    }
  }
}

function redirect(fd: number, path: string): RedirectionNode {
  const target: WordNode = { type: "Word", parts: [{ type: "Literal", value: path }] };
  return { type: "Redirection", fd, operator: ">>", target };
}

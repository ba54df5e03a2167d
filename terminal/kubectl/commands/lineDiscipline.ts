/**
 * A terminal's line discipline in canonical ("cooked") mode, for `kubectl run -i` / `attach -i` /
 * `exec -i` without `-t`: kubectl leaves the terminal as it is then, so the kernel echoes what is
 * typed, edits the line, hands it over on Enter (with "\n"), turns Ctrl-D on an empty line into
 * EOF and Ctrl-C into SIGINT. The learner's terminal gives raw keystrokes, so this plays the
 * kernel's part.
 */
export interface CookedInput {
  /** Echo to the screen (the shell's output turns "\n" into "\r\n"). */
  echo(text: string): void;
  /** A finished line (or, after Ctrl-D on a non-empty line, what was typed) for the remote stdin. */
  send(text: string): void;
  /** Ctrl-D on an empty line: end of input. */
  end(): void;
  /** Ctrl-C: the command is interrupted. */
  interrupt(): void;
}

/** Returns the keystroke handler; it keeps the line being typed. */
export function cookedLineDiscipline(target: CookedInput): (keys: string) => void {
  let line = "";
  let ended = false;
  return (keys) => {
    for (const char of keys) {
      if (ended) return;
      if (char === "\r" || char === "\n") {
        target.echo("\n");
        target.send(`${line}\n`);
        line = "";
      } else if (char === "\x7f" || char === "\b") {
        if (line.length > 0) {
          line = [...line].slice(0, -1).join("");
          target.echo("\b \b");
        }
      } else if (char === "\x04") {
        if (line === "") {
          ended = true;
          target.end();
        } else {
          target.send(line);
          line = "";
        }
      } else if (char === "\x03") {
        ended = true;
        target.echo("^C\n");
        target.interrupt();
      } else if (char === "\x15") {
        // Ctrl-U: kill the line.
        target.echo("\b \b".repeat([...line].length));
        line = "";
      } else if (char >= " " || char === "\t") {
        line += char;
        target.echo(char);
      }
    }
  };
}

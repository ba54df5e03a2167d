import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { manifests, mutating, readOnly, setup, sharedManifests } from "./corpus";
import { normalize, type RunOptions, type RunResult, runOurs, runReal, runRealUntil } from "./harness";

/** Splits a corpus line like a shell would for these cases: whitespace, single quotes. */
export function splitArguments(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  let started = false;
  for (const ch of line) {
    if (ch === "'") {
      quoted = !quoted;
      started = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

/**
 * `{uid:NAMESPACE/TYPE/NAME}` in a shared manifest a setup line names becomes that object's UID,
 * read just before the line runs (events that must point at a pod the setup created).
 */
async function fillUids(line: string, shared: string, kubeconfig: string): Promise<void> {
  const file = /\{dir\}\/(\S+)/.exec(line)?.[1];
  if (!file) return;
  const target = path.join(shared, file);
  let text = readFileSync(target, "utf8");
  for (const [placeholder, namespace, object] of text.matchAll(/\{uid:([^/}]+)\/([^}]+)\}/g)) {
    const result = await runReal(
      ["get", object as string, "-n", namespace as string, "-o", "jsonpath={.metadata.uid}"],
      kubeconfig,
    );
    if (result.status !== 0 || !result.stdout) throw new Error(`setup: no uid for ${placeholder}: ${result.stderr}`);
    text = text.replaceAll(placeholder, result.stdout.trim());
  }
  writeFileSync(target, text);
}

/** One compared command. */
export interface CaseResult {
  command: string;
  passed: boolean;
  real: RunResult;
  ours: RunResult;
}

function render(result: RunResult): string {
  return `--- stdout\n${normalize(result.stdout)}--- stderr\n${normalize(result.stderr)}--- status ${result.status}\n`;
}

/** Runs the whole corpus against a cluster; returns every case. */
export async function runDifferential(
  kubeconfig: string,
  workDirectory: string,
  onCase?: (result: CaseResult) => void,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const shared = path.join(workDirectory, "shared");
  mkdirSync(shared, { recursive: true });
  for (const [name, text] of Object.entries(sharedManifests)) writeFileSync(path.join(shared, name), text);
  for (const line of setup) {
    await fillUids(line, shared, kubeconfig);
    const result = await runReal(splitArguments(line.replaceAll("{dir}", shared)), kubeconfig);
    if (result.status !== 0 && !/AlreadyExists/.test(result.stderr)) {
      throw new Error(`setup failed: kubectl ${line}\n${result.stderr}`);
    }
  }
  const sides = { real: path.join(workDirectory, "real"), ours: path.join(workDirectory, "ours") };
  for (const [side, directory] of Object.entries(sides)) {
    mkdirSync(directory, { recursive: true });
    for (const [name, text] of Object.entries(manifests)) {
      mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
      writeFileSync(path.join(directory, name), text.replaceAll("{n}", side));
      if (name.endsWith(".sh")) chmodSync(path.join(directory, name), 0o755);
    }
  }
  const compare = async (line: string, mutatingCase: boolean): Promise<CaseResult> => {
    // `& …`: both sides run at once (attach to pods that finish on their own clock).
    const concurrent = line.startsWith("& ");
    let rest = concurrent ? line.slice(2) : line;
    // Leading `NAME=value` words are environment variables for both sides (KUBE_EDITOR=…).
    const env: Record<string, string> = {};
    for (let match = /^([A-Z_]+)=(\S*)\s+/.exec(rest); match; match = /^([A-Z_]+)=(\S*)\s+/.exec(rest)) {
      env[match[1] as string] = match[2] as string;
      rest = rest.slice(match[0].length);
    }
    // `… < FILE`: the side's copy of the manifest FILE is the command's standard input.
    const [command, input] = rest.split(" < ") as [string, string | undefined];
    const stdinOf = (directory: string) => (input ? readFileSync(path.join(directory, input), "utf8") : undefined);
    const realArgs = splitArguments(command.replaceAll("{n}", "real").replaceAll("{node}", "node01"));
    const ourArgs = splitArguments(command.replaceAll("{n}", "ours").replaceAll("{node}", "node02"));
    const mapBack = (text: string) =>
      mutatingCase ? text.replace(/\bours\b/g, "real").replace(/\bnode02\b/g, "node01") : text;
    for (let attempt = 0; ; attempt++) {
      const ourDirectory = mutatingCase ? sides.ours : sides.real;
      let ours: RunResult;
      let real: RunResult;
      if (ourArgs[0] === "port-forward") {
        ours = await forwarding((options) => runOurs(ourArgs, kubeconfig, undefined, ourDirectory, options));
        real = await forwarding((options) => runRealUntil(realArgs, kubeconfig, sides.real, options));
      } else if (concurrent) {
        [ours, real] = await Promise.all([
          runOurs(ourArgs, kubeconfig, stdinOf(ourDirectory), ourDirectory, { env }),
          runReal(realArgs, kubeconfig, stdinOf(sides.real), sides.real, { env }),
        ]);
      } else {
        ours = await runOurs(ourArgs, kubeconfig, stdinOf(ourDirectory), ourDirectory, { env });
        real = await runReal(realArgs, kubeconfig, stdinOf(sides.real), sides.real, { env });
      }
      const mapped = { ...ours, stdout: mapBack(ours.stdout), stderr: mapBack(ours.stderr) };
      const passed =
        render(real) === render(mapped) ||
        maskAges(render(real)) === maskAges(render(mapped)) ||
        sortSecretData(render(real)) === sortSecretData(render(mapped));
      // Read-only commands are retried once: an AGE column may tick between the two runs.
      if (passed || mutatingCase || attempt >= 1) return { command: line, passed, real, ours: mapped };
    }
  };
  for (const command of readOnly) {
    const result = await compare(command, false);
    results.push(result);
    onCase?.(result);
  }
  for (const command of mutating) {
    const result = await compare(command, true);
    results.push(result);
    onCase?.(result);
  }
  return results;
}

/**
 * Drives a `port-forward` case: starts it, waits for its "Forwarding from 127.0.0.1:PORT" line,
 * fetches `http://127.0.0.1:PORT/` through it, then stops it as Ctrl-C does. The answer's status
 * and HTML title are appended to stdout so both sides' forwarding is compared too.
 */
async function forwarding(
  run: (options: RunOptions & { until: Promise<unknown> }) => Promise<RunResult>,
): Promise<RunResult> {
  const stop = new AbortController();
  let output = "";
  let foundPort: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    foundPort = resolve;
  });
  const until = new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve()));
  const running = run({
    signal: stop.signal,
    until,
    onStdout: (text) => {
      output += text;
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) foundPort(Number(match[1]));
    },
  });
  let fetched = "";
  const started = await Promise.race([port, running.then(() => undefined)]);
  if (started !== undefined) {
    try {
      const response = await fetch(`http://127.0.0.1:${started}/`, { signal: AbortSignal.timeout(20_000) });
      const body = await response.text();
      fetched = `${response.status} ${/<title>.*<\/title>/.exec(body)?.[0] ?? body.slice(0, 80)}\n`;
    } catch (error) {
      fetched = `fetch failed: ${(error as Error).message}\n`;
    }
    // Let "Handling connection" reach the output before stopping.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop.abort();
  const result = await running;
  return { ...result, stdout: `${result.stdout}--- fetched through the forward\n${fetched}` };
}

/**
 * Masks ages (`5s`, `4m9s`, `3h`, `12d`) and the padding they cause, for outputs that only differ
 * because a second ticked between the two runs.
 */
export function maskAges(text: string): string {
  return text.replace(/\b\d+[smhdy](\d+[smh])?\b/g, "<age>").replace(/ {2,}/g, "  ");
}

/**
 * Sorts the `key:  N bytes` lines of `describe secret`'s Data section: kubectl ranges over the
 * Go map, so the real order changes from run to run (Kubelab prints them sorted).
 */
export function sortSecretData(text: string): string {
  return text.replace(
    /(\nData\n====\n)((?:[^\n]+:\s+\d+ bytes\n)+)/g,
    (_all, head: string, lines: string) =>
      head +
      lines
        .split("\n")
        .filter(Boolean)
        .sort()
        .map((line) => `${line}\n`)
        .join(""),
  );
}

/** A readable report of the mismatches. */
export function describeMismatch(result: CaseResult): string {
  return `### kubectl ${result.command}\n[real]\n${render(result.real)}[ours]\n${render(result.ours)}`;
}

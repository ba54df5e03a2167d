import type { Command, CommandContext } from "../Command";
import { KubectlError, plainError, usageError } from "../errors";
import type { KubeObject } from "./common";
import { containerFor, podsFor, runSession, waitForPod } from "./pods";

class PodCompleted extends Error {}

/** kubectl's podRunningAndReady: running with Ready true; a completed pod ends the wait too. */
function podRunningAndReady(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") throw new PodCompleted();
  return (
    phase === "Running" &&
    (pod.status?.conditions ?? []).some(
      (condition: { type?: string; status?: string }) => condition.type === "Ready" && condition.status === "True",
    )
  );
}

/** Waits for a pod to run, then attaches (kubectl run -it / attach); a completed pod's logs are printed instead. */
export async function attachToPod(
  context: CommandContext,
  namespace: string,
  name: string,
  tty: boolean,
  stdin: boolean,
  quiet: boolean,
): Promise<number> {
  const client = await context.client();
  let pod: KubeObject;
  try {
    pod = await waitForPod(context, namespace, name, podRunningAndReady);
  } catch (error) {
    if (!(error instanceof PodCompleted)) throw error;
    pod = await client.get<KubeObject>(`/api/v1/namespaces/${namespace}/pods/${name}`);
  }
  if (context.io.signal?.aborted) return 130;
  const container = (pod.spec?.containers?.[0]?.name as string) ?? name;
  const printLogs = async () => {
    const logs = await client.raw("GET", `/api/v1/namespaces/${namespace}/pods/${name}/log`, { query: { container } });
    context.io.stdout(logs.body);
  };
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    await printLogs();
    return 0;
  }
  try {
    return await attachSession(context, pod, container, { tty, stdin, quiet, commandName: "kubectl attach" });
  } catch (error) {
    if (!(error instanceof KubectlError)) throw error;
    // The container ended before the attach reached it: kubectl falls back to its logs.
    const reason = error.message.replace(/^Error from server \(\w+\): /, "").replace(/^error: /, "");
    context.io.stderr(`warning: couldn't attach to pod/${name}, falling back to streaming logs: ${reason}\n`);
    await printLogs();
    return 0;
  }
}

/** `kubectl attach`. */
export const attachCommand: Command = {
  name: "attach",
  short: "Attach to a running container",
  use: "attach (POD | TYPE/NAME) -c CONTAINER",
  flags: [
    {
      name: "container",
      shorthand: "c",
      kind: "string",
      usage:
        "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen",
    },
    { name: "stdin", shorthand: "i", kind: "bool", usage: "Pass stdin to the container" },
    { name: "tty", shorthand: "t", kind: "bool", usage: "Stdin is a TTY" },
    { name: "quiet", shorthand: "q", kind: "bool", usage: "Only print output from the remote session" },
    {
      name: "pod-running-timeout",
      kind: "string",
      default: "1m0s",
      usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
    },
  ],
  async run(context, flags) {
    const target = flags.positional[0];
    if (!target)
      throw usageError("kubectl attach", "expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 0: []");
    const [pod] = await podsFor(context, flags, target, "");
    if (!pod) return 1;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed")
      throw plainError(`cannot attach a container in a completed pod; current phase is ${phase}`);
    const container = containerFor(context, pod, flags.string("container"), flags.bool("quiet"));
    return attachSession(context, pod, container, {
      tty: flags.bool("tty"),
      stdin: flags.bool("stdin"),
      quiet: flags.bool("quiet"),
      commandName: "kubectl attach",
    });
  },
};

/**
 * Upstream's AttachOptions.Run once the pod and container are known: the TTY is the container's
 * (`-t` on a container without one is refused with a message, a container with one forces it),
 * and it is raw only with stdin from a terminal; the prompt hint, the session, and after a raw
 * session the hint to attach again (restartPolicy Always only).
 */
export async function attachSession(
  context: CommandContext,
  pod: KubeObject,
  container: string,
  options: { tty: boolean; stdin: boolean; quiet: boolean; commandName: string },
): Promise<number> {
  const { quiet, stdin } = options;
  // podcmd.FindContainerByName: regular, init and ephemeral containers (kubectl debug attaches to those).
  const ephemeral = ((pod.spec?.ephemeralContainers ?? []) as Array<{ name?: string; tty?: boolean }>).find(
    (candidate) => candidate.name === container,
  );
  const spec =
    ephemeral ??
    (
      [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Array<{ name?: string; tty?: boolean }>
    ).find((candidate) => candidate.name === container);
  let tty = options.tty;
  if (tty && !spec?.tty) {
    tty = false;
    if (!quiet) context.io.stderr(`error: Unable to use a TTY - container ${container} did not allocate one\n`);
  } else if (!tty && spec?.tty) {
    // The container has a TTY: without one the stream would carry "Unrecognized input header".
    tty = true;
  }
  // SetupTTY: no stdin, no TTY; a TTY needs stdin to be a terminal.
  let raw = false;
  if (!stdin) tty = false;
  else if (tty && !context.io.terminal) {
    tty = false;
    if (!quiet) context.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
  } else raw = tty;
  if (!quiet) context.io.stderr("If you don't see a command prompt, try pressing enter.\n");
  const name = pod.metadata?.name as string;
  const status = await runSession(
    context,
    `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${name}/attach`,
    { container, stdin: stdin || undefined, stdout: true, stderr: !raw || undefined, tty: raw || undefined },
    { tty: raw, stdin },
  );
  // Only a container that is restarted can be attached to again (kubectl 1.32's reattachMessage).
  if (!quiet && stdin && raw && status !== 130 && (pod.spec?.restartPolicy ?? "Always") === "Always") {
    context.io.stdout(
      ephemeral
        ? `Session ended, the ephemeral container will not be restarted but may be reattached using '${options.commandName} ${name} -c ${container} -i -t' if it is still running\n`
        : `Session ended, resume using '${options.commandName} ${name} -c ${container} -i -t' command when the pod is running\n`,
    );
  }
  return status;
}

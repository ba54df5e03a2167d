import { builtinResources } from "../builtinResources";
import type { Command, CommandContext } from "../Command";
import { type ResourceInfo, resourcePath } from "../Discovery";
import { ApiStatusError, KubectlError, plainError, usageError } from "../errors";
import { dryRunFlag, type KubeObject, printFlags, recordFlag } from "./common";
import { createObject, dryRunOf, printResult } from "./mutation";
import { parseLabels } from "./workloads";

// biome-ignore lint/suspicious/noExplicitAny: the generated pod is loosely typed API JSON
type Any = any;

function parseEnv(pairs: string[]): { name: string; value: string }[] {
  return pairs.map((pair) => {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new KubectlError(`error: invalid env: ${pair}`);
    return { name: pair.slice(0, equals), value: pair.slice(equals + 1) };
  });
}

/** `kubectl run`. */
export const runCommand: Command = {
  name: "run",
  short: "Run a particular image on the cluster",
  use: 'run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]',
  flags: [
    recordFlag,
    ...printFlags,
    dryRunFlag,
    { name: "image", kind: "string", usage: "The image for the container to run." },
    { name: "env", kind: "stringArray", usage: "Environment variables to set in the container." },
    { name: "port", kind: "string", usage: "The port that this container exposes." },
    {
      name: "labels",
      shorthand: "l",
      kind: "string",
      usage: "Comma separated labels to apply to the pod. Will override previous values.",
    },
    {
      name: "restart",
      kind: "string",
      default: "Always",
      usage: "The restart policy for this Pod.  Legal values [Always, OnFailure, Never].",
    },
    {
      name: "command",
      kind: "bool",
      usage:
        "If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default.",
    },
    {
      name: "expose",
      kind: "bool",
      usage: "If true, create a ClusterIP service associated with the pod.  Requires `--port`.",
    },
    {
      name: "stdin",
      shorthand: "i",
      kind: "bool",
      usage: "Keep stdin open on the container in the pod, even if nothing is attached.",
    },
    { name: "tty", shorthand: "t", kind: "bool", usage: "Allocate a TTY for the container in the pod." },
    {
      name: "rm",
      kind: "bool",
      usage:
        "If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with '--attach' or with '-i/--stdin'.",
    },
    {
      name: "attach",
      kind: "bool",
      usage:
        "If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl attach ...' were called.",
    },
    {
      name: "leave-stdin-open",
      kind: "bool",
      usage:
        "If the pod is started in interactive mode or with stdin, leave stdin open after the first attach completes. By default, stdin will be closed after the first attach completes.",
    },
    { name: "annotations", kind: "stringArray", usage: "Annotations to apply to the pod." },
    { name: "image-pull-policy", kind: "string", usage: "The image pull policy for the container." },
    { name: "overrides", kind: "string", usage: "An inline JSON override for the generated object." },
    { name: "privileged", kind: "bool", usage: "If true, run the container in privileged mode." },
    { name: "quiet", shorthand: "q", kind: "bool", usage: "If true, suppress prompt messages." },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-run",
      usage: "Name of the manager used to track field ownership.",
    },
    {
      name: "pod-running-timeout",
      kind: "string",
      default: "1m0s",
      usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
    },
  ],
  async run(context, flags) {
    const image = flags.string("image");
    if (!image) throw new KubectlError('error: required flag(s) "image" not set');
    const name = flags.positional[0];
    if (!name) throw usageError("kubectl run", "NAME is required for run");
    const dryRun = dryRunOf(context, flags);
    const interactive = flags.bool("stdin");
    const attach = flags.bool("attach") || interactive;
    // RunOptions.Validate, in its order.
    if (flags.bool("tty") && !interactive)
      throw usageError("kubectl run", "-i/--stdin is required for containers with -t/--tty=true");
    if (flags.bool("expose") && !flags.string("port"))
      throw usageError("kubectl run", "--port must be set when exposing a service");
    const restart = flags.string("restart");
    if (!["Always", "OnFailure", "Never"].includes(restart))
      throw usageError("kubectl run", `invalid restart policy: ${restart}`);
    if (!attach && flags.bool("rm"))
      throw usageError("kubectl run", "--rm should only be used for attached containers");
    if (attach && dryRun !== "none")
      throw usageError(
        "kubectl run",
        "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
      );
    const rest = flags.positional.slice(1);
    const labels = flags.string("labels") ? parseLabels(flags.string("labels")) : { run: name };
    const container: Any = { name, image };
    if (rest.length > 0) container[flags.bool("command") ? "command" : "args"] = rest;
    if (flags.list("env").length > 0) container.env = parseEnv(flags.list("env"));
    if (flags.string("image-pull-policy")) container.imagePullPolicy = flags.string("image-pull-policy");
    if (flags.string("port")) container.ports = [{ containerPort: Number(flags.string("port")) }];
    container.resources = {};
    if (interactive) {
      container.stdin = true;
      // The generator: stdinOnce unless --leave-stdin-open, so the first attach's EOF is the container's.
      if (!flags.bool("leave-stdin-open")) container.stdinOnce = true;
    }
    if (flags.bool("tty")) container.tty = true;
    const annotations: Record<string, string> = {};
    for (const pair of flags.list("annotations")) {
      const equals = pair.indexOf("=");
      annotations[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    const pod: KubeObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        creationTimestamp: null as unknown as string,
        labels,
        name,
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: { containers: [container], dnsPolicy: "ClusterFirst", restartPolicy: restart },
      status: {},
    };
    if (flags.string("overrides")) {
      const { applyStrategicPatch } = await import("../strategicMerge");
      Object.assign(pod, applyStrategicPatch(pod, JSON.parse(flags.string("overrides"))));
    }
    const podInfo = builtinResources.pods as ResourceInfo;
    const serviceInfo = builtinResources.services as ResourceInfo;
    const namespace = await context.namespace();
    // As upstream's Run: the pod first, then the service (printed as it is made), the pod last.
    const created = await createObject(context, podInfo, pod, namespace, dryRun, flags.string("field-manager"));
    const createdObjects: Array<{ info: ResourceInfo; name: string }> = [{ info: podInfo, name }];
    if (flags.bool("expose")) {
      const service: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { creationTimestamp: null as unknown as string, name },
        spec: {
          ports: [{ port: Number(flags.string("port")), protocol: "TCP", targetPort: Number(flags.string("port")) }],
          selector: labels,
        },
        status: { loadBalancer: {} },
      };
      const createdService = await createObject(
        context,
        serviceInfo,
        service,
        namespace,
        dryRun,
        flags.string("field-manager"),
      );
      printResult(context, flags, serviceInfo, createdService, "created", dryRun);
      createdObjects.push({ info: serviceInfo, name });
    }
    if (!attach) {
      printResult(context, flags, podInfo, created, "created", dryRun);
      return 0;
    }
    try {
      return await attachAndWait(context, namespace, name, restart, {
        tty: flags.bool("tty"),
        stdin: interactive,
        quiet: flags.bool("quiet"),
        leaveStdinOpen: flags.bool("leave-stdin-open"),
      });
    } finally {
      // --rm: removeCreatedObjects runs deferred, so its lines come before the error kubectl ends with.
      if (flags.bool("rm")) await removeCreatedObjects(context, namespace, createdObjects, flags.bool("quiet"));
    }
  },
};

/**
 * Attaches as `kubectl attach` would once the pod runs, then (unless --leave-stdin-open or
 * restartPolicy Always) waits for the pod to complete and ends with its container's exit code, as
 * upstream's RunOptions.Run does: `pod NS/NAME terminated (Reason)` and the code.
 */
async function attachAndWait(
  context: CommandContext,
  namespace: string,
  name: string,
  restart: string,
  options: { tty: boolean; stdin: boolean; quiet: boolean; leaveStdinOpen: boolean },
): Promise<number> {
  const { attachToPod } = await import("./attach");
  const { waitForPod } = await import("./pods");
  const attached = await attachToPod(context, namespace, name, options.tty, options.stdin, options.quiet);
  if (attached === 130 || context.io.signal?.aborted) return 130;
  if (options.leaveStdinOpen || (restart !== "Never" && restart !== "OnFailure")) return 0;
  // Never: succeeded or failed ends the wait; OnFailure: only success (a failure restarts).
  const done = (pod: KubeObject) =>
    restart === "OnFailure"
      ? pod.status?.phase === "Succeeded"
      : pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  const pod = await waitForPod(context, namespace, name, done);
  const phase = pod.status?.phase;
  if (phase === "Succeeded") return 0;
  if (phase !== "Failed") throw plainError(`pod ${namespace}/${name} left in phase ${phase}`);
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  const code = Number(terminated?.exitCode ?? 0);
  if (!terminated || code === 0) throw plainError(`pod ${namespace}/${name} failed with unknown exit code`);
  // A CodeExitError: printed without "error: ", the message (termination message) on its own line.
  const message = `pod ${namespace}/${name} terminated (${terminated.reason ?? ""})\n${terminated.message ?? ""}`;
  throw new KubectlError(message.endsWith("\n") ? message.slice(0, -1) : message, code);
}

/** --rm: deletes what run created, without waiting, as `kubectl delete` reports it (`pod "t" deleted`). */
async function removeCreatedObjects(
  context: CommandContext,
  namespace: string,
  objects: Array<{ info: ResourceInfo; name: string }>,
  quiet: boolean,
): Promise<void> {
  const client = await context.client();
  for (const { info, name } of objects) {
    try {
      await client.json("DELETE", resourcePath(info, namespace, name), {
        body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" },
      });
    } catch (error) {
      // IgnoreNotFound: a pod already gone is not an error.
      if (error instanceof ApiStatusError && error.statusCode === 404) continue;
      throw error;
    }
    if (!quiet) context.io.stdout(`${info.kind.toLowerCase()} "${name}" deleted\n`);
  }
}

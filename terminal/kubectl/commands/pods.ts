import { openChannel } from "../ChannelConnection";
import type { Command, CommandContext } from "../Command";
import { resourcePath } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError, usageError } from "../errors";
import type { Flags } from "../flags";
import { goSort } from "../goSort";
import { formatTabbed } from "../printers/tabwriter";
import { toStatusError } from "../RestClient";
import { resolveTargets } from "../targets";
import { getNamed, type KubeObject } from "./common";
import { defaultContainer } from "./defaultContainer";
import { cookedLineDiscipline } from "./lineDiscipline";

// biome-ignore lint/suspicious/noExplicitAny: describers walk loosely typed API JSON
type Any = any;

function parseDuration(text: string): number {
  let total = 0;
  const pattern = /([0-9.]+)(h|ms|m|s)/g;
  let match: RegExpExecArray | null = pattern.exec(text);
  if (!match)
    throw new KubectlError(`error: invalid argument "${text}" for "--since" flag: time: invalid duration "${text}"`);
  while (match) {
    const value = Number(match[1]);
    total += match[2] === "h" ? value * 3600 : match[2] === "m" ? value * 60 : match[2] === "ms" ? value / 1000 : value;
    match = pattern.exec(text);
  }
  return Math.ceil(total);
}

/** podutils.IsPodReady: the pod's (first) Ready condition is True. */
function isPodReady(pod: KubeObject): boolean {
  return pod.status?.conditions?.find((condition: Any) => condition.type === "Ready")?.status === "True";
}

/** A metav1.Time as milliseconds, 0 for the zero time (absent). */
function timeOf(text: string | undefined): number {
  return text ? new Date(text).getTime() : 0;
}

/** podReadyTime: when the Ready condition turned True (zero when not ready). */
function podReadyTime(pod: KubeObject): number {
  if (!isPodReady(pod)) return 0;
  const ready = pod.status?.conditions?.find(
    (condition: Any) => condition.type === "Ready" && condition.status === "True",
  );
  return timeOf(ready?.lastTransitionTime);
}

/** afterOrZero: t1 after t2, a zero time counting as after any other. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

function maxContainerRestarts(pod: KubeObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((status: Any) => status.restartCount ?? 0));
}

/** podutils.ActivePods.Less: the least useful pod first (unassigned, pending, not ready, …). */
export function activePodsLess(a: KubeObject, b: KubeObject): boolean {
  const nodeA = a.spec?.nodeName ?? "";
  const nodeB = b.spec?.nodeName ?? "";
  if (nodeA !== nodeB && (nodeA === "" || nodeB === "")) return nodeA === "";
  const ordinal = (pod: KubeObject) => ({ Pending: 0, Unknown: 1, Running: 2 })[pod.status?.phase as string] ?? 0;
  if (ordinal(a) !== ordinal(b)) return ordinal(a) < ordinal(b);
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  if (isPodReady(a) && isPodReady(b) && podReadyTime(a) !== podReadyTime(b))
    return afterOrZero(podReadyTime(a), podReadyTime(b));
  if (maxContainerRestarts(a) !== maxContainerRestarts(b)) return maxContainerRestarts(a) > maxContainerRestarts(b);
  const createdA = timeOf(a.metadata?.creationTimestamp);
  const createdB = timeOf(b.metadata?.creationTimestamp);
  if (createdA !== createdB) return afterOrZero(createdA, createdB);
  return false;
}

/** podutils.ByLogging.Less: the pod whose logs to show first (assigned, running, ready longest, …). */
export function byLogging(a: KubeObject, b: KubeObject): boolean {
  const nodeA = a.spec?.nodeName ?? "";
  const nodeB = b.spec?.nodeName ?? "";
  if (nodeA !== nodeB && (nodeA === "" || nodeB === "")) return nodeA !== "";
  const ordinal = (pod: KubeObject) => ({ Running: 0, Unknown: 1, Pending: 2 })[pod.status?.phase as string] ?? 0;
  if (ordinal(a) !== ordinal(b)) return ordinal(a) < ordinal(b);
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a);
  if (isPodReady(a) && isPodReady(b) && podReadyTime(a) !== podReadyTime(b))
    return afterOrZero(podReadyTime(b), podReadyTime(a));
  if (maxContainerRestarts(a) !== maxContainerRestarts(b)) return maxContainerRestarts(a) > maxContainerRestarts(b);
  const createdA = timeOf(a.metadata?.creationTimestamp);
  const createdB = timeOf(b.metadata?.creationTimestamp);
  if (createdA !== createdB) return afterOrZero(createdB, createdA);
  return false;
}

/**
 * Resolves POD or TYPE/NAME to pods, as kubectl's logs/exec/attach do (first pod of a controller;
 * `notice`: say which one when there are several, as logs and exec do).
 */
export async function podsFor(
  context: CommandContext,
  _flags: Flags,
  target: string,
  selector: string,
  notice = true,
  forLogs = false,
): Promise<KubeObject[]> {
  const client = await context.client();
  const namespace = await context.namespace();
  if (selector) {
    const list = await client.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${namespace}/pods`, {
      query: { labelSelector: selector },
    });
    return list.items;
  }
  if (!target.includes("/")) {
    return [
      await getNamed(context, { namespaced: true }, namespace, () =>
        client.get<KubeObject>(`/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(target)}`),
      ),
    ];
  }
  const [targets] = [await resolveTargets(context, [target])];
  const first = targets[0];
  if (!first) return [];
  const name = first.names[0] as string;
  const object = await getNamed(context, first.info, namespace, () =>
    client.get<KubeObject>(resourcePath(first.info, namespace, name)),
  );
  if (first.info.kind === "Pod") return [object];
  const matchLabels =
    first.info.kind === "Service"
      ? object.spec?.selector
      : (object.spec?.selector?.matchLabels ?? object.spec?.selector);
  const labelSelector = Object.entries(matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await client.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${namespace}/pods`, {
    query: { labelSelector },
  });
  // GetFirstPod: sort.Sort, then the first pod. logs orders with podutils.ByLogging; exec, attach
  // and port-forward with sort.Reverse(podutils.ActivePods).
  const sorted = goSort([...pods.items], forLogs ? byLogging : (a, b) => activePodsLess(b, a));
  if (sorted.length === 0) throw new KubectlError(`error: timed out waiting for the condition`);
  if (sorted.length > 1 && notice)
    context.io.stderr(`Found ${sorted.length} pods, using pod/${sorted[0]?.metadata?.name}\n`);
  return [sorted[0] as KubeObject];
}

/** The container kubectl picks (see defaultContainer), its notice on stderr. */
export function containerFor(context: CommandContext, pod: KubeObject, explicit: string, quiet = false): string {
  return defaultContainer(pod, explicit, quiet, (text) => context.io.stderr(text));
}

/** `kubectl logs`. */
export const logsCommand: Command = {
  name: "logs",
  short: "Print the logs for a container in a pod",
  use: "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]",
  flags: [
    { name: "container", shorthand: "c", kind: "string", usage: "Print the logs of this container" },
    { name: "follow", shorthand: "f", kind: "bool", usage: "Specify if the logs should be streamed." },
    {
      name: "previous",
      shorthand: "p",
      kind: "bool",
      usage: "If true, print the logs for the previous instance of the container in a pod if it exists.",
    },
    {
      name: "tail",
      kind: "int",
      default: -1,
      usage:
        "Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.",
    },
    {
      name: "since",
      kind: "string",
      default: "0s",
      usage:
        "Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.",
    },
    {
      name: "since-time",
      kind: "string",
      usage:
        "Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used.",
    },
    { name: "timestamps", kind: "bool", usage: "Include timestamps on each line in the log output" },
    {
      name: "selector",
      shorthand: "l",
      kind: "string",
      usage:
        "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
    },
    { name: "all-containers", kind: "bool", usage: "Get all containers' logs in the pod(s)." },
    { name: "prefix", kind: "bool", usage: "Prefix each log line with the log source (pod name and container name)" },
    { name: "limit-bytes", kind: "int", usage: "Maximum bytes of logs to return. Defaults to no limit." },
    {
      name: "max-log-requests",
      kind: "int",
      default: 5,
      usage: "Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.",
    },
    {
      name: "pod-running-timeout",
      kind: "string",
      default: "20s",
      usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
    },
    {
      name: "ignore-errors",
      kind: "bool",
      usage: "If watching / following pod logs, allow for any errors that occur to be non-fatal",
    },
    {
      name: "insecure-skip-tls-verify-backend",
      kind: "bool",
      usage: "Skip verifying the identity of the kubelet that logs are requested from.",
    },
  ],
  async run(context, flags) {
    const selector = flags.string("selector");
    const target = flags.positional[0];
    if (!target && !selector) {
      throw usageError(
        "kubectl logs",
        "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command",
      );
    }
    let container = flags.string("container");
    if (flags.positional.length === 2 && !container) container = flags.positional[1] as string;
    if (flags.positional.length > 2)
      throw usageError(
        "kubectl logs",
        "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command",
      );
    let pods: KubeObject[];
    try {
      pods = await podsFor(context, flags, target ?? "", selector, true, true);
    } catch (error) {
      if (error instanceof ApiStatusError && error.reason === "NotFound" && target) {
        throw new KubectlError(
          `error: error from server (NotFound): ${error.message} in namespace "${await context.namespace()}"`,
        );
      }
      throw error;
    }
    if (pods.length === 0 && selector) {
      context.io.stderr(`No resources found in ${await context.namespace()} namespace.\n`);
      return 0;
    }
    const client = await context.client();
    let tail = flags.int("tail");
    if (selector && !flags.changed("tail")) tail = 10;
    const query: Record<string, string | number | boolean | undefined> = {
      follow: flags.bool("follow") || undefined,
      previous: flags.bool("previous") || undefined,
      tailLines: tail >= 0 ? tail : undefined,
      sinceSeconds: flags.string("since") !== "0s" ? parseDuration(flags.string("since")) : undefined,
      sinceTime: flags.string("since-time") || undefined,
      timestamps: flags.bool("timestamps") || undefined,
      limitBytes: flags.int("limit-bytes") > 0 ? flags.int("limit-bytes") : undefined,
    };
    const streams: Promise<void>[] = [];
    for (const pod of pods) {
      if (container && !flags.bool("all-containers")) {
        const known = [
          ...(pod.spec?.initContainers ?? []),
          ...(pod.spec?.containers ?? []),
          ...(pod.spec?.ephemeralContainers ?? []),
        ].some((c: Any) => c.name === container);
        if (!known) throw new KubectlError(`error: container ${container} is not valid for pod ${pod.metadata?.name}`);
      }
      const containers = flags.bool("all-containers")
        ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: Any) => c.name as string)
        : [containerFor(context, pod, container)];
      for (const name of containers) {
        const prefix = flags.bool("prefix") ? `[pod/${pod.metadata?.name}/${name}] ` : "";
        const stream = async () => {
          let pending = "";
          await client.stream(
            `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log`,
            { query: { ...query, container: name }, accept: "*/*", signal: context.io.signal },
            (text) => {
              if (!prefix) {
                context.io.stdout(text);
                return;
              }
              pending += text;
              const lines = pending.split("\n");
              pending = lines.pop() ?? "";
              for (const line of lines) context.io.stdout(`${prefix}${line}\n`);
            },
          );
          if (pending) context.io.stdout(`${prefix}${pending}`);
        };
        if (flags.bool("follow")) streams.push(stream());
        else await stream();
      }
    }
    await Promise.all(streams);
    return 0;
  },
};

/** Runs an exec/attach session wired to the terminal (tty) or to plain streams. */
export async function runSession(
  context: CommandContext,
  path: string,
  query: Record<string, string | boolean | string[] | undefined>,
  options: { tty: boolean; stdin: boolean },
): Promise<number> {
  const client = await context.client();
  const decoder = new TextDecoder();
  const errDecoder = new TextDecoder();
  let session: Awaited<ReturnType<typeof openChannel>>;
  // Ctrl-C typed at a cooked terminal (stdin without -t) interrupts the session.
  const interrupted = new AbortController();
  try {
    session = await openChannel(client, {
      path,
      query,
      onStdout: (data) => context.io.stdout(decoder.decode(data, { stream: true })),
      onStderr: (data) => context.io.stderr(errDecoder.decode(data, { stream: true })),
      signal: context.io.signal ? AbortSignal.any([context.io.signal, interrupted.signal]) : interrupted.signal,
    });
  } catch (error) {
    const failure = error as { statusCode?: number; body?: string; message: string };
    if (failure.statusCode) {
      throw new KubectlError(
        formatApiError(toStatusError({ statusCode: failure.statusCode, headers: {}, body: failure.body ?? "" })),
      );
    }
    throw error;
  }
  const disposers: (() => void)[] = [];
  const terminal = context.io.terminal;
  if (options.stdin) {
    if (terminal && !options.tty) {
      disposers.push(
        terminal.onInput(
          cookedLineDiscipline({
            echo: (text) => context.io.stdout(text),
            send: (text) => session.sendStdin(text),
            end: () => session.closeStdin(),
            interrupt: () => interrupted.abort(),
          }),
          "lines",
        ),
      );
    } else if (terminal) {
      disposers.push(terminal.onInput((data) => session.sendStdin(data), "raw"));
      if (options.tty) {
        session.resize(terminal.columns, terminal.rows);
        disposers.push(terminal.onResize((columns, rows) => session.resize(columns, rows)));
      }
    } else {
      const input = await context.io.readStdin();
      if (input) session.sendStdin(input);
      session.closeStdin();
    }
  }
  const result = await session.done;
  for (const dispose of disposers) dispose();
  if (interrupted.signal.aborted) return 130;
  if (result.message) throw new KubectlError(`error: ${result.message}`);
  if (result.exitCode !== 0) {
    context.io.stderr(`command terminated with exit code ${result.exitCode}\n`);
  }
  return result.exitCode;
}

/** `kubectl exec`. */
export const execCommand: Command = {
  name: "exec",
  short: "Execute a command in a container",
  use: "exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
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
    { name: "filename", shorthand: "f", kind: "stringSlice", usage: "to use to exec into the resource" },
    {
      name: "pod-running-timeout",
      kind: "string",
      default: "1m0s",
      usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
    },
  ],
  async run(context, flags) {
    const dash = flags.parsed.argsLenAtDash;
    const args = flags.positional;
    if (args.length === 0) throw new KubectlError("error: pod, type/name or --filename must be specified");
    if (dash < 0 && args.length > 1) {
      throw new KubectlError(
        "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples",
      );
    }
    const target = args[0] as string;
    const command = dash >= 0 ? args.slice(dash) : [];
    if (command.length === 0)
      throw usageError("kubectl exec", "you must specify at least one command for the container");
    const [pod] = await podsFor(context, flags, target, "");
    if (!pod) throw new KubectlError(`error: pod not found`);
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") {
      throw new KubectlError(
        `error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`,
      );
    }
    const container = containerFor(context, pod, flags.string("container"), flags.bool("quiet"));
    let tty = flags.bool("tty");
    if (tty && !flags.bool("stdin")) {
      context.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
      tty = false;
    } else if (tty && !context.io.terminal) {
      context.io.stderr("Unable to use a TTY - input is not a terminal or the right kind of file\n");
      tty = false;
    }
    return runSession(
      context,
      `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/exec`,
      {
        command,
        container,
        stdin: flags.bool("stdin") || undefined,
        stdout: true,
        stderr: !tty || undefined,
        tty: tty || undefined,
      },
      { tty, stdin: flags.bool("stdin") },
    );
  },
};

/**
 * Waits, as kubectl's waitForPod does (a get, then a watch from its resourceVersion), until
 * `condition` returns true for the pod or throws; returns the pod it stopped at.
 */
export async function waitForPod(
  context: CommandContext,
  namespace: string,
  name: string,
  condition: (pod: KubeObject) => boolean,
): Promise<KubeObject> {
  const client = await context.client();
  let pod = await client.get<KubeObject>(`/api/v1/namespaces/${namespace}/pods/${name}`);
  if (condition(pod)) return pod;
  const stop = new AbortController();
  const signals = [stop.signal, ...(context.io.signal ? [context.io.signal] : [])];
  let met = false;
  let failure: unknown;
  await client.watchLines(
    `/api/v1/namespaces/${namespace}/pods`,
    {
      query: {
        fieldSelector: `metadata.name=${name}`,
        watch: "true",
        resourceVersion: pod.metadata?.resourceVersion,
      },
      signal: AbortSignal.any(signals),
    },
    (event) => {
      if (met) return;
      const { type, object } = event as { type: string; object: KubeObject };
      try {
        if (type === "DELETED")
          throw new ApiStatusError(404, { reason: "NotFound", message: `pods "${name}" not found` }, "");
        if (type !== "ADDED" && type !== "MODIFIED") return;
        pod = object;
        if (condition(pod)) {
          met = true;
          stop.abort();
        }
      } catch (error) {
        failure = error;
        met = true;
        stop.abort();
      }
    },
  );
  if (failure) throw failure;
  return pod;
}

function milliCores(text: string | undefined): number {
  if (!text) return 0;
  if (text.endsWith("n")) return Number(text.slice(0, -1)) / 1e6;
  if (text.endsWith("u")) return Number(text.slice(0, -1)) / 1e3;
  if (text.endsWith("m")) return Number(text.slice(0, -1));
  return Number(text) * 1000;
}

function bytes(text: string | undefined): number {
  if (!text) return 0;
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(text);
  if (!match) return 0;
  const factors: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(match[1]) * (factors[match[2] ?? ""] ?? 1);
}

/**
 * printPodResourcesSum: two lines under the last two columns, `________` then the totals
 * (Quantity sums: MilliValue rounds CPU up, memory in whole Mi). As upstream, the leading empty
 * cells count the NAMESPACE and POD columns only when headers are printed.
 */
export function podUsageSum(rows: { cpu: number; memory: number }[], columnWidth: number): string {
  const cpu = Math.ceil(rows.reduce((sum, row) => sum + row.cpu, 0));
  const memory = Math.trunc(Math.ceil(rows.reduce((sum, row) => sum + row.memory, 0)) / 1024 ** 2);
  const lead = "\t".repeat(Math.max(0, columnWidth - 2));
  return `${lead}________\t________\t\n${lead}${cpu}m\t${memory}Mi\t\n`;
}

/** TopPodOptions/TopNodeOptions.Validate: --sort-by is cpu or memory. */
function validateTopSortBy(flags: Flags): void {
  const sortBy = flags.string("sort-by");
  if (sortBy && sortBy !== "cpu" && sortBy !== "memory")
    throw new KubectlError("error: --sort-by accepts only cpu or memory");
}

const topPod: Command = {
  name: "pod",
  aliases: ["pods", "po"],
  short: "Display resource (CPU/memory) usage of pods",
  use: "pod [NAME | -l label]",
  flags: [
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage:
        "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
    },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
    { name: "containers", kind: "bool", usage: "If present, print usage of containers within a pod." },
    { name: "no-headers", kind: "bool", usage: "If present, print output without headers." },
    {
      name: "sort-by",
      kind: "string",
      usage: "If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'.",
    },
    { name: "sum", kind: "bool", usage: "Print the sum of the resource usage" },
    { name: "field-selector", kind: "string", usage: "Selector (field query) to filter on" },
  ],
  async run(context, flags) {
    validateTopSortBy(flags);
    const client = await context.client();
    const allNamespaces = flags.bool("all-namespaces");
    const namespace = await context.namespace();
    const base = allNamespaces
      ? "/apis/metrics.k8s.io/v1beta1/pods"
      : `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`;
    let items: Any[];
    try {
      const name = flags.positional[0];
      if (name) items = [await client.get(`${base}/${name}`)];
      else
        items = (
          await client.get<{ items: Any[] }>(base, { query: { labelSelector: flags.string("selector") || undefined } })
        ).items;
    } catch (error) {
      if (error instanceof ApiStatusError && error.statusCode === 404 && !flags.positional[0])
        throw new KubectlError("error: Metrics API not available");
      throw error;
    }
    if (items.length === 0) {
      context.io.stderr(allNamespaces ? "No resources found\n" : `No resources found in ${namespace} namespace.\n`);
      return 0;
    }
    const rows = items.map((item) => {
      const cpu = item.containers.reduce((sum: number, c: Any) => sum + milliCores(c.usage?.cpu), 0);
      const memory = item.containers.reduce((sum: number, c: Any) => sum + bytes(c.usage?.memory), 0);
      return { item, cpu, memory };
    });
    // metricsutil's PodMetricsSorter and ContainerMetricsSorter, both run with sort.Sort: pods
    // (and each pod's containers) by name, or busiest first by CPU millicores or memory bytes,
    // with ties placed as Go's unstable sort places them.
    const sortBy = flags.string("sort-by");
    const usageLess = <T extends { cpu: number; memory: number }>(a: T, b: T) =>
      sortBy === "cpu" ? Math.ceil(a.cpu) > Math.ceil(b.cpu) : Math.ceil(a.memory) > Math.ceil(b.memory);
    goSort(rows, (a, b) => {
      if (sortBy === "cpu" || sortBy === "memory") return usageLess(a, b);
      if (allNamespaces && a.item.metadata.namespace !== b.item.metadata.namespace)
        return a.item.metadata.namespace < b.item.metadata.namespace;
      return a.item.metadata.name < b.item.metadata.name;
    });
    let text = "";
    const containers = flags.bool("containers");
    if (!flags.bool("no-headers"))
      text += `${allNamespaces ? "NAMESPACE\t" : ""}${containers ? "POD\tNAME" : "NAME"}\tCPU(cores)\tMEMORY(bytes)\t\n`;
    for (const row of rows) {
      if (containers) {
        const measured: { container: Any; cpu: number; memory: number }[] = row.item.containers.map(
          (container: Any) => ({
            container,
            cpu: milliCores(container.usage?.cpu),
            memory: bytes(container.usage?.memory),
          }),
        );
        goSort(measured, (a, b) =>
          sortBy === "cpu" || sortBy === "memory" ? usageLess(a, b) : a.container.name < b.container.name,
        );
        for (const { container } of measured) {
          text += `${allNamespaces ? `${row.item.metadata.namespace}\t` : ""}${row.item.metadata.name}\t${container.name}\t${Math.trunc(milliCores(container.usage?.cpu))}m\t${Math.trunc(bytes(container.usage?.memory) / 1024 ** 2)}Mi\t\n`;
        }
      } else {
        text += `${allNamespaces ? `${row.item.metadata.namespace}\t` : ""}${row.item.metadata.name}\t${Math.trunc(row.cpu)}m\t${Math.trunc(row.memory / 1024 ** 2)}Mi\t\n`;
      }
    }
    if (flags.bool("sum"))
      text += podUsageSum(rows, flags.bool("no-headers") ? 3 : 3 + Number(allNamespaces) + Number(containers));
    context.io.stdout(formatTabbed(text));
    return 0;
  },
};

const topNode: Command = {
  name: "node",
  aliases: ["nodes", "no"],
  short: "Display resource (CPU/memory) usage of nodes",
  use: "node [NAME | -l label]",
  flags: [
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
    { name: "no-headers", kind: "bool", usage: "If present, print output without headers" },
    {
      name: "sort-by",
      kind: "string",
      usage: "If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'.",
    },
    {
      name: "show-capacity",
      kind: "bool",
      usage: "Print node resources based on Capacity instead of Allocatable(default) of the nodes.",
    },
  ],
  async run(context, flags) {
    if (flags.positional.length > 1) throw usageError(context.commandPath, "node [NAME | -l label]");
    validateTopSortBy(flags);
    const client = await context.client();
    let metrics: Any[];
    try {
      const name = flags.positional[0];
      metrics = name
        ? [await client.get(`/apis/metrics.k8s.io/v1beta1/nodes/${name}`)]
        : (
            await client.get<{ items: Any[] }>("/apis/metrics.k8s.io/v1beta1/nodes", {
              query: { labelSelector: flags.string("selector") || undefined },
            })
          ).items;
    } catch (error) {
      // A named node that has no metrics is the server's NotFound; a 404 for the list means no API.
      if (error instanceof ApiStatusError && error.statusCode === 404 && !flags.positional[0])
        throw new KubectlError("error: Metrics API not available");
      throw error;
    }
    const nodes = await client.get<{ items: Any[] }>("/api/v1/nodes");
    const byName = new Map(nodes.items.map((node) => [node.metadata.name, node]));
    const rows = metrics.map((metric) => {
      const node = byName.get(metric.metadata.name);
      const capacity = flags.bool("show-capacity") ? node?.status?.capacity : node?.status?.allocatable;
      const cpu = milliCores(metric.usage?.cpu);
      const memory = bytes(metric.usage?.memory);
      return {
        name: metric.metadata.name,
        cpu,
        memory,
        cpuPercent: Math.trunc((cpu / milliCores(capacity?.cpu)) * 100),
        memoryPercent: Math.trunc((memory / bytes(capacity?.memory)) * 100),
      };
    });
    // NodeMetricsSorter, run with sort.Sort.
    const sortBy = flags.string("sort-by");
    goSort(rows, (a, b) => {
      if (sortBy === "cpu") return Math.ceil(a.cpu) > Math.ceil(b.cpu);
      if (sortBy === "memory") return Math.ceil(a.memory) > Math.ceil(b.memory);
      return a.name < b.name;
    });
    let text = flags.bool("no-headers") ? "" : "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n";
    for (const row of rows)
      text += `${row.name}\t${Math.trunc(row.cpu)}m\t${row.cpuPercent}%\t${Math.trunc(row.memory / 1024 ** 2)}Mi\t${row.memoryPercent}%\t\n`;
    context.io.stdout(formatTabbed(text));
    return 0;
  },
};

/** `kubectl top`. */
export const topCommand: Command = {
  name: "top",
  short: "Display resource (CPU/memory) usage",
  long: "Display resource (CPU/memory) usage.\n\n The top command allows you to see the resource consumption for nodes or pods.\n\n This command requires Metrics Server to be correctly configured and working on the server.",
  use: "top [flags]",
  subcommands: [topNode, topPod],
};

/** `kubectl cp` lives in its own file. */
export { cpCommand } from "./cp";

export { parseDuration };

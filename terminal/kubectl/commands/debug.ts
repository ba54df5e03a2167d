/**
 * `kubectl debug`, as kubectl 1.32's pkg/cmd/debug: an ephemeral container added to a running pod
 * (a strategic merge patch of `pods/ephemeralcontainers`), a copy of a pod with a debugging
 * container or changed images (`--copy-to`), or a pod in a node's host namespaces with its root
 * file system at /host (`node/NAME`); then, with -i or --attach, an attach to the container once
 * it runs, as `kubectl attach` would.
 */
import { parse as parseYaml } from "yaml";
import type { Command, CommandContext } from "../Command";
import { resourcePath } from "../Discovery";
import { ApiStatusError, KubectlError, plainError } from "../errors";
import type { Flags } from "../flags";
import { readManifests } from "../manifests";
import { applyStrategicPatch } from "../strategicMerge";
import { resolveTargets } from "../targets";
import { attachSession } from "./attach";
import type { KubeObject } from "./common";
import { type DebugStyle, type ProfileApplier, profileApplier } from "./debugProfiles";
import { waitForPod } from "./pods";

// biome-ignore lint/suspicious/noExplicitAny: pods and containers are loosely typed API JSON here
type Any = any;

/** DebugOptions after Complete and Validate. */
interface DebugOptions {
  targetNames: string[];
  filenames: string[];
  args: string[];
  argsOnly: boolean;
  attach: boolean;
  /** --attach was given (Validate's first check). */
  attachChanged: boolean;
  container: string;
  copyTo: string;
  replace: boolean;
  env: Array<{ name: string; value: string }>;
  image: string;
  interactive: boolean;
  tty: boolean;
  quiet: boolean;
  sameNode: boolean;
  setImages: Map<string, string>;
  shareProcesses: boolean;
  shareProcessesChanged: boolean;
  targetContainer: string;
  pullPolicy: string;
  applier: ProfileApplier;
  customProfile?: Any;
  namespace: string;
}

const debugFlags = [
  {
    name: "filename",
    shorthand: "f",
    kind: "stringSlice" as const,
    usage: "identifying the resource to debug",
  },
  {
    name: "arguments-only",
    kind: "bool" as const,
    usage: "If specified, everything after -- will be passed to the new container as Args instead of Command.",
  },
  {
    name: "attach",
    kind: "bool" as const,
    usage:
      "If true, wait for the container to start running, and then attach as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true.",
  },
  { name: "container", shorthand: "c", kind: "string" as const, usage: "Container name to use for debug container." },
  { name: "copy-to", kind: "string" as const, usage: "Create a copy of the target Pod with this name." },
  { name: "replace", kind: "bool" as const, usage: "When used with '--copy-to', delete the original Pod." },
  { name: "env", kind: "stringArray" as const, usage: "Environment variables to set in the container." },
  { name: "image", kind: "string" as const, usage: "Container image to use for debug container." },
  { name: "keep-labels", kind: "bool" as const, usage: "If true, keep the original pod labels." },
  { name: "keep-annotations", kind: "bool" as const, usage: "If true, keep the original pod annotations." },
  { name: "keep-liveness", kind: "bool" as const, usage: "If true, keep the original pod liveness probes." },
  { name: "keep-readiness", kind: "bool" as const, usage: "If true, keep the original pod readiness probes." },
  { name: "keep-startup", kind: "bool" as const, usage: "If true, keep the original startup probes." },
  {
    name: "keep-init-containers",
    kind: "bool" as const,
    default: true,
    usage: "Run the init containers for the pod. Defaults to true.",
  },
  {
    name: "set-image",
    kind: "stringArray" as const,
    usage: "When used with '--copy-to', a list of name=image pairs for changing container images.",
  },
  { name: "image-pull-policy", kind: "string" as const, usage: "The image pull policy for the container." },
  {
    name: "stdin",
    shorthand: "i",
    kind: "bool" as const,
    usage: "Keep stdin open on the container(s) in the pod, even if nothing is attached.",
  },
  { name: "quiet", shorthand: "q", kind: "bool" as const, usage: "If true, suppress informational messages." },
  {
    name: "same-node",
    kind: "bool" as const,
    usage: "When used with '--copy-to', schedule the copy of target Pod on the same node.",
  },
  {
    name: "share-processes",
    kind: "bool" as const,
    default: true,
    usage: "When used with '--copy-to', enable process namespace sharing in the copy.",
  },
  {
    name: "target",
    kind: "string" as const,
    usage: "When using an ephemeral container, target processes in this container name.",
  },
  { name: "tty", shorthand: "t", kind: "bool" as const, usage: "Allocate a TTY for the debugging container." },
  {
    name: "profile",
    kind: "string" as const,
    default: "legacy",
    usage: 'Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin".',
  },
  {
    name: "custom",
    kind: "string" as const,
    usage: "Path to a JSON or YAML file containing a partial container spec to customize built-in debug profiles.",
  },
];

/** `kubectl debug`. */
export const debugCommand: Command = {
  name: "debug",
  short: "Create debugging sessions for troubleshooting workloads and nodes",
  use: "debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]",
  flags: debugFlags,
  async run(context, flags) {
    const options = await complete(context, flags);
    validate(context, options, flags.string("profile"));
    return runDebug(context, options);
  },
};

/** pflag's stringToString: `k=v` pairs, comma-separated, the flag repeatable. */
function stringToString(values: string[], flag: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const value of values) {
    for (const pair of value.split(",")) {
      const equals = pair.indexOf("=");
      if (equals < 0)
        throw new KubectlError(
          `Error: invalid argument "${value}" for "--${flag}" flag: ${pair} must be formatted as key=value\nSee 'kubectl debug --help' for usage.`,
        );
      pairs.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
  }
  return pairs;
}

/** DebugOptions.Complete. */
async function complete(context: CommandContext, flags: Flags): Promise<DebugOptions> {
  const positional = flags.positional;
  const dash = flags.parsed.argsLenAtDash;
  const hasArgs = dash >= 0 && positional.length > dash;
  const interactive = flags.bool("stdin");
  const applier = profileApplier(flags.string("profile"), {
    labels: flags.bool("keep-labels"),
    annotations: flags.bool("keep-annotations"),
    liveness: flags.bool("keep-liveness"),
    readiness: flags.bool("keep-readiness"),
    startup: flags.bool("keep-startup"),
    initContainers: flags.bool("keep-init-containers"),
  });
  const options: DebugOptions = {
    targetNames: hasArgs ? positional.slice(0, dash) : positional,
    filenames: flags.list("filename"),
    args: hasArgs ? positional.slice(dash) : [],
    argsOnly: flags.bool("arguments-only"),
    attach: flags.changed("attach") ? flags.bool("attach") : interactive,
    attachChanged: flags.changed("attach"),
    container: flags.string("container"),
    copyTo: flags.string("copy-to"),
    replace: flags.bool("replace"),
    env: [...stringToString(flags.list("env"), "env")].map(([name, value]) => ({ name, value })),
    image: flags.string("image"),
    interactive,
    tty: flags.bool("tty"),
    quiet: flags.bool("quiet"),
    sameNode: flags.bool("same-node"),
    setImages: stringToString(flags.list("set-image"), "set-image"),
    shareProcesses: flags.bool("share-processes"),
    shareProcessesChanged: flags.changed("share-processes"),
    targetContainer: flags.string("target"),
    pullPolicy: flags.string("image-pull-policy"),
    applier,
    namespace: await context.namespace(),
  };
  const custom = flags.string("custom");
  if (custom) options.customProfile = await readCustomProfile(context, custom);
  return options;
}

/** --custom: a partial container spec as JSON, else YAML. */
async function readCustomProfile(context: CommandContext, path: string): Promise<Any> {
  let text: string;
  try {
    text = await context.io.readFile(path);
  } catch {
    throw plainError(
      `must pass a container spec json file for custom profile: open ${path}: no such file or directory`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parseYaml(text);
    } catch (error) {
      throw plainError(`${path} does not contain a valid container spec: ${(error as Error).message}`);
    }
  }
}

/**
 * distribution/reference's ReferenceRegexp: [domain[:port]/]path[:tag][@digest], path components
 * lower case, as kubectl checks --image and --set-image before sending anything.
 */
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const referencePattern = new RegExp(
  `^(?:${domain}/)?${pathComponent}(?:/${pathComponent})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`,
);

/** DebugOptions.Validate, in its order; the --target notice and the legacy warning come from here too. */
function validate(context: CommandContext, options: DebugOptions, profile: string): void {
  if (options.attach && options.attachChanged && !options.image && !options.container)
    throw plainError("you must specify --container or create a new container using --image in order to attach.");
  if (options.copyTo) {
    if (!options.image && options.setImages.size === 0 && options.args.length === 0)
      throw plainError("you must specify --image, --set-image or command arguments.");
    if (options.args.length > 0 && !options.container && !options.image)
      throw plainError("you must specify an existing container or a new image when specifying args.");
  } else if (options.replace) throw plainError("--replace may only be used with --copy-to.");
  else if (options.sameNode) throw plainError("--same-node may only be used with --copy-to.");
  else if (options.setImages.size > 0) throw plainError("--set-image may only be used with --copy-to.");
  else if (!options.image) throw plainError("you must specify --image when not using --copy-to.");
  if (options.image && !referencePattern.test(options.image))
    throw plainError(`invalid image name "${options.image}": invalid reference format`);
  if (options.targetNames.length === 0 && options.filenames.length === 0)
    throw plainError("NAME or filename is required for debug");
  if (!["Always", "IfNotPresent", "Never", ""].includes(options.pullPolicy))
    throw plainError(`invalid image pull policy: ${options.pullPolicy}`);
  for (const [name, image] of options.setImages) {
    if (!referencePattern.test(image))
      throw plainError(`invalid image name "${image}" for container "${name}": invalid reference format`);
  }
  if (options.targetContainer) {
    if (options.copyTo) throw plainError("--target is incompatible with --copy-to. Use --share-processes instead.");
    if (!options.quiet)
      context.io.stdout(
        `Targeting container "${options.targetContainer}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`,
      );
  }
  if (options.tty && !options.interactive) throw plainError("-i/--stdin is required for containers with -t/--tty=true");
  const custom = options.customProfile;
  if (
    custom &&
    (custom.name || custom.command?.length > 0 || custom.image || custom.lifecycle || custom.volumeDevices?.length > 0)
  )
    throw plainError("name, command, image, lifecycle and volume devices are not modifiable via custom profile");
  if (profile === "legacy")
    context.io.stderr(
      '--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n',
    );
}

/** One object to debug: a pod or a node, from the server or from a -f file. */
interface DebugTarget {
  kind: string;
  object: KubeObject;
}

/** DebugOptions.Run: each target in turn (a failure stops the rest), attaching after each when asked. */
async function runDebug(context: CommandContext, options: DebugOptions): Promise<number> {
  for await (const target of debugTargets(context, options)) {
    const { pod, container } =
      target.kind === "Node"
        ? await visitNode(context, options, target.object)
        : await visitPod(context, options, target.object);
    if (options.attach && container) {
      const status = await attachToDebugContainer(context, options, pod, container);
      if (status === 130) return status;
    }
  }
  return 0;
}

/** The resource builder's visit: names (pods unless TYPE/NAME), then -f files' objects as written. */
async function* debugTargets(context: CommandContext, options: DebugOptions): AsyncGenerator<DebugTarget> {
  const client = await context.client();
  for (const name of options.targetNames) {
    if (!name.includes("/")) {
      yield {
        kind: "Pod",
        object: await client.get<KubeObject>(
          `/api/v1/namespaces/${options.namespace}/pods/${encodeURIComponent(name)}`,
        ),
      };
      continue;
    }
    const [target] = await resolveTargets(context, [name]);
    if (!target) continue;
    const { info } = target;
    const object = await client.get<KubeObject>(
      resourcePath(info, info.namespaced ? options.namespace : undefined, target.names[0] as string),
    );
    if ((info.kind !== "Pod" && info.kind !== "Node") || info.group !== "") {
      const version = info.group ? `${info.group}/${info.version}` : info.version;
      throw plainError(`"${version}, Kind=${info.kind}" not supported by debug`);
    }
    yield { kind: info.kind, object };
  }
  if (options.filenames.length > 0) {
    for (const manifest of await readManifests(context.io, options.filenames, false)) {
      const object = manifest.object as KubeObject;
      const kind = String(object.kind ?? "");
      if (kind !== "Pod" && kind !== "Node")
        throw plainError(`"${object.apiVersion}, Kind=${kind}" not supported by debug`);
      object.metadata ??= {};
      if (kind === "Pod") object.metadata.namespace ??= options.namespace;
      yield { kind, object };
    }
  }
}

/** utilrand.String: lower-case consonants and digits that spell no words. */
function randomSuffix(length = 5): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

function containerNames(pod: Any): Set<string> {
  const spec = pod.spec ?? {};
  return new Set(
    [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].map(
      (container: Any) => container.name,
    ),
  );
}

/** computeDebugContainerName: -c, else a free `debugger-xxxxx`, announced unless quiet. */
function debugContainerName(context: CommandContext, options: DebugOptions, pod: Any): string {
  if (options.container) return options.container;
  const taken = containerNames(pod);
  let name = "";
  while (!name || taken.has(name)) name = `debugger-${randomSuffix()}`;
  if (!options.quiet) context.io.stdout(`Defaulting debug container name to ${name}.\n`);
  return name;
}

/** The debugging container's own fields (generateDebugContainer / generateNodeDebugPod). */
function debugContainer(options: DebugOptions, name: string): Any {
  const container: Any = { name };
  if (options.env.length > 0) container.env = options.env;
  container.image = options.image;
  container.resources = {};
  if (options.pullPolicy) container.imagePullPolicy = options.pullPolicy;
  if (options.interactive) container.stdin = true;
  container.terminationMessagePolicy = "File";
  if (options.tty) container.tty = true;
  if (options.args.length > 0) container[options.argsOnly ? "args" : "command"] = options.args;
  return container;
}

/** applyCustomProfile(Ephemeral): the --custom partial container merged into the debugging container. */
function applyCustomProfile(options: DebugOptions, containers: Any[], name: string, what: string, pod: Any): void {
  if (!options.customProfile) return;
  const index = containers.findIndex((container) => container.name === name);
  if (index < 0) throw plainError(`unable to find the ${name} ${what} in the pod ${pod.metadata?.name ?? ""}`);
  containers[index] = applyStrategicPatch(containers[index], { ...options.customProfile, name });
}

/**
 * displayWarning: a pod that runs as a non-root user may not let the profile's capabilities work.
 */
function warnNonRoot(context: CommandContext, container: Any, pod: Any): void {
  const runAsUser = pod.spec?.securityContext?.runAsUser;
  if (!runAsUser || !container?.securityContext) return;
  const context_ = container.securityContext;
  if (context_.runAsUser === 0) return;
  if (!context_.privileged && !(context_.capabilities?.add?.length > 0)) return;
  context.io.stderr(
    'Warning: Non-root user is configured for the entire target Pod, and some capabilities granted by debug profile may not work. Please consider using "--custom" with a custom profile that specifies "securityContext.runAsUser: 0".\n',
  );
}

async function visitPod(
  context: CommandContext,
  options: DebugOptions,
  pod: KubeObject,
): Promise<{ pod: KubeObject; container: string }> {
  return options.copyTo ? debugByCopy(context, options, pod) : debugByEphemeralContainer(context, options, pod);
}

/**
 * debugByEphemeralContainer: the pod with the container added, sent as the strategic merge patch
 * kubectl computes between the two (the new container, and the list's order when it had others).
 */
async function debugByEphemeralContainer(
  context: CommandContext,
  options: DebugOptions,
  pod: KubeObject,
): Promise<{ pod: KubeObject; container: string }> {
  const name = debugContainerName(context, options, pod);
  const container = debugContainer(options, name);
  if (options.targetContainer) container.targetContainerName = options.targetContainer;
  const copied: Any = structuredClone(pod);
  copied.spec.ephemeralContainers = [...(copied.spec.ephemeralContainers ?? []), container];
  options.applier(copied, name, "ephemeral");
  applyCustomProfile(options, copied.spec.ephemeralContainers, name, "ephemeral container", copied);
  const added = copied.spec.ephemeralContainers[copied.spec.ephemeralContainers.length - 1];
  warnNonRoot(context, added, pod);
  const existing = (pod.spec?.ephemeralContainers ?? []) as Any[];
  const spec: Any = {};
  if (existing.length > 0)
    spec["$setElementOrder/ephemeralContainers"] = copied.spec.ephemeralContainers.map((c: Any) => ({ name: c.name }));
  // The two-way patch carries what differs from the pod: the new container, and an existing one the
  // profile changed when -c named it again (which the server then refuses as a change).
  spec.ephemeralContainers = (copied.spec.ephemeralContainers as Any[])
    .filter((candidate, index) => JSON.stringify(candidate) !== JSON.stringify(existing[index]))
    .map((candidate) => ({ ...candidate }));
  const client = await context.client();
  const namespace = pod.metadata?.namespace ?? options.namespace;
  try {
    const result = await client.json<KubeObject>(
      "PATCH",
      `/api/v1/namespaces/${namespace}/pods/${pod.metadata?.name}/ephemeralcontainers`,
      { body: JSON.stringify({ spec }), contentType: "application/strategic-merge-patch+json" },
    );
    return { pod: result, container: name };
  } catch (error) {
    // A cluster without the subresource answers 404 with no name in the Status's details.
    if (error instanceof ApiStatusError && error.reason === "NotFound" && !error.status.details?.name) {
      throw plainError(
        `ephemeral containers are disabled for this cluster (error from server: "${error.status.message ?? ""}")`,
      );
    }
    throw error;
  }
}

/** generatePodCopyWithDebugContainer and debugByCopy: the copy is created, the original deleted with --replace. */
async function debugByCopy(
  context: CommandContext,
  options: DebugOptions,
  pod: KubeObject,
): Promise<{ pod: KubeObject; container: string }> {
  const metadata: Any = { name: options.copyTo, namespace: pod.metadata?.namespace };
  if (pod.metadata?.annotations) metadata.annotations = structuredClone(pod.metadata.annotations);
  if (pod.metadata?.labels) metadata.labels = structuredClone(pod.metadata.labels);
  const copied: Any = { apiVersion: "v1", kind: "Pod", metadata, spec: structuredClone(pod.spec ?? {}) };
  delete copied.spec.ephemeralContainers;
  if (options.shareProcessesChanged) copied.spec.shareProcessNamespace = options.shareProcesses;
  if (!options.sameNode) delete copied.spec.nodeName;
  for (const container of copied.spec.containers ?? []) {
    const image = options.setImages.get(container.name) ?? options.setImages.get("*");
    if (image) container.image = image;
  }
  let name = options.container;
  let container = [...(copied.spec.containers ?? []), ...(copied.spec.initContainers ?? [])].find(
    (candidate: Any) => candidate.name === name,
  );
  if (!container) {
    if (!options.image) {
      // A --set-image only copy: no debugging container to attach to.
      if (options.setImages.size > 0) return { pod: await createCopy(context, options, pod, copied), container: "" };
      throw plainError("you must specify image when creating new container");
    }
    name ||= debugContainerName(context, options, copied);
    // Go's Container always marshals its resources, empty or not.
    container = { name, resources: {}, terminationMessagePolicy: "File" };
    copied.spec.containers = [...(copied.spec.containers ?? []), container];
  }
  if (options.args.length > 0) {
    if (options.argsOnly) container.args = options.args;
    else {
      container.command = options.args;
      delete container.args;
    }
  }
  if (options.env.length > 0) container.env = options.env;
  if (options.image) container.image = options.image;
  if (options.pullPolicy) container.imagePullPolicy = options.pullPolicy;
  setOrDelete(container, "stdin", options.interactive);
  setOrDelete(container, "tty", options.tty);
  options.applier(copied, container.name, "podCopy" satisfies DebugStyle);
  applyCustomProfile(options, copied.spec.containers, name, "container", copied);
  warnNonRoot(
    context,
    copied.spec.containers.find((candidate: Any) => candidate.name === name),
    copied,
  );
  return { pod: await createCopy(context, options, pod, copied), container: name };
}

function setOrDelete(container: Any, key: string, value: boolean): void {
  if (value) container[key] = true;
  else delete container[key];
}

async function createCopy(
  context: CommandContext,
  options: DebugOptions,
  pod: KubeObject,
  copied: Any,
): Promise<KubeObject> {
  const client = await context.client();
  const namespace = copied.metadata.namespace ?? options.namespace;
  const created = await client.json<KubeObject>("POST", `/api/v1/namespaces/${namespace}/pods`, {
    body: JSON.stringify(copied),
  });
  if (options.replace) {
    await client.json("DELETE", `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, {
      body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 }),
    });
  }
  return created;
}

/** visitNode / generateNodeDebugPod: a pod on the node, in its host namespaces as the profile says. */
async function visitNode(
  context: CommandContext,
  options: DebugOptions,
  node: KubeObject,
): Promise<{ pod: KubeObject; container: string }> {
  const containerName = options.container || "debugger";
  const nodeName = node.metadata?.name as string;
  const podName = `node-debugger-${nodeName}-${randomSuffix()}`;
  if (!options.quiet)
    context.io.stdout(`Creating debugging pod ${podName} with container ${containerName} on node ${nodeName}.\n`);
  const pod: Any = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: podName },
    spec: {
      containers: [debugContainer(options, containerName)],
      nodeName,
      restartPolicy: "Never",
      tolerations: [{ operator: "Exists" }],
    },
  };
  options.applier(pod, containerName, "node");
  applyCustomProfile(options, pod.spec.containers, containerName, "container", pod);
  const client = await context.client();
  const created = await client.json<KubeObject>("POST", `/api/v1/namespaces/${options.namespace}/pods`, {
    body: JSON.stringify(pod),
  });
  return { pod: created, container: containerName };
}

/** getContainerStatusByName over init, regular and ephemeral containers. */
function containerStatus(pod: KubeObject, name: string): Any | undefined {
  const status = pod.status ?? {};
  return [
    ...(status.initContainerStatuses ?? []),
    ...(status.containerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ].find((candidate: Any) => candidate.name === name);
}

/**
 * handleAttachPod: waits (without a timeout) for the container to run or end, warning about each
 * waiting message on the way (`Warning: container debugger-x: Back-off pulling image …`), then
 * attaches; a container that already ended, or an attach that fails, gives its logs instead.
 */
async function attachToDebugContainer(
  context: CommandContext,
  options: DebugOptions,
  created: KubeObject,
  container: string,
): Promise<number> {
  const namespace = created.metadata?.namespace as string;
  const name = created.metadata?.name as string;
  const warn = (text: string) =>
    context.io.stderr(context.io.isTerminal ? `\x1b[33;1mWarning:\x1b[0m ${text}\n` : `Warning: ${text}\n`);
  const pod = await waitForPod(context, namespace, name, (candidate) => {
    const status = containerStatus(candidate, container);
    if (!status) return false;
    if (status.state?.running || status.state?.terminated) return true;
    if (!options.quiet && status.state?.waiting?.message)
      warn(`container ${container}: ${status.state.waiting.message}`);
    return false;
  });
  if (context.io.signal?.aborted) return 130;
  const client = await context.client();
  const printLogs = async () => {
    const logs = await client.raw("GET", `/api/v1/namespaces/${namespace}/pods/${name}/log`, { query: { container } });
    context.io.stdout(logs.body);
  };
  if (containerStatus(pod, container)?.state?.terminated) {
    await printLogs();
    return 0;
  }
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed")
    throw plainError(`cannot attach a container in a completed pod; current phase is ${phase}`);
  try {
    return await attachSession(context, pod, container, {
      tty: options.tty,
      stdin: options.interactive,
      quiet: options.quiet,
      commandName: "kubectl attach",
    });
  } catch (error) {
    if (!(error instanceof KubectlError || error instanceof ApiStatusError)) throw error;
    const reason = (error instanceof ApiStatusError ? (error.status.message ?? "") : error.message).replace(
      /^error: /,
      "",
    );
    context.io.stderr(`warning: couldn't attach to pod/${name}, falling back to streaming logs: ${reason}\n`);
    await printLogs();
    return 0;
  }
}

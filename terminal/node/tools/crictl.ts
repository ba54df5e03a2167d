import { toGoJson } from "../../kubectl/printers/goJson";
import { type CriContainer, type CriSandbox, criState, findContainer, streamContainerLog } from "./criContainers";
import { nodeServices } from "./systemd";
import {
  flag,
  humanDuration,
  humanSize,
  type NodeTool,
  nodeObject,
  parseFlags,
  type ToolContext,
  tabulate,
} from "./ToolContext";

/** crictl's ids are shown truncated to 13 characters unless --no-trunc. */
function truncated(id: string, noTrunc: boolean): string {
  const bare = id.replace(/^sha256:/, "");
  return noTrunc ? id : bare.slice(0, 13);
}

function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

function fatal(context: ToolContext, message: string): number {
  context.stderr(`FATA[0000] ${message}\n`);
  return 1;
}

const usage = `NAME:
   crictl - client for CRI

USAGE:
   crictl [global options] command [command options]

VERSION:
   v1.32.0

COMMANDS:
   images, image, img  List images
   inspect             Display the status of one or more containers
   inspecti            Return the status of one or more images
   inspectp            Display the status of one or more pods
   logs                Fetch the logs of a container
   pods                List pods
   ps                  List containers
   version             Display runtime version information
   help, h             Shows a list of commands or help for one command

GLOBAL OPTIONS:
   --help, -h     show help
   --version, -v  print the version
`;

/** crictl 1.32 against the node's containerd: ps, pods, images, logs, inspect, inspectp, inspecti, version. */
export const crictl: NodeTool = async (context) => {
  const [command, ...rest] = context.args;
  // containerd stopped: its socket is gone, and every command that talks to it fails as crictl's do.
  const services = nodeServices(context);
  if (
    services &&
    !services.containerdRunning &&
    command &&
    !["help", "h", "--help", "-h", "--version", "-v"].includes(command)
  )
    return fatal(
      context,
      'validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"',
    );
  switch (command) {
    case undefined:
    case "help":
    case "h":
    case "--help":
    case "-h":
      context.stdout(usage);
      return 0;
    case "--version":
    case "-v":
      context.stdout("crictl version v1.32.0\n");
      return 0;
    case "version":
      context.stdout("Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  v1.7.24\nRuntimeApiVersion:  v1\n");
      return 0;
    case "ps":
      return ps(context, rest);
    case "pods":
      return pods(context, rest);
    case "images":
    case "image":
    case "img":
      return images(context, rest);
    case "logs":
      return logs(context, rest);
    case "inspect":
      return inspect(context, rest);
    case "inspectp":
      return inspectPods(context, rest);
    case "inspecti":
      return inspectImages(context, rest);
    default:
      context.stderr(`No help topic for '${command}'\n`);
      return 3;
  }
};

/**
 * What `crictl ps` and `crictl pods` share: their flags, name/namespace/state filters, --latest and
 * --last, `-o json`, `-q` (ids) and the table (tabwriter minwidth 20, padding 3).
 */
interface Listing<T> {
  values: string[];
  booleans: string[];
  items(context: ToolContext): Promise<T[]>;
  /** The listing's own filters on top of --name, --namespace and --state. */
  keep(item: T, flags: Map<string, string>): boolean;
  name(item: T): string;
  namespace(item: T): string;
  state(item: T): string;
  id(item: T): string;
  json(list: T[]): unknown;
  header: string[];
  row(item: T, noTrunc: boolean, now: number): string[];
}

async function list<T>(context: ToolContext, args: string[], listing: Listing<T>): Promise<number> {
  const parsed = parseFlags(args, {
    values: ["--name", "--namespace", "--state", "-s", "--output", "-o", "--last", "-n", ...listing.values],
    booleans: ["-q", "--quiet", "--no-trunc", "-l", "--latest", "-v", "--verbose", ...listing.booleans],
  });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  const { flags } = parsed;
  const state = flag(flags, "--state", "-s")?.toLowerCase();
  let items = (await listing.items(context)).filter(
    (item) =>
      (!state || listing.state(item).toLowerCase() === state) &&
      matches(flag(flags, "--name"), listing.name(item)) &&
      matches(flag(flags, "--namespace"), listing.namespace(item)) &&
      listing.keep(item, flags),
  );
  const last = Number(flag(flags, "--last", "-n") ?? 0);
  if (flag(flags, "-l", "--latest") === "true") items = items.slice(0, 1);
  else if (last > 0) items = items.slice(0, last);
  if (flag(flags, "--output", "-o") === "json") {
    context.stdout(toGoJson(listing.json(items), { indent: "  " }));
    return 0;
  }
  if (flag(flags, "-q", "--quiet") === "true") {
    context.stdout(items.map((item) => `${listing.id(item)}\n`).join(""));
    return 0;
  }
  const noTrunc = flag(flags, "--no-trunc") === "true";
  const now = context.now();
  context.stdout(tabulate([listing.header, ...items.map((item) => listing.row(item, noTrunc, now))], 20, 3));
  return 0;
}

const containerListing: Listing<CriContainer> = {
  values: ["--pod", "-p", "--image"],
  booleans: ["-a", "--all"],
  items: async (context) => (await criState(context)).containers,
  keep(container, flags) {
    const all = flag(flags, "-a", "--all") === "true" || flag(flags, "--state", "-s") !== undefined;
    const pod = flag(flags, "--pod", "-p");
    const image = flag(flags, "--image");
    return (
      (all || container.state === "Running") &&
      (!pod || container.podSandboxId.startsWith(pod)) &&
      (!image || container.image === image || container.imageId.replace(/^sha256:/, "").startsWith(image))
    );
  },
  name: (container) => container.name,
  namespace: (container) => container.pod.metadata?.namespace ?? "",
  state: (container) => container.state,
  id: (container) => container.id,
  json: (containers) => ({ containers: containers.map(containerJson) }),
  header: ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE"],
  row: (container, noTrunc, now) => [
    truncated(container.id, noTrunc),
    noTrunc ? container.imageId || container.image : truncated(container.imageId, false) || container.image,
    `${humanDuration(now - container.createdAt)} ago`,
    container.state,
    container.name,
    String(container.attempt),
    truncated(container.podSandboxId, noTrunc),
    container.pod.metadata?.name ?? "",
    container.pod.metadata?.namespace ?? "",
  ],
};

const sandboxListing: Listing<CriSandbox> = {
  values: ["--label", "--id"],
  booleans: [],
  items: async (context) => (await criState(context)).sandboxes,
  keep(sandbox, flags) {
    const labels = (flags.get("--label") ?? "")
      .split(",")
      .filter(Boolean)
      .map((pair) => pair.split("="));
    const id = flags.get("--id");
    return (
      (!id || sandbox.id.startsWith(id)) &&
      labels.every(([key, value]) => sandbox.pod.metadata?.labels?.[key as string] === value)
    );
  },
  name: (sandbox) => sandbox.pod.metadata?.name ?? "",
  namespace: (sandbox) => sandbox.pod.metadata?.namespace ?? "",
  state: (sandbox) => sandbox.state,
  id: (sandbox) => sandbox.id,
  json: (sandboxes) => ({ items: sandboxes.map(sandboxJson) }),
  header: ["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"],
  row: (sandbox, noTrunc, now) => [
    truncated(sandbox.id, noTrunc),
    `${humanDuration(now - sandbox.createdAt)} ago`,
    sandbox.state,
    sandbox.pod.metadata?.name ?? "",
    sandbox.pod.metadata?.namespace ?? "",
    "0",
    "(default)",
  ],
};

function ps(context: ToolContext, args: string[]): Promise<number> {
  return list(context, args, containerListing);
}

function pods(context: ToolContext, args: string[]): Promise<number> {
  return list(context, args, sandboxListing);
}

interface CriImage {
  repository: string;
  tag: string;
  digest: string;
  id: string;
  size: number;
}

async function nodeImages(context: ToolContext): Promise<CriImage[]> {
  const { imageIdOf } = await import("./criContainers");
  const node = await nodeObject(context);
  const images: CriImage[] = [];
  for (const entry of node?.status?.images ?? []) {
    const names = entry.names ?? [];
    const tagged = names.find((name) => !name.includes("@")) ?? "";
    const digested = names.find((name) => name.includes("@")) ?? "";
    const colon = tagged.lastIndexOf(":");
    const repository =
      colon > tagged.lastIndexOf("/") ? tagged.slice(0, colon) : tagged || digested.split("@")[0] || "";
    images.push({
      repository,
      tag: colon > tagged.lastIndexOf("/") ? tagged.slice(colon + 1) : "<none>",
      digest: digested.split("@")[1] ?? "",
      id: imageIdOf(tagged || digested),
      size: entry.sizeBytes ?? 0,
    });
  }
  return images.sort((a, b) => `${a.repository}:${a.tag}`.localeCompare(`${b.repository}:${b.tag}`));
}

async function images(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    values: ["--output", "-o", "--filter", "-f"],
    booleans: ["-q", "--quiet", "--no-trunc", "--digests", "-v", "--verbose", "--pinned"],
  });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  const { flags, positional } = parsed;
  const wanted = positional[0];
  const list = (await nodeImages(context)).filter(
    (image) => !wanted || image.repository === wanted || image.repository.endsWith(`/${wanted.split(":")[0]}`),
  );
  if (flag(flags, "-q", "--quiet") === "true") {
    context.stdout(list.map((image) => `${image.id}\n`).join(""));
    return 0;
  }
  if (flag(flags, "--output", "-o") === "json") {
    const json = list.map((image) => ({
      id: image.id,
      repoTags: [`${image.repository}:${image.tag}`],
      repoDigests: image.digest ? [`${image.repository}@${image.digest}`] : [],
      size: String(image.size),
      uid: null,
      username: "",
      spec: null,
      pinned: false,
    }));
    context.stdout(toGoJson({ images: json }, { indent: "  " }));
    return 0;
  }
  const noTrunc = flag(flags, "--no-trunc") === "true";
  const digests = flag(flags, "--digests") === "true";
  const header = ["IMAGE", "TAG", ...(digests ? ["DIGEST"] : []), "IMAGE ID", "SIZE"];
  const rows = [header];
  for (const image of list)
    rows.push([
      image.repository,
      image.tag,
      ...(digests ? [truncated(image.digest, noTrunc)] : []),
      truncated(image.id, noTrunc),
      humanSize(image.size),
    ]);
  context.stdout(tabulate(rows, 20, 3));
  return 0;
}

async function logs(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    values: ["--tail", "--since", "--limit-bytes"],
    booleans: ["-f", "--follow", "-t", "--timestamps", "-p", "--previous"],
  });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  const { flags, positional } = parsed;
  const id = positional[0];
  if (!id) return fatal(context, "ID cannot be empty");
  const container = findContainer((await criState(context)).containers, id);
  if (!container)
    return fatal(
      context,
      `rpc error: code = NotFound desc = an error occurred when try to find container "${id}": not found`,
    );
  const tail = flags.get("--tail");
  const since = flags.get("--since");
  const sinceSeconds = since ? parseDuration(since) : undefined;
  await streamContainerLog(
    context,
    container,
    {
      follow: flag(flags, "-f", "--follow") === "true",
      timestamps: flag(flags, "-t", "--timestamps") === "true",
      tailLines: tail !== undefined && Number(tail) >= 0 ? Number(tail) : undefined,
      sinceSeconds,
    },
    (chunk) => context.stdout(chunk),
  );
  return 0;
}

function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h)?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[(match[2] ?? "s") as "s" | "m" | "h"] ?? 1);
}

const criState_ = {
  Created: "CONTAINER_CREATED",
  Running: "CONTAINER_RUNNING",
  Exited: "CONTAINER_EXITED",
  Unknown: "CONTAINER_UNKNOWN",
};

function rfc3339(ms: number | undefined): string {
  return ms === undefined ? "0001-01-01T00:00:00Z" : new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function labelsOf(container: CriContainer): Record<string, string> {
  return {
    "io.kubernetes.container.name": container.name,
    "io.kubernetes.pod.name": container.pod.metadata?.name ?? "",
    "io.kubernetes.pod.namespace": container.pod.metadata?.namespace ?? "",
    "io.kubernetes.pod.uid": container.pod.metadata?.uid ?? "",
  };
}

function logPath(container: CriContainer): string {
  const meta = container.pod.metadata;
  return `/var/log/pods/${meta?.namespace}_${meta?.name}_${meta?.uid}/${container.name}/${container.attempt}.log`;
}

function containerJson(container: CriContainer): Record<string, unknown> {
  return {
    id: container.id,
    podSandboxId: container.podSandboxId,
    metadata: { name: container.name, attempt: container.attempt },
    image: { image: container.imageId, annotations: {}, userSpecifiedImage: container.image, runtimeHandler: "" },
    imageRef: container.imageId,
    state: criState_[container.state],
    createdAt: String(container.createdAt * 1_000_000),
    labels: labelsOf(container),
    annotations: {
      "io.kubernetes.container.restartCount": String(container.attempt),
      "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
      "io.kubernetes.container.terminationMessagePolicy": "File",
    },
    imageId: container.imageId,
  };
}

function sandboxJson(sandbox: CriSandbox): Record<string, unknown> {
  const meta = sandbox.pod.metadata;
  return {
    id: sandbox.id,
    metadata: { name: meta?.name, uid: meta?.uid, namespace: meta?.namespace, attempt: 0 },
    state: sandbox.state === "Ready" ? "SANDBOX_READY" : "SANDBOX_NOTREADY",
    createdAt: String(sandbox.createdAt * 1_000_000),
    labels: {
      ...(meta?.labels ?? {}),
      "io.kubernetes.pod.name": meta?.name ?? "",
      "io.kubernetes.pod.namespace": meta?.namespace ?? "",
      "io.kubernetes.pod.uid": meta?.uid ?? "",
    },
    annotations: meta?.annotations ?? {},
    runtimeHandler: "",
  };
}

async function inspect(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, { values: ["--output", "-o"], booleans: ["-q", "--quiet"] });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  if (parsed.positional.length === 0) return fatal(context, "ID cannot be empty");
  const { containers } = await criState(context);
  const found: Record<string, unknown>[] = [];
  for (const id of parsed.positional) {
    const container = findContainer(containers, id);
    if (!container)
      return fatal(
        context,
        `getting the status of the container "${id}": rpc error: code = NotFound desc = an error occurred when try to find container "${id}": not found`,
      );
    const status = {
      id: container.id,
      metadata: { attempt: container.attempt, name: container.name },
      state: criState_[container.state],
      createdAt: rfc3339(container.createdAt),
      startedAt: rfc3339(container.startedAt),
      finishedAt: rfc3339(container.finishedAt),
      exitCode: container.exitCode ?? 0,
      image: { annotations: {}, image: container.image, runtimeHandler: "", userSpecifiedImage: "" },
      imageRef: container.imageRef,
      reason: container.reason ?? "",
      message: container.message ?? "",
      labels: labelsOf(container),
      annotations: {
        "io.kubernetes.container.restartCount": String(container.attempt),
        "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
        "io.kubernetes.container.terminationMessagePolicy": "File",
        "io.kubernetes.pod.terminationGracePeriod": String(container.pod.spec?.terminationGracePeriodSeconds ?? 30),
      },
      mounts: [],
      logPath: logPath(container),
      resources: null,
      imageId: container.imageId,
    };
    found.push({ status, info: { sandboxID: container.podSandboxId, runtimeType: "io.containerd.runc.v2" } });
  }
  const body = found.length === 1 ? found[0] : found;
  context.stdout(toGoJson(body, { indent: "  " }));
  return 0;
}

async function inspectPods(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, { values: ["--output", "-o"], booleans: ["-q", "--quiet"] });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  if (parsed.positional.length === 0) return fatal(context, "ID cannot be empty");
  const { sandboxes } = await criState(context);
  const found: Record<string, unknown>[] = [];
  for (const id of parsed.positional) {
    const sandbox = sandboxes.find((candidate) => candidate.id.startsWith(id));
    if (!sandbox)
      return fatal(
        context,
        `getting the pod sandbox status for "${id}": rpc error: code = NotFound desc = an error occurred when try to find sandbox "${id}": not found`,
      );
    const json = sandboxJson(sandbox);
    found.push({
      status: {
        ...json,
        createdAt: rfc3339(sandbox.createdAt),
        network: { additionalIps: [], ip: sandbox.pod.status?.podIP ?? "" },
        linux: {
          namespaces: {
            options: {
              ipc: "POD",
              network: sandbox.pod.spec?.hostNetwork ? "NODE" : "POD",
              pid: "CONTAINER",
              targetId: "",
            },
          },
        },
      },
      info: { pid: 0, runtimeHandler: "", runtimeType: "io.containerd.runc.v2" },
    });
  }
  context.stdout(toGoJson(found.length === 1 ? found[0] : found, { indent: "  " }));
  return 0;
}

async function inspectImages(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, { values: ["--output", "-o"], booleans: ["-q", "--quiet"] });
  if (parsed.unknown) return fatal(context, `flag provided but not defined: ${parsed.unknown}`);
  if (parsed.positional.length === 0) return fatal(context, "You must specify at least one image");
  const list = await nodeImages(context);
  const found: Record<string, unknown>[] = [];
  for (const wanted of parsed.positional) {
    const image = list.find(
      (candidate) =>
        `${candidate.repository}:${candidate.tag}` === wanted ||
        candidate.repository.endsWith(`/${wanted.split(":")[0]}`) ||
        candidate.id.replace(/^sha256:/, "").startsWith(wanted.replace(/^sha256:/, "")),
    );
    if (!image) return fatal(context, `no such image "${wanted}" present`);
    found.push({
      status: {
        id: image.id,
        repoTags: [`${image.repository}:${image.tag}`],
        repoDigests: image.digest ? [`${image.repository}@${image.digest}`] : [],
        size: String(image.size),
        uid: null,
        username: "",
        spec: null,
        pinned: false,
      },
      info: {},
    });
  }
  context.stdout(toGoJson(found.length === 1 ? found[0] : found, { indent: "  " }));
  return 0;
}

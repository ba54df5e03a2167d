import { builtinResources } from "../builtinResources";
import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError, plainError, usageError } from "../errors";
import type { Flags } from "../flags";
import { formatTabbed } from "../printers/tabwriter";
import { threeWayMergePatch } from "../strategicMerge";
import { resolveTargets } from "../targets";
import {
  changeCause,
  dryRunFlag,
  filenameFlags,
  getNamed,
  type KubeObject,
  printFlags,
  recordChangeCause,
  recordFlag,
  sleep,
} from "./common";
import {
  EnvRefResolver,
  type EnvVar,
  envFromSource,
  listContainerEnv,
  overwriteError,
  parseEnv,
  splitEnvironmentFromResources,
  updateEnv,
} from "./envVars";
import { createObject, dryRunOf, dryRunSuffix, patchObject, printResult, recordWithMergePatch } from "./mutation";

// biome-ignore lint/suspicious/noExplicitAny: describers walk loosely typed API JSON
type Any = any;

/** `key=value,…` as kubectl parses --labels and --selector. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",").filter(Boolean)) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined) throw new KubectlError(`error: invalid label spec: ${pair}`);
    labels[key] = value;
  }
  return labels;
}

function selectorFor(object: KubeObject): Record<string, string> | undefined {
  switch (object.kind) {
    case "Pod":
      return object.metadata?.labels;
    case "Service":
      return object.spec?.selector;
    case "ReplicationController":
      return object.spec?.selector;
    default:
      return object.spec?.selector?.matchLabels;
  }
}

function portsFor(object: KubeObject): { port: number; protocol: string }[] {
  const podSpec = object.kind === "Pod" ? object.spec : object.spec?.template?.spec;
  if (object.kind === "Service")
    return (object.spec?.ports ?? []).map((p: Any) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
  return (podSpec?.containers ?? []).flatMap((c: Any) =>
    (c.ports ?? []).map((p: Any) => ({ port: p.containerPort, protocol: p.protocol ?? "TCP" })),
  );
}

/** `kubectl expose`. */
export const exposeCommand: Command = {
  name: "expose",
  short: "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service",
  use: "expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]",
  flags: [
    recordFlag,
    ...printFlags,
    ...filenameFlags("identifying the resource to expose a service"),
    dryRunFlag,
    {
      name: "port",
      kind: "string",
      usage: "The port that the service should serve on. Copied from the resource being exposed, if unspecified",
    },
    {
      name: "target-port",
      kind: "string",
      usage: "Name or number for the port on the container that the service should direct traffic to. Optional.",
    },
    {
      name: "protocol",
      kind: "string",
      usage: "The network protocol for the service to be created. Default is 'TCP'.",
    },
    { name: "name", kind: "string", usage: "The name for the newly created object." },
    {
      name: "type",
      kind: "string",
      usage: "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'.",
    },
    {
      name: "selector",
      kind: "string",
      usage:
        "A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)",
    },
    { name: "labels", shorthand: "l", kind: "string", usage: "Labels to apply to the service created by this call." },
    {
      name: "external-ip",
      kind: "string",
      usage: "Additional external IP address (not managed by Kubernetes) to accept for the service.",
    },
    {
      name: "cluster-ip",
      kind: "string",
      usage:
        "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service.",
    },
    {
      name: "session-affinity",
      kind: "string",
      usage: "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'",
    },
    {
      name: "load-balancer-ip",
      kind: "string",
      usage:
        "IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used (cloud-provider specific).",
    },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-expose",
      usage: "Name of the manager used to track field ownership.",
    },
  ],
  async run(context, flags) {
    if (flags.positional.length === 0 && flags.list("filename").length === 0) {
      throw usageError(
        "kubectl expose",
        "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    }
    const targets = await resolveTargets(context, flags.positional);
    const client = await context.client();
    const namespace = await context.namespace();
    const dryRun = dryRunOf(context, flags);
    for (const target of targets) {
      if (
        !["pods", "services", "deployments", "replicasets", "replicationcontrollers"].includes(target.info.resource)
      ) {
        throw new KubectlError(`error: cannot expose a ${target.info.kind}`);
      }
      for (const name of target.names) {
        const object = await client.get<KubeObject>(resourcePath(target.info, namespace, name));
        const selector = flags.string("selector") ? parseLabels(flags.string("selector")) : selectorFor(object);
        if (!selector || Object.keys(selector).length === 0) {
          throw new KubectlError(
            `error: couldn't retrieve selectors via --selector flag or introspection: the ${target.info.singular} has no labels and cannot be exposed`,
          );
        }
        let ports: { port: number; protocol: string }[];
        if (flags.string("port"))
          ports = [{ port: Number(flags.string("port")), protocol: flags.string("protocol") || "TCP" }];
        else ports = portsFor(object);
        if (ports.length === 0) throw new KubectlError("error: couldn't find port via --port flag or introspection");
        const targetPort = flags.string("target-port");
        const servicePorts = ports.map((port, index) => {
          const entry: Any = {};
          if (ports.length > 1) entry.name = `port-${index + 1}`;
          entry.port = port.port;
          entry.protocol = flags.string("protocol") || port.protocol;
          entry.targetPort = targetPort ? (/^[0-9]+$/.test(targetPort) ? Number(targetPort) : targetPort) : port.port;
          return entry;
        });
        const labels = flags.string("labels") ? parseLabels(flags.string("labels")) : object.metadata?.labels;
        const spec: Any = { ports: servicePorts, selector };
        if (flags.string("type")) spec.type = flags.string("type");
        if (flags.string("cluster-ip")) spec.clusterIP = flags.string("cluster-ip");
        if (flags.string("external-ip")) spec.externalIPs = [flags.string("external-ip")];
        if (flags.string("session-affinity")) spec.sessionAffinity = flags.string("session-affinity");
        if (flags.string("load-balancer-ip")) spec.loadBalancerIP = flags.string("load-balancer-ip");
        const service: KubeObject = {
          apiVersion: "v1",
          kind: "Service",
          metadata: {
            creationTimestamp: null as unknown as string,
            ...(labels ? { labels } : {}),
            name: flags.string("name") || name,
          },
          spec,
          status: { loadBalancer: {} },
        };
        const info = builtinResources.services as ResourceInfo;
        const created = await createObject(context, info, service, namespace, dryRun, flags.string("field-manager"));
        printResult(context, flags, info, created, "exposed", dryRun);
      }
    }
    return 0;
  },
};

/** `kubectl scale`. */
export const scaleCommand: Command = {
  name: "scale",
  short: "Set a new size for a deployment, replica set, or replication controller",
  use: "scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)",
  flags: [
    recordFlag,
    ...printFlags,
    ...filenameFlags("identifying the resource to set a new size"),
    dryRunFlag,
    { name: "replicas", kind: "int", default: -1, usage: "The new desired number of replicas. Required." },
    {
      name: "current-replicas",
      kind: "int",
      default: -1,
      usage:
        "Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.",
    },
    {
      name: "resource-version",
      kind: "string",
      usage:
        "Precondition for resource version. Requires that the current resource version match this value in order to scale.",
    },
    {
      name: "selector",
      shorthand: "l",
      kind: "string",
      usage:
        "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
    },
    { name: "all", kind: "bool", usage: "Select all resources in the namespace of the specified resource types" },
    {
      name: "timeout",
      kind: "string",
      default: "0s",
      usage:
        "The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).",
    },
  ],
  async run(context, flags) {
    if (!flags.changed("replicas")) throw new KubectlError('error: required flag(s) "replicas" not set');
    const replicas = flags.int("replicas");
    if (replicas < 0)
      throw new KubectlError(
        "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
      );
    if (flags.positional.length === 0) {
      throw new KubectlError(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    }
    const targets = await resolveTargets(context, flags.positional);
    const client = await context.client();
    const namespace = await context.namespace();
    const dryRun = dryRunOf(context, flags);
    await refuseWhenNoneReadable(context, targets, namespace);
    let failed = false;
    for (const target of targets) {
      let names = target.names;
      if (names.length === 0 && (flags.bool("all") || flags.string("selector"))) {
        const list = await client.get<{ items: KubeObject[] }>(resourcePath(target.info, namespace), {
          query: { labelSelector: flags.string("selector") || undefined },
        });
        names = list.items.map((item) => String(item.metadata?.name));
      }
      if (names.length === 0) throw new KubectlError("error: resource(s) were provided, but no name was specified");
      for (const name of names) {
        try {
          const current = await client.get<KubeObject>(resourcePath(target.info, namespace, name, "scale"));
          if (flags.int("current-replicas") >= 0 && current.spec?.replicas !== flags.int("current-replicas")) {
            throw new KubectlError(
              `error: Expected replicas to be ${flags.int("current-replicas")}, was ${current.spec?.replicas}`,
            );
          }
          if (dryRun !== "client") {
            await patchObject(context, target.info, namespace, name, { spec: { replicas } }, "merge", {
              dryRun,
              subresource: "scale",
              fieldManager: "kubectl-scale",
            });
            if (flags.bool("record")) {
              const scaled = await client.get<KubeObject>(resourcePath(target.info, namespace, name));
              await recordWithMergePatch(context, flags, target.info, scaled, dryRun, "kubectl-scale");
            }
          }
          context.io.stdout(`${kindDotGroup(target.info)}/${name} scaled${dryRunSuffix(dryRun)}\n`);
        } catch (error) {
          failed = true;
          if (error instanceof ApiStatusError) context.io.stderr(`${formatApiError(error)}\n`);
          else throw error;
        }
      }
    }
    return failed ? 1 : 0;
  },
};

/**
 * scale's builder reads the named objects first; when it can read none of them kubectl stops with
 * one line: `no objects passed to scale <error>`, the errors bracketed when they differ.
 */
async function refuseWhenNoneReadable(
  context: CommandContext,
  targets: { info: ResourceInfo; names: string[] }[],
  namespace: string,
): Promise<void> {
  const client = await context.client();
  const failures: string[] = [];
  let read = 0;
  for (const target of targets) {
    const objectNamespace = target.info.namespaced ? namespace : undefined;
    for (const name of target.names) {
      try {
        await getNamed(context, target.info, objectNamespace, () =>
          client.get(resourcePath(target.info, objectNamespace, name)),
        );
        read++;
      } catch (error) {
        if (!(error instanceof ApiStatusError)) throw error;
        failures.push(error.status.message ?? error.rawBody);
      }
    }
  }
  if (read > 0 || failures.length === 0) return;
  // utilerrors' aggregate prints each distinct message once.
  const distinct = [...new Set(failures)];
  const message = distinct.length === 1 ? distinct[0] : `[${distinct.join(", ")}]`;
  throw new KubectlError(`error: no objects passed to scale ${message}`);
}

/** `kubectl autoscale`. */
export const autoscaleCommand: Command = {
  name: "autoscale",
  short: "Auto-scale a deployment, replica set, stateful set, or replication controller",
  use: "autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu-percent=CPU]",
  flags: [
    recordFlag,
    ...printFlags,
    dryRunFlag,
    {
      name: "min",
      kind: "int",
      default: -1,
      usage:
        "The lower limit for the number of pods that can be set by the autoscaler. If it's not specified or negative, the server will apply a default value.",
    },
    {
      name: "max",
      kind: "int",
      default: -1,
      usage: "The upper limit for the number of pods that can be set by the autoscaler. Required.",
    },
    {
      name: "cpu-percent",
      kind: "int",
      default: -1,
      usage:
        "The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used.",
    },
    {
      name: "name",
      kind: "string",
      usage: "The name for the newly created object. If not specified, the name of the input resource will be used.",
    },
  ],
  async run(context, flags) {
    if (!flags.changed("max")) throw new KubectlError('error: required flag(s) "max" not set');
    if (flags.int("max") < 1)
      throw new KubectlError(`error: --max=MAXPODS is required and must be at least 1, max: ${flags.int("max")}`);
    const targets = await resolveTargets(context, flags.positional);
    const client = await context.client();
    const namespace = await context.namespace();
    const dryRun = dryRunOf(context, flags);
    for (const target of targets) {
      for (const name of target.names) {
        await client.get(resourcePath(target.info, namespace, name));
        const spec: Any = {
          maxReplicas: flags.int("max"),
          ...(flags.int("min") >= 0 ? { minReplicas: flags.int("min") } : {}),
          scaleTargetRef: {
            apiVersion: target.info.group ? `${target.info.group}/${target.info.version}` : target.info.version,
            kind: target.info.kind,
            name,
          },
          ...(flags.int("cpu-percent") >= 0 ? { targetCPUUtilizationPercentage: flags.int("cpu-percent") } : {}),
        };
        const hpa: KubeObject = {
          apiVersion: "autoscaling/v1",
          kind: "HorizontalPodAutoscaler",
          metadata: { creationTimestamp: null as unknown as string, name: flags.string("name") || name },
          spec,
          status: { currentReplicas: 0, desiredReplicas: 0 },
        };
        const info = { ...(builtinResources["horizontalpodautoscalers.autoscaling"] as ResourceInfo), version: "v1" };
        const created = await createObject(context, info, hpa, namespace, dryRun, "kubectl-autoscale", "Warn");
        printResult(context, flags, info, created, "autoscaled", dryRun);
      }
    }
    return 0;
  },
};

async function objectsFor(
  context: CommandContext,
  flags: Flags,
): Promise<{ info: ResourceInfo; object: KubeObject }[]> {
  const client = await context.client();
  const namespace = await context.namespace();
  const out: { info: ResourceInfo; object: KubeObject }[] = [];
  if (flags.list("filename").length > 0) {
    const { readManifests } = await import("../manifests");
    const discovery = await context.discovery();
    for (const manifest of await readManifests(context.io, flags.list("filename"), flags.bool("recursive"))) {
      const info = await discovery.resolveKind(String(manifest.object.apiVersion), String(manifest.object.kind));
      // --local works on the file's object and never reads (or writes) the live one.
      if (flags.bool("local")) {
        out.push({ info, object: manifest.object as KubeObject });
        continue;
      }
      out.push({
        info,
        object: await client.get<KubeObject>(
          resourcePath(
            info,
            info.namespaced ? (manifest.object.metadata?.namespace ?? namespace) : undefined,
            String(manifest.object.metadata?.name),
          ),
        ),
      });
    }
    return out;
  }
  const args = flags.positional;
  const targets = await resolveTargets(context, args);
  for (const target of targets) {
    const names = target.names;
    if (names.length === 0 && (flags.parsed.values.get("all") === true || flags.string("selector"))) {
      const list = await client.get<{ items: KubeObject[] }>(
        resourcePath(target.info, target.info.namespaced ? namespace : undefined),
        { query: { labelSelector: flags.string("selector") || undefined } },
      );
      for (const item of list.items)
        out.push({
          info: target.info,
          object: {
            apiVersion: target.info.group ? `${target.info.group}/${target.info.version}` : target.info.version,
            kind: target.info.kind,
            ...item,
          },
        });
      continue;
    }
    for (const name of names) {
      const objectNamespace = target.info.namespaced ? namespace : undefined;
      out.push({
        info: target.info,
        object: await getNamed(context, target.info, objectNamespace, () =>
          client.get<KubeObject>(resourcePath(target.info, objectNamespace, name)),
        ),
      });
    }
  }
  return out;
}

function podSpecOf(object: KubeObject): Any {
  if (object.kind === "Pod") return object.spec;
  if (object.kind === "CronJob") return object.spec?.jobTemplate?.spec?.template?.spec;
  return object.spec?.template?.spec;
}

/** Applies a change to an object's pod template and sends it as a strategic merge patch. */
async function updatePodSpec(
  context: CommandContext,
  flags: Flags,
  verb: string,
  change: (spec: Any, object: KubeObject, info: ResourceInfo) => void,
  skipUnchanged = true,
): Promise<number> {
  const dryRun = dryRunOf(context, flags);
  const local = flags.bool("local");
  const namespace = await context.namespace();
  const objects = await objectsFor(context, flags);
  for (const { info, object } of objects) {
    const modified = structuredClone(object);
    change(podSpecOf(modified), modified, info);
    // set's commands record into the changed object, so the cause rides in their patch.
    recordChangeCause(modified, changeCause(context, flags));
    const patch = threeWayMergePatch(object, modified, object);
    // An empty patch ("{}") prints nothing, as the Run loops of set image, env and resources skip it
    // (set serviceaccount has no such check).
    if (Object.keys(patch).length === 0 && skipUnchanged) continue;
    let result = modified;
    if (Object.keys(patch).length > 0 && dryRun !== "client" && !local) {
      result = await patchObject(
        context,
        info,
        object.metadata?.namespace ?? namespace,
        String(object.metadata?.name),
        patch,
        "strategic",
        { dryRun, fieldManager: "kubectl-set" },
      );
    }
    if (flags.string("output")) printResult(context, flags, info, result, verb, dryRun);
    else context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} ${verb}${dryRunSuffix(dryRun)}\n`);
  }
  return 0;
}

const setCommonFlags = [
  ...printFlags,
  ...filenameFlags("identifying the resource to get from a server."),
  dryRunFlag,
  { name: "all", kind: "bool", usage: "Select all resources, in the namespace of the specified resource types" },
  {
    name: "selector",
    shorthand: "l",
    kind: "string",
    usage:
      "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
  },
  { name: "local", kind: "bool", usage: "If true, set image will NOT contact api-server but run locally." },
] as Command["flags"] & object;

/** set image and set resources (Validate): --local takes its objects from -f only. */
function localNeedsFilename(flags: Flags): void {
  if (flags.bool("local") && flags.positional.length > 0)
    throw new KubectlError(
      "error: you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'",
    );
}

const setImage: Command = {
  name: "image",
  short: "Update the image of a pod template",
  use: "image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N",
  flags: [recordFlag, ...setCommonFlags],
  async run(context, flags) {
    const pairs = flags.positional.filter((arg) => arg.includes("="));
    const resources = flags.positional.filter((arg) => !arg.includes("="));
    if (pairs.length === 0) throw plainError("at least one image update is required");
    flags.parsed.positional = resources;
    localNeedsFilename(flags);
    return updatePodSpec(context, flags, "image updated", (spec) => {
      for (const pair of pairs) {
        const [containerName, image] = pair.split("=");
        const containers: Any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
        const matched = containers.filter((container) => containerName === "*" || container.name === containerName);
        if (matched.length === 0) throw new KubectlError(`error: unable to find container named "${containerName}"`);
        for (const container of matched) container.image = image;
      }
    });
  },
};

const setEnv: Command = {
  name: "env",
  short: "Update environment variables on a pod template",
  use: "env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N",
  flags: [
    ...setCommonFlags,
    {
      name: "containers",
      shorthand: "c",
      kind: "string",
      default: "*",
      usage: "The names of containers in the selected pod templates to change - may use wildcards",
    },
    { name: "from", kind: "string", usage: "The name of a resource from which to inject environment variables" },
    { name: "prefix", kind: "string", usage: "Prefix to append to variable names" },
    { name: "keys", kind: "stringSlice", usage: "Comma-separated list of keys to import from specified resource" },
    {
      name: "resolve",
      kind: "bool",
      usage: "If true, show secret or configmap references when listing variables",
    },
    {
      name: "env",
      shorthand: "e",
      kind: "stringArray",
      usage: "Specify a key-value pair for an environment variable to set into each container.",
    },
    {
      name: "list",
      kind: "bool",
      usage:
        "If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env.",
    },
    {
      name: "overwrite",
      kind: "bool",
      default: true,
      usage:
        "If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.",
    },
  ],
  async run(context, flags) {
    if (flags.bool("all") && flags.string("selector"))
      throw new KubectlError("error: cannot set --all and --selector at the same time");
    const split = splitEnvironmentFromResources(flags.positional);
    if (!split)
      throw new KubectlError(
        `error: all resources must be specified before environment changes: ${flags.positional.join(" ")}`,
      );
    flags.parsed.positional = split.resources;
    if (flags.bool("local") && flags.string("dry-run") === "server")
      throw new KubectlError("error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?");
    if (flags.list("filename").length === 0 && split.resources.length === 0)
      throw new KubectlError(
        "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
      );
    if (flags.bool("list") && flags.string("output"))
      throw new KubectlError("error: --list and --output may not be specified together");
    if (flags.list("keys").length > 0 && !flags.string("from"))
      throw new KubectlError("error: when specifying --keys, a configmap or secret must be provided with --from");
    const parsed = await parseEnv([...flags.list("env"), ...split.envArgs], () => context.io.readStdin());
    const env = parsed.env;
    if (flags.string("from")) env.push(...(await envFromFlag(context, flags)));
    const prefix = flags.string("prefix");
    if (prefix) for (const entry of env) entry.name = `${prefix}${entry.name}`;
    // The builder of a local run reads files only, so TYPE/NAME arguments leave it with nothing.
    if (flags.bool("local") && flags.list("filename").length === 0)
      throw new KubectlError(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    const selector = flags.string("containers");
    const change = (spec: Any, object: KubeObject, info: ResourceInfo): Any[] => {
      const containers = [
        ...selectContainers(spec?.containers ?? [], selector),
        ...selectContainers(spec?.initContainers ?? [], selector),
      ];
      if (containers.length === 0)
        context.io.stderr(
          `Warning: ${object.kind}/${object.metadata?.name} does not have any containers matching ${JSON.stringify(selector)}\n`,
        );
      for (const container of containers) {
        const refused = flags.bool("overwrite") ? undefined : overwriteError(container.env ?? [], env);
        if (refused) throw new KubectlError(`error: ${info.resource}/${object.metadata?.name} ${refused}`);
        const updated = updateEnv(container.env ?? [], env, parsed.remove);
        if (updated.length > 0) container.env = updated;
        else delete container.env;
      }
      return containers;
    };
    if (flags.bool("list")) return listEnv(context, flags, change);
    return updatePodSpec(context, flags, "env updated", (spec, object, info) => change(spec, object, info));
  },
};

/** `set env --from=configmap/NAME|secret/NAME`: the referenced object's keys as references. */
async function envFromFlag(context: CommandContext, flags: Flags): Promise<EnvVar[]> {
  const client = await context.client();
  const namespace = await context.namespace();
  const env: EnvVar[] = [];
  for (const target of await resolveTargets(context, [flags.string("from")])) {
    for (const name of target.names) {
      const source = await client.get<KubeObject>(
        resourcePath(target.info, target.info.namespaced ? namespace : undefined, name),
      );
      if (target.info.group !== "" || (target.info.kind !== "ConfigMap" && target.info.kind !== "Secret"))
        throw new KubectlError("error: unsupported resource specified in --from");
      env.push(
        ...envFromSource({ ...source, kind: target.info.kind }, flags.list("keys"), (text) => context.io.stderr(text)),
      );
    }
  }
  return env;
}

/**
 * `set env --list`: each selected container's environment after the command's changes, nothing sent
 * to the server; references shown as such, or looked up with --resolve (its errors on stderr).
 * kubectl ignores the per-object errors here (--overwrite=false, failed look-ups): it exits 0.
 */
async function listEnv(
  context: CommandContext,
  flags: Flags,
  change: (spec: Any, object: KubeObject, info: ResourceInfo) => Any[],
): Promise<number> {
  const resolver = flags.bool("resolve")
    ? new EnvRefResolver(await context.client(), await context.namespace())
    : undefined;
  for (const { info, object } of await objectsFor(context, flags)) {
    const modified = structuredClone(object);
    let containers: Any[];
    try {
      containers = change(podSpecOf(modified), modified, info);
    } catch {
      continue;
    }
    for (const container of containers) {
      const listed = await listContainerEnv(object.kind ?? info.kind, modified, container, resolver);
      context.io.stdout(listed.text);
      for (const error of listed.errors) context.io.stderr(`${error}\n`);
    }
  }
  return 0;
}

/** selectContainers: the containers whose names match the --containers wildcard (path.Match). */
function selectContainers(containers: Any[], selector: string): Any[] {
  const pattern = new RegExp(
    `^${selector
      .replace(/[.+^${}()|\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return containers.filter((container) => pattern.test(container.name));
}

const setResources: Command = {
  name: "resources",
  short: "Update resource requests/limits on objects with pod templates",
  use: "resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS]",
  flags: [
    recordFlag,
    ...setCommonFlags,
    {
      name: "containers",
      shorthand: "c",
      kind: "string",
      default: "*",
      usage:
        "The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards",
    },
    {
      name: "limits",
      kind: "string",
      usage:
        "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges.",
    },
    {
      name: "requests",
      kind: "string",
      usage:
        "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges.",
    },
  ],
  async run(context, flags) {
    if (!flags.string("limits") && !flags.string("requests"))
      throw new KubectlError(
        "error: you must specify an update to requests or limits (in the form of --requests/--limits)",
      );
    // resource.ParseQuantity's format check, before anything is fetched.
    const quantity = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
    for (const text of [flags.string("limits"), flags.string("requests")])
      for (const pair of text.split(",").filter(Boolean))
        if (!new RegExp(quantity).test(pair.slice(pair.indexOf("=") + 1)))
          throw new KubectlError(`error: quantities must match the regular expression '${quantity}'`);
    localNeedsFilename(flags);
    return updatePodSpec(context, flags, "resource requirements updated", (spec) => {
      const pattern = new RegExp(`^${flags.string("containers").replace(/\*/g, ".*")}$`);
      const parse = (text: string) =>
        Object.fromEntries(
          text
            .split(",")
            .filter(Boolean)
            .map((pair) => pair.split("=") as [string, string]),
        );
      let matched = false;
      for (const container of spec.containers ?? []) {
        if (!pattern.test(container.name)) continue;
        matched = true;
        container.resources ??= {};
        if (flags.string("limits"))
          container.resources.limits = { ...(container.resources.limits ?? {}), ...parse(flags.string("limits")) };
        if (flags.string("requests"))
          container.resources.requests = {
            ...(container.resources.requests ?? {}),
            ...parse(flags.string("requests")),
          };
      }
      if (!matched) throw new KubectlError(`error: unable to find container named ${flags.string("containers")}`);
    });
  },
};

const setSelector: Command = {
  name: "selector",
  short: "Set the selector on a resource",
  use: "selector (-f FILENAME | TYPE NAME) EXPRESSIONS [--resource-version=version]",
  flags: [recordFlag, ...setCommonFlags],
  async run() {
    throw new KubectlError("error: set selector is not available in this terminal");
  },
};

const setServiceAccount: Command = {
  name: "serviceaccount",
  aliases: ["sa"],
  short: "Update the service account of a resource",
  use: "serviceaccount (-f FILENAME | TYPE NAME) SERVICE_ACCOUNT",
  flags: [recordFlag, ...setCommonFlags],
  async run(context, flags) {
    const account = flags.positional[flags.positional.length - 1];
    flags.parsed.positional = flags.positional.slice(0, -1);
    return updatePodSpec(
      context,
      flags,
      "serviceaccount updated",
      (spec) => {
        spec.serviceAccountName = account;
      },
      false,
    );
  },
};

/** `kubectl set`. */
export const setCommand: Command = {
  name: "set",
  short: "Set specific features on objects",
  long: "Configure application resources.\n\n These commands help you make changes to existing application resources.",
  use: "set SUBCOMMAND",
  subcommands: [setEnv, setImage, setResources, setSelector, setServiceAccount],
};

// ---- rollout ----

function deploymentStatus(deployment: KubeObject): { message: string; done: boolean; error?: string } {
  const name = deployment.metadata?.name;
  const status = deployment.status ?? {};
  if ((deployment.metadata?.generation ?? 0) <= (status.observedGeneration ?? 0)) {
    const progressing = (status.conditions ?? []).find((c: Any) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded")
      return { message: "", done: false, error: `deployment "${name}" exceeded its progress deadline` };
    const replicas = deployment.spec?.replicas ?? 1;
    if ((status.updatedReplicas ?? 0) < replicas) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${status.updatedReplicas ?? 0} out of ${replicas} new replicas have been updated...\n`,
        done: false,
      };
    }
    if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${(status.replicas ?? 0) - (status.updatedReplicas ?? 0)} old replicas are pending termination...\n`,
        done: false,
      };
    }
    if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) {
      return {
        message: `Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas ?? 0} of ${status.updatedReplicas ?? 0} updated replicas are available...\n`,
        done: false,
      };
    }
    return { message: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  return { message: "Waiting for deployment spec update to be observed...\n", done: false };
}

function daemonSetStatus(set: KubeObject): { message: string; done: boolean; error?: string } {
  const name = set.metadata?.name;
  const status = set.status ?? {};
  if (set.spec?.updateStrategy?.type !== "RollingUpdate")
    return { message: "", done: false, error: "rollout status is only available for RollingUpdate strategy type" };
  if ((set.metadata?.generation ?? 0) <= (status.observedGeneration ?? 0)) {
    if ((status.updatedNumberScheduled ?? 0) < (status.desiredNumberScheduled ?? 0)) {
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${status.updatedNumberScheduled ?? 0} out of ${status.desiredNumberScheduled ?? 0} new pods have been updated...\n`,
        done: false,
      };
    }
    if ((status.numberAvailable ?? 0) < (status.desiredNumberScheduled ?? 0)) {
      return {
        message: `Waiting for daemon set "${name}" rollout to finish: ${status.numberAvailable ?? 0} of ${status.desiredNumberScheduled ?? 0} updated pods are available...\n`,
        done: false,
      };
    }
    return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
  }
  return { message: "Waiting for daemon set spec update to be observed...\n", done: false };
}

function statefulSetStatus(set: KubeObject): { message: string; done: boolean; error?: string } {
  const status = set.status ?? {};
  if (set.spec?.updateStrategy?.type !== "RollingUpdate")
    return { message: "", done: false, error: "rollout status is only available for RollingUpdate strategy type" };
  if (!status.observedGeneration || (set.metadata?.generation ?? 0) > status.observedGeneration) {
    return { message: "Waiting for statefulset spec update to be observed...\n", done: false };
  }
  const replicas = set.spec?.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < replicas)
    return { message: `Waiting for ${replicas - (status.readyReplicas ?? 0)} pods to be ready...\n`, done: false };
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
  if (partition !== undefined && partition !== null) {
    if ((status.updatedReplicas ?? 0) < replicas - partition) {
      return {
        message: `Waiting for partitioned roll out to finish: ${status.updatedReplicas ?? 0} out of ${replicas - partition} new pods have been updated...\n`,
        done: false,
      };
    }
    return {
      message: `partitioned roll out complete: ${status.updatedReplicas ?? 0} new pods have been updated...\n`,
      done: true,
    };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      message: `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}...\n`,
      done: false,
    };
  }
  return {
    message: `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision}...\n`,
    done: true,
  };
}

function rolloutTarget(context: CommandContext, flags: Flags) {
  return objectsFor(context, flags).then((objects) => {
    if (objects.length === 0) {
      throw new KubectlError("error: required resource not specified");
    }
    return objects;
  });
}

const rolloutStatus: Command = {
  name: "status",
  short: "Show the status of the rollout",
  use: "status (TYPE NAME | TYPE/NAME) [flags]",
  flags: [
    ...filenameFlags("identifying the resource to get from a server."),
    {
      name: "watch",
      shorthand: "w",
      kind: "bool",
      default: true,
      usage: "Watch the status of the rollout until it's done.",
    },
    {
      name: "revision",
      kind: "int",
      usage: "Pin to a specific revision for showing its status. Defaults to 0 (last revision).",
    },
    {
      name: "timeout",
      kind: "duration",
      default: "0s",
      usage:
        "The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).",
    },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
  ],
  async run(context, flags) {
    if (flags.positional.length === 0 && flags.list("filename").length === 0) {
      throw new KubectlError(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    }
    const client = await context.client();
    // watchtools.ContextWithOptionalTimeout: one deadline for the whole watch, none when zero.
    const timeout = flags.duration("timeout");
    const deadline = timeout > 0 ? Date.now() + timeout : Number.POSITIVE_INFINITY;
    for (const { info, object } of await rolloutTarget(context, flags)) {
      const viewer =
        info.kind === "Deployment"
          ? deploymentStatus
          : info.kind === "DaemonSet"
            ? daemonSetStatus
            : info.kind === "StatefulSet"
              ? statefulSetStatus
              : undefined;
      if (!viewer) throw new KubectlError(`error: no status viewer has been implemented for ${info.kind}`);
      let last = "";
      let current = object;
      while (!context.io.signal?.aborted) {
        const result = viewer(current);
        if (result.error) throw new KubectlError(`error: ${result.error}`);
        if (result.message !== last || result.done) context.io.stdout(result.message);
        last = result.message;
        if (result.done || !flags.bool("watch")) break;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new KubectlError("error: timed out waiting for the condition");
        await sleep(Math.min(200, remaining), context.io.signal);
        current = await client.get<KubeObject>(
          resourcePath(info, object.metadata?.namespace, String(object.metadata?.name)),
        );
      }
    }
    return 0;
  },
};

async function ownedReplicaSets(context: CommandContext, deployment: KubeObject): Promise<KubeObject[]> {
  const client = await context.client();
  const selector = Object.entries(deployment.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const list = await client.get<{ items: KubeObject[] }>(
    `/apis/apps/v1/namespaces/${deployment.metadata?.namespace}/replicasets`,
    { query: { labelSelector: selector || undefined } },
  );
  return list.items.filter((set) =>
    set.metadata?.ownerReferences?.some((ref) => ref.uid === deployment.metadata?.uid && ref.controller),
  );
}

const revisionOf = (set: KubeObject) => Number(set.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0);

const rolloutHistory: Command = {
  name: "history",
  short: "View rollout history",
  use: "history (TYPE NAME | TYPE/NAME) [flags]",
  flags: [
    ...printFlags,
    ...filenameFlags("identifying the resource to get from a server."),
    { name: "revision", kind: "int", usage: "See the details, including podTemplate of the revision specified" },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
  ],
  async run(context, flags) {
    for (const { info, object } of await rolloutTarget(context, flags)) {
      if (info.kind !== "Deployment") {
        const client = await context.client();
        const revisions = await client.get<{ items: KubeObject[] }>(
          `/apis/apps/v1/namespaces/${object.metadata?.namespace}/controllerrevisions`,
        );
        const owned = revisions.items
          .filter((revision) => revision.metadata?.ownerReferences?.some((ref) => ref.uid === object.metadata?.uid))
          .sort((a, b) => Number((a as Any).revision) - Number((b as Any).revision));
        let text = "REVISION\tCHANGE-CAUSE\n";
        for (const revision of owned)
          text += `${(revision as Any).revision}\t${revision.metadata?.annotations?.["kubernetes.io/change-cause"] ?? "<none>"}\n`;
        context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} \n${formatTabbed(text, 2, 0)}\n`);
        continue;
      }
      const sets = await ownedReplicaSets(context, object);
      const revision = flags.int("revision");
      if (revision > 0) {
        const set = sets.find((candidate) => revisionOf(candidate) === revision);
        if (!set) throw new KubectlError(`error: unable to find the specified revision`);
        const { podTemplateText } = await import("../describe/describers");
        const describedTemplate = podTemplateText(set.spec?.template);
        context.io.stdout(
          `${kindDotGroup(info)}/${object.metadata?.name} with revision #${revision}\n${describedTemplate}\n`,
        );
        continue;
      }
      const byRevision = new Map<number, KubeObject>();
      for (const set of sets) byRevision.set(revisionOf(set), set);
      const revisions = [...byRevision.keys()].filter((value) => value > 0).sort((a, b) => a - b);
      let text = "REVISION\tCHANGE-CAUSE\n";
      for (const value of revisions)
        text += `${value}\t${byRevision.get(value)?.metadata?.annotations?.["kubernetes.io/change-cause"] || "<none>"}\n`;
      context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} \n${formatTabbed(text, 2, 0)}\n`);
    }
    return 0;
  },
};

const rolloutUndo: Command = {
  name: "undo",
  short: "Undo a previous rollout",
  use: "undo (TYPE NAME | TYPE/NAME) [flags]",
  flags: [
    ...printFlags,
    ...filenameFlags("identifying the resource to get from a server."),
    dryRunFlag,
    { name: "to-revision", kind: "int", usage: "The revision to rollback to. Default to 0 (last revision)." },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
  ],
  async run(context, flags) {
    const dryRun = dryRunOf(context, flags);
    for (const { info, object } of await rolloutTarget(context, flags)) {
      if (info.kind !== "Deployment")
        throw new KubectlError(`error: no rollbacker has been implemented for "${info.kind}"`);
      if (object.spec?.paused)
        throw new KubectlError(
          `error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${object.metadata?.name}' and try again`,
        );
      const sets = await ownedReplicaSets(context, object);
      const toRevision = flags.int("to-revision");
      let target: KubeObject | undefined;
      if (toRevision === 0) {
        const sorted = [...sets].sort((a, b) => revisionOf(b) - revisionOf(a));
        target = sorted[1];
        if (!target)
          throw new KubectlError(`error: no rollout history found for deployment "${object.metadata?.name}"`);
      } else {
        target = sets.find((set) => revisionOf(set) === toRevision);
        if (!target) throw new KubectlError(`error: unable to find specified revision ${toRevision} in history`);
      }
      const template = structuredClone(target.spec?.template ?? {});
      if (template.metadata?.labels) delete template.metadata.labels["pod-template-hash"];
      const same = JSON.stringify(template) === JSON.stringify(object.spec?.template);
      if (same) {
        context.io.stdout(
          `${kindDotGroup(info)}/${object.metadata?.name} skipped rollback (current template already matches revision ${revisionOf(target)})\n`,
        );
        continue;
      }
      if (dryRun !== "client") {
        const annotations = rolledBackAnnotations(object, target);
        const patch = [
          { op: "replace", path: "/spec/template", value: template },
          { op: "replace", path: "/metadata/annotations", value: annotations },
        ];
        await patchObject(context, info, object.metadata?.namespace, String(object.metadata?.name), patch, "json", {
          dryRun,
          fieldManager: "kubectl-rollout",
        });
      }
      context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} rolled back${dryRunSuffix(dryRun)}\n`);
    }
    return 0;
  },
};

/** The deployment controller's own annotations, which a rollback keeps from the deployment (rollback.go). */
const rollbackSkippedAnnotations = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision",
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
]);

/**
 * DeploymentRollbacker's annotations: the deployment's own ones above, then every other annotation
 * of the revision's ReplicaSet, so the revision's kubernetes.io/change-cause comes back with it.
 */
function rolledBackAnnotations(deployment: KubeObject, replicaSet: KubeObject): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {}))
    if (rollbackSkippedAnnotations.has(key)) annotations[key] = value;
  for (const [key, value] of Object.entries(replicaSet.metadata?.annotations ?? {}))
    if (!rollbackSkippedAnnotations.has(key)) annotations[key] = value;
  return annotations;
}

function simpleRollout(
  name: string,
  short: string,
  action: (object: KubeObject, now: string, kind: string) => { patch?: unknown; message: string; error?: string },
): Command {
  return {
    name,
    short,
    use: `${name} RESOURCE`,
    flags: [
      ...printFlags,
      ...filenameFlags("identifying the resource to get from a server."),
      { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
      {
        name: "field-manager",
        kind: "string",
        default: "kubectl-rollout",
        usage: "Name of the manager used to track field ownership.",
      },
    ],
    async run(context, flags) {
      if (flags.positional.length === 0 && flags.list("filename").length === 0) {
        throw new KubectlError(
          "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        );
      }
      // As pause.go, resume.go and restart.go: an object that can't be changed is an error
      // reported after the others are done.
      const errors: string[] = [];
      for (const { info, object } of await rolloutTarget(context, flags)) {
        const result = action(
          object,
          context
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, "Z"),
          info.kind,
        );
        if (result.error) {
          errors.push(`error: ${result.error.replace("%s", `${info.resource}${info.group ? `.${info.group}` : ""}`)}`);
          continue;
        }
        if (result.patch)
          await patchObject(
            context,
            info,
            object.metadata?.namespace,
            String(object.metadata?.name),
            result.patch,
            "strategic",
            { fieldManager: flags.string("field-manager") },
          );
        context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} ${result.message}\n`);
      }
      if (errors.length > 0) throw new KubectlError(errors.join("\n"));
      return 0;
    },
  };
}

/** `kubectl rollout`. */
export const rolloutCommand: Command = {
  name: "rollout",
  short: "Manage the rollout of a resource",
  long: "Manage the rollout of one or many resources.\n\n Valid resource types include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets",
  use: "rollout SUBCOMMAND",
  subcommands: [
    rolloutHistory,
    // The checks are polymorphichelpers' objectpauser, objectrestarter and objectresumer.
    simpleRollout("pause", "Mark the provided resource as paused", (object, _now, kind) =>
      kind !== "Deployment"
        ? { message: "", error: `%s "${object.metadata?.name}" pausing is not supported` }
        : object.spec?.paused
          ? { message: "", error: `%s "${object.metadata?.name}" is already paused` }
          : { patch: { spec: { paused: true } }, message: "paused" },
    ),
    simpleRollout("restart", "Restart a resource", (object, now, kind) =>
      !["Deployment", "DaemonSet", "StatefulSet"].includes(kind)
        ? { message: "", error: `%s "${object.metadata?.name}" restarting is not supported` }
        : kind === "Deployment" && object.spec?.paused
          ? {
              message: "",
              error: `%s "${object.metadata?.name}" can't restart paused deployment (run rollout resume first)`,
            }
          : {
              patch: {
                spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": now } } } },
              },
              message: "restarted",
            },
    ),
    simpleRollout("resume", "Resume a paused resource", (object, _now, kind) =>
      kind !== "Deployment"
        ? { message: "", error: `%s "${object.metadata?.name}" resuming is not supported` }
        : object.spec?.paused
          ? { patch: { spec: { paused: null } }, message: "resumed" }
          : { message: "", error: `%s "${object.metadata?.name}" is not paused` },
    ),
    rolloutStatus,
    rolloutUndo,
  ],
};

export { objectsFor, podSpecOf };

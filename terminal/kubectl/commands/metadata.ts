import { parse } from "yaml";
import { addSourceToError } from "../apply";
import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError, plainError, usageError } from "../errors";
import type { Flags } from "../flags";
import { filenameArguments, readFilenameOptions } from "../kustomize";
import { goQuote } from "../printers/goFmt";
import { toGoJsonCompact } from "../printers/goJson";
import {
  changeCause,
  changeCauseAnnotation,
  dryRunFlag,
  filenameFlags,
  type KubeObject,
  printFlags,
  recordChangeCause,
  recordFlag,
  sleep,
} from "./common";
import {
  dryRunOf,
  dryRunSuffix,
  patchObject,
  printResult,
  recordWithMergePatch,
  replaceObject,
  validationDirective,
} from "./mutation";
import { objectsFor } from "./workloads";

// biome-ignore lint/suspicious/noExplicitAny: describers walk loosely typed API JSON
type Any = any;

function metadataCommand(field: "labels" | "annotations", verb: string, name: string): Command {
  const singular = field === "labels" ? "label" : "annotation";
  return {
    name,
    short: field === "labels" ? "Update the labels on a resource" : "Update the annotations on a resource",
    use: `${name} [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]`,
    flags: [
      recordFlag,
      ...printFlags,
      ...filenameFlags(`identifying the resource to update the ${singular}`),
      dryRunFlag,
      {
        name: "overwrite",
        kind: "bool",
        usage: `If true, allow ${field} to be overwritten, otherwise reject ${singular} updates that overwrite existing ${field}.`,
      },
      { name: "all", kind: "bool", usage: "Select all resources, in the namespace of the specified resource types" },
      {
        name: "all-namespaces",
        shorthand: "A",
        kind: "bool",
        usage: "If true, check the specified action in all namespaces.",
      },
      {
        name: "selector",
        shorthand: "l",
        kind: "string",
        usage:
          "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
      },
      { name: "field-selector", kind: "string", usage: "Selector (field query) to filter on" },
      { name: "list", kind: "bool", usage: `If true, display the ${field} for a given resource.` },
      { name: "local", kind: "bool", usage: `If true, ${name} will NOT contact api-server but run locally.` },
      {
        name: "resource-version",
        kind: "string",
        usage:
          "If non-empty, the update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.",
      },
      {
        name: "field-manager",
        kind: "string",
        default: `kubectl-${name}`,
        usage: "Name of the manager used to track field ownership.",
      },
    ],
    async run(context, flags) {
      const changes = flags.positional.filter((arg) => arg.includes("=") || (arg.endsWith("-") && !arg.includes("/")));
      const resources = flags.positional.filter((arg) => !changes.includes(arg));
      if (resources.length === 0 && flags.list("filename").length === 0) {
        throw usageError(
          `kubectl ${name}`,
          "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
      }
      if (changes.length === 0 && !flags.bool("list")) throw plainError(`at least one ${singular} update is required`);
      const additions: Record<string, string> = {};
      const removals: string[] = [];
      for (const change of changes) {
        if (change.endsWith("-") && !change.includes("=")) removals.push(change.slice(0, -1));
        else {
          const equals = change.indexOf("=");
          additions[change.slice(0, equals)] = change.slice(equals + 1);
        }
      }
      flags.parsed.positional = resources;
      const local = flags.bool("local");
      if (local && resources.length > 0) {
        const example =
          field === "labels" ? "-f pod.yaml or --filename=pod.json" : "-f rsrc.yaml or --filename=rsrc.json";
        throw plainError(`can only use local files by ${example} when --local=true is set`);
      }
      const dryRun = dryRunOf(context, flags);
      for (const { info, object } of await objectsFor(context, flags)) {
        const current: Record<string, string> = (object.metadata?.[field] as Record<string, string>) ?? {};
        if (flags.bool("list")) {
          for (const key of Object.keys(current).sort()) context.io.stdout(`${key}=${current[key]}\n`);
          continue;
        }
        if (!flags.bool("overwrite")) {
          for (const [key, value] of Object.entries(additions)) {
            if (key in current && current[key] !== value) {
              throw new KubectlError(`error: '${key}' already has a value (${current[key]}), and --overwrite is false`);
            }
          }
        }
        const next: Record<string, string | null> = {};
        let changed = false;
        for (const [key, value] of Object.entries(additions)) {
          if (current[key] !== value) changed = true;
          next[key] = value;
        }
        for (const key of removals) {
          if (key in current) {
            changed = true;
            next[key] = null;
          }
        }
        const objectName = String(object.metadata?.name);
        const sending = !local && dryRun !== "client";
        // The recorder's annotation rides in the same patch (label.go and annotate.go record into the
        // object they patch with); a client dry run or --local prints the object unrecorded.
        const cause = sending ? changeCause(context, flags) : undefined;
        const recording = cause !== undefined && object.metadata?.annotations?.[changeCauseAnnotation] !== cause;
        const updated = applyLocally(object, field, next);
        if (recording) recordChangeCause(updated, cause);
        // labelFunc, on the way to the server only: each removal of a label the object lacks.
        if (sending && field === "labels")
          for (const key of removals) if (!(key in current)) context.io.stdout(`label ${goQuote(key)} not found.\n`);
        // label says "not labeled" when nothing changes (updateDataChangeMsg); annotate has no such message.
        if (!changed && !recording && field === "labels") {
          if (flags.string("output")) printResult(context, flags, info, object, `not ${verb}`, dryRun);
          else context.io.stdout(`${kindDotGroup(info)}/${objectName} not ${verb}${dryRunSuffix(dryRun)}\n`);
          continue;
        }
        const patch: Any = { metadata: { [field]: next } };
        if (recording) patch.metadata.annotations = { ...patch.metadata.annotations, [changeCauseAnnotation]: cause };
        if (flags.string("resource-version")) patch.metadata.resourceVersion = flags.string("resource-version");
        // A client dry run prints the object as the patch would leave it, as --local does.
        let result: KubeObject = sending ? updated : applyLocally(object, field, next);
        if ((changed || recording) && sending) {
          result = await patchObject(context, info, object.metadata?.namespace, objectName, patch, "merge", {
            dryRun,
            fieldManager: flags.string("field-manager"),
          });
        }
        // updateDataChangeMsg: "unlabeled" when, without --overwrite, the object's JSON got shorter (a
        // removal, or a shorter change cause); annotate always says "annotated".
        const shorter = toGoJsonCompact(updated).length < toGoJsonCompact(object).length;
        const message = field === "labels" && !flags.bool("overwrite") && shorter ? `un${verb}` : verb;
        if (flags.string("output")) printResult(context, flags, info, result, message, dryRun);
        else context.io.stdout(`${kindDotGroup(info)}/${objectName} ${message}${dryRunSuffix(dryRun)}\n`);
      }
      return 0;
    },
  };
}

/** The file's object with the label or annotation changes merged in, as --local prints it. */
function applyLocally(
  object: KubeObject,
  field: "labels" | "annotations",
  next: Record<string, string | null>,
): KubeObject {
  const result = structuredClone(object);
  result.metadata ??= {};
  const metadata = result.metadata as Any;
  const values: Record<string, string> = { ...(metadata[field] ?? {}) };
  for (const [key, value] of Object.entries(next)) {
    if (value === null) delete values[key];
    else values[key] = value;
  }
  metadata[field] = values;
  return result;
}

/** `kubectl label`. */
export const labelCommand = metadataCommand("labels", "labeled", "label");
/** `kubectl annotate`. */
export const annotateCommand = metadataCommand("annotations", "annotated", "annotate");

interface Taint {
  key: string;
  value?: string;
  effect?: string;
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const qualifiedNameMessage =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function validateTaintEffect(effect: string): void {
  if (!["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(effect))
    throw usageError("kubectl taint", `invalid taint effect: ${effect}, unsupported taint effect`);
}

/** taint.go's parseTaints: `key[=value]:effect` to add, `key[:effect]-` to remove; errors are usage errors. */
function parseTaint(spec: string): { taint: Taint; remove: boolean } {
  if (spec.endsWith("-")) {
    // A removal names key[=value][:effect]; with an effect the value is dropped, without one the
    // whole text must be a valid key.
    const body = spec.slice(0, -1);
    const [keyPart = "", effect] = body.split(":");
    if (effect) validateTaintEffect(effect);
    const key = effect ? (keyPart.split("=")[0] as string) : keyPart;
    const name = key.includes("/") ? key.slice(key.indexOf("/") + 1) : key;
    if (!qualifiedNamePart.test(name) || name.length > 63)
      throw usageError("kubectl taint", `invalid taint spec: ${body}, ${qualifiedNameMessage}`);
    return { taint: { key, ...(effect ? { effect } : {}) }, remove: true };
  }
  const invalid = (detail?: string) =>
    usageError("kubectl taint", `invalid taint spec: ${spec}${detail ? `, ${detail}` : ""}`);
  const parts = spec.split(":");
  let key: string;
  let value: string | undefined;
  let effect = "";
  if (parts.length === 1) key = parts[0] as string;
  else if (parts.length === 2) {
    effect = parts[1] as string;
    validateTaintEffect(effect);
    const keyValue = (parts[0] as string).split("=");
    if (keyValue.length > 2) throw invalid();
    key = keyValue[0] as string;
    value = keyValue[1];
    if (value !== undefined && value !== "" && (value.length > 63 || !qualifiedNamePart.test(value)))
      throw invalid(value.length > 63 ? "must be no more than 63 characters" : labelValueMessage);
  } else throw invalid();
  const name = key.includes("/") ? key.slice(key.indexOf("/") + 1) : key;
  if (!qualifiedNamePart.test(name) || name.length > 63) throw invalid(qualifiedNameMessage);
  if (!effect) throw invalid();
  return { taint: { key, ...(value !== undefined ? { value } : {}), effect }, remove: false };
}

/** `kubectl taint`. */
export const taintCommand: Command = {
  name: "taint",
  short: "Update the taints on one or more nodes",
  use: "taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N",
  flags: [
    ...printFlags,
    dryRunFlag,
    {
      name: "overwrite",
      kind: "bool",
      usage: "If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints.",
    },
    { name: "all", kind: "bool", usage: "Select all nodes in the cluster" },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-taint",
      usage: "Name of the manager used to track field ownership.",
    },
  ],
  async run(context, flags) {
    const specs = flags.positional.filter(
      (arg) => arg.includes(":") || arg.includes("=") || (arg.endsWith("-") && flags.positional.indexOf(arg) > 1),
    );
    const resources = flags.positional.filter((arg) => !specs.includes(arg));
    if (resources.length === 0)
      throw usageError(
        "kubectl taint",
        "at least one resource name must be specified since 'all' parameter is not set",
      );
    if (specs.length === 0) throw plainError("at least one taint update is required");
    const parsed = specs.map(parseTaint);
    flags.parsed.positional = resources;
    const dryRun = dryRunOf(context, flags);
    for (const { info, object } of await objectsFor(context, flags)) {
      if (info.kind !== "Node") throw new KubectlError("error: taint only supports nodes");
      let taints: Taint[] = [...((object.spec?.taints as Taint[]) ?? [])];
      let added = false;
      let removed = false;
      for (const { taint, remove } of parsed) {
        if (remove) {
          const before = taints.length;
          taints = taints.filter(
            (existing) => !(existing.key === taint.key && (!taint.effect || existing.effect === taint.effect)),
          );
          if (taints.length === before)
            throw new KubectlError(`error: taint "${taint.key}${taint.effect ? `:${taint.effect}` : ""}" not found`);
          removed = true;
        } else {
          const existing = taints.find((candidate) => candidate.key === taint.key && candidate.effect === taint.effect);
          if (existing && !flags.bool("overwrite")) {
            throw new KubectlError(
              `error: node ${object.metadata?.name} already has ${taint.key} taint(s) with same effect(s) and --overwrite is false`,
            );
          }
          taints = taints.filter((candidate) => candidate !== existing);
          taints.push(taint);
          added = true;
        }
      }
      const message = added && removed ? "modified" : added ? "tainted" : "untainted";
      if (dryRun !== "client") {
        await patchObject(context, info, undefined, String(object.metadata?.name), { spec: { taints } }, "merge", {
          dryRun,
          fieldManager: flags.string("field-manager"),
          fieldValidation: "Strict",
        });
      }
      // taint never adds " (dry run)": it does not pass its dry-run strategy to the printer.
      context.io.stdout(`node/${object.metadata?.name} ${message}\n`);
    }
    return 0;
  },
};

async function setUnschedulable(
  context: CommandContext,
  flags: Flags,
  unschedulable: boolean,
  nodes?: KubeObject[],
): Promise<void> {
  const dryRun = dryRunOf(context, flags);
  const discovery = await context.discovery();
  const info = await discovery.resolve("nodes");
  const targets = nodes ?? (await objectsFor(context, flags)).map((entry) => entry.object);
  for (const node of targets) {
    const name = String(node.metadata?.name);
    if (Boolean(node.spec?.unschedulable) === unschedulable) {
      context.io.stdout(`node/${name} already ${unschedulable ? "cordoned" : "uncordoned"}${dryRunSuffix(dryRun)}\n`);
      continue;
    }
    if (dryRun !== "client") {
      await patchObject(
        context,
        info,
        undefined,
        name,
        { spec: { unschedulable: unschedulable ? true : null } },
        "strategic",
        { dryRun, fieldManager: "kubectl-cordon" },
      );
    }
    context.io.stdout(`node/${name} ${unschedulable ? "cordoned" : "uncordoned"}${dryRunSuffix(dryRun)}\n`);
  }
}

const cordonFlags = [
  dryRunFlag,
  { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
] as Command["flags"] & object;

function nodeArgs(flags: Flags, path: string): void {
  if (flags.positional.length === 0 && !flags.string("selector"))
    throw usageError(path, `USAGE: ${path.replace(/^kubectl /, "")} NODE [flags]`);
  flags.parsed.positional = ["nodes", ...flags.positional];
}

/** `kubectl cordon`. */
export const cordonCommand: Command = {
  name: "cordon",
  short: "Mark node as unschedulable",
  use: "cordon NODE",
  flags: cordonFlags,
  async run(context, flags) {
    nodeArgs(flags, "kubectl cordon");
    await setUnschedulable(context, flags, true);
    return 0;
  },
};

/** `kubectl uncordon`. */
export const uncordonCommand: Command = {
  name: "uncordon",
  short: "Mark node as schedulable",
  use: "uncordon NODE",
  flags: cordonFlags,
  async run(context, flags) {
    nodeArgs(flags, "kubectl uncordon");
    await setUnschedulable(context, flags, false);
    return 0;
  },
};

/** `kubectl drain`. */
export const drainCommand: Command = {
  name: "drain",
  short: "Drain node in preparation for maintenance",
  use: "drain NODE",
  flags: [
    ...cordonFlags,
    { name: "force", kind: "bool", usage: "Continue even if there are pods that do not declare a controller." },
    { name: "ignore-daemonsets", kind: "bool", usage: "Ignore DaemonSet-managed pods." },
    {
      name: "delete-emptydir-data",
      kind: "bool",
      usage:
        "Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).",
    },
    {
      name: "grace-period",
      kind: "int",
      default: -1,
      usage:
        "Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.",
    },
    {
      name: "timeout",
      kind: "duration",
      default: "0s",
      usage: "The length of time to wait before giving up, zero means infinite",
    },
    {
      name: "disable-eviction",
      kind: "bool",
      usage:
        "Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.",
    },
    { name: "pod-selector", kind: "string", usage: "Label selector to filter pods on the node" },
    {
      name: "skip-wait-for-delete-timeout",
      kind: "int",
      usage:
        "If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.",
    },
    {
      name: "chunk-size",
      kind: "int",
      default: 500,
      usage:
        "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.",
    },
  ],
  async run(context, flags) {
    nodeArgs(flags, "kubectl drain");
    const nodes = (await objectsFor(context, flags)).map((entry) => entry.object);
    await setUnschedulable(context, flags, true, nodes);
    const client = await context.client();
    for (const node of nodes) {
      const name = String(node.metadata?.name);
      const pods = await client.get<{ items: Any[] }>("/api/v1/pods", {
        query: { fieldSelector: `spec.nodeName=${name}`, labelSelector: flags.string("pod-selector") || undefined },
      });
      const daemonSetPods: string[] = [];
      const unmanaged: string[] = [];
      const localStorage: string[] = [];
      const evict: Any[] = [];
      for (const pod of pods.items) {
        const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (pod.metadata.annotations?.["kubernetes.io/config.mirror"]) continue;
        if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") {
          evict.push(pod);
          continue;
        }
        const controller = (pod.metadata.ownerReferences ?? []).find((reference: Any) => reference.controller);
        if (controller?.kind === "DaemonSet") {
          daemonSetPods.push(id);
          continue;
        }
        if (!controller) unmanaged.push(id);
        if ((pod.spec?.volumes ?? []).some((volume: Any) => volume.emptyDir)) localStorage.push(id);
        evict.push(pod);
      }
      const problems: string[] = [];
      if (unmanaged.length > 0 && !flags.bool("force"))
        problems.push(
          // kubectl 1.32 doubles the prefix (unmanagedFatal already says "cannot delete").
          `cannot delete cannot delete Pods that declare no controller (use --force to override): ${unmanaged.join(", ")}`,
        );
      if (daemonSetPods.length > 0 && !flags.bool("ignore-daemonsets"))
        problems.push(
          `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemonSetPods.join(", ")}`,
        );
      if (localStorage.length > 0 && !flags.bool("delete-emptydir-data"))
        problems.push(
          `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(", ")}`,
        );
      if (problems.length > 0) {
        context.io.stderr(
          `error: unable to drain node "${name}" due to error: ${problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n`,
        );
        for (const problem of problems) context.io.stderr(`${problem}\n`);
        return 1;
      }
      const warnings: string[] = [];
      if (unmanaged.length > 0) warnings.push(`deleting Pods that declare no controller: ${unmanaged.join(", ")}`);
      if (daemonSetPods.length > 0) warnings.push(`ignoring DaemonSet-managed Pods: ${daemonSetPods.join(", ")}`);
      if (warnings.length > 0) context.io.stderr(`Warning: ${warnings.join("; ")}\n`);
      const dryRun = dryRunOf(context, flags);
      if (dryRun === "client") {
        for (const pod of evict)
          context.io.stdout(`evicting pod ${pod.metadata.namespace}/${pod.metadata.name} (dry run)\n`);
      } else {
        const errors = await evictPods(context, flags, evict, dryRun === "server");
        if (context.io.signal?.aborted) return 130;
        if (errors.length > 0) {
          const message = errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`;
          const pending = (
            await client.get<{ items: Any[] }>("/api/v1/pods", {
              query: {
                fieldSelector: `spec.nodeName=${name}`,
                labelSelector: flags.string("pod-selector") || undefined,
              },
            })
          ).items.filter(
            (pod) =>
              !pod.metadata.annotations?.["kubernetes.io/config.mirror"] &&
              (pod.metadata.ownerReferences ?? []).find((reference: Any) => reference.controller)?.kind !== "DaemonSet",
          );
          if (pending.length > 0) {
            context.io.stderr(`There are pending pods in node "${name}" when an error occurred: ${message}\n`);
            for (const pod of pending) context.io.stderr(`pod/${pod.metadata.name}\n`);
          }
          context.io.stderr(
            `error: unable to drain node "${name}" due to error: ${message}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n`,
          );
          // CheckErr prints an aggregate one error a line, without the "error: " prefix.
          throw new KubectlError(errors.join("\n"));
        }
      }
      context.io.stdout(`node/${name} drained${dryRunSuffix(dryRun)}\n`);
    }
    return 0;
  },
};

/** A Go time.Duration's String() for whole milliseconds (`8s`, `1m30s`, `500ms`). */
function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/**
 * drain.Helper.evictPods (or deletePods with --disable-eviction): every pod in parallel, each eviction
 * refused by a disruption budget (429) retried every 5 s until --timeout or the learner's Ctrl-C, then
 * waiting for the pod to go. Returns the error of each pod that did not go.
 */
async function evictPods(context: CommandContext, flags: Flags, pods: Any[], serverDryRun: boolean): Promise<string[]> {
  const client = await context.client();
  const timeoutMs = flags.duration("timeout");
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
  const usingEviction = !flags.bool("disable-eviction");
  const verb = usingEviction ? "evicting" : "deleting";
  const signal = context.io.signal;
  const stopped = () => signal?.aborted || Date.now() >= deadline;
  const timedOut = (pod: Any) =>
    `error when ${verb} pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}": global timeout reached: ${goDuration(timeoutMs)}`;
  const podPath = (pod: Any) => `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
  const one = async (pod: Any): Promise<string | undefined> => {
    for (;;) {
      const suffix = serverDryRun ? " (server dry run)" : "";
      context.io.stdout(`${verb} pod ${pod.metadata.namespace}/${pod.metadata.name}${suffix}\n`);
      if (stopped()) return timedOut(pod);
      try {
        if (usingEviction) {
          const body: Any = {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
          };
          if (flags.int("grace-period") >= 0) body.deleteOptions = { gracePeriodSeconds: flags.int("grace-period") };
          if (serverDryRun) body.deleteOptions = { ...body.deleteOptions, dryRun: ["All"] };
          await client.json("POST", `${podPath(pod)}/eviction`, { body });
        } else {
          const body: Any = { kind: "DeleteOptions", apiVersion: "v1" };
          if (flags.int("grace-period") >= 0) body.gracePeriodSeconds = flags.int("grace-period");
          if (serverDryRun) body.dryRun = ["All"];
          await client.json("DELETE", podPath(pod), { body });
        }
        break;
      } catch (error) {
        if (error instanceof ApiStatusError && error.reason === "NotFound") return undefined;
        if (usingEviction && error instanceof ApiStatusError && error.reason === "TooManyRequests") {
          context.io.stderr(
            `error when evicting pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}" (will retry after 5s): ${error.status.message}\n`,
          );
          await sleep(5000, signal);
          continue;
        }
        if (error instanceof ApiStatusError)
          return `error when ${verb} pods/"${pod.metadata.name}" -n "${pod.metadata.namespace}": ${error.status.message}`;
        throw error;
      }
    }
    if (serverDryRun) return undefined;
    while (!stopped()) {
      try {
        const current = await client.get<Any>(podPath(pod));
        if (current.metadata.uid !== pod.metadata.uid) break;
      } catch (error) {
        if (error instanceof ApiStatusError && error.reason === "NotFound") break;
        throw error;
      }
      await sleep(100, signal);
    }
    if (stopped()) return timedOut(pod);
    context.io.stdout(`pod/${pod.metadata.name} ${usingEviction ? "evicted" : "deleted"}\n`);
    return undefined;
  };
  const results = await Promise.all(pods.map(one));
  return results.filter((result): result is string => result !== undefined);
}

/** `kubectl patch`. */
export const patchCommand: Command = {
  name: "patch",
  short: "Update fields of a resource",
  use: "patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]",
  flags: [
    recordFlag,
    ...printFlags,
    ...filenameFlags("identifying the resource to update"),
    dryRunFlag,
    { name: "patch", shorthand: "p", kind: "string", usage: "The patch to be applied to the resource JSON file." },
    { name: "patch-file", kind: "string", usage: "A file containing a patch to be applied to the resource." },
    {
      name: "type",
      kind: "string",
      default: "strategic",
      usage: "The type of patch being provided; one of [json merge strategic]",
    },
    {
      name: "local",
      kind: "bool",
      usage: "If true, patch will operate on the content of the file, not the server-side resource.",
    },
    {
      name: "subresource",
      kind: "string",
      usage:
        "If specified, patch will operate on the subresource of the requested object. Supported subresources are status, scale and resize.",
    },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-patch",
      usage: "Name of the manager used to track field ownership.",
    },
  ],
  async run(context, flags) {
    let text = flags.string("patch");
    if (flags.string("patch-file")) text = await context.io.readFile(flags.string("patch-file"));
    if (!text) throw plainError("must specify --patch or --patch-file containing the contents of the patch");
    // yaml.ToJSON passes text with a JSON prefix through untouched: the server judges it.
    let body = text;
    if (!/^\s*[{[]/.test(text)) {
      try {
        body = JSON.stringify(parse(text));
      } catch (error) {
        throw new KubectlError(`error: unable to parse "${text}": ${(error as Error).message}`);
      }
    }
    const type = flags.string("type");
    if (!["json", "merge", "strategic"].includes(type))
      throw new KubectlError(`error: --type must be one of [json merge strategic], not "${type}"`);
    const dryRun = dryRunOf(context, flags);
    for (const { info, object } of await objectsFor(context, flags)) {
      let result = await patchObject(
        context,
        info,
        object.metadata?.namespace,
        String(object.metadata?.name),
        body,
        type as "json" | "merge" | "strategic",
        {
          dryRun,
          fieldManager: flags.string("field-manager"),
          subresource: flags.string("subresource") || undefined,
        },
      );
      // patch.go: "(no change)" when the patched object deep-equals the one fetched; its printer
      // gets no dry-run strategy, so no " (dry run)" either.
      const unchanged = canonicalJson(result) === canonicalJson(object);
      result = await recordWithMergePatch(context, flags, info, result, dryRun);
      if (flags.string("output")) printResult(context, flags, info, result, "patched", dryRun);
      else
        context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name} patched${unchanged ? " (no change)" : ""}\n`);
    }
    return 0;
  },
};

/** JSON with object keys sorted, for comparing objects as reflect.DeepEqual does. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === "object" && !Array.isArray(entry)
      ? Object.fromEntries(
          Object.entries(entry as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : entry,
  );
}

/** `kubectl replace`. */
export const replaceCommand: Command = {
  name: "replace",
  short: "Replace a resource by file name or stdin",
  use: "replace -f FILENAME",
  flags: [
    ...printFlags,
    ...filenameFlags("that contains the configuration to replace"),
    dryRunFlag,
    {
      name: "force",
      kind: "bool",
      usage:
        "If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.",
    },
    {
      name: "grace-period",
      kind: "int",
      default: -1,
      usage:
        "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).",
    },
    {
      name: "save-config",
      kind: "bool",
      usage: "If true, the configuration of current object will be saved in its annotation.",
    },
    {
      name: "validate",
      kind: "string",
      default: "strict",
      noOptDefault: "strict",
      usage: "Must be one of: strict (or true), warn, ignore (or false).",
    },
    {
      name: "wait",
      kind: "bool",
      usage: "Only relevant during a force replace, will wait for resources to be gone before returning.",
    },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-replace",
      usage: "Name of the manager used to track field ownership.",
    },
    {
      name: "subresource",
      kind: "string",
      usage: "If specified, replace will operate on the subresource of the requested object.",
    },
  ],
  async run(context, flags) {
    const fieldValidation = validationDirective(flags);
    if (filenameArguments(flags).length === 0) throw plainError("must specify one of -f and -k");
    const client = await context.client();
    const discovery = await context.discovery();
    const namespace = await context.namespace();
    const dryRun = dryRunOf(context, flags);
    if (dryRun !== "none" && flags.bool("force")) throw plainError("--dry-run can not be used when --force is set");
    let failed = false;
    const manifests = await readFilenameOptions(context.io, flags);
    // --force deletes every object (waiting for each to be gone) before creating them again, as forceReplace.
    const deleted = new Set<KubeObject>();
    for (const manifest of flags.bool("force") ? manifests : []) {
      const object = manifest.object as KubeObject;
      const info = await discovery.resolveKind(String(object.apiVersion), String(object.kind));
      const objectNamespace = info.namespaced ? (object.metadata?.namespace ?? namespace) : undefined;
      try {
        await client.json("DELETE", resourcePath(info, objectNamespace, String(object.metadata?.name)), {
          body: {
            kind: "DeleteOptions",
            apiVersion: "v1",
            ...(flags.int("grace-period") >= 0 ? { gracePeriodSeconds: flags.int("grace-period") } : {}),
          },
        });
        // DeleteOptions.PrintObj: -o name is the only output format a delete honours.
        if (flags.string("output") === "name") context.io.stdout(`${kindDotGroup(info)}/${object.metadata?.name}\n`);
        else context.io.stdout(`${kindDotGroup(info)} "${object.metadata?.name}" deleted\n`);
        for (let i = 0; i < 600; i++) {
          try {
            await client.get(resourcePath(info, objectNamespace, String(object.metadata?.name)));
            await sleep(100, context.io.signal);
          } catch {
            break;
          }
        }
        deleted.add(object);
      } catch (error) {
        failed = true;
        if (error instanceof ApiStatusError) context.io.stderr(`${formatApiError(error)}\n`);
        else throw error;
      }
    }
    for (const manifest of manifests) {
      const object = manifest.object as KubeObject;
      const info = await discovery.resolveKind(String(object.apiVersion), String(object.kind));
      const objectNamespace = info.namespaced ? (object.metadata?.namespace ?? namespace) : undefined;
      try {
        if (flags.bool("force")) {
          if (!deleted.has(object)) continue;
          // As client-go's Helper.Create(modify=true): a create must not carry the old resourceVersion
          // (the file is usually `kubectl get -o yaml` output).
          if (object.metadata?.resourceVersion) object.metadata = { ...object.metadata, resourceVersion: undefined };
          const created = await client.json<KubeObject>("POST", resourcePath(info, objectNamespace), {
            body: object,
            query: { fieldManager: flags.string("field-manager") },
          });
          printResult(context, flags, info, created, "replaced", dryRun);
          continue;
        }
        // Helper.Replace: the live object's resourceVersion when the file has none; a failed read
        // still sends the PUT, so the server's answer (a decoding error, NotFound) is what is shown.
        if (!object.metadata?.resourceVersion && dryRun !== "client") {
          const live = await client
            .get<KubeObject>(resourcePath(info, objectNamespace, String(object.metadata?.name)))
            .catch(() => undefined);
          if (live) object.metadata = { ...(object.metadata ?? {}), resourceVersion: live.metadata?.resourceVersion };
        }
        const replaced =
          dryRun === "client"
            ? object
            : await replaceObject(context, info, objectNamespace, object, {
                dryRun,
                fieldManager: flags.string("field-manager"),
                fieldValidation,
              }).catch((error: unknown) => {
                throw addSourceToError(error, "replacing", manifest.source);
              });
        printResult(context, flags, info, replaced, "replaced", dryRun);
      } catch (error) {
        failed = true;
        if (error instanceof ApiStatusError) context.io.stderr(`${formatApiError(error)}\n`);
        else throw error;
      }
    }
    return failed ? 1 : 0;
  },
};

export type { ResourceInfo };

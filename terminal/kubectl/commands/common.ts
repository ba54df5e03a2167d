import type { CommandContext } from "../Command";
import { type ResourceInfo, resourcePath } from "../Discovery";
import { ApiStatusError, usageError } from "../errors";
import type { FlagSpec, Flags } from "../flags";
import type { Table } from "../printers/table";

/** Accept header kubectl sends to get server-side tables. */
export const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/** Flags shared by commands that print objects (-o, --template …). */
export const printFlags: FlagSpec[] = [
  {
    name: "output",
    shorthand: "o",
    kind: "string",
    usage:
      "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).",
  },
  {
    name: "template",
    kind: "string",
    usage: "Template string or path to template file to use when -o=go-template, -o=go-template-file.",
  },
  {
    name: "allow-missing-template-keys",
    kind: "bool",
    default: true,
    usage: "If true, ignore any errors in templates when a field or map key is missing in the template.",
  },
  {
    name: "show-managed-fields",
    kind: "bool",
    usage: "If true, keep the managedFields when printing objects in JSON or YAML format.",
  },
];

/** -f/-R/-k flags. */
export const filenameFlags = (verb: string): FlagSpec[] => [
  {
    name: "filename",
    shorthand: "f",
    kind: "stringSlice",
    usage: `Filename, directory, or URL to files identifying the resource to ${verb}`,
  },
  {
    name: "recursive",
    shorthand: "R",
    kind: "bool",
    usage:
      "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.",
  },
  {
    name: "kustomize",
    shorthand: "k",
    kind: "string",
    usage: "Process the kustomization directory. This flag can't be used together with -f or -R.",
  },
];

/** --dry-run flag. */
export const dryRunFlag: FlagSpec = {
  name: "dry-run",
  kind: "string",
  default: "none",
  noOptDefault: "unchanged",
  usage:
    'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
};

/**
 * The deprecated --record (genericclioptions.RecordFlags): hidden, announced with pflag's
 * deprecation notice, and when true the command line goes into the changed objects'
 * kubernetes.io/change-cause annotation (see changeCause), which `rollout history` shows.
 */
export const recordFlag: FlagSpec = {
  name: "record",
  kind: "bool",
  hidden: true,
  deprecated: "--record will be removed in the future",
  usage:
    "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists.",
};

/** The annotation --record writes (ChangeCauseAnnotation). */
export const changeCauseAnnotation = "kubernetes.io/change-cause";

/** What --record writes (ChangeCauseRecorder), or undefined when it is not set to true (NoopRecorder). */
export function changeCause(context: CommandContext, flags: Flags): string | undefined {
  return flags.bool("record") ? context.commandLine() : undefined;
}

/** ChangeCauseRecorder.Record: the change cause set on an object about to be sent. */
export function recordChangeCause(object: KubeObject, cause: string | undefined): void {
  if (cause === undefined) return;
  object.metadata = {
    ...object.metadata,
    annotations: { ...object.metadata?.annotations, [changeCauseAnnotation]: cause },
  };
}

/**
 * What cli-runtime's Info.Get adds to a NotFound for a namespaced object: it asks for the namespace,
 * and when that is missing too the namespace's NotFound is the error shown
 * (`namespaces "x" not found`). Undefined when the namespace exists (or cannot be read).
 */
export async function missingNamespaceError(
  context: CommandContext,
  info: Pick<ResourceInfo, "namespaced">,
  namespace: string | undefined,
): Promise<ApiStatusError | undefined> {
  if (!info.namespaced || !namespace) return undefined;
  try {
    await (await context.client()).get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`);
  } catch (error) {
    if (error instanceof ApiStatusError && error.reason === "NotFound") return error;
  }
  return undefined;
}

/** A named read as the resource builder makes it: a NotFound in a missing namespace names the namespace. */
export async function getNamed<T>(
  context: CommandContext,
  info: Pick<ResourceInfo, "namespaced">,
  namespace: string | undefined,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiStatusError && error.reason === "NotFound")
      throw (await missingNamespaceError(context, info, namespace)) ?? error;
    throw error;
  }
}

/** Lists a collection as a server-side Table. */
export async function listTable(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  query: Record<string, string | number | boolean | undefined>,
): Promise<Table> {
  const client = await context.client();
  return client.get<Table>(resourcePath(info, namespace), { accept: tableAccept, query });
}

/** GETs one object as a server-side Table. */
export async function getTable(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<Table> {
  const client = await context.client();
  return client.get<Table>(resourcePath(info, namespace, name), { accept: tableAccept, query });
}

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    generation?: number;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean; apiVersion: string }[];
    [key: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: spec and status differ per kind and are read loosely
  spec?: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: spec and status differ per kind and are read loosely
  status?: Record<string, any>;
};

/** GETs one object. */
export async function getObject(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
): Promise<KubeObject> {
  const client = await context.client();
  return client.get<KubeObject>(resourcePath(info, namespace, name));
}

/** Lists objects; items get apiVersion and kind set, as kubectl's unstructured decoding does. */
export async function listObjects(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const client = await context.client();
  const list = await client.get<{ items?: KubeObject[]; metadata?: { resourceVersion?: string } }>(
    resourcePath(info, namespace),
    { query },
  );
  const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  const items = (list.items ?? []).map((item) => ({ apiVersion, kind: info.kind, ...item }));
  return { items, resourceVersion: list.metadata?.resourceVersion ?? "" };
}

/** Reorders keys so apiVersion and kind lead, as objects decoded from the server have them. */
export function withTypeMeta(object: KubeObject, info: ResourceInfo): KubeObject {
  const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  return { ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? info.kind };
}

/**
 * Sleeps, resolving early when the signal aborts. The abort listener goes when the sleep ends,
 * so a poll loop sharing one signal doesn't pile up listeners (Node's MaxListenersExceededWarning).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** cmdutil.UsageErrorf(cmd, "unexpected arguments: %v", args) of commands that take none. */
export function rejectArguments(context: CommandContext, flags: Flags): void {
  if (flags.positional.length > 0)
    throw usageError(context.commandPath, `unexpected arguments: [${flags.positional.join(" ")}]`);
}

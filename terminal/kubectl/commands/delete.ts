import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError } from "../errors";
import type { Flags } from "../flags";
import { filenameArguments, readFilenameOptions } from "../kustomize";
import { resolveTargets } from "../targets";
import { dryRunFlag, filenameFlags, type KubeObject, sleep } from "./common";
import { dryRunOf, dryRunSuffix } from "./mutation";

interface Victim {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  source?: string;
}

/** `kubectl delete`. */
export const deleteCommand: Command = {
  name: "delete",
  short: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
  use: "delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])",
  flags: [
    ...filenameFlags("containing the resource to delete."),
    dryRunFlag,
    { name: "all", kind: "bool", usage: "Delete all resources, in the namespace of the specified resource types." },
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage:
        "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
    },
    {
      name: "selector",
      shorthand: "l",
      kind: "string",
      usage:
        "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
    },
    {
      name: "field-selector",
      kind: "string",
      usage:
        "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.",
    },
    {
      name: "grace-period",
      kind: "int",
      default: -1,
      usage:
        "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).",
    },
    {
      name: "force",
      kind: "bool",
      usage:
        "If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.",
    },
    {
      name: "now",
      kind: "bool",
      usage: "If true, resources are signaled for immediate shutdown (same as --grace-period=1).",
    },
    {
      name: "wait",
      kind: "bool",
      default: true,
      usage: "If true, wait for resources to be gone before returning. This waits for finalizers.",
    },
    {
      name: "timeout",
      kind: "string",
      default: "0s",
      usage:
        "The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object",
    },
    {
      name: "ignore-not-found",
      kind: "bool",
      usage: 'Treat "resource not found" as a successful delete. Defaults to "true" when --all is specified.',
    },
    {
      name: "cascade",
      kind: "string",
      default: "background",
      noOptDefault: "background",
      usage:
        'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.',
    },
    {
      name: "output",
      shorthand: "o",
      kind: "string",
      usage: 'Output mode. Use "-o name" for shorter output (resource/name).',
    },
    { name: "interactive", shorthand: "i", kind: "bool", usage: "If true, delete resource only when user confirms." },
    {
      name: "raw",
      kind: "string",
      usage: "Raw URI to DELETE to the server.  Uses the transport specified by the kubeconfig file.",
    },
  ],
  run: runDelete,
};

async function runDelete(context: CommandContext, flags: Flags): Promise<number> {
  const args = flags.positional;
  const filenames = filenameArguments(flags);
  if (args.length === 0 && filenames.length === 0) {
    throw new KubectlError(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  }
  const dryRun = dryRunOf(context, flags);
  let gracePeriod = flags.int("grace-period");
  if (flags.bool("now")) {
    if (gracePeriod !== -1) throw new KubectlError("error: --now and --grace-period cannot be specified together");
    gracePeriod = 1;
  }
  if (flags.bool("force") && gracePeriod < 0) gracePeriod = 0;
  if (gracePeriod === 0 && !flags.bool("force")) gracePeriod = 1;
  if (flags.bool("force") && gracePeriod === 0) {
    context.io.stderr(
      "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n",
    );
  }
  const allNamespaces = flags.bool("all-namespaces");
  const namespace = await context.namespace();
  const client = await context.client();
  const victims: Victim[] = [];
  const errors: string[] = [];
  const ignoreNotFound = flags.bool("ignore-not-found") || (flags.bool("all") && !flags.changed("ignore-not-found"));
  if (filenames.length > 0) {
    const discovery = await context.discovery();
    for (const manifest of await readFilenameOptions(context.io, flags)) {
      const info = await discovery.resolveKind(
        String(manifest.object.apiVersion ?? ""),
        String(manifest.object.kind ?? ""),
      );
      victims.push({
        info,
        namespace: info.namespaced ? (manifest.object.metadata?.namespace ?? namespace) : undefined,
        name: String(manifest.object.metadata?.name ?? ""),
        source: manifest.source,
      });
    }
  } else {
    const targets = await resolveTargets(context, args);
    const selector = flags.string("selector");
    const fieldSelector = flags.string("field-selector");
    for (const target of targets) {
      const targetNamespace = target.info.namespaced ? (allNamespaces ? undefined : namespace) : undefined;
      if (target.names.length > 0) {
        if (flags.bool("all") || selector)
          throw new KubectlError("error: name cannot be provided when a selector is specified");
        for (const name of target.names)
          victims.push({ info: target.info, namespace: target.info.namespaced ? namespace : undefined, name });
        continue;
      }
      if (!flags.bool("all") && !selector && !fieldSelector) {
        throw new KubectlError("error: resource(s) were provided, but no name was specified");
      }
      const list = await client.get<{ items: KubeObject[] }>(resourcePath(target.info, targetNamespace), {
        query: { labelSelector: selector || undefined, fieldSelector: fieldSelector || undefined },
      });
      for (const item of list.items ?? []) {
        victims.push({
          info: target.info,
          namespace: item.metadata?.namespace,
          name: String(item.metadata?.name ?? ""),
        });
      }
    }
  }
  const deleted: { victim: Victim; uid?: string }[] = [];
  let any = false;
  for (const victim of victims) {
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
    if (gracePeriod >= 0) body.gracePeriodSeconds = gracePeriod;
    const cascade = flags.string("cascade");
    body.propagationPolicy = cascade === "orphan" ? "Orphan" : cascade === "foreground" ? "Foreground" : "Background";
    if (dryRun === "server") body.dryRun = ["All"];
    try {
      let uid: string | undefined;
      if (dryRun === "client") {
        await client.get(resourcePath(victim.info, victim.namespace, victim.name));
      } else {
        const result = await client.json<KubeObject & { details?: { uid?: string } }>(
          "DELETE",
          resourcePath(victim.info, victim.namespace, victim.name),
          { body },
        );
        // An immediate delete answers with a Status that names the uid in its details; a
        // graceful one answers with the object (kubectl's uidMap in cmd/delete).
        uid = result.kind === "Status" ? result.details?.uid : result.metadata?.uid;
      }
      any = true;
      if (flags.string("output") === "name") context.io.stdout(`${kindDotGroup(victim.info)}/${victim.name}\n`);
      else
        context.io.stdout(
          `${kindDotGroup(victim.info)} "${victim.name}" ${flags.bool("force") && gracePeriod === 0 ? "force deleted" : "deleted"}${dryRunSuffix(dryRun)}\n`,
        );
      deleted.push({ victim, uid });
    } catch (error) {
      if (error instanceof ApiStatusError && error.reason === "NotFound" && ignoreNotFound) continue;
      if (error instanceof ApiStatusError)
        errors.push(formatApiError(error, filenames.length > 0 ? `error when deleting "${victim.source}": ` : ""));
      else throw error;
    }
  }
  if (!any && errors.length === 0 && victims.length === 0 && filenames.length === 0) {
    context.io.stdout("No resources found\n");
  }
  if (flags.bool("wait") && dryRun === "none") {
    for (const { victim, uid } of deleted) {
      if (context.io.signal?.aborted) break;
      await waitForDeletion(context, victim, uid);
    }
  }
  for (const error of errors) context.io.stderr(`${error}\n`);
  return errors.length > 0 ? 1 : 0;
}

/** Waits until the object is gone (or replaced by one with another UID), as kubectl delete --wait does. */
async function waitForDeletion(context: CommandContext, victim: Victim, uid: string | undefined): Promise<void> {
  const client = await context.client();
  const path = resourcePath(victim.info, victim.namespace, victim.name);
  let delay = 50;
  while (!context.io.signal?.aborted) {
    try {
      const current = await client.get<KubeObject>(path);
      if (uid && current.metadata?.uid !== uid) return;
    } catch (error) {
      if (error instanceof ApiStatusError && error.reason === "NotFound") return;
      throw error;
    }
    await sleep(delay, context.io.signal);
    delay = Math.min(delay * 2, 1000);
  }
}

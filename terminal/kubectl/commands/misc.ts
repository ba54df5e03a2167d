import { applyObject } from "../apply";
import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { since } from "../describe/format";
import { ApiStatusError, formatApiError, KubectlError, usageError } from "../errors";
import { renderGlobalOptionsText } from "../globalOptions";
import { goSort } from "../goSort";
import { filenameArguments, readFilenameOptions } from "../kustomize";
import { toGoYaml } from "../printers/goYaml";
import { JsonPath } from "../printers/jsonpath";
import { omitManagedFields, parseOutputFormat, printObject } from "../printers/output";
import { formatRememberingWidths, formatTabbed } from "../printers/tabwriter";
import { resolveTargets } from "../targets";
import { unifiedDiff } from "../unifiedDiff";
import { filenameFlags, type KubeObject, sleep } from "./common";
import { untilInterrupted } from "./get";
import { objectsFor } from "./workloads";

// biome-ignore lint/suspicious/noExplicitAny: describers walk loosely typed API JSON
type Any = any;

function parseTimeout(text: string): number {
  if (text === "0" || text === "0s") return 0;
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!match) return 30_000;
  const value = Number(match[1]);
  switch (match[2]) {
    case "ms":
      return value;
    case "m":
      return value * 60_000;
    case "h":
      return value * 3_600_000;
    default:
      return value * 1000;
  }
}

/** `kubectl wait`. */
export const waitCommand: Command = {
  name: "wait",
  short: "Experimental: Wait for a specific condition on one or many resources",
  use: "wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
  flags: [
    ...filenameFlags("identifying the resource."),
    {
      name: "for",
      kind: "string",
      usage:
        "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true.  Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity.",
    },
    {
      name: "timeout",
      kind: "string",
      default: "30s",
      usage:
        "The length of time to wait before giving up.  Zero means check once and don't wait, negative means wait for a week.",
    },
    { name: "all", kind: "bool", usage: "Select all resources in the namespace of the specified resource types" },
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage: "If present, list the requested object(s) across all namespaces.",
    },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
    { name: "field-selector", kind: "string", usage: "Selector (field query) to filter on" },
    { name: "output", shorthand: "o", kind: "string", usage: "Output format." },
  ],
  async run(context, flags) {
    const condition = flags.string("for");
    if (!condition) throw new KubectlError("error: --for must be specified");
    const timeout = parseTimeout(flags.string("timeout"));
    const deadline = Date.now() + timeout;
    const client = await context.client();
    const namespace = await context.namespace();
    const targets = await resolveTargets(context, flags.positional);
    const items: { info: ResourceInfo; name: string }[] = [];
    for (const target of targets) {
      if (target.names.length > 0) for (const name of target.names) items.push({ info: target.info, name });
      else {
        const list = await client.get<{ items: KubeObject[] }>(
          resourcePath(target.info, target.info.namespaced ? namespace : undefined),
          { query: { labelSelector: flags.string("selector") || undefined } },
        );
        for (const item of list.items) items.push({ info: target.info, name: String(item.metadata?.name) });
        if (list.items.length === 0) throw new KubectlError("error: no matching resources found");
      }
    }
    const check = (object: KubeObject | undefined): boolean => {
      if (condition === "delete") return object === undefined;
      if (condition === "create") return object !== undefined;
      if (!object) return false;
      if (condition.startsWith("condition=")) {
        const [name, value] = condition.slice("condition=".length).split("=");
        const found = (object.status?.conditions ?? []).find(
          (c: Any) => String(c.type).toLowerCase() === String(name).toLowerCase(),
        );
        return Boolean(found) && String(found.status).toLowerCase() === String(value ?? "true").toLowerCase();
      }
      if (condition.startsWith("jsonpath=")) {
        const spec = condition.slice("jsonpath=".length);
        const close = spec.lastIndexOf("}");
        const expression = spec.slice(0, close + 1).replace(/^'|'$/g, "");
        const expected = spec.slice(close + 2);
        const values = new JsonPath(expression).values(object);
        if (values.length === 0) return false;
        return expected === "" ? true : String(values[0]) === expected;
      }
      throw new KubectlError(`error: unrecognized condition: "${condition}"`);
    };
    for (const { info, name } of items) {
      const path = resourcePath(info, info.namespaced ? namespace : undefined, name);
      for (let first = true; ; first = false) {
        let object: KubeObject | undefined;
        try {
          object = await client.get<KubeObject>(path);
        } catch (error) {
          if (!(error instanceof ApiStatusError) || error.reason !== "NotFound") throw error;
          if (condition !== "delete" && condition !== "create") throw new KubectlError(formatApiError(error));
          // --for=delete skips what is already gone, as the resource builder ignores NotFound for it.
          if (condition === "delete" && first) break;
        }
        if (check(object)) {
          context.io.stdout(`${kindDotGroup(info)}/${name} condition met\n`);
          break;
        }
        if (Date.now() >= deadline || context.io.signal?.aborted) {
          throw new KubectlError(
            `error: timed out waiting for the condition on ${info.resource}${info.group ? `.${info.group}` : ""}/${name}`,
          );
        }
        await sleep(Math.min(200, Math.max(1, deadline - Date.now())), context.io.signal);
      }
    }
    return 0;
  },
};

const canI: Command = {
  name: "can-i",
  short: "Check whether an action is allowed",
  use: "can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]",
  flags: [
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage: "If true, check the specified action in all namespaces.",
    },
    { name: "list", kind: "bool", usage: "If true, prints all allowed actions." },
    { name: "quiet", shorthand: "q", kind: "bool", usage: "If true, suppress output and just return the exit code." },
    { name: "subresource", kind: "string", usage: "SubResource such as pod/log or deployment/scale" },
    { name: "no-headers", kind: "bool", usage: "If true, prints allowed actions without headers" },
  ],
  async run(context, flags) {
    // cani.go Validate, in its words.
    if (flags.bool("list") && (flags.bool("quiet") || flags.bool("all-namespaces") || flags.string("subresource")))
      throw new KubectlError(
        "error: list option can't be specified with neither quiet, all-namespaces nor subresource options",
      );
    if (!flags.bool("list") && flags.bool("no-headers"))
      throw new KubectlError("error: --no-headers cannot be set without --list specified");
    const client = await context.client();
    const namespace = flags.bool("all-namespaces") ? "" : await context.namespace();
    if (flags.bool("list")) {
      const review = await client.json<Any>("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", {
        body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
      });
      const status = review.status ?? {};
      if (status.incomplete)
        context.io.stderr(`Warning: the list may be incomplete: ${status.evaluationError ?? ""}\n`);
      let text = flags.bool("no-headers") ? "" : "Resources\tNon-Resource URLs\tResource Names\tVerbs\n";
      for (const rule of accessTable(status)) {
        const list = (values: string[] | undefined) => `[${(values ?? []).join(" ")}]`;
        text += `${combineResourceGroup(rule.resources, rule.apiGroups)}\t${list(rule.nonResourceURLs)}\t${list(rule.resourceNames)}\t${list(rule.verbs)}\n`;
      }
      context.io.stdout(formatTabbed(text));
      return 0;
    }
    const [verb, what] = flags.positional;
    if (!verb || !what)
      throw usageError(
        "kubectl auth can-i",
        "you must specify two arguments: verb resource or verb resource/resourceName.",
      );
    const spec: Any = {};
    if (what.startsWith("/")) spec.nonResourceAttributes = { path: what, verb };
    else {
      const [typed, name] = what.split("/");
      let group = "";
      let resource = typed as string;
      if (typed !== "*") {
        try {
          const info = await (await context.discovery()).resolve(typed as string);
          group = info.group;
          resource = info.resource;
          // cani.go Validate: a namespace given to a cluster-scoped resource is ignored, with a warning.
          if (!info.namespaced && !flags.bool("all-namespaces"))
            context.io.stderr(
              group
                ? `Warning: resource '${resource}' is not namespace scoped in group '${group}'\n\n`
                : `Warning: resource '${resource}' is not namespace scoped\n\n`,
            );
        } catch {
          context.io.stderr(`Warning: the server doesn't have a resource type '${typed}'\n\n`);
        }
      }
      spec.resourceAttributes = {
        namespace,
        verb,
        group,
        resource,
        ...(name ? { name } : {}),
        ...(flags.string("subresource") ? { subresource: flags.string("subresource") } : {}),
      };
    }
    const review = await client.json<Any>("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec },
    });
    const allowed = review.status?.allowed === true;
    if (!flags.bool("quiet")) context.io.stdout(allowed ? "yes\n" : "no\n");
    return allowed ? 0 : 1;
  },
};

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * A SelfSubjectRulesReview's rules as `kubectl auth can-i --list` prints them (cani.go printStatus):
 * every rule broken down to one group, resource and name (rbacutil.BreakdownRule), rules of one
 * group and resource (and at most one name) merged with their verbs in order (CompactRules), then
 * sorted by the rule's protobuf String(), which starts with the verbs (SortableRuleSlice).
 */
export function accessTable(status: { resourceRules?: PolicyRule[]; nonResourceRules?: PolicyRule[] }): PolicyRule[] {
  const broken: PolicyRule[] = [];
  for (const rule of status.resourceRules ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) broken.push({ apiGroups: [group], resources: [resource], verbs: rule.verbs });
        else
          for (const name of names)
            broken.push({ apiGroups: [group], resources: [resource], verbs: rule.verbs, resourceNames: [name] });
      }
    }
  }
  for (const rule of status.nonResourceRules ?? [])
    for (const url of rule.nonResourceURLs ?? []) broken.push({ nonResourceURLs: [url], verbs: rule.verbs });
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of broken) {
    if (rule.nonResourceURLs || !rule.apiGroups || !rule.resources) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups[0], rule.resources[0], rule.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...rule, verbs: [...(rule.verbs ?? [])] });
    else for (const verb of rule.verbs ?? []) if (!existing.verbs?.includes(verb)) existing.verbs?.push(verb);
  }
  compacted.push(...simple.values());
  const goString = (rule: PolicyRule) =>
    `&PolicyRule{Verbs:[${(rule.verbs ?? []).join(" ")}],APIGroups:[${(rule.apiGroups ?? []).join(" ")}],Resources:[${(rule.resources ?? []).join(" ")}],ResourceNames:[${(rule.resourceNames ?? []).join(" ")}],NonResourceURLs:[${(rule.nonResourceURLs ?? []).join(" ")}],}`;
  const keyed = compacted.map((rule) => ({ rule, key: goString(rule) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ rule }) => rule);
}

/** describe.CombineResourceGroup: `deployments.apps/scale` from resource `deployments/scale` and group `apps`. */
function combineResourceGroup(resources: string[] | undefined, groups: string[] | undefined): string {
  const first = resources?.[0];
  if (!first) return "";
  const slash = first.indexOf("/");
  const [resource, subresource] = slash < 0 ? [first, undefined] : [first.slice(0, slash), first.slice(slash + 1)];
  let combined = resource;
  if (groups?.[0]) combined += `.${groups[0]}`;
  if (subresource !== undefined) combined += `/${subresource}`;
  return combined;
}

const whoAmI: Command = {
  name: "whoami",
  short: "Experimental: Check self subject attributes",
  use: "whoami",
  flags: [{ name: "output", shorthand: "o", kind: "string", usage: "Output format." }],
  async run(context, flags) {
    const client = await context.client();
    const review = await client.json<Any>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    const output = flags.string("output");
    if (output) {
      // whoami prints a typed SelfSubjectReview: kind before apiVersion, as Go's struct orders them.
      const allowed =
        "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";
      const kind = output.split("=")[0] ?? "";
      if (!allowed.split(",").includes(kind))
        throw new KubectlError(
          `error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${allowed}`,
        );
      const format = parseOutputFormat(output, { tableAllowed: false });
      context.io.stdout(
        printObject({ kind: review.kind, apiVersion: review.apiVersion, ...review }, format, false, false),
      );
      return 0;
    }
    const info = review.status?.userInfo ?? {};
    let text = "ATTRIBUTE\tVALUE\n";
    text += `Username\t${info.username ?? ""}\n`;
    if (info.uid) text += `UID\t${info.uid}\n`;
    if (info.groups?.length) text += `Groups\t[${info.groups.join(" ")}]\n`;
    // Then each extra attribute (a service-account token's credential id, its pod …), keys sorted.
    for (const key of Object.keys(info.extra ?? {}).sort()) {
      text += `Extra: ${key}\t[${(info.extra?.[key] ?? []).join(" ")}]\n`;
    }
    context.io.stdout(formatTabbed(text));
    return 0;
  },
};

/** `kubectl auth`. */
export const authCommand: Command = {
  name: "auth",
  short: "Inspect authorization",
  use: "auth [flags]",
  subcommands: [canI, whoAmI],
};

/**
 * The time `kubectl events` orders by (cmd/events eventTime: a series' last observation, else
 * lastTimestamp, else eventTime), in microseconds: series and eventTime are MicroTimes, and two
 * events a few microseconds apart are not a tie for kubectl.
 */
function eventsSortTime(event: Any): number {
  const time: string | undefined = event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime;
  if (!time) return Number.NEGATIVE_INFINITY;
  const fraction = /\.(\d+)/.exec(time)?.[1] ?? "";
  return new Date(time).getTime() * 1000 + Number(fraction.padEnd(6, "0").slice(3, 6));
}

/** `kubectl events`. */
export const eventsCommand: Command = {
  name: "events",
  short: "List events",
  use: "events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning]",
  flags: [
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage:
        "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.",
    },
    { name: "for", kind: "string", usage: "Filter events to only those pertaining to the specified resource." },
    { name: "types", kind: "stringSlice", usage: "Output only events of given types." },
    {
      name: "watch",
      shorthand: "w",
      kind: "bool",
      usage: "After listing the requested events, watch for more events.",
    },
    { name: "no-headers", kind: "bool", usage: "When using the default output format, don't print headers." },
    { name: "output", shorthand: "o", kind: "string", usage: "Output format." },
    { name: "chunk-size", kind: "int", default: 500, usage: "Return large lists in chunks rather than all at once." },
  ],
  async run(context, flags) {
    const allNamespaces = flags.bool("all-namespaces");
    const namespace = await context.namespace();
    const fieldSelector = await eventsForSelector(context, flags.string("for"));
    const types = flags.list("types");
    for (const type of types)
      if (type.toLowerCase() !== "normal" && type.toLowerCase() !== "warning")
        throw new KubectlError("error: valid --types are Normal or Warning");
    const wanted = (event: Any) =>
      types.length === 0 || types.some((type) => type.toLowerCase() === String(event.type).toLowerCase());
    const client = await context.client();
    const path = allNamespaces ? "/api/v1/events" : `/api/v1/namespaces/${namespace}/events`;
    const printer = new EventPrinter(flags.bool("no-headers"), allNamespaces);
    if (flags.bool("watch")) {
      const format = flags.string("output")
        ? (await import("../printers/output")).parseOutputFormat(flags.string("output"), { tableAllowed: false })
        : undefined;
      let printed = 0;
      // runWatch: a watch without a resourceVersion, so the existing events come first as the
      // server's ADDED events, in its order and unsorted; deletions (events expiring) are not shown.
      await untilInterrupted(context, flags, (signal) =>
        client.watchLines(path, { query: { fieldSelector, limit: 500, watch: true }, signal }, (change) => {
          const { type, object } = change as { type: string; object: Any };
          if (type === "DELETED" || type === "BOOKMARK" || type === "ERROR" || !wanted(object)) return;
          const event = { apiVersion: "v1", kind: "Event", ...object };
          if (!format) context.io.stdout(printer.flush([event], context.now()));
          else {
            // One printer for the whole watch: the YAML printer separates documents with ---.
            const separator = format.type === "yaml" && printed > 0 ? "---\n" : "";
            context.io.stdout(separator + printObject(event, format));
          }
          printed++;
        }),
      );
      return 0;
    }
    const list = await client.get<{ items: Any[] }>(path, { query: { fieldSelector, limit: 500 } });
    // cmd/events sorts with sort.Sort: ties (events in the same microsecond, or the same second
    // for core events) land where Go's unstable sort puts them.
    const items = goSort(list.items.filter(wanted), (a, b) => eventsSortTime(a) < eventsSortTime(b));
    if (flags.string("output") === "name") return 0;
    if (flags.string("output")) {
      const { asList } = await import("../printers/output");
      context.io.stdout(
        printObject(
          asList(items.map((item) => ({ apiVersion: "v1", kind: "Event", ...item }))),
          parseOutputFormat(flags.string("output"), { tableAllowed: false }),
        ),
      );
      return 0;
    }
    if (items.length === 0) {
      context.io.stderr(allNamespaces ? "No events found.\n" : `No events found in ${namespace} namespace.\n`);
      return 0;
    }
    context.io.stdout(printer.flush(items, context.now()));
    return 0;
  },
};

/**
 * `--for TYPE/NAME` as cmd/events decodes it (decodeResourceTypeName): the field selector on the
 * involved object's kind and name. The mapper's error is printed without kubectl's `error: `.
 */
async function eventsForSelector(context: CommandContext, forObject: string): Promise<string | undefined> {
  if (!forObject) return undefined;
  if (!forObject.includes("/")) throw new KubectlError("error: --for must be in resource/name form");
  const parts = forObject.split("/");
  if (parts.length !== 2)
    throw new KubectlError("error: arguments in resource/name form may not have more than one slash");
  const [typed, name] = parts as [string, string];
  const discovery = await context.discovery();
  let info: ResourceInfo;
  try {
    info = await discovery.resolve(typed);
  } catch (error) {
    if (error instanceof KubectlError) throw new KubectlError(error.message.replace(/^error: /, ""));
    throw error;
  }
  return `involvedObject.kind=${info.kind},involvedObject.name=${name}`;
}

/**
 * cmd/events' EventPrinter: the heading once, then a row per event, through one tabwriter that
 * remembers its widths between flushes (a watch flushes after each event).
 */
class EventPrinter {
  private headersPrinted = false;
  private widths: number[] = [];

  constructor(
    private readonly noHeaders: boolean,
    private readonly allNamespaces: boolean,
  ) {}

  flush(events: Any[], now: Date): string {
    let text = "";
    if (!this.noHeaders && !this.headersPrinted) {
      text += `${this.allNamespaces ? "NAMESPACE\t" : ""}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n`;
      this.headersPrinted = true;
    }
    for (const event of events) {
      const object = `${escapeEventCell(event.involvedObject?.kind ?? "")}/${escapeEventCell(event.involvedObject?.name ?? "")}`;
      text += `${this.allNamespaces ? `${event.metadata?.namespace ?? ""}\t` : ""}${eventInterval(event, now)}\t${escapeEventCell(event.type ?? "")}\t${escapeEventCell(event.reason ?? "")}\t${object}\t${escapeEventCell(String(event.message ?? "").trim())}\n`;
    }
    const result = formatRememberingWidths(text, this.widths);
    this.widths = result.widths;
    return result.text;
  }
}

/**
 * The LAST SEEN column (event_printer.go getInterval): a series' last observation, or for a
 * repeated event its last time, `(xN over FIRST)`; a single event shows when it first happened.
 */
function eventInterval(event: Any, now: Date): string {
  const first = event.eventTime ? since(event.eventTime, now) : since(event.firstTimestamp, now);
  if (event.series) return `${since(event.series.lastObservedTime, now)} (x${event.series.count ?? 0} over ${first})`;
  if ((event.count ?? 0) > 1) return `${since(event.lastTimestamp, now)} (x${event.count} over ${first})`;
  return first;
}

/** escapeCell: a cell ends at its first line break (`...` marks the cut), then ESC and CR are made visible. */
function escapeEventCell(text: string): string {
  const cut = text.search(/[\f\n\r]/);
  const kept = cut >= 0 ? `${text.slice(0, cut)}...` : text;
  return kept.replaceAll("\x1b", "^[").replaceAll("\r", "\\r");
}

/** `kubectl diff`. */
export const diffCommand: Command = {
  name: "diff",
  short: "Diff the live version against a would-be applied version",
  use: "diff -f FILENAME",
  flags: [
    ...filenameFlags("contains the configuration to diff"),
    { name: "server-side", kind: "bool", usage: "If true, apply runs in the server instead of the client." },
    {
      name: "force-conflicts",
      kind: "bool",
      usage: "If true, server-side apply will force the changes against conflicts.",
    },
    {
      name: "field-manager",
      kind: "string",
      default: "kubectl-client-side-apply",
      usage: "Name of the manager used to track field ownership.",
    },
    { name: "prune", kind: "bool", usage: "Include resources that would be deleted by pruning." },
    { name: "selector", shorthand: "l", kind: "string", usage: "Selector (label query) to filter on" },
    { name: "show-managed-fields", kind: "bool", usage: "If true, include managed fields in the diff." },
    {
      name: "concurrency",
      kind: "int",
      default: 1,
      usage: "Number of objects to process in parallel when diffing against the live version.",
    },
  ],
  async run(context, flags) {
    if (filenameArguments(flags).length === 0) throw new KubectlError("error: must specify one of -f and -k");
    const client = await context.client();
    const discovery = await context.discovery();
    const namespace = await context.namespace();
    const liveDir = `/tmp/LIVE-${Math.floor(Math.random() * 1e9)}`;
    const mergedDir = `/tmp/MERGED-${Math.floor(Math.random() * 1e9)}`;
    let different = false;
    const clean = (object: KubeObject | undefined): string => {
      if (!object) return "";
      const copy = omitManagedFields(structuredClone(object));
      return toGoYaml(copy);
    };
    for (const manifest of await readFilenameOptions(context.io, flags)) {
      const object = manifest.object as KubeObject;
      const info = await discovery.resolveKind(String(object.apiVersion), String(object.kind));
      const objectNamespace = info.namespaced ? (object.metadata?.namespace ?? namespace) : undefined;
      let live: KubeObject | undefined;
      try {
        live = await client.get<KubeObject>(resourcePath(info, objectNamespace, String(object.metadata?.name)));
      } catch (error) {
        if (!(error instanceof ApiStatusError) || error.reason !== "NotFound") throw error;
      }
      // InfoObject.Merged: an object that does not exist yet is the file's own, created in a dry run.
      const mergedObject =
        !live && !flags.bool("server-side")
          ? await client.json<KubeObject>("POST", resourcePath(info, objectNamespace), {
              body: info.namespaced
                ? { ...object, metadata: { ...object.metadata, namespace: objectNamespace } }
                : object,
              query: { dryRun: "All", fieldManager: flags.string("field-manager") },
            })
          : (
              await applyObject(client, discovery, object, {
                namespace,
                serverSide: flags.bool("server-side"),
                forceConflicts: flags.bool("force-conflicts"),
                dryRun: "server",
                annotate: false,
              })
            ).object;
      const before = clean(live);
      const after = clean(mergedObject);
      if (before === after) continue;
      different = true;
      const file = `${info.group ? `${info.group}.` : ""}${info.version}.${info.kind}.${objectNamespace ? `${objectNamespace}.` : ""}${object.metadata?.name}`;
      const stamp = "2006-01-02 15:04:05.000000000 +0000";
      context.io.stdout(
        `diff -u -N ${liveDir}/${file} ${mergedDir}/${file}\n--- ${liveDir}/${file}\t${stamp}\n+++ ${mergedDir}/${file}\t${stamp}\n${unifiedDiff(before, after)}`,
      );
    }
    return different ? 1 : 0;
  },
};

/** `kubectl options`. */
export const optionsCommand: Command = {
  name: "options",
  short: "Print the list of flags inherited by all commands",
  use: "options",
  async run(context) {
    context.io.stdout(renderGlobalOptionsText());
    return 0;
  },
};

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  $ref?: string;
  required?: string[];
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
  enum?: string[];
}

/** github.com/mitchellh/go-wordwrap's WrapString, which explain's `wrap` runs: runs of spaces are kept, a break drops them. */
function wordWrap(text: string, limit: number): string {
  let out = "";
  let current = 0;
  let word = "";
  let spaces = "";
  for (const char of text) {
    if (char === "\n") {
      if (word.length === 0) {
        if (current + spaces.length <= limit) out += spaces;
      } else out += spaces + word;
      spaces = "";
      word = "";
      out += char;
      current = 0;
    } else if (/\s/.test(char) && char !== "\u00a0") {
      if (spaces.length === 0 || word.length > 0) {
        current += spaces.length + word.length;
        out += spaces + word;
        spaces = "";
        word = "";
      }
      spaces += char;
    } else {
      word += char;
      if (current + spaces.length + word.length > limit && word.length < limit) {
        out += "\n";
        current = 0;
        spaces = "";
      }
    }
  }
  if (word.length === 0) {
    if (current + spaces.length <= limit) out += spaces;
  } else out += spaces + word;
  return out;
}

/** explain's `wrap (width - indent) | indent` and the newline after it. */
function wrap(text: string, width: number, indent: string): string {
  return `${indent}${wordWrap(text, width - indent.length).replaceAll("\n", `\n${indent}`)}\n`;
}

/** `kubectl explain`, from the server's OpenAPI v3 documents. */
export const explainCommand: Command = {
  name: "explain",
  short: "Get documentation for a resource",
  use: "explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]",
  flags: [
    {
      name: "recursive",
      kind: "bool",
      usage:
        "When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.",
    },
    { name: "api-version", kind: "string", usage: "Use given api-version (group/version) of the resource." },
    {
      name: "output",
      shorthand: "o",
      kind: "string",
      default: "plaintext",
      usage: "Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).",
    },
  ],
  async run(context, flags) {
    const target = flags.positional[0];
    if (!target) {
      throw new KubectlError(
        'error: You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.\n',
      );
    }
    if (flags.positional.length > 1) throw new KubectlError("error: We accept only this format: explain RESOURCE");
    const [typed, ...parts] = target.split(".");
    // explain words a missing type without the usual "error: " prefix.
    const info = await (await context.discovery()).resolve(typed as string).catch((error: unknown) => {
      if (error instanceof KubectlError) throw new KubectlError(error.message.replace(/^error: /, ""));
      throw error;
    });
    // `deployments.apps.spec`: a plural name followed by its group names the group, as kubectl's
    // matching-prefix split takes it; anything else after the type is a field path.
    const groupParts = info.group ? info.group.split(".") : [];
    const fieldPath =
      typed === info.resource && groupParts.length > 0 && parts.slice(0, groupParts.length).join(".") === info.group
        ? parts.slice(groupParts.length)
        : parts;
    const client = await context.client();
    const index = await client.get<{ paths: Record<string, { serverRelativeURL: string }> }>("/openapi/v3");
    const key = info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
    const entry = index.paths[key];
    if (!entry)
      throw new KubectlError(
        `error: couldn't find resource for "${info.group ? `${info.group}/` : ""}${info.version}, Kind=${info.kind}"`,
      );
    // serverRelativeURL is relative to the server's root, as client-go's RequestURI takes it: a
    // server mounted under a path (/clusters/<id>) lists it with that path, which the client's
    // own server URL already carries.
    const basePath = new URL(client.server).pathname.replace(/\/+$/, "");
    const relative =
      basePath && entry.serverRelativeURL.startsWith(`${basePath}/`)
        ? entry.serverRelativeURL.slice(basePath.length)
        : entry.serverRelativeURL;
    const document = await client.get<{ components: { schemas: Record<string, Schema> } }>(relative);
    const schemas = document.components.schemas;
    const resolve = (schema: Schema | undefined): Schema | undefined => {
      let current = schema;
      while (current) {
        const ref = current.$ref ?? current.allOf?.[0]?.$ref;
        if (!ref) break;
        current = {
          ...schemas[ref.replace("#/components/schemas/", "")],
          description: current.description ?? schemas[ref.replace("#/components/schemas/", "")]?.description,
        };
      }
      return current;
    };
    const root = Object.values(schemas).find((schema) =>
      schema["x-kubernetes-group-version-kind"]?.some(
        (gvk) => gvk.group === info.group && gvk.kind === info.kind && gvk.version === info.version,
      ),
    );
    if (!root) throw new KubectlError(`error: couldn't find resource for "${info.kind}"`);
    let out = `GROUP:      ${info.group}\nKIND:       ${info.kind}\nVERSION:    ${info.version}\n\n`;
    if (!info.group) out = `KIND:       ${info.kind}\nVERSION:    ${info.version}\n\n`;
    let schema: Schema | undefined = root;
    let fieldName = "";
    for (const part of fieldPath) {
      const resolved = resolve(schema);
      const next: Schema | undefined = resolved?.properties?.[part] ?? resolve(resolved?.items)?.properties?.[part];
      if (!next) {
        // kubectl's template has printed the header by the time it finds no such field.
        context.io.stdout(out);
        throw new KubectlError(`error: field "${part}" does not exist`);
      }
      schema = next;
      fieldName = part;
    }
    const typeName = (value: Schema | undefined): string => {
      if (!value) return "Object";
      if (value.$ref || value.allOf) {
        const ref = (value.$ref ?? value.allOf?.[0]?.$ref) as string;
        const target = schemas[ref.replace("#/components/schemas/", "")];
        // References to primitive schemas (IntOrString, Quantity) print their type.
        if (target?.type && target.type !== "object" && target.type !== "array") return target.type;
        return ref.split(".").pop() as string;
      }
      if (value.type === "array") return `[]${typeName(value.items)}`;
      if (value.type === "object" && value.additionalProperties && typeof value.additionalProperties === "object")
        return `map[string]${typeName(value.additionalProperties)}`;
      if (value.type === "object") return "Object";
      if (value.type === "integer") return "integer";
      return value.type ?? "Object";
    };
    const resolved = resolve(schema);
    // The template's "description": the schema's own (a bare $ref's target's), then those of its
    // allOf members, items and additionalProperties, one per line.
    const descriptionOf = (value: Schema | undefined): string => {
      const own = value?.$ref ? schemas[value.$ref.replace("#/components/schemas/", "")] : value;
      if (!own) return "";
      let text = own.description ? `${own.description}\n` : "";
      for (const member of own.allOf ?? []) text += descriptionOf(member);
      if (own.items) text += descriptionOf(own.items);
      if (own.additionalProperties && typeof own.additionalProperties === "object")
        text += descriptionOf(own.additionalProperties as Schema);
      return text;
    };
    if (fieldName)
      out += `FIELD: ${fieldName} <${typeName(schema)}>\n\n${resolved?.enum ? `ENUM:\n${resolved.enum.map((value) => `    ${value}`).join("\n")}\n` : ""}\n`;
    out += "DESCRIPTION:\n";
    out += wrap(descriptionOf(schema) || "<empty>", 80, "    ");
    const fieldsOf = (value: Schema | undefined) =>
      resolve(value)?.properties ?? resolve(resolve(value)?.items)?.properties;
    const fields = fieldsOf(schema);
    if (!fields) out += "\n";
    if (fields) {
      out += "FIELDS:\n";
      const required = new Set(resolve(schema)?.required ?? resolve(resolve(schema)?.items)?.required ?? []);
      if (flags.bool("recursive")) {
        const walk = (
          parent: Schema | undefined,
          properties: Record<string, Schema>,
          depth: number,
          seen: Set<string>,
        ) => {
          const parentResolved = resolve(parent);
          const requiredHere = new Set(parentResolved?.required ?? resolve(parentResolved?.items)?.required ?? []);
          for (const name of Object.keys(properties).sort()) {
            const property = properties[name] as Schema;
            out += `${"  ".repeat(depth)}${name}\t<${typeName(property)}>${requiredHere.has(name) ? " -required-" : ""}\n`;
            const nested = fieldsOf(property);
            const ref =
              property.$ref ??
              property.allOf?.[0]?.$ref ??
              property.items?.$ref ??
              property.items?.allOf?.[0]?.$ref ??
              "";
            if (nested && !seen.has(ref)) walk(property, nested, depth + 1, ref ? new Set([...seen, ref]) : seen);
          }
        };
        walk(schema, fields, 1, new Set());
        out += "\n";
      } else {
        for (const name of Object.keys(fields).sort()) {
          const property = fields[name] as Schema;
          out += `  ${name}\t<${typeName(property)}>${required.has(name) ? " -required-" : ""}\n`;
          out += wrap(property.description || "<no description>", 80, "    ");
          out += "\n";
        }
        out += "\n";
      }
    }
    context.io.stdout(out);
    return 0;
  },
};

export { objectsFor };

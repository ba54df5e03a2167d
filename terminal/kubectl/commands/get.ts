import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { since } from "../describe/format";
import { ApiStatusError, formatApiError, KubectlError, plainError, usageError } from "../errors";
import type { Flags } from "../flags";
import { filenameArguments, readFilenameOptions } from "../kustomize";
import { goQuote } from "../printers/goFmt";
import { asList, type OutputFormat, parseOutputFormat, printCustomColumns, printObject } from "../printers/output";
import { asTable, decorateTable, type Table, type TablePrintOptions, tableLines } from "../printers/table";
import { formatRememberingWidths, formatTabbed } from "../printers/tabwriter";
import { resolveTargets } from "../targets";
import { filenameFlags, getNamed, type KubeObject, printFlags, tableAccept } from "./common";
import { sortObjects, sortRows } from "./sortBy";

const getFlags = [
  ...printFlags,
  ...filenameFlags("get from a server."),
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
    name: "watch",
    shorthand: "w",
    kind: "bool",
    usage: "After listing/getting the requested object, watch for changes.",
  },
  {
    name: "watch-only",
    kind: "bool",
    usage: "Watch for changes to the requested object(s), without listing/getting first.",
  },
  {
    name: "output-watch-events",
    kind: "bool",
    usage:
      "Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events.",
  },
  {
    name: "show-labels",
    kind: "bool",
    usage: "When printing, show all labels as the last column (default hide labels column)",
  },
  {
    name: "label-columns",
    shorthand: "L",
    kind: "stringSlice",
    usage:
      "Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...",
  },
  {
    name: "no-headers",
    kind: "bool",
    usage: "When using the default or custom-column output format, don't print headers (default print headers).",
  },
  {
    name: "sort-by",
    kind: "string",
    usage:
      "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string.",
  },
  {
    name: "ignore-not-found",
    kind: "bool",
    usage:
      "If set to true, suppresses NotFound error for specific objects that do not exist. Using this flag with commands that query for collections of resources has no effect when no resources are found.",
  },
  { name: "show-kind", kind: "bool", usage: "If present, list the resource type for the requested object(s)." },
  {
    name: "chunk-size",
    kind: "int",
    default: 500,
    usage:
      "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.",
  },
  {
    name: "raw",
    kind: "string",
    usage: "Raw URI to request from the server.  Uses the transport specified by the kubeconfig file.",
  },
  {
    name: "server-print",
    kind: "bool",
    default: true,
    usage: "If true, have the server return the appropriate table output. Supports extension APIs and CRDs.",
  },
  { name: "subresource", kind: "string", usage: "If specified, gets the subresource of the requested object." },
] as const;

/** `kubectl get`. */
export const getCommand: Command = {
  name: "get",
  short: "Display one or many resources",
  use: "get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
  flags: [...getFlags],
  run: runGet,
};

interface Result {
  info: ResourceInfo;
  /** Namespace the request was made in (undefined for cluster-scoped or -A). */
  namespace: string | undefined;
  table?: Table;
  objects?: KubeObject[];
  single?: boolean;
}

/** GetOptions.Validate. */
function validateGet(flags: Flags, raw: string): void {
  const watching = flags.bool("watch") || flags.bool("watch-only");
  const output = flags.string("output");
  if (raw) {
    if (watching || flags.string("selector"))
      throw plainError(
        "--raw may not be specified with other flags that filter the server request or alter the output",
      );
    if (output) throw plainError("--raw and --output are mutually exclusive");
    // url.ParseRequestURI: a path from the root or an absolute URL.
    if (!raw.startsWith("/") && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(raw))
      throw plainError(`--raw must be a valid URL path: parse ${goQuote(raw)}: invalid URI for request`);
  }
  if (flags.bool("show-labels") && output !== "" && output !== "wide")
    throw plainError(`--show-labels option cannot be used with ${output} printer`);
  if (flags.bool("output-watch-events") && !watching)
    throw plainError("--output-watch-events option can only be used with --watch or --watch-only");
}

async function runGet(context: CommandContext, flags: Flags): Promise<number> {
  const raw = flags.string("raw");
  if (raw) {
    if (flags.positional.length > 0) throw plainError("arguments may not be passed when --raw is specified");
    validateGet(flags, raw);
    return getRaw(context, raw);
  }
  validateGet(flags, raw);
  const args = flags.positional;
  const filenames = filenameArguments(flags);
  if (args.length === 0 && filenames.length === 0) {
    context.io.stderr(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n',
    );
    throw usageError(
      "kubectl get",
      'Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).',
    );
  }
  const format = parseOutputFormat(flags.string("output"), { template: flags.string("template") });
  if (format.type === "jsonpath") format.allowMissingKeys = flags.bool("allow-missing-template-keys");
  const allNamespaces = flags.bool("all-namespaces");
  const namespace = allNamespaces ? undefined : await context.namespace();
  const query = {
    labelSelector: flags.string("selector") || undefined,
    fieldSelector: flags.string("field-selector") || undefined,
  };
  if (flags.bool("watch") || flags.bool("watch-only")) return watch(context, flags, format, namespace, query);

  const results: Result[] = [];
  const errors: string[] = [];
  // The builder's singleItemImplied: one name asked for (`get pod x`, `get pod/x`) or one file.
  let singleItemImplied = false;
  const client = await context.client();
  const wantsTable = format.type === "table";
  const sortBy = flags.string("sort-by");
  const tableQuery = sortBy ? { includeObject: "Object" } : {};

  const now = new Date();
  const ageOf = (creationTimestamp: string | undefined) => since(creationTimestamp, now);
  const fetchNamed = async (info: ResourceInfo, ns: string | undefined, name: string) => {
    const requestNamespace = info.namespaced ? ns : undefined;
    try {
      if (wantsTable) {
        const table = asTable(
          await getNamed(context, info, requestNamespace, () =>
            client.get<unknown>(resourcePath(info, requestNamespace, name), {
              accept: tableAccept,
              query: tableQuery,
            }),
          ),
          ageOf,
        );
        results.push({ info, namespace: requestNamespace, table, single: true });
      } else {
        const object = await getNamed(context, info, requestNamespace, () =>
          client.get<KubeObject>(resourcePath(info, requestNamespace, name)),
        );
        results.push({ info, namespace: requestNamespace, objects: [object], single: true });
      }
    } catch (error) {
      if (error instanceof ApiStatusError) {
        if (error.reason === "NotFound" && flags.bool("ignore-not-found")) return;
        errors.push(formatApiError(error));
      } else throw error;
    }
  };

  if (filenames.length > 0) {
    const manifests = await readFilenameOptions(context.io, flags).catch((error: unknown) => {
      // The table printer reports a kustomize failure as it comes, without "error: ".
      if (error instanceof KubectlError && format.type === "table" && flags.string("kustomize"))
        throw new KubectlError(error.message.replace(/^error: /, ""));
      throw error;
    });
    const discovery = await context.discovery();
    for (const manifest of manifests) {
      const info = await discovery.resolveKind(
        String(manifest.object.apiVersion ?? ""),
        String(manifest.object.kind ?? ""),
      );
      await fetchNamed(
        info,
        manifest.object.metadata?.namespace ?? namespace ?? (await context.namespace()),
        String(manifest.object.metadata?.name ?? ""),
      );
    }
  } else {
    const targets = await resolveTargets(context, args);
    singleItemImplied = targets.length === 1 && targets[0]?.names.length === 1;
    if ((flags.string("selector") || flags.string("field-selector")) && targets.some((t) => t.names.length > 0))
      throw new KubectlError("error: name cannot be provided when a selector is specified");
    const namedForm = args.some((arg) => arg.includes("/"));
    if (allNamespaces && targets.some((target) => target.names.length > 0) && !namedForm) {
      // kubectl rejects names with -A only when a namespace is needed to find them.
    }
    for (const target of targets) {
      if (target.names.length > 0) {
        for (const name of target.names) await fetchNamed(target.info, namespace ?? (await context.namespace()), name);
        continue;
      }
      const requestNamespace = target.info.namespaced ? namespace : undefined;
      try {
        // Pages of --chunk-size (default 500) are followed through metadata.continue, as kubectl does.
        const limit = flags.int("chunk-size") || undefined;
        if (wantsTable) {
          let table: Table | undefined;
          for (let next: string | undefined; ; ) {
            const page = asTable(
              await client.get<unknown>(resourcePath(target.info, requestNamespace), {
                accept: tableAccept,
                query: { ...query, ...tableQuery, limit, continue: next },
              }),
              ageOf,
            );
            table = table ? { ...table, rows: [...table.rows, ...page.rows] } : page;
            next = page.metadata?.continue;
            if (!next) break;
          }
          results.push({ info: target.info, namespace: requestNamespace, table });
        } else {
          let list: { items?: KubeObject[] } = { items: [] };
          for (let next: string | undefined; ; ) {
            const page = await client.get<{ items?: KubeObject[]; metadata?: { continue?: string } }>(
              resourcePath(target.info, requestNamespace),
              { query: { ...query, limit, continue: next } },
            );
            list = { ...page, items: [...(list.items ?? []), ...(page.items ?? [])] };
            next = page.metadata?.continue;
            if (!next) break;
          }
          const apiVersion = target.info.group ? `${target.info.group}/${target.info.version}` : target.info.version;
          results.push({
            info: target.info,
            namespace: requestNamespace,
            objects: (list.items ?? []).map((item) => ({ apiVersion, kind: target.info.kind, ...item })),
          });
        }
      } catch (error) {
        if (error instanceof ApiStatusError)
          errors.push(formatApiError(error, listErrorPrefix(error, target.info, query)));
        else throw error;
      }
    }
  }

  if (format.type !== "table") {
    const objects = results.flatMap((result) => result.objects ?? []);
    if (filenames.length > 0) singleItemImplied = results.length === 1 && results[0]?.single === true;
    // printGeneric: a failed single item is only its error; otherwise what was found is printed,
    // as one object when a single item was implied, else as a List (even of one).
    const printed =
      !(singleItemImplied && errors.length > 0) && !(objects.length === 0 && flags.bool("ignore-not-found"));
    if (printed) {
      if (singleItemImplied && objects.length === 1) {
        context.io.stdout(printForGet(objects[0] as KubeObject, format, flags));
      } else if (format.type === "custom-columns") {
        context.io.stdout(
          printCustomColumns(
            sortBy ? sortObjects(objects, sortBy, context.io) : objects,
            format.spec,
            flags.bool("no-headers") && !format.headersAlways,
          ),
        );
      } else {
        const sorted = sortBy ? sortObjects(objects, sortBy, context.io) : objects;
        context.io.stdout(printForGet(asList(sorted), format, flags));
      }
    }
    for (const error of errors) context.io.stderr(`${error}\n`);
    return errors.length > 0 ? 1 : 0;
  }

  // With more than one table, kubectl's RuntimeSorter sorts the undecoded Table objects
  // themselves by the field (SortObjects) before each table's rows are sorted: they rarely have it
  // ("couldn't find any field"), and when they do the tables are printed in that order.
  const sortedResults =
    sortBy && results.length > 1 ? sortObjects(results, sortBy, context.io, (result) => result.table) : results;
  const kinds = new Set(results.map((result) => `${result.info.group}/${result.info.kind}`));
  const withKind = kinds.size > 1 || flags.bool("show-kind");
  let written = 0;
  let output = "";
  let previousKey: string | undefined;
  let group: Result[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const first = group[0] as Result;
    const options: TablePrintOptions = {
      noHeaders: flags.bool("no-headers"),
      wide: format.type === "table" && format.wide,
      withNamespace: allNamespaces && first.info.namespaced,
      showLabels: flags.bool("show-labels"),
      columnLabels: flags.list("label-columns"),
      kindPrefix: withKind ? kindDotGroup(first.info) : undefined,
    };
    let lines = "";
    let headerPrinted = false;
    let columns: string | undefined;
    for (const result of group) {
      const table = result.table as Table;
      if (sortBy) table.rows = sortRows(table, sortBy, context.io);
      const decorated = decorateTable(table, options);
      const key = JSON.stringify(table.columnDefinitions);
      const includeHeader = !headerPrinted || (table.columnDefinitions.length > 0 && key !== columns);
      if (table.columnDefinitions.length > 0) columns = key;
      const text = tableLines(decorated, options, includeHeader);
      if (table.rows.length > 0) headerPrinted = true;
      lines += text;
    }
    const text = formatTabbed(lines);
    if (text.length > 0) {
      if (written > 0 && !flags.bool("no-headers")) output += "\n";
      output += text;
      written += text.length;
    }
    group = [];
  };
  for (const result of sortedResults) {
    const key = `${result.info.group}/${result.info.resource}`;
    if (key !== previousKey) flush();
    previousKey = key;
    group.push(result);
  }
  flush();
  context.io.stdout(output);
  for (const error of errors) context.io.stderr(`${error}\n`);
  if (written === 0 && errors.length === 0 && !flags.bool("ignore-not-found")) {
    const allNamespaced = !allNamespaces && results.every((result) => result.info.namespaced);
    context.io.stderr(allNamespaced ? `No resources found in ${namespace} namespace.\n` : "No resources found\n");
  }
  return errors.length > 0 ? 1 : 0;
}

function printForGet(object: KubeObject, format: OutputFormat, flags: Flags): string {
  // One object's custom columns honour --no-headers as a list's do (a file's printer never does).
  if (format.type === "custom-columns")
    return printCustomColumns([object], format.spec, flags.bool("no-headers") && !format.headersAlways);
  return printObject(object, format, flags.bool("show-managed-fields"));
}

/** runtimeresource.EnhanceListError: a refused list names the resource and the selectors. */
function listErrorPrefix(error: ApiStatusError, info: ResourceInfo, query: Record<string, string | undefined>): string {
  if (error.statusCode !== 400 && error.statusCode !== 404) return "";
  const resource = `${info.group ? `${info.group}/` : "/"}${info.version}, Resource=${info.resource}`;
  const labels = query.labelSelector ?? "";
  const fields = query.fieldSelector ?? "";
  if (!labels && !fields) return `Unable to list "${resource}": `;
  return `Unable to find "${resource}" that match label selector "${labels}", field selector "${fields}": `;
}

async function getRaw(context: CommandContext, raw: string): Promise<number> {
  const client = await context.client();
  const response = await client.raw("GET", raw);
  if (response.statusCode >= 400) {
    const { toStatusError } = await import("../RestClient");
    throw new KubectlError(formatApiError(toStatusError(response)));
  }
  context.io.stdout(response.body);
  return 0;
}

/** `kubectl get -w`: list (unless --watch-only), then stream changes until interrupted. */
async function watch(
  context: CommandContext,
  flags: Flags,
  format: OutputFormat,
  namespace: string | undefined,
  query: Record<string, string | undefined>,
): Promise<number> {
  const targets = await resolveTargets(context, flags.positional);
  if (targets.length !== 1 || (targets[0]?.names.length ?? 0) > 1) {
    throw new KubectlError(
      "error: watch is only supported on individual resources and resource collections - more than 1 resource was found",
    );
  }
  const target = targets[0] as (typeof targets)[number];
  const info = target.info;
  const requestNamespace = info.namespaced ? (namespace ?? undefined) : undefined;
  const client = await context.client();
  const name = target.names[0];
  const watchQuery: Record<string, string | undefined> = { ...query };
  if (name) watchQuery.fieldSelector = `metadata.name=${name}`;
  const allNamespaces = flags.bool("all-namespaces");
  const options: TablePrintOptions = {
    noHeaders: flags.bool("no-headers"),
    wide: format.type === "table" && format.wide,
    withNamespace: allNamespaces && info.namespaced,
    showLabels: flags.bool("show-labels"),
    columnLabels: flags.list("label-columns"),
  };
  const outputEvents = flags.bool("output-watch-events");
  // Widths are remembered across flushes, as kubectl's tabwriter does with RememberWidths.
  let widths: number[] = [];
  let headerPrinted = false;
  let lastColumns: Table["columnDefinitions"] = [];
  const printRows = (table: Table, eventType?: string) => {
    // Watch events after the first carry no column definitions (null): the first ones still apply.
    if ((table.columnDefinitions ?? []).length > 0) lastColumns = table.columnDefinitions;
    const full = { ...table, columnDefinitions: lastColumns };
    let decorated = decorateTable(full, options);
    if (outputEvents && eventType) {
      decorated = {
        ...decorated,
        columnDefinitions: [{ name: "Event", type: "string" }, ...decorated.columnDefinitions],
        rows: decorated.rows.map((row) => ({ ...row, cells: [eventType, ...row.cells] })),
      };
    }
    const text = tableLines(decorated, options, !headerPrinted);
    if (decorated.rows.length > 0) headerPrinted = true;
    if (text === "") return;
    const result = formatRememberingWidths(text, widths);
    widths = result.widths;
    context.io.stdout(result.text);
  };
  let resourceVersion = "0";
  if (!flags.bool("watch-only")) {
    if (format.type === "table") {
      const table = name
        ? await client.get<Table>(resourcePath(info, requestNamespace, name), { accept: tableAccept })
        : await client.get<Table>(resourcePath(info, requestNamespace), { accept: tableAccept, query });
      if (!name) resourceVersion = table.metadata?.resourceVersion ?? "0";
      printRows(table, "ADDED");
      if (!name && table.rows.length === 0 && !allNamespaces) {
        context.io.stderr(info.namespaced ? `No resources found in ${namespace} namespace.\n` : "No resources found\n");
      }
    } else {
      const body = name
        ? await client.get<KubeObject>(resourcePath(info, requestNamespace, name))
        : await client.get<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(
            resourcePath(info, requestNamespace),
            { query },
          );
      const items = name ? [body as KubeObject] : ((body as { items: KubeObject[] }).items ?? []);
      if (!name) resourceVersion = (body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      for (const item of items) context.io.stdout(printObject(item, format));
    }
  }
  // A watch started from a single object's RV 0 emits a synthetic ADDED first; kubectl suppresses it.
  let suppressFirst = Boolean(name) && !flags.bool("watch-only");
  await untilInterrupted(context, flags, watchEvents);
  return 0;

  function watchEvents(signal: AbortSignal): Promise<void> {
    return client.watchLines(
      resourcePath(info, requestNamespace),
      {
        accept: format.type === "table" ? tableAccept : "application/json",
        query: { ...watchQuery, watch: true, resourceVersion, allowWatchBookmarks: true },
        signal,
      },
      (event) => {
        const { type, object } = event as { type: string; object: unknown };
        if (type === "BOOKMARK") return;
        if (type === "ERROR") {
          const status = object as { message?: string };
          context.io.stderr(`error: ${status.message ?? "watch error"}\n`);
          return;
        }
        if (suppressFirst) {
          suppressFirst = false;
          return;
        }
        if (format.type === "table") printRows(object as Table, type);
        else context.io.stdout(printObject(object as KubeObject, format));
      },
    );
  }
}

/**
 * Runs a watch until Ctrl-C (the IO's signal) or --request-timeout, which ends it quietly (status
 * 0), as the server closing it would.
 */
export async function untilInterrupted(
  context: CommandContext,
  flags: Flags,
  run: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const watching = new AbortController();
  const stop = () => watching.abort();
  if (context.io.signal?.aborted) stop();
  context.io.signal?.addEventListener("abort", stop, { once: true });
  const timeoutMs = requestTimeoutMs(flags.string("request-timeout"));
  const timer = timeoutMs > 0 ? setTimeout(stop, timeoutMs) : undefined;
  try {
    await run(watching.signal);
  } finally {
    clearTimeout(timer);
    context.io.signal?.removeEventListener("abort", stop);
  }
}

/** --request-timeout: a Go duration (`1s`, `500ms`, `2m`), or a bare number of seconds; 0 is none. */
function requestTimeoutMs(text: string): number {
  if (!text || text === "0") return 0;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  for (const match of text.matchAll(/([0-9.]+)(h|ms|m|s|us|µs|ns)/g))
    total += Number(match[1]) * (units[match[2] as string] ?? 0);
  return total;
}

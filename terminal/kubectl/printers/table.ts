import { formatTabbed } from "./tabwriter";

/** A column of a server-side `meta.k8s.io/v1` Table. */
export interface TableColumn {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
}

/** A row of a server-side Table; `object` is PartialObjectMetadata or the full object. */
export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } & Record<
    string,
    unknown
  >;
}

/** A server-side Table. */
export interface Table {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

/**
 * The Table to print for a server answer: the Table itself, or, when the server sent plain objects
 * (an aggregated API such as metrics.k8s.io serves no Tables), kubectl's default table of a
 * list or object: NAME and AGE from each item's metadata (printers' objectMetaColumnDefinitions).
 */
export function asTable(response: unknown, age: (creationTimestamp: string | undefined) => string): Table {
  const answer = response as Partial<Table> & {
    items?: NonNullable<TableRow["object"]>[];
    metadata?: { resourceVersion?: string; continue?: string; creationTimestamp?: string };
  };
  if (Array.isArray(answer.columnDefinitions)) return { ...answer, rows: answer.rows ?? [] } as Table;
  const objects = Array.isArray(answer.items) ? answer.items : [answer as NonNullable<TableRow["object"]>];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: Array.isArray(answer.items)
      ? { resourceVersion: answer.metadata?.resourceVersion, continue: answer.metadata?.continue }
      : {},
    columnDefinitions: [
      { name: "Name", type: "string", format: "name" },
      { name: "Age", type: "string" },
    ],
    rows: objects.map((object) => {
      const metadata = object.metadata as { name?: string; creationTimestamp?: string } | undefined;
      return { cells: [metadata?.name ?? "", age(metadata?.creationTimestamp)], object };
    }),
  };
}

/** kubectl's table print options (cli-runtime PrintOptions). */
export interface TablePrintOptions {
  noHeaders?: boolean;
  wide?: boolean;
  withNamespace?: boolean;
  showLabels?: boolean;
  columnLabels?: string[];
  /** Prefix names with `kind.group/` (lower-case), used when several types print together. */
  kindPrefix?: string;
}

/** `labels.FormatLabels`: sorted `k=v` joined by commas, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((key) => `${key}=${(labels as Record<string, string>)[key]}`).join(",");
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  const text = typeof cell === "string" ? cell : typeof cell === "object" ? JSON.stringify(cell) : String(cell);
  const breakAt = text.search(/[\f\n\r]/);
  return breakAt >= 0 ? `${text.slice(0, breakAt)}...` : text;
}

/** Adds the NAMESPACE, label and kind decorations kubectl's decorateTable adds. */
export function decorateTable(table: Table, options: TablePrintOptions): Table {
  const columns: TableColumn[] = [];
  if (options.withNamespace) columns.push({ name: "Namespace", type: "string" });
  columns.push(...table.columnDefinitions);
  for (const label of options.columnLabels ?? []) {
    const parts = label.split("/");
    columns.push({ name: (parts[parts.length - 1] as string).toUpperCase(), type: "string" });
  }
  if (options.showLabels) columns.push({ name: "Labels", type: "string" });
  const nameColumn = options.kindPrefix
    ? table.columnDefinitions.findIndex((column) => column.format === "name" && column.type === "string")
    : -1;
  const rows = table.rows.map((row) => {
    const cells = [...row.cells];
    while (cells.length < table.columnDefinitions.length) cells.push(undefined);
    if (nameColumn >= 0) cells[nameColumn] = `${options.kindPrefix}/${cellText(cells[nameColumn])}`;
    const metadata = row.object?.metadata;
    const out: unknown[] = [];
    if (options.withNamespace) out.push(metadata?.namespace);
    out.push(...cells.slice(0, table.columnDefinitions.length));
    for (const label of options.columnLabels ?? []) out.push(metadata?.labels?.[label] ?? "");
    if (options.showLabels) out.push(formatLabels(metadata?.labels));
    return { ...row, cells: out };
  });
  return { ...table, columnDefinitions: columns, rows };
}

/**
 * Renders decorated tables into tab-separated lines (header once unless noHeaders) for the
 * tabwriter; returns "" for a table without rows, as kubectl prints nothing for it.
 */
export function tableLines(table: Table, options: TablePrintOptions, includeHeader: boolean): string {
  const visible = table.columnDefinitions.map((column) => options.wide || !column.priority);
  let out = "";
  if (table.rows.length === 0) return out;
  if (includeHeader && !options.noHeaders) {
    out += `${table.columnDefinitions
      .filter((_, index) => visible[index])
      .map((column) => column.name.toUpperCase())
      .join("\t")}\n`;
  }
  for (const row of table.rows) {
    out += `${row.cells
      .slice(0, table.columnDefinitions.length)
      .filter((_, index) => visible[index])
      .map(cellText)
      .join("\t")}\n`;
  }
  return out;
}

/** Prints one table the way `kubectl get` does. */
export function printTable(table: Table, options: TablePrintOptions): string {
  return formatTabbed(tableLines(decorateTable(table, options), options, true));
}

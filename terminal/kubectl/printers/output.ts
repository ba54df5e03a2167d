import { KubectlError } from "../errors";
import { goPrint, goQuote } from "./goFmt";
import { toGoJson, toGoJsonCompact } from "./goJson";
import { GoTemplate, GoTemplateExecError } from "./goTemplate";
import { toGoYaml } from "./goYaml";
import { JsonPath, JsonPathError, jsonPathDebugDump } from "./jsonpath";
import { formatTabbed } from "./tabwriter";
import { customColumnsFromTemplate } from "./templateFiles";

/** An output format chosen with -o. */
export type OutputFormat =
  | { type: "table"; wide: boolean }
  | { type: "yaml" }
  | { type: "json" }
  | { type: "name" }
  | { type: "jsonpath"; template: string; asJson: boolean; allowMissingKeys?: boolean }
  /** `headersAlways`: a custom-columns file's printer, which --no-headers does not reach. */
  | { type: "custom-columns"; spec: string; headersAlways?: boolean }
  | { type: "go-template"; template: string };

const allowedFormats =
  "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/**
 * Parses `-o`. `tableAllowed: false` is the commands that only print objects (create, apply,
 * config view, events …): no table, wide or custom columns.
 */
export function parseOutputFormat(
  output: string,
  options: { tableAllowed?: boolean; template?: string } = {},
): OutputFormat {
  const tableAllowed = options.tableAllowed ?? true;
  if (output === "" && tableAllowed) return { type: "table", wide: false };
  if (output === "wide" && tableAllowed) return { type: "table", wide: true };
  if (output === "yaml") return { type: "yaml" };
  if (output === "json") return { type: "json" };
  if (output === "name") return { type: "name" };
  const equals = output.indexOf("=");
  const kind = equals >= 0 ? output.slice(0, equals) : output;
  const argument = equals >= 0 ? output.slice(equals + 1) : "";
  if (kind === "jsonpath" || kind === "jsonpath-as-json") {
    const template = argument || options.template || "";
    if (template === "") throw new KubectlError("error: template format specified but no template given");
    return { type: "jsonpath", template, asJson: kind === "jsonpath-as-json" };
  }
  // The *-file formats arrive with the file's text in place of its name (readOutputTemplateFile).
  if (kind === "go-template-file" || kind === "templatefile") return { type: "go-template", template: argument };
  if (kind === "jsonpath-file") return { type: "jsonpath", template: argument, asJson: false };
  if (kind === "custom-columns-file" && tableAllowed) {
    const text = argument.slice(argument.indexOf("\0") + 1);
    return { type: "custom-columns", spec: customColumnsFromTemplate(text), headersAlways: true };
  }
  if (kind === "go-template" || kind === "template") {
    const template = argument || options.template || "";
    if (template === "") throw new KubectlError("error: template format specified but no template given");
    return { type: "go-template", template };
  }
  // Custom columns are get's own printer: commands with genericclioptions' PrintFlags don't have them.
  if (kind === "custom-columns" && tableAllowed) {
    if (argument === "") throw new KubectlError("error: custom-columns format specified but no custom columns given");
    return { type: "custom-columns", spec: argument };
  }
  const formats = tableAllowed
    ? allowedFormats
    : allowedFormats.replace(",wide", "").replace("custom-columns,custom-columns-file,", "");
  const typed = kind === "custom-columns-file" ? output.replace(/\0[\s\S]*$/, "") : output;
  throw new KubectlError(
    `error: unable to match a printer suitable for the output format "${typed}", allowed formats are: ${formats}`,
  );
}

type KubeObject = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** Drops metadata.managedFields as kubectl does unless --show-managed-fields. */
export function omitManagedFields<T>(object: T): T {
  if (typeof object !== "object" || object === null) return object;
  const copy = { ...(object as KubeObject) };
  if (Array.isArray(copy.items)) copy.items = copy.items.map(omitManagedFields);
  if (copy.metadata && typeof copy.metadata === "object" && "managedFields" in copy.metadata) {
    const { managedFields: _dropped, ...metadata } = copy.metadata;
    copy.metadata = metadata;
  }
  return copy as T;
}

/** Wraps objects in kubectl's `List` (apiVersion v1, kind List, metadata.resourceVersion ""). */
export function asList(items: unknown[]): Record<string, unknown> {
  return { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
}

/** `kind[.group]/name` as `-o name` prints it. */
export function objectName(object: KubeObject): string {
  const apiVersion = String(object.apiVersion ?? "");
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const kind = String(object.kind ?? "").toLowerCase();
  const name = String(object.metadata?.name ?? "");
  return `${group ? `${kind}.${group}` : kind}/${name}`;
}

/**
 * Prints objects with a non-table format. `object` is one object or a List (already wrapped);
 * lists print each item for name/custom-columns.
 */
export function printObject(
  object: KubeObject,
  format: OutputFormat,
  showManagedFields = false,
  sortKeys = true,
): string {
  // kubectl drops managedFields for -o json and -o yaml only; templates and names see the object.
  const shown =
    showManagedFields || (format.type !== "yaml" && format.type !== "json") ? object : omitManagedFields(object);
  switch (format.type) {
    case "yaml":
      return toGoYaml(shown);
    case "json":
      return toGoJson(shown, { sortKeys });
    case "name": {
      const items = Array.isArray(shown.items) ? (shown.items as KubeObject[]) : [shown];
      return items.map((item) => `${objectName(item)}\n`).join("");
    }
    case "jsonpath": {
      let path: JsonPath;
      try {
        path = new JsonPath(format.template);
      } catch (error) {
        throw new KubectlError(`error: error parsing jsonpath ${format.template}, ${(error as Error).message}`);
      }
      path.allowMissingKeys = format.allowMissingKeys ?? true;
      try {
        return path.execute(shown, format.asJson);
      } catch (error) {
        if (!(error instanceof JsonPathError)) throw error;
        // kubectl's JSONPathPrinter puts a dump of what it was given into the error (stderr).
        throw new KubectlError(
          `error: error executing jsonpath ${goQuote(format.template)}: Error executing template: ${error.message}. Printing more information for debugging the template:\n` +
            `\ttemplate was:\n\t\t${format.template}\n` +
            `\tobject given to jsonpath engine was:\n\t\t${jsonPathDebugDump(shown)}\n\n\n`,
        );
      }
    }
    case "go-template": {
      let template: GoTemplate;
      try {
        template = new GoTemplate(format.template);
      } catch (error) {
        throw new KubectlError(`error: error parsing template ${format.template}, ${(error as Error).message}`);
      }
      try {
        return template.execute(shown);
      } catch (error) {
        if (!(error instanceof GoTemplateExecError)) throw error;
        // kubectl's GoTemplatePrinter writes what ran, then a dump for debugging, to stdout.
        const dump =
          `${error.output}Error executing template: ${error.message}. Printing more information for debugging the template:\n` +
          `\ttemplate was:\n\t\t${format.template}\n` +
          `\traw data was:\n\t\t${toGoJsonCompact(shown)}\n` +
          `\tobject given to template engine was:\n\t\t${goPrint(shown)}\n\n`;
        throw new KubectlError(
          `error: error executing template ${goQuote(format.template)}: ${error.message}`,
          1,
          dump,
        );
      }
    }
    case "custom-columns":
      return printCustomColumns(
        Array.isArray(shown.items) ? (shown.items as KubeObject[]) : [shown],
        format.spec,
        false,
      );
    case "table":
      throw new Error("table format is printed from server-side tables");
  }
}

/** printers.EscapeTerminal: ESC and CR made visible; other bytes, newlines included, are printed as they are. */
function escapeTerminal(text: string): string {
  return text.replaceAll("\x1b", "^[").replaceAll("\r", "\\r");
}

/** kubectl's custom-columns printer. */
export function printCustomColumns(items: KubeObject[], spec: string, noHeaders: boolean): string {
  const columns = spec.split(",").map((part) => {
    const colon = part.indexOf(":");
    if (colon < 0) {
      throw new KubectlError(`error: unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    let expression = part.slice(colon + 1);
    if (!expression.startsWith("{")) expression = `{${expression.startsWith(".") ? "" : "."}${expression}}`;
    return { header: part.slice(0, colon), path: new JsonPath(expression) };
  });
  let out = noHeaders ? "" : `${columns.map((column) => column.header).join("\t")}\n`;
  for (const item of items) {
    out += `${columns
      .map((column) => {
        // fmt.Sprint of each value, as Go prints it (`map[app:web]`, `[map[key:k]]`, `<nil>`).
        const results = column.path.findResults(item);
        const values = results.flat().map((value) => escapeTerminal(goPrint(value)));
        if ((results[0]?.length ?? 0) === 0) values.unshift("<none>");
        return values.join(",");
      })
      .join("\t")}\n`;
  }
  return formatTabbed(out);
}

import { KubectlError } from "../errors";
import type { Flags } from "../flags";
import type { KubectlIO } from "../KubectlIO";

/** The -o formats whose template is a file: its name after `=`, or --template's. */
const fileFormats = new Set(["go-template-file", "templatefile", "jsonpath-file", "custom-columns-file"]);

/**
 * Reads the file an `-o go-template-file|templatefile|jsonpath-file|custom-columns-file` names (the
 * learner's own files, relative to the working folder) and puts its text in the -o value, so the
 * printers need no file access: `go-template-file=<template text>`. A custom-columns file keeps its
 * name before a NUL for the "unable to match a printer" error of commands without custom columns.
 * Errors are kubectl's (printers' TemplatePrinterFlags, get's CustomColumnsPrintFlags).
 */
export async function readOutputTemplateFile(flags: Flags, io: KubectlIO): Promise<void> {
  const output = flags.parsed.values.get("output");
  if (typeof output !== "string") return;
  const equals = output.indexOf("=");
  const kind = equals >= 0 ? output.slice(0, equals) : output;
  if (!fileFormats.has(kind)) return;
  const path = equals >= 0 ? output.slice(equals + 1) : flags.string("template");
  if (kind === "custom-columns-file") {
    if (!path) throw new KubectlError("error: custom-columns format specified but no custom columns given");
    // A file that cannot be read is an error; a directory reads as nothing (no header line).
    const isDirectory = (await io.readDirectory(path).catch(() => undefined)) !== undefined;
    const text = isDirectory ? "" : await readOrExplain(io, path, `error reading template ${path}`);
    flags.parsed.values.set("output", `${kind}=${path}\0${text}`);
    return;
  }
  if (!path) throw new KubectlError("error: template format specified but no template given");
  if ((await io.readDirectory(path).catch(() => undefined)) !== undefined)
    throw new KubectlError(`error: error reading --template ${path}, read ${path}: is a directory`);
  const text = await readOrExplain(io, path, `error reading --template ${path}`);
  flags.parsed.values.set("output", `${kind}=${text}`);
}

/** os.ReadFile's error as Go words it (`open x: no such file or directory`), after kubectl's prefix. */
async function readOrExplain(io: KubectlIO, path: string, prefix: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch {
    throw new KubectlError(`error: ${prefix}, open ${path}: no such file or directory`);
  }
}

/**
 * NewCustomColumnsPrinterFromTemplate: a line of headers and a line of field specs, split on white
 * space, as the inline `HEADER:spec,…` form.
 */
export function customColumnsFromTemplate(text: string): string {
  const lines = text.split("\n");
  if (text === "" || lines.length === 0)
    throw new KubectlError(
      "error: invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.",
    );
  const words = (line: string | undefined) => (line ?? "").split(/\s+/).filter(Boolean);
  const headers = words(lines[0]);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === ""))
    throw new KubectlError(
      "error: invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.",
    );
  const specs = words(lines[1]);
  if (headers.length !== specs.length)
    throw new KubectlError(
      `error: number of headers (${headers.length}) and field specifications (${specs.length}) don't match`,
    );
  return headers.map((header, index) => `${header}:${specs[index]}`).join(",");
}

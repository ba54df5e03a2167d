import type { CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo, resourcePath } from "../Discovery";
import { KubectlError } from "../errors";
import { type Flags, parseGoBool } from "../flags";
import { type OutputFormat, parseOutputFormat, printObject } from "../printers/output";
import { changeCause, changeCauseAnnotation, type KubeObject, recordChangeCause } from "./common";

/** --dry-run values. */
export type DryRun = "none" | "client" | "server";

/** Parses --dry-run as kubectl does (bare flag means client, with a deprecation notice). */
export function dryRunOf(_context: CommandContext, flags: Flags): DryRun {
  const value = flags.string("dry-run") || "none";
  if (value === "unchanged" || value === "true") {
    return "client";
  }
  if (value === "false") return "none";
  if (value !== "none" && value !== "client" && value !== "server") {
    throw new KubectlError(`error: Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
  }
  return value;
}

/** The "(dry run)" suffix kubectl adds to messages. */
export function dryRunSuffix(dryRun: DryRun): string {
  return dryRun === "client" ? " (dry run)" : dryRun === "server" ? " (server dry run)" : "";
}

/** `deployment.apps/web created` style message. */
export function successMessage(
  info: { kind: string; group: string },
  name: string,
  verb: string,
  dryRun: DryRun = "none",
): string {
  return `${kindDotGroup(info)}/${name} ${verb}${dryRunSuffix(dryRun)}\n`;
}

/** Prints a result object with -o, or the success message. */
export function printResult(
  context: CommandContext,
  flags: Flags,
  info: { kind: string; group: string },
  object: KubeObject,
  verb: string,
  dryRun: DryRun,
): void {
  const output = flags.string("output");
  if (output) {
    const format: OutputFormat = parseOutputFormat(output, { tableAllowed: false });
    if (format.type === "name") {
      context.io.stdout(successMessage(info, String(object.metadata?.name ?? ""), verb, dryRun).replace(/ .*$/s, "\n"));
      return;
    }
    context.io.stdout(printObject(object, format, false, dryRun !== "client"));
    return;
  }
  context.io.stdout(successMessage(info, String(object.metadata?.name ?? ""), verb, dryRun));
}

/** POSTs an object (honouring dry-run); returns what the server (or the client, for client dry-run) holds. */
export async function createObject(
  context: CommandContext,
  info: ResourceInfo,
  object: KubeObject,
  namespace: string | undefined,
  dryRun: DryRun,
  fieldManager = "kubectl-create",
  fieldValidation = "Strict",
): Promise<KubeObject> {
  // Recorded before the dry-run check, so a client dry run prints it too.
  recordChangeCause(object, changeCause(context, context.globals));
  if (dryRun === "client") return object;
  const client = await context.client();
  const requestNamespace = info.namespaced ? (object.metadata?.namespace ?? namespace) : undefined;
  return client.json<KubeObject>("POST", resourcePath(info, requestNamespace), {
    body: object,
    query: { fieldManager, fieldValidation, dryRun: dryRun === "server" ? "All" : undefined },
  });
}

/**
 * How patch and scale record (ChangeCauseRecorder.MakeRecordMergePatch): after their change, a
 * second merge patch setting the change cause, on the object itself (scale's first patch went to
 * its scale subresource). Not on dry runs.
 */
export async function recordWithMergePatch(
  context: CommandContext,
  flags: Flags,
  info: ResourceInfo,
  object: KubeObject,
  dryRun: DryRun,
  fieldManager?: string,
): Promise<KubeObject> {
  const cause = changeCause(context, flags);
  if (cause === undefined || dryRun !== "none" || object.metadata?.annotations?.[changeCauseAnnotation] === cause)
    return object;
  return patchObject(
    context,
    info,
    object.metadata?.namespace,
    String(object.metadata?.name),
    { metadata: { annotations: { [changeCauseAnnotation]: cause } } },
    "merge",
    { fieldManager: fieldManager ?? (flags.string("field-manager") || undefined) },
  );
}

/** The server's field validation directives (the fieldValidation query parameter). */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** cmdutil.GetValidationDirective: the directive --validate names. */
export function validationDirective(flags: Flags): FieldValidation {
  const value = flags.string("validate");
  const asBool = parseGoBool(value);
  if (asBool !== undefined) return asBool ? "Strict" : "Ignore";
  if (value === "strict") return "Strict";
  if (value === "warn") return "Warn";
  if (value === "ignore") return "Ignore";
  throw new KubectlError(
    `error: invalid - validate option "${value}"; must be one of: strict (or true), warn, ignore (or false)`,
  );
}

/** PATCHes an object. */
export async function patchObject(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  patch: unknown,
  patchType: "strategic" | "merge" | "json" | "apply",
  options: {
    dryRun?: DryRun;
    fieldManager?: string;
    subresource?: string;
    force?: boolean;
    /** Sent only by the commands whose helper has WithFieldValidation (edit, taint); patch, label, set … send none. */
    fieldValidation?: FieldValidation;
  } = {},
): Promise<KubeObject> {
  const client = await context.client();
  const contentTypes = {
    strategic: "application/strategic-merge-patch+json",
    merge: "application/merge-patch+json",
    json: "application/json-patch+json",
    apply: "application/apply-patch+yaml",
  };
  return client.json<KubeObject>(
    "PATCH",
    resourcePath(info, info.namespaced ? namespace : undefined, name, options.subresource),
    {
      body: typeof patch === "string" ? patch : JSON.stringify(patch),
      contentType: contentTypes[patchType],
      query: {
        fieldManager: options.fieldManager ?? "kubectl-patch",
        dryRun: options.dryRun === "server" ? "All" : undefined,
        force: options.force ? true : undefined,
        fieldValidation: options.fieldValidation,
      },
    },
  );
}

/** PUTs an object. */
export async function replaceObject(
  context: CommandContext,
  info: ResourceInfo,
  namespace: string | undefined,
  object: KubeObject,
  options: { dryRun?: DryRun; fieldManager?: string; subresource?: string; fieldValidation?: FieldValidation } = {},
): Promise<KubeObject> {
  const client = await context.client();
  const name = String(object.metadata?.name ?? "");
  return client.json<KubeObject>(
    "PUT",
    resourcePath(info, info.namespaced ? namespace : undefined, name, options.subresource),
    {
      body: object,
      query: {
        fieldManager: options.fieldManager ?? "kubectl-replace",
        fieldValidation: options.fieldValidation ?? "Strict",
        dryRun: options.dryRun === "server" ? "All" : undefined,
      },
    },
  );
}

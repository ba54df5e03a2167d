import { parse } from "yaml";
import type { Command, CommandContext } from "../Command";
import { kindDotGroup, type ResourceInfo } from "../Discovery";
import { ApiStatusError, KubectlError, plainError } from "../errors";
import type { Flags } from "../flags";
import { goYamlError } from "../goYamlError";
import { toGoYaml } from "../printers/goYaml";
import { omitManagedFields } from "../printers/output";
import { threeWayJsonMergePatch, threeWayMergePatch } from "../strategicMerge";
import { changeCause, filenameFlags, type KubeObject, printFlags, recordChangeCause, recordFlag } from "./common";
import { type FieldValidation, patchObject, printResult, validationDirective } from "./mutation";
import { objectsFor } from "./workloads";

const editHeader = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** Why the file is reopened (editoptions.go editReason): a head line and its causes. */
interface EditReason {
  head: string;
  other: string[];
}

/** editHeader.writeTo: the standard header, then each reason as comment lines. */
function headerWith(reasons: EditReason[]): string {
  let text = editHeader;
  for (const reason of reasons) {
    text += `# ${hashOnLineBreak(reason.head)}${reason.other.length > 0 ? ":" : ""}\n`;
    for (const other of reason.other) text += `# * ${hashOnLineBreak(other)}\n`;
    text += "#\n";
  }
  return text;
}

function hashOnLineBreak(text: string): string {
  return text.replace(/\n(?=[^#])/g, "\n# ");
}

/** cmdutil.ManualStrip: drops comment lines (but not `#!`). */
function manualStrip(text: string): string {
  const lines = text.split("\n");
  let out = "";
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("#") && !trimmed.startsWith("#!")) return;
    out += line;
    if (index < lines.length - 1) out += "\n";
  });
  return out;
}

/** cmdutil.StripComments: the text as JSON when it parses, so that only content is compared. */
function stripComments(text: string): string {
  const stripped = manualStrip(text);
  if (goYamlError(stripped) !== undefined) return stripped;
  try {
    return JSON.stringify(parse(stripped) ?? null);
  } catch {
    return stripped;
  }
}

/** editoptions.go hasLines: some line that is neither blank nor a comment. */
function hasLines(text: string): boolean {
  return text.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("#"));
}

/** `kubectl edit`: opens the object in the terminal's editor and patches what changed. */
export const editCommand: Command = {
  name: "edit",
  short: "Edit a resource on the server",
  use: "edit (RESOURCE/NAME | -f FILENAME)",
  flags: [
    recordFlag,
    ...printFlags,
    ...filenameFlags("to use to edit the resource"),
    { name: "output-patch", kind: "bool", usage: "Output the patch if the resource is edited." },
    { name: "windows-line-endings", kind: "bool", usage: "Defaults to the line ending native to your platform." },
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
      name: "field-manager",
      kind: "string",
      default: "kubectl-edit",
      usage: "Name of the manager used to track field ownership.",
    },
    {
      name: "subresource",
      kind: "string",
      usage: "If specified, edit will operate on the subresource of the requested object.",
    },
  ],
  async run(context, flags) {
    if (flags.positional.length === 0 && flags.list("filename").length === 0) {
      throw new KubectlError(
        "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
      );
    }
    const fieldValidation = validationDirective(flags);
    const output = flags.string("output");
    if (output && output !== "json" && output !== "yaml")
      throw plainError(
        `unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`,
      );
    if (!context.io.edit) throw new KubectlError("error: no editor is available in this session");
    for (const { info, object } of await objectsFor(context, flags)) {
      const status = await editObject(context, flags, info, object, fieldValidation);
      if (status !== 0) return status;
    }
    return 0;
  },
};

/**
 * One editing session, as editoptions.go's editFn: the file is reopened, with the reasons in its
 * header, while the edit is invalid; saving it unchanged after an error gives up.
 */
async function editObject(
  context: CommandContext,
  flags: Flags,
  info: ResourceInfo,
  object: KubeObject,
  fieldValidation: FieldValidation,
) {
  const resource = `${info.resource}${info.group ? `.${info.group}` : ""}`;
  const name = String(object.metadata?.name);
  const shown = omitManagedFields(object);
  const original = editHeader + toGoYaml(shown);
  let reasons: EditReason[] = [];
  let containsError = false;
  let edited = "";
  const preserve = async (): Promise<string> => {
    const file = `/tmp/kubectl-edit-${Date.now()}.yaml`;
    try {
      await context.io.writeFile(file, edited);
    } catch {
      // The copy is a courtesy; losing it must not hide the error.
    }
    return file;
  };
  for (;;) {
    const previous = edited;
    const saved = await context.io.edit?.(
      headerWith(reasons) + (containsError ? manualStrip(edited) : toGoYaml(shown)),
      `kubectl-edit-${name}.yaml`,
    );
    if (saved === undefined) {
      context.io.stderr("Edit cancelled, no changes made.\n");
      return 0;
    }
    edited = saved;
    if (containsError && stripComments(previous) === stripComments(edited)) {
      const file = await preserve();
      context.io.stderr(
        `A copy of your changes has been stored to "${file}"\nerror: Edit cancelled, no valid changes were saved.\n`,
      );
      return 1;
    }
    // The validator reads the file before anything else; a YAML error is an Invalid error of its own.
    const syntaxError = goYamlError(manualStrip(edited));
    if (syntaxError) {
      containsError = true;
      reasons = [
        {
          head: `${resource} "${name}" was not valid`,
          other: [`<nil>: Invalid value: "The edited file failed validation": ${syntaxError}`],
        },
      ];
      context.io.stderr(`error: ${resource} "${name}" is invalid\n`);
      continue;
    }
    if (stripComments(original) === stripComments(edited)) {
      context.io.stderr("Edit cancelled, no changes made.\n");
      return 0;
    }
    if (!hasLines(edited)) {
      context.io.stderr("Edit cancelled, saved file was empty.\n");
      return 0;
    }
    reasons = [];
    containsError = false;
    const modified = parse(manualStrip(edited)) as KubeObject;
    if (
      modified?.apiVersion !== shown.apiVersion ||
      modified?.kind !== shown.kind ||
      modified?.metadata?.name !== shown.metadata?.name
    ) {
      const file = await preserve();
      context.io.stderr(
        `A copy of your changes has been stored to "${file}"\nerror: At least one of apiVersion, kind and name was changed\n`,
      );
      return 1;
    }
    const builtin = !info.group.includes(".") || info.group.endsWith(".k8s.io");
    const diff = (edited: KubeObject) =>
      builtin ? threeWayMergePatch(shown, edited, shown) : threeWayJsonMergePatch(shown, edited, shown);
    if (Object.keys(diff(modified)).length === 0) {
      context.io.stdout(`${kindDotGroup(info)}/${name} skipped\n`);
      return 0;
    }
    // --record: the editor's changes and the change cause go in one patch.
    recordChangeCause(modified, changeCause(context, flags));
    const patch = diff(modified);
    try {
      const result = await patchObject(
        context,
        info,
        object.metadata?.namespace,
        name,
        patch,
        builtin ? "strategic" : "merge",
        { fieldManager: flags.string("field-manager"), fieldValidation },
      );
      if (flags.string("output")) printResult(context, flags, info, result, "edited", "none");
      else context.io.stdout(`${kindDotGroup(info)}/${name} edited\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof ApiStatusError)) throw error;
      // editResults.addError: Invalid reopens the file; NotFound and the rest end the edit.
      if (error.reason === "Invalid") {
        containsError = true;
        const causes = error.status.details?.causes ?? [];
        reasons.push({
          head: `${resource} "${name}" was not valid`,
          other: causes.map((cause) => `${cause.field}: ${cause.message}`),
        });
        context.io.stderr(`error: ${resource} "${name}" is invalid\n`);
        continue;
      }
      const file = await preserve();
      if (error.reason === "NotFound") {
        context.io.stderr(
          `error: ${resource} "${name}" could not be found on the server\nThe edits you made on deleted resources have been saved to "${file}"\n`,
        );
      } else {
        context.io.stderr(
          `error: ${resource} "${name}" could not be patched: ${error.message}\nYou can run \`kubectl replace -f ${file}\` to try this update again.\n`,
        );
      }
      return 1;
    }
  }
}

import { applyObject, lastAppliedAnnotation } from "../apply";
import type { Command } from "../Command";
import { kindDotGroup } from "../Discovery";
import { ApiStatusError, describeFailure, KubectlError } from "../errors";

const conflictHelp = `
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

import { filenameArguments, readFilenameOptions } from "../kustomize";
import { asList, parseOutputFormat, printObject } from "../printers/output";
import {
  changeCause,
  dryRunFlag,
  filenameFlags,
  type KubeObject,
  printFlags,
  recordChangeCause,
  recordFlag,
} from "./common";
import { dryRunOf, dryRunSuffix, validationDirective } from "./mutation";

/** `kubectl apply`. */
export const applyCommand: Command = {
  name: "apply",
  short: "Apply a configuration to a resource by file name or stdin",
  long: "Apply a configuration to a resource by file name or stdin. The resource name must be specified. This resource will be created if it doesn't exist yet. To use 'apply', always create the resource initially with either 'apply' or 'create --save-config'.\n\n JSON and YAML formats are accepted.\n\n Alpha Disclaimer: the --prune functionality is not yet complete. Do not use unless you are aware of what the current state is. See https://issues.k8s.io/34274.",
  use: "apply (-f FILENAME | -k DIRECTORY)",
  flags: [
    recordFlag,
    ...printFlags,
    ...filenameFlags("that contains the configuration to apply"),
    dryRunFlag,
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
    {
      name: "force",
      kind: "bool",
      usage:
        "If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.",
    },
    {
      name: "overwrite",
      kind: "bool",
      default: true,
      usage:
        "Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration",
    },
    {
      name: "prune",
      kind: "bool",
      usage:
        "Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.",
    },
    {
      name: "selector",
      shorthand: "l",
      kind: "string",
      usage:
        "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
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
      usage: "If true, wait for resources to be gone before returning. This waits for finalizers.",
    },
  ],
  subcommands: [],
  async run(context, flags) {
    const filenames = filenameArguments(flags);
    if (filenames.length === 0) {
      throw new KubectlError("error: must specify one of -f and -k");
    }
    const fieldValidation = validationDirective(flags);
    const output = flags.string("output");
    const format = output ? parseOutputFormat(output, { tableAllowed: false }) : undefined;
    const dryRun = dryRunOf(context, flags);
    const manifests = await readFilenameOptions(context.io, flags);
    if (manifests.length === 0) throw new KubectlError("error: no objects passed to apply");
    const client = await context.client();
    const discovery = await context.discovery();
    const namespace = await context.namespace();
    const serverSide = flags.bool("server-side");
    let failed = false;
    const printed: KubeObject[] = [];
    for (const manifest of manifests) {
      const object = manifest.object as KubeObject;
      try {
        if (!object.metadata?.name)
          throw new KubectlError(
            `error: error when retrieving current configuration of:\nResource: "", GroupVersionKind: ""\nName: "", Namespace: ""\nfrom server for: "${manifest.source}": resource name may not be empty`,
          );
        const objectNamespace = object.metadata.namespace;
        if (objectNamespace && context.explicitNamespace && objectNamespace !== namespace) {
          throw new KubectlError(
            `error: the namespace from the provided object "${objectNamespace}" does not match the namespace "${namespace}". You must pass '--namespace=${objectNamespace}' to perform this operation.`,
          );
        }
        // apply records before the last-applied annotation is computed, so it holds the cause too.
        recordChangeCause(object, changeCause(context, flags));
        const result = await applyObject(client, discovery, object, {
          namespace,
          serverSide,
          forceConflicts: flags.bool("force-conflicts"),
          fieldManager: flags.changed("field-manager")
            ? flags.string("field-manager")
            : serverSide
              ? "kubectl"
              : "kubectl-client-side-apply",
          dryRun,
          fieldValidation,
          source: manifest.source,
          onMissingAnnotation: (info, name) =>
            context.io.stderr(
              `Warning: resource ${info.resource}/${name} is missing the ${lastAppliedAnnotation} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
            ),
        });
        if (format) {
          if (format.type === "name") context.io.stdout(`${kindDotGroup(result.info)}/${result.name}\n`);
          else printed.push(result.object);
        } else {
          context.io.stdout(`${kindDotGroup(result.info)}/${result.name} ${result.operation}${dryRunSuffix(dryRun)}\n`);
        }
      } catch (error) {
        failed = true;
        if (
          error instanceof ApiStatusError &&
          error.reason === "Conflict" &&
          serverSide &&
          /^Apply failed/.test(error.status.message ?? "")
        ) {
          context.io.stderr(`error: ${error.status.message}${conflictHelp}\n`);
        } else context.io.stderr(`${describeFailure(error).message}\n`);
      }
    }
    if (format && format.type !== "name" && printed.length > 0) {
      context.io.stdout(printObject(printed.length === 1 ? (printed[0] as KubeObject) : asList(printed), format));
    }
    return failed ? 1 : 0;
  },
};

import type { Command } from "../Command";
import { resourcePath } from "../Discovery";
import { describeObject } from "../describe/describers";
import { ApiStatusError, formatApiError, KubectlError } from "../errors";
import { readManifests } from "../manifests";
import { resolveTargets } from "../targets";
import { filenameFlags, type KubeObject, missingNamespaceError } from "./common";

/** `kubectl describe`. */
export const describeCommand: Command = {
  name: "describe",
  short: "Show details of a specific resource or group of resources",
  use: "describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
  flags: [
    ...filenameFlags("containing the resource to describe"),
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
      name: "show-events",
      kind: "bool",
      default: true,
      usage: "If true, display events related to the described object.",
    },
    {
      name: "chunk-size",
      kind: "int",
      default: 500,
      usage:
        "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.",
    },
  ],
  async run(context, flags) {
    const args = flags.positional;
    const filenames = flags.list("filename");
    if (args.length === 0 && filenames.length === 0) {
      throw new KubectlError(
        'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n',
      );
    }
    const client = await context.client();
    const allNamespaces = flags.bool("all-namespaces");
    const namespace = await context.namespace();
    const outputs: string[] = [];
    const prefixMatches: string[] = [];
    const errors: string[] = [];
    const settings = { client, now: context.now(), showEvents: flags.bool("show-events") };
    const describeOne = async (info: Parameters<typeof describeObject>[0]["info"], object: KubeObject) => {
      outputs.push(await describeObject({ ...settings, info }, object));
    };
    if (filenames.length > 0) {
      const discovery = await context.discovery();
      for (const manifest of await readManifests(context.io, filenames, flags.bool("recursive"))) {
        const info = await discovery.resolveKind(
          String(manifest.object.apiVersion ?? ""),
          String(manifest.object.kind ?? ""),
        );
        try {
          const object = await client.get<KubeObject>(
            resourcePath(
              info,
              info.namespaced ? (manifest.object.metadata?.namespace ?? namespace) : undefined,
              String(manifest.object.metadata?.name),
            ),
          );
          await describeOne(info, object);
        } catch (error) {
          if (error instanceof ApiStatusError) errors.push(formatApiError(error));
          else throw error;
        }
      }
    } else {
      const targets = await resolveTargets(context, args);
      for (const target of targets) {
        const targetNamespace = target.info.namespaced ? (allNamespaces ? undefined : namespace) : undefined;
        if (target.names.length === 0) {
          const list = await client.get<{ items: KubeObject[] }>(resourcePath(target.info, targetNamespace), {
            query: { labelSelector: flags.string("selector") || undefined },
          });
          if (list.items.length === 0 && targets.length === 1) {
            context.io.stderr(
              allNamespaces ? "No resources found\n" : `No resources found in ${namespace} namespace.\n`,
            );
          }
          for (const item of list.items)
            await describeOne(target.info, {
              apiVersion: target.info.group ? `${target.info.group}/${target.info.version}` : target.info.version,
              kind: target.info.kind,
              ...item,
            });
          continue;
        }
        for (const name of target.names) {
          try {
            const object = await client.get<KubeObject>(
              resourcePath(target.info, target.info.namespaced ? namespace : undefined, name),
            );
            await describeOne(target.info, object);
          } catch (error) {
            if (!(error instanceof ApiStatusError) || error.reason !== "NotFound") throw error;
            const shown =
              (await missingNamespaceError(context, target.info, target.info.namespaced ? namespace : undefined)) ??
              error;
            // DescribeMatchingResources: only `describe TYPE NAME` (two arguments) falls back to
            // every object whose name starts with NAME, each description followed by a newline.
            if (args.length !== 2) {
              errors.push(formatApiError(shown));
              continue;
            }
            const list = await client.get<{ items: KubeObject[] }>(
              resourcePath(target.info, target.info.namespaced ? namespace : undefined),
            );
            const matches = list.items.filter((item) => String(item.metadata?.name ?? "").startsWith(name));
            if (matches.length === 0) errors.push(formatApiError(shown));
            for (const item of matches)
              prefixMatches.push(`${await describeObject({ ...settings, info: target.info }, item)}\n`);
          }
        }
      }
    }
    context.io.stdout(outputs.join("\n\n") + prefixMatches.join(""));
    for (const error of errors) context.io.stderr(`${error}\n`);
    return errors.length > 0 ? 1 : 0;
  },
};

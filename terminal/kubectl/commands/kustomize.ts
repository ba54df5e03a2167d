import type { Command } from "../Command";
import { buildKustomization } from "../kustomize";
import { klogErrorLine } from "../kustomize/klog";
import { KustomizeError } from "../kustomize/kustomize";

/** `kubectl kustomize [DIR]`: kustomize's build, printed as kustomize prints it. */
export const kustomizeCommand: Command = {
  name: "kustomize",
  short: "Build a kustomization target from a directory or URL",
  use: "kustomize DIR [flags]",
  flags: [
    {
      name: "as-current-user",
      kind: "bool",
      usage: "use the uid and gid of the command executor to run the function in the container",
    },
    { name: "enable-alpha-plugins", kind: "bool", usage: "enable kustomize plugins" },
    { name: "enable-helm", kind: "bool", usage: "Enable use of the Helm chart inflator generator." },
    {
      name: "env",
      shorthand: "e",
      kind: "stringArray",
      usage: "a list of environment variables to be used by functions",
    },
    {
      name: "helm-api-versions",
      kind: "stringArray",
      usage: "Kubernetes api versions used by Helm for Capabilities.APIVersions",
    },
    { name: "helm-command", kind: "string", default: "helm", usage: "helm command (path to executable)" },
    { name: "helm-debug", kind: "bool", usage: "Enable debug output from the Helm chart inflator generator." },
    {
      name: "helm-kube-version",
      kind: "string",
      usage: "Kubernetes version used by Helm for Capabilities.KubeVersion",
    },
    {
      name: "load-restrictor",
      kind: "string",
      default: "LoadRestrictionsRootOnly",
      usage:
        "if set to 'LoadRestrictionsNone', local kustomizations may load files from outside their root. This does, however, break the relocatability of the kustomization.",
    },
    { name: "mount", kind: "stringArray", usage: "a list of storage options read from the filesystem" },
    { name: "network", kind: "bool", usage: "enable network access for functions that declare it" },
    { name: "network-name", kind: "string", default: "bridge", usage: "the docker network to run the container in" },
    { name: "output", shorthand: "o", kind: "string", usage: "If specified, write output to this path." },
  ],
  async run(context, flags) {
    const io = context.io;
    const args = flags.positional;
    // kustomize's cobra RunE errors reach kubectl's main, which logs them with klog and exits 1.
    const fail = (message: string) => {
      io.stderr(klogErrorLine(io, message));
      return 1;
    };
    if (args.length > 1) return fail("specify one path to kustomization.yaml");
    try {
      const { yaml } = await buildKustomization(io, args[0] ?? ".");
      const output = flags.string("output");
      if (output) await io.writeFile(output, yaml);
      else io.stdout(yaml);
      return 0;
    } catch (error) {
      if (error instanceof KustomizeError) return fail(error.message);
      throw error;
    }
  },
};

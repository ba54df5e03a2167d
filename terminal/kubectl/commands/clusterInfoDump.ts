import type { Command, CommandContext } from "../Command";
import { ApiStatusError, formatApiError, KubectlError } from "../errors";
import type { Flags } from "../flags";
import { parseOutputFormat, printObject } from "../printers/output";
import { typedOrder } from "../printers/typedOrder";
import { toStatusError } from "../RestClient";
import type { KubeObject } from "./common";

interface ObjectList {
  metadata?: Record<string, unknown>;
  items?: KubeObject[];
}

/** What cluster-info dump lists in each namespace, in its order (dump.go's Run). */
const namespacedLists: { path: string; apiVersion: string; kind: string; name: string }[] = [
  { path: "/api/v1/namespaces/{ns}/events", apiVersion: "v1", kind: "Event", name: "events" },
  {
    path: "/api/v1/namespaces/{ns}/replicationcontrollers",
    apiVersion: "v1",
    kind: "ReplicationController",
    name: "replication-controllers",
  },
  { path: "/api/v1/namespaces/{ns}/services", apiVersion: "v1", kind: "Service", name: "services" },
  { path: "/apis/apps/v1/namespaces/{ns}/daemonsets", apiVersion: "apps/v1", kind: "DaemonSet", name: "daemonsets" },
  { path: "/apis/apps/v1/namespaces/{ns}/deployments", apiVersion: "apps/v1", kind: "Deployment", name: "deployments" },
  { path: "/apis/apps/v1/namespaces/{ns}/replicasets", apiVersion: "apps/v1", kind: "ReplicaSet", name: "replicasets" },
  { path: "/api/v1/namespaces/{ns}/pods", apiVersion: "v1", kind: "Pod", name: "pods" },
];

/**
 * `kubectl cluster-info dump` (cluster-info/dump.go): the nodes, then for kube-system and the
 * current namespace (or --namespaces, or every namespace with -A) the events, replication
 * controllers, services, daemon sets, deployments, replica sets and pods, each list printed as
 * kubectl prints a typed list (JSON by default: kind and apiVersion first, fields in the server's
 * order, which is the API types' order), then every container's logs between START/END lines.
 * The first list the server refuses ends the dump with its error, as kubectl's does.
 */
export const clusterInfoDumpCommand: Command = {
  name: "dump",
  short: "Dump relevant information for debugging and diagnosis",
  use: "dump [flags]",
  flags: [
    {
      name: "all-namespaces",
      shorthand: "A",
      kind: "bool",
      usage: "If true, dump all namespaces.  If true, --namespaces is ignored.",
    },
    { name: "namespaces", kind: "stringSlice", usage: "A comma separated list of namespaces to dump." },
    { name: "output", shorthand: "o", kind: "string", default: "json", usage: "Output format." },
    { name: "output-directory", kind: "string", usage: "Where to output the files." },
    { name: "pod-running-timeout", kind: "string", default: "20s", usage: "Timeout for pods to be running." },
    { name: "show-managed-fields", kind: "bool", usage: "Keep the managedFields when printing." },
    { name: "allow-missing-template-keys", kind: "bool", default: true, usage: "Ignore missing template keys." },
    { name: "template", kind: "string", usage: "Template string." },
  ],
  async run(context, flags) {
    if (flags.string("output-directory"))
      throw new KubectlError(
        "error: --output-directory is not supported by Kubelab's kubectl; the dump goes to standard output",
      );
    const format = parseOutputFormat(flags.string("output"), {
      tableAllowed: false,
      template: flags.string("template"),
    });
    const client = await context.client();
    const list = async (path: string): Promise<ObjectList> => {
      try {
        return await client.get<ObjectList>(path);
      } catch (error) {
        if (error instanceof ApiStatusError) throw new KubectlError(formatApiError(error));
        throw error;
      }
    };
    let printed = 0;
    const print = (items: ObjectList, apiVersion: string, kind: string) => {
      if (format.type === "name")
        throw new KubectlError(
          `error: list types are not supported by name printing: *${apiVersion.split("/").pop()}.${kind}List`,
        );
      // The YAML printer separates the documents it prints after the first.
      if (format.type === "yaml" && printed++ > 0) context.io.stdout("---\n");
      const typed = {
        kind: `${kind}List`,
        apiVersion,
        metadata: items.metadata ?? {},
        items: (items.items ?? []).map((item) => typedOrder({ kind, apiVersion, ...item })),
      };
      context.io.stdout(printObject(typed as KubeObject, format, flags.bool("show-managed-fields"), false));
    };

    print(await list("/api/v1/nodes"), "v1", "Node");
    for (const namespace of await namespacesToDump(context, flags, list)) {
      let pods: ObjectList = {};
      for (const entry of namespacedLists) {
        const items = await list(entry.path.replace("{ns}", encodeURIComponent(namespace)));
        print(items, entry.apiVersion, entry.kind);
        if (entry.kind === "Pod") pods = items;
      }
      for (const pod of pods.items ?? []) {
        const spec = (pod.spec ?? {}) as { initContainers?: { name: string }[]; containers?: { name: string }[] };
        for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])])
          context.io.stdout(await containerLogs(context, pod, container.name));
      }
    }
    context.io.stdout("Cluster info dumped to standard output\n");
    return 0;
  },
};

async function namespacesToDump(
  context: CommandContext,
  flags: Flags,
  list: (path: string) => Promise<ObjectList>,
): Promise<string[]> {
  if (flags.bool("all-namespaces"))
    return ((await list("/api/v1/namespaces")).items ?? []).map((namespace) => String(namespace.metadata?.name));
  const named = flags.list("namespaces");
  if (named.length > 0) return named;
  return ["kube-system", await context.namespace()];
}

/** One container's logs between dump.go's START and END lines; a failed request prints its error there. */
async function containerLogs(context: CommandContext, pod: KubeObject, container: string): Promise<string> {
  const where = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  let out = `==== START logs for container ${container} of pod ${where} ====\n`;
  const client = await context.client();
  const response = await client.raw(
    "GET",
    `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/log`,
    {
      query: { container },
    },
  );
  if (response.statusCode >= 400) {
    const status = toStatusError(response);
    out += `Request log error: ${status.message}\n`;
  } else out += response.body;
  return `${out}==== END logs for container ${container} of pod ${where} ====\n`;
}
